package dev.urlsession.autoconfigure;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/** Full property paths and value texts for messages that tell the user what to change. */
final class PropertyPaths {
  static final String PREFIX = "urlsession";
  static final String DEFAULTS = PREFIX + ".defaults";
  static final String SESSIONS = PREFIX + ".sessions";
  static final String EVENTS = PREFIX + ".events";

  /** A name element that needs no brackets: lower-case letters, digits and dashes. */
  private static final Pattern PLAIN_ELEMENT = Pattern.compile("[a-z0-9][a-z0-9-]*");

  private PropertyPaths() {}

  /** {@code urlsession.sessions.api}, or {@code urlsession.sessions[My.Api]} when brackets are needed. */
  static String session(String name) {
    return element(SESSIONS, name);
  }

  /** {@code prefix.key}, or {@code prefix[Key]} for a map key that needs brackets. */
  static String element(String prefix, String key) {
    return PLAIN_ELEMENT.matcher(key).matches() ? prefix + "." + key : prefix + "[" + key + "]";
  }

  /** {@code text} with control characters escaped, safe for messages and logs. */
  static String printable(String text) {
    StringBuilder b = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\r') {
        b.append("\\r");
      } else if (c == '\n') {
        b.append("\\n");
      } else if (c < 0x20 || c == 0x7f) {
        b.append(String.format("\\x%02x", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }

  /** A value as the user would have written it. */
  static @Nullable String text(@Nullable Object value) {
    if (value == null) {
      return null;
    }
    if (value instanceof Duration) {
      Duration d = (Duration) value;
      if (d.toNanos() % 1_000_000 != 0) {
        return d.toNanos() + "ns";
      }
      long ms = d.toMillis();
      return ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms";
    }
    if (value instanceof Enum) {
      return ((Enum<?>) value).name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
    return value.toString();
  }
}
