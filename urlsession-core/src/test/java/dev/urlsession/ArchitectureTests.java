package dev.urlsession;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Import rules of STYLE.md 15: no Spring in core, Micrometer only in the observation package,
 * HttpClient 5 types only in {@code internal} (and the {@code hc5} escape hatch), and a
 * {@code package-info.java} with {@code @NullMarked} in every package.
 */
class ArchitectureTests {
  private static final Path MAIN = Path.of("src/main/java/dev/urlsession");

  private static List<Path> sources() throws IOException {
    try (Stream<Path> files = Files.walk(MAIN)) {
      return files.filter(p -> p.toString().endsWith(".java")).toList();
    }
  }

  private static List<String> violations(String importPrefix, String... allowedPackages) throws IOException {
    List<String> found = new ArrayList<>();
    for (Path p : sources()) {
      String pkg = MAIN.relativize(p.getParent()).toString().replace('/', '.');
      boolean allowed = false;
      for (String a : allowedPackages) {
        allowed |= pkg.equals(a) || pkg.startsWith(a + ".");
      }
      if (allowed) {
        continue;
      }
      for (String line : Files.readAllLines(p, StandardCharsets.UTF_8)) {
        if (line.startsWith("import " + importPrefix) || line.startsWith("import static " + importPrefix)) {
          found.add(p + ": " + line);
        }
      }
    }
    return found;
  }

  @Test
  void coreImportsNoSpring() throws IOException {
    assertThat(sources()).isNotEmpty();
    assertThat(violations("org.springframework")).isEmpty();
  }

  @Test
  void micrometerOnlyInTheObservationPackage() throws IOException {
    assertThat(violations("io.micrometer", "observation")).isEmpty();
  }

  @Test
  void httpClientTypesOnlyInInternalAndHc5() throws IOException {
    assertThat(violations("org.apache.hc", "internal", "hc5")).isEmpty();
  }

  @Test
  void everyPackageIsNullMarked() throws IOException {
    try (Stream<Path> dirs = Files.walk(MAIN)) {
      for (Path dir : dirs.filter(Files::isDirectory).toList()) {
        Path info = dir.resolve("package-info.java");
        assertThat(info).as("package-info.java in " + dir).exists();
        assertThat(Files.readString(info)).contains("@NullMarked");
      }
    }
  }
}
