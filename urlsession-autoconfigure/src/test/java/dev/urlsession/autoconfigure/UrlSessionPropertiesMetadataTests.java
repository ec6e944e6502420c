package dev.urlsession.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The generated {@code META-INF/spring-configuration-metadata.json} gives IDE help for every
 * property: each has a description that follows Spring Boot's rules (STYLE.md 13).
 */
class UrlSessionPropertiesMetadataTests {
  private static List<Map<String, Object>> properties;

  @BeforeAll
  @SuppressWarnings("unchecked")
  static void readMetadata() throws IOException {
    try (InputStream in = UrlSessionPropertiesMetadataTests.class.getClassLoader()
        .getResourceAsStream("META-INF/spring-configuration-metadata.json")) {
      assertThat(in).as("META-INF/spring-configuration-metadata.json on the class path").isNotNull();
      Map<String, Object> metadata =
          (Map<String, Object>) new Json(new String(in.readAllBytes(), StandardCharsets.UTF_8)).value();
      properties = new ArrayList<>();
      for (Object p : (List<Object>) metadata.get("properties")) {
        Map<String, Object> property = (Map<String, Object>) p;
        if (String.valueOf(property.get("name")).startsWith("urlsession.")) {
          properties.add(property);
        }
      }
    }
  }

  @Test
  void metadataWhenAPropertyLacksADescriptionFails() {
    List<Object> undocumented = new ArrayList<>();
    for (Map<String, Object> p : properties) {
      Object description = p.get("description");
      if (description == null || description.toString().isBlank()) {
        undocumented.add(p.get("name"));
      }
    }
    assertThat(undocumented).as("properties without javadoc").isEmpty();
  }

  @Test
  void metadataCoversEverySessionOptionAndTheEventProperties() {
    List<Object> names = properties.stream().map(p -> p.get("name")).toList();
    assertThat(names).contains(
        "urlsession.sessions",
        "urlsession.defaults.type",
        "urlsession.defaults.timeout-interval-for-request",
        "urlsession.defaults.timeout-interval-for-resource",
        "urlsession.defaults.http-maximum-connections-per-host",
        "urlsession.defaults.http-additional-headers",
        "urlsession.defaults.request-cache-policy",
        "urlsession.defaults.proxy.type",
        "urlsession.defaults.proxy.host",
        "urlsession.defaults.proxy.port",
        "urlsession.defaults.proxy.username",
        "urlsession.defaults.proxy.password",
        "urlsession.defaults.proxy.bypass",
        "urlsession.defaults.transport-security.allows-arbitrary-loads",
        "urlsession.defaults.transport-security.allows-local-networking",
        "urlsession.defaults.transport-security.minimum-tls-version",
        "urlsession.defaults.transport-security.exception-domains",
        "urlsession.defaults.ssl.bundle",
        "urlsession.defaults.tls-minimum-supported-protocol-version",
        "urlsession.defaults.tls-maximum-supported-protocol-version",
        "urlsession.defaults.http-version-policy",
        "urlsession.defaults.storage-directory",
        "urlsession.events.enabled",
        "urlsession.events.progress-interval");
  }

  @Test
  void descriptionsFollowSpringBootsRules() {
    for (Map<String, Object> p : properties) {
      String name = String.valueOf(p.get("name"));
      String description = String.valueOf(p.get("description"));
      assertThat(description).as(name).doesNotStartWith("The ").doesNotStartWith("A ").endsWith(".");
      if ("java.lang.Boolean".equals(p.get("type"))) {
        assertThat(description).as(name).startsWith("Whether ");
      }
      assertThat(description).as(name).doesNotContainIgnoringCase("default is").doesNotContainIgnoringCase("defaults to");
    }
  }

  @Test
  void durationsAreDurations() {
    for (Map<String, Object> p : properties) {
      String name = String.valueOf(p.get("name"));
      if (name.endsWith("-interval") || name.contains("timeout")) {
        assertThat(p.get("type")).as(name).isEqualTo("java.time.Duration");
      }
    }
  }

  /** A minimal JSON reader (Spring Boot's basic parser does not handle escapes). */
  private static final class Json {
    private final String text;
    private int pos;

    Json(String text) {
      this.text = text;
    }

    Object value() {
      skipSpace();
      char c = text.charAt(pos);
      if (c == '{') {
        Map<String, Object> map = new LinkedHashMap<>();
        pos++;
        skipSpace();
        if (text.charAt(pos) == '}') {
          pos++;
          return map;
        }
        do {
          skipSpace();
          String key = string();
          skipSpace();
          expect(':');
          map.put(key, value());
          skipSpace();
        } while (text.charAt(pos++) == ',');
        return map;
      }
      if (c == '[') {
        List<Object> list = new ArrayList<>();
        pos++;
        skipSpace();
        if (text.charAt(pos) == ']') {
          pos++;
          return list;
        }
        do {
          list.add(value());
          skipSpace();
        } while (text.charAt(pos++) == ',');
        return list;
      }
      if (c == '"') {
        return string();
      }
      int start = pos;
      while (pos < text.length() && ",}] \n\r\t".indexOf(text.charAt(pos)) < 0) {
        pos++;
      }
      return text.substring(start, pos);
    }

    private String string() {
      expect('"');
      StringBuilder b = new StringBuilder();
      while (true) {
        char c = text.charAt(pos++);
        if (c == '"') {
          return b.toString();
        }
        if (c == '\\') {
          char e = text.charAt(pos++);
          switch (e) {
            case 'n': b.append('\n'); break;
            case 't': b.append('\t'); break;
            case 'r': b.append('\r'); break;
            case 'b': b.append('\b'); break;
            case 'f': b.append('\f'); break;
            case 'u': b.append((char) Integer.parseInt(text.substring(pos, pos + 4), 16)); pos += 4; break;
            default: b.append(e);
          }
        } else {
          b.append(c);
        }
      }
    }

    private void expect(char c) {
      if (text.charAt(pos++) != c) {
        throw new IllegalStateException("expected " + c + " at " + (pos - 1));
      }
    }

    private void skipSpace() {
      while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
        pos++;
      }
    }
  }
}
