package dev.urlsession.internal;

import java.net.IDN;
import java.net.URI;
import java.util.Locale;
import org.apache.hc.client5.http.psl.PublicSuffixMatcher;
import org.apache.hc.client5.http.psl.PublicSuffixMatcherLoader;
import org.jspecify.annotations.Nullable;

/**
 * Host names for cookies: canonical form, IP detection, RFC 6265 domain-match and the public
 * suffix list (HttpClient 5's bundled {@code effective_tld_names.dat}), RELIABILITY.md row 11.
 *
 * <p>Every check runs on the canonical form (lower case, no trailing dot, IDNA ASCII), so
 * {@code CO.UK}, {@code com.} and {@code ｃｏｍ} all reach the public suffix list as what they are.
 */
public final class CookieDomains {
  private CookieDomains() {}

  /** Loaded on first use; HttpClient falls back to a minimal list if its resource is missing. */
  private static final class Psl {
    static final @Nullable PublicSuffixMatcher MATCHER = PublicSuffixMatcherLoader.getDefault();
  }

  /**
   * The canonical form of a host or domain: brackets of an IPv6 literal removed, lower case, one
   * trailing dot removed, IDNA ASCII; {@code null} when it is empty or not a plausible host name.
   * A leading dot is not accepted here (callers strip it).
   */
  public static @Nullable String canonicalHost(@Nullable String host) {
    if (host == null) {
      return null;
    }
    String h = host;
    if (h.length() > 2 && h.charAt(0) == '[' && h.charAt(h.length() - 1) == ']') {
      h = h.substring(1, h.length() - 1);
    }
    if (h.indexOf(':') >= 0) {
      h = h.toLowerCase(Locale.ROOT);
      for (int i = 0; i < h.length(); i++) {
        char c = h.charAt(i);
        if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c == ':' || c == '.')) {
          return null;
        }
      }
      return h;
    }
    if (h.endsWith(".")) {
      h = h.substring(0, h.length() - 1);
    }
    if (h.isEmpty() || h.startsWith(".") || h.contains("..") || h.length() > 253) {
      return null;
    }
    try {
      h = IDN.toASCII(h, IDN.ALLOW_UNASSIGNED);
    } catch (IllegalArgumentException e) {
      return null;
    }
    h = h.toLowerCase(Locale.ROOT);
    if (h.isEmpty() || h.endsWith(".") || h.startsWith(".") || h.contains("..")) {
      return null;
    }
    for (int i = 0; i < h.length(); i++) {
      char c = h.charAt(i);
      if (!(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_')) {
        return null;
      }
    }
    return h;
  }

  /**
   * The canonical host of {@code url}, also for internationalised hosts that {@link URI#getHost()}
   * does not report; {@code null} when there is none.
   */
  public static @Nullable String requestHost(URI url) {
    String host = url.getHost();
    if (host == null) {
      String authority = url.getAuthority();
      if (authority == null) {
        return null;
      }
      int at = authority.lastIndexOf('@');
      host = at >= 0 ? authority.substring(at + 1) : authority;
      if (!host.startsWith("[")) {
        int colon = host.lastIndexOf(':');
        if (colon >= 0) {
          host = host.substring(0, colon);
        }
      }
    }
    return canonicalHost(host);
  }

  /**
   * Whether a canonical host is an IP address: an IPv6 literal, or a name whose last label is
   * numeric (WHATWG's IPv4 rule, which also covers {@code 127.1} and {@code 0x7f.1}).
   */
  public static boolean isIpAddress(String host) {
    if (host.indexOf(':') >= 0) {
      return true;
    }
    String last = host.substring(host.lastIndexOf('.') + 1);
    if (last.isEmpty()) {
      return false;
    }
    if (last.startsWith("0x")) {
      last = last.substring(2);
      for (int i = 0; i < last.length(); i++) {
        if (Character.digit(last.charAt(i), 16) < 0) {
          return false;
        }
      }
      return true;
    }
    for (int i = 0; i < last.length(); i++) {
      if (last.charAt(i) < '0' || last.charAt(i) > '9') {
        return false;
      }
    }
    return true;
  }

  /**
   * Whether a canonical domain is a public suffix ({@code com}, {@code co.uk}, {@code github.io},
   * and by the list's default rule any single unknown label such as {@code localhost}).
   */
  public static boolean isPublicSuffix(String domain) {
    PublicSuffixMatcher m = Psl.MATCHER;
    if (m == null) {
      return domain.indexOf('.') < 0;
    }
    return m.matches(domain);
  }

  /**
   * The registrable domain (public suffix plus one label) of a canonical host, or the host itself
   * for IP addresses and hosts that are public suffixes.
   */
  public static String registrableDomain(String host) {
    PublicSuffixMatcher m = Psl.MATCHER;
    if (m == null || isIpAddress(host)) {
      return host;
    }
    String root = m.getDomainRoot(host);
    return root == null ? host : root;
  }

  /** RFC 6265 5.1.3: {@code host} equals {@code domain}, or is a name ending in "." + domain. */
  public static boolean domainMatches(String host, String domain) {
    if (host.equals(domain)) {
      return true;
    }
    return host.length() > domain.length()
        && host.endsWith(domain)
        && host.charAt(host.length() - domain.length() - 1) == '.'
        && !isIpAddress(host);
  }

  /**
   * Whether a canonical host is a loopback name or address, which browsers treat as a secure
   * context (so a {@code Secure} cookie from {@code http://localhost} is accepted).
   */
  public static boolean isLoopback(String host) {
    if (host.equals("localhost") || host.endsWith(".localhost") || host.equals("::1")) {
      return true;
    }
    return host.startsWith("127.") && isIpAddress(host);
  }
}
