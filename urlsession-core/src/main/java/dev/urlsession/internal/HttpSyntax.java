package dev.urlsession.internal;

import java.util.Locale;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** RFC 9110 syntax checks for what users put into requests (RELIABILITY.md rows 3 and 4). */
public final class HttpSyntax {
  private static final Logger log = LoggerFactory.getLogger(HttpSyntax.class);

  private HttpSyntax() {}

  /**
   * Headers the session derives itself (framing, connection management, authentication with
   * proxies), Apple's reserved headers among them. A caller's value is ignored, never sent: it
   * would allow request smuggling or leak through a tunnel. Every {@code Proxy-*} name is
   * reserved too.
   */
  private static final Set<String> RESERVED =
      Set.of(
          "content-length",
          "transfer-encoding",
          "host",
          "connection",
          "keep-alive",
          "te",
          "trailer",
          "upgrade",
          "expect",
          "www-authenticate");

  /** Whether {@code c} is an RFC 9110 {@code tchar}. */
  static boolean isTokenChar(char c) {
    return c < 128 && TCHAR[c];
  }

  private static final boolean[] TCHAR = new boolean[128];

  static {
    for (char c = 0; c < 128; c++) {
      TCHAR[c] = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
          || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
    }
  }

  public static boolean isToken(String s) {
    if (s.isEmpty()) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      if (!isTokenChar(s.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  /** Throws unless {@code name} is a token. */
  public static String checkHeaderName(String name) {
    Checks.notNull(name, "header name");
    if (!isToken(name)) {
      throw new IllegalArgumentException(
          "header name " + quote(name) + " is not an RFC 9110 token");
    }
    return name;
  }

  /** Throws when {@code value} holds a control character (CR, LF, NUL, ...) other than HTAB. */
  public static String checkHeaderValue(String name, String value) {
    if (value == null) {
      throw new IllegalArgumentException("value of header " + name + " must not be null");
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if ((c < 0x20 && c != '\t') || c == 0x7f) {
        throw new IllegalArgumentException(
            "value of header " + name + " contains control character 0x"
                + Integer.toHexString(c) + " at index " + i);
      }
      if (c > 0xff) {
        throw new IllegalArgumentException(
            "value of header " + name + " contains non-Latin-1 character U+"
                + Integer.toHexString(c).toUpperCase(Locale.ROOT) + " at index " + i);
      }
    }
    return value;
  }

  /**
   * Whether {@code name} is a header the session derives itself and ignores when a caller sets it
   * ({@code Content-Length}, {@code Transfer-Encoding}, {@code Host}, {@code Connection},
   * {@code Keep-Alive}, {@code TE}, {@code Trailer}, {@code Upgrade}, {@code Expect},
   * {@code WWW-Authenticate} and every {@code Proxy-*}).
   */
  public static boolean isReserved(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    return RESERVED.contains(lower) || lower.startsWith("proxy-");
  }

  /**
   * Whether {@code name} is reserved, logging at debug level that its value set in
   * {@code where} is ignored (Apple: the session "may ignore, overwrite, or not send" them).
   */
  public static boolean ignoreIfReserved(String name, String where) {
    if (!isReserved(name)) {
      return false;
    }
    log.debug("Ignoring header {} set in {}: the session derives it itself", name, where);
    return true;
  }

  /**
   * A copy of {@code headers} checked (token names, values without control characters), without
   * the reserved ones (ignored as {@link #ignoreIfReserved} says); {@code what} names the setting.
   */
  public static java.util.Map<String, String> additionalHeaders(java.util.Map<String, String> headers, String what) {
    Checks.notNull(headers, what);
    java.util.Map<String, String> copy = new java.util.LinkedHashMap<>();
    headers.forEach((name, value) -> {
      try {
        checkHeaderName(name);
        checkHeaderValue(name, value);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(what + ": " + e.getMessage(), e);
      }
      if (!ignoreIfReserved(name, what)) {
        copy.put(name, value);
      }
    });
    return copy;
  }

  /** {@code names} checked as tokens, lower-case; {@code what} names the setting. */
  public static java.util.Set<String> headerNames(java.util.Collection<String> names, String what) {
    Checks.notNull(names, what);
    java.util.Set<String> copy = new java.util.TreeSet<>();
    for (String name : names) {
      try {
        copy.add(checkHeaderName(name).toLowerCase(java.util.Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(what + ": " + e.getMessage(), e);
      }
    }
    return java.util.Set.copyOf(copy);
  }

  static String quote(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        b.append(String.format("\\x%02x", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.append('"').toString();
  }
}
