package dev.urlsession.autoconfigure;

import java.net.URI;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Renders URLs for metrics, traces and the Actuator endpoint without their secrets: user
 * information ({@code https://user:password@host/}) is removed, the fragment is dropped, and the
 * value of every query parameter whose name looks secret (it contains {@code token}, {@code key},
 * {@code secret}, {@code sig}, {@code pass}, {@code pwd}, {@code auth}, {@code credential},
 * {@code session}, {@code code} or {@code cookie}, in any case) is replaced by {@code ******}.
 *
 * <pre>{@code
 * UrlSanitizer.sanitize(URI.create("https://ann:pw@api.example.com/v1?token=abc&page=2"))
 *     // "https://api.example.com/v1?token=******&page=2"
 * }</pre>
 *
 * <p>Thread-safe.
 *
 * @since 0.1.0
 */
public final class UrlSanitizer {
  /** What a masked value is replaced by. */
  public static final String MASK = "******";

  private static final Pattern SECRET_NAME = Pattern.compile(
      ".*(token|key|secret|sig|pass|pwd|auth|credential|session|code|cookie).*");

  private UrlSanitizer() {}

  /** {@code url} without user information, fragment and secret query values; never null. */
  public static String sanitize(URI url) {
    String scheme = url.getScheme();
    if (url.isOpaque()) {
      // data:, mailto: and the like: nothing structured to keep, and the data may be anything.
      return scheme == null ? MASK : scheme + ":" + MASK;
    }
    StringBuilder b = new StringBuilder();
    if (scheme != null) {
      b.append(scheme).append(':');
    }
    String authority = url.getRawAuthority();
    if (authority != null) {
      int at = authority.lastIndexOf('@');
      b.append("//").append(at >= 0 ? authority.substring(at + 1) : authority);
    }
    String path = url.getRawPath();
    if (path != null) {
      b.append(path);
    }
    String query = url.getRawQuery();
    if (query != null) {
      b.append('?');
      String[] parameters = query.split("&", -1);
      for (int i = 0; i < parameters.length; i++) {
        if (i > 0) {
          b.append('&');
        }
        String p = parameters[i];
        int eq = p.indexOf('=');
        String name = eq < 0 ? p : p.substring(0, eq);
        if (eq >= 0 && isSecret(name)) {
          b.append(name).append('=').append(MASK);
        } else {
          b.append(p);
        }
      }
    }
    return b.toString();
  }

  /** Whether a query parameter or header named {@code name} is treated as secret. */
  public static boolean isSecret(String name) {
    return SECRET_NAME.matcher(name.toLowerCase(Locale.ROOT)).matches();
  }
}
