package dev.urlsession.autoconfigure;

import java.util.Map;
import org.springframework.boot.configurationmetadata.ConfigurationMetadataProperty;

/**
 * The README's configuration reference, rendered from the configuration metadata: one table of the
 * session options (keys under {@code urlsession.defaults.} and {@code urlsession.sessions.<name>.}),
 * one of the other {@code urlsession.*} properties; property, default and description each.
 */
final class ConfigurationReference {
  static final String BEGIN = "<!-- configuration-reference:begin (generated from the configuration metadata:"
      + " do not edit, see ReadmeConfigurationReferenceTests) -->";
  static final String END = "<!-- configuration-reference:end -->";

  private static final String DEFAULTS = PropertyPaths.DEFAULTS + ".";

  private ConfigurationReference() {}

  /** The section between the markers, markers included, for {@code properties} in name order. */
  static String render(Map<String, ConfigurationMetadataProperty> properties) {
    StringBuilder sessions = new StringBuilder();
    StringBuilder others = new StringBuilder();
    properties.forEach((name, property) -> {
      if (name.startsWith(DEFAULTS)) {
        row(sessions, name.substring(DEFAULTS.length()), property);
      } else {
        row(others, name, property);
      }
    });
    return BEGIN + "\n"
        + "Session options: each key is a property under `urlsession.defaults.` (every session) and under\n"
        + "`urlsession.sessions.<name>.` (that session, overriding the defaults).\n\n"
        + "| key | default | description |\n|---|---|---|\n" + sessions
        + "\nOther properties:\n\n"
        + "| property | default | description |\n|---|---|---|\n" + others
        + END;
  }

  private static void row(StringBuilder table, String key, ConfigurationMetadataProperty property) {
    Object defaultValue = property.getDefaultValue();
    table.append("| `").append(key).append("` | ")
        .append(defaultValue == null ? "" : "`" + defaultValue + "`").append(" | ")
        .append(cell(property.getDescription())).append(" |\n");
  }

  /** A description on one line, with the characters Markdown would take for markup escaped. */
  private static String cell(String text) {
    return text.replaceAll("\\s+", " ").trim()
        .replace("\\", "\\\\").replace("|", "\\|").replace("*", "\\*").replace("_", "\\_")
        .replace("<", "&lt;").replace(">", "&gt;");
  }

  /** {@code readme} with its section between the markers replaced by {@code section}. */
  static String replaceSection(String readme, String section) {
    int begin = readme.indexOf(BEGIN);
    int end = readme.indexOf(END);
    if (begin < 0 || end < begin) {
      throw new IllegalStateException("README.md has no section between " + BEGIN + " and " + END);
    }
    return readme.substring(0, begin) + section + readme.substring(end + END.length());
  }

  /** The section of {@code readme} between the markers, markers included. */
  static String section(String readme) {
    int begin = readme.indexOf(BEGIN);
    int end = readme.indexOf(END);
    if (begin < 0 || end < begin) {
      throw new IllegalStateException("README.md has no section between " + BEGIN + " and " + END);
    }
    return readme.substring(begin, end + END.length());
  }
}
