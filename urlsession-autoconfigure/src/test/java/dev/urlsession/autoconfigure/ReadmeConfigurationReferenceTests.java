package dev.urlsession.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The README's configuration reference is the one rendered from the built configuration metadata,
 * so it cannot go stale. To rewrite it after a change of the properties:
 * {@code ./mvnw -B -q -pl urlsession-autoconfigure -am verify -Dtest=ReadmeConfigurationReferenceTests
 * -Dsurefire.failIfNoSpecifiedTests=false -Durlsession.readme.update=true}.
 */
class ReadmeConfigurationReferenceTests {
  static final String UPDATE_COMMAND = "./mvnw -B -q -pl urlsession-autoconfigure -am verify"
      + " -Dtest=ReadmeConfigurationReferenceTests -Dsurefire.failIfNoSpecifiedTests=false"
      + " -Durlsession.readme.update=true";

  @Test
  void readmeWhenBuiltHasTheConfigurationReferenceOfTheMetadata() throws Exception {
    Path readme = readme();
    String text = Files.readString(readme, StandardCharsets.UTF_8);
    String expected = ConfigurationReference.render(ConfigurationMetadata.properties());
    if (Boolean.getBoolean("urlsession.readme.update")) {
      Files.writeString(readme, ConfigurationReference.replaceSection(text, expected), StandardCharsets.UTF_8);
      text = Files.readString(readme, StandardCharsets.UTF_8);
    }
    assertThat(ConfigurationReference.section(text))
        .as("README.md's configuration reference is out of date with the configuration metadata."
            + " Rewrite it with:%n  %s%nThe expected section is:%n%s%n", UPDATE_COMMAND, expected)
        .isEqualTo(expected);
  }

  @Test
  void referenceWhenRenderedListsEveryPropertyWithItsDefault() {
    String reference = ConfigurationReference.render(ConfigurationMetadata.properties());
    assertThat(reference)
        .contains("| `timeout-interval-for-request` | `60s` | Idle timeout: ")
        .contains("| `type` | `default` | Kind of session: ")
        .contains("| `proxy.host` |  | Host name or address of the HTTP or SOCKS proxy. |")
        .contains("| `urlsession.events.progress-interval` | `250ms` | ")
        .contains("| `proxy.bypass` |  | Hosts reached without the proxy: exact host names or addresses, or \\*.domain ");
    ConfigurationMetadata.properties().keySet().forEach(name -> assertThat(reference)
        .contains("| `" + name.replace(PropertyPaths.DEFAULTS + ".", "") + "` |"));
  }

  @Test
  void sectionWhenTheMarkersAreMissingIsRefusedWithTheirNames() {
    assertThatThrownBy(() -> ConfigurationReference.section("# README\n"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(ConfigurationReference.BEGIN);
  }

  /** The README at the root of the repository: three levels above target/test-classes. */
  private static Path readme() throws URISyntaxException {
    Path classes = Path.of(ReadmeConfigurationReferenceTests.class.getProtectionDomain().getCodeSource()
        .getLocation().toURI());
    Path readme = classes.getParent().getParent().getParent().resolve("README.md");
    assertThat(readme).as("the repository's README").isRegularFile();
    return readme;
  }
}
