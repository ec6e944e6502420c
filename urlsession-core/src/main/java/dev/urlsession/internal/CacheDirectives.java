package dev.urlsession.internal;

import dev.urlsession.Headers;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * {@code Cache-Control} directives (RFC 9111 5.2): every field line combined, names
 * case-insensitive, the first occurrence of a directive wins (4.2.1), quoted values unquoted.
 * Unparseable pieces are skipped.
 */
final class CacheDirectives {
  static final long ABSENT = -1;
  static final long INVALID = -2;
  private static final CacheDirectives NONE = new CacheDirectives(Collections.emptyMap());
  private static final String MALFORMED = "\u0000malformed";

  private final Map<String, @Nullable String> values;

  private CacheDirectives(Map<String, @Nullable String> values) {
    this.values = values;
  }

  static CacheDirectives of(Headers headers) {
    List<String> lines = headers.all("Cache-Control");
    if (lines.isEmpty()) {
      return NONE;
    }
    Map<String, @Nullable String> values = new HashMap<>();
    for (String line : lines) {
      parse(line, values);
    }
    return new CacheDirectives(values);
  }

  private static void parse(String s, Map<String, @Nullable String> into) {
    int i = 0;
    int n = s.length();
    while (i < n) {
      while (i < n && (s.charAt(i) == ',' || s.charAt(i) == ' ' || s.charAt(i) == '\t')) {
        i++;
      }
      int start = i;
      while (i < n && HttpSyntax.isTokenChar(s.charAt(i))) {
        i++;
      }
      String name = s.substring(start, i).toLowerCase(Locale.ROOT);
      while (i < n && (s.charAt(i) == ' ' || s.charAt(i) == '\t')) {
        i++;
      }
      String value = null;
      boolean malformed = false;
      if (i < n && s.charAt(i) == '=') {
        i++;
        while (i < n && (s.charAt(i) == ' ' || s.charAt(i) == '\t')) {
          i++;
        }
        if (i < n && s.charAt(i) == '"') {
          StringBuilder v = new StringBuilder();
          i++;
          boolean closed = false;
          while (i < n) {
            char c = s.charAt(i++);
            if (c == '\\' && i < n) {
              v.append(s.charAt(i++));
            } else if (c == '"') {
              closed = true;
              break;
            } else {
              v.append(c);
            }
          }
          value = v.toString();
          malformed = !closed;
        } else {
          int vs = i;
          while (i < n && HttpSyntax.isTokenChar(s.charAt(i))) {
            i++;
          }
          value = s.substring(vs, i);
        }
      }
      while (i < n && (s.charAt(i) == ' ' || s.charAt(i) == '\t')) {
        i++;
      }
      if (i < n && s.charAt(i) != ',') {
        malformed = true; // garbage after the directive: skip to the next element
        while (i < n && s.charAt(i) != ',') {
          i++;
        }
      }
      if (!name.isEmpty() && !into.containsKey(name)) {
        // A malformed directive still counts as present (no-cache stays no-cache), but its
        // argument is unusable: MALFORMED is never valid delta-seconds.
        into.put(name, malformed ? MALFORMED : value);
      }
    }
  }

  boolean has(String name) {
    return values.containsKey(name);
  }

  @Nullable String value(String name) {
    return values.get(name);
  }

  /** The delta-seconds value of {@code name}: {@link #ABSENT}, {@link #INVALID} or >= 0. */
  long seconds(String name) {
    if (!values.containsKey(name)) {
      return ABSENT;
    }
    String v = values.get(name);
    return v == null ? INVALID : deltaSeconds(v);
  }

  /** RFC 9111 1.2.2 delta-seconds, capped at 2^31; {@link #INVALID} when not 1*DIGIT. */
  static long deltaSeconds(String v) {
    if (v.isEmpty()) {
      return INVALID;
    }
    long result = 0;
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      if (c < '0' || c > '9') {
        return INVALID;
      }
      result = Math.min(result * 10 + (c - '0'), CacheRules.MAX_DELTA_SECONDS);
    }
    return result;
  }
}
