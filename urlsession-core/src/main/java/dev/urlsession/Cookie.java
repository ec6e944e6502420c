package dev.urlsession;

import dev.urlsession.internal.Checks;
import dev.urlsession.internal.CookieDomains;
import dev.urlsession.internal.HttpDates;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * An immutable HTTP cookie (Apple's {@code HTTPCookie}), parsed from {@code Set-Cookie} response
 * fields by the rules of RFC 6265 section 5.2 or built with {@link #builder(String, String)}.
 *
 * <pre>{@code
 * List<Cookie> cookies = Cookie.cookies(List.of("sid=31d4; Path=/; Secure; HttpOnly"), url);
 * Cookie theme = Cookie.builder("theme", "dark").domain(".example.org").build();
 * Map<String, String> fields = Cookie.requestHeaderFields(storage.cookies(url)); // {Cookie=sid=31d4; theme=dark}
 * }</pre>
 *
 * <h2>Domain</h2>
 * A cookie's {@link #domain()} is lower case, ASCII (IDNA) and without a trailing dot. A domain
 * with a leading dot ({@code .example.org}) makes a <em>domain cookie</em>, sent to
 * {@code example.org} and every subdomain; a domain without one ({@code example.org}, or an IP
 * address) makes a <em>host-only cookie</em>, sent to exactly that host. A {@code Set-Cookie}
 * field with a {@code Domain} attribute produces a domain cookie, one without produces a host-only
 * cookie for the response's host.
 *
 * <h2>What parsing refuses</h2>
 * An invalid cookie is skipped, never an error: a field without a name or {@code =}; a control
 * character (other than horizontal tab) or a character above U+00FF anywhere in the field; a
 * field longer than {@value #MAX_SIZE} bytes; a {@code Domain} that the response's host does not
 * domain-match, that is an IP address of another host, or that is a public suffix
 * ({@code com}, {@code co.uk}, {@code github.io}; checked after normalising case, trailing dot
 * and IDNA, so {@code co.UK} and {@code com.} are refused as well); a {@code Secure} cookie from
 * a plain {@code http} URL other than a loopback host; and a {@code __Secure-} or {@code __Host-}
 * prefixed name that does not meet its prefix's requirements.
 *
 * <p>Equality is by name, domain and path, the identity a {@link CookieStorage} replaces by; the
 * value and attributes do not take part. Instances are immutable and safe to share between
 * threads; every method may be called from any thread.
 *
 * @since 0.1.0
 */
public final class Cookie {
  /**
   * The largest cookie accepted, in bytes: a {@code Set-Cookie} field, or the name, value,
   * domain, path and {@code SameSite} value of a built cookie together.
   */
  public static final int MAX_SIZE = 4096;

  /** The latest expiry date kept; later dates (and huge {@code Max-Age} values) are capped. */
  private static final Instant LATEST_EXPIRY = Instant.parse("9999-12-31T23:59:59Z");


  private final String name;
  private final String value;
  private final String domain;
  private final String path;
  private final @Nullable Instant expiresDate;
  private final boolean secure;
  private final boolean httpOnly;
  private final @Nullable String sameSite;

  private Cookie(String name, String value, String domain, String path,
      @Nullable Instant expiresDate, boolean secure, boolean httpOnly, @Nullable String sameSite) {
    this.name = name;
    this.value = value;
    this.domain = domain;
    this.path = path;
    this.expiresDate = expiresDate;
    this.secure = secure;
    this.httpOnly = httpOnly;
    this.sameSite = sameSite;
  }

  /**
   * A builder for a cookie called {@code name} with {@code value}. Set a
   * {@linkplain Builder#domain(String) domain} or an {@linkplain Builder#originUrl(URI) origin
   * URL} before building.
   *
   * @throws IllegalArgumentException if the name is empty, has leading or trailing whitespace, or
   *     holds {@code =}, {@code ;}, a control character or a character above U+00FF; or if the
   *     value holds {@code ;}, a control character or a character above U+00FF
   */
  public static Builder builder(String name, String value) {
    return new Builder(name, value);
  }

  /**
   * The cookies of the {@code Set-Cookie} fields in {@code responseHeaderFields} (Apple's
   * {@code cookies(withResponseHeaderFields:for:)}), with field names matched ignoring case.
   * Several cookies folded into one value with commas, as Apple's {@code allHeaderFields} does,
   * are split again; the comma of an {@code Expires} date is not a separator. Invalid cookies are
   * skipped (see the class documentation); expired ones are returned, since storing one deletes
   * the cookie it replaces.
   *
   * @param responseHeaderFields the response's header fields, not null
   * @param url the URL the response came from, not null; without a host no cookie is valid
   * @return the valid cookies in order, possibly empty; never null
   * @throws IllegalArgumentException if an argument is null
   */
  public static List<Cookie> cookies(Map<String, String> responseHeaderFields, URI url) {
    Checks.notNull(responseHeaderFields, "responseHeaderFields");
    Checks.notNull(url, "url");
    List<String> fields = new ArrayList<>();
    responseHeaderFields.forEach((name, value) -> {
      if (name != null && value != null && name.equalsIgnoreCase("Set-Cookie")) {
        fields.addAll(splitFolded(value));
      }
    });
    return parseAll(fields, url, Instant.now());
  }

  /**
   * The cookies of {@code setCookieValues}, each the value of one {@code Set-Cookie} field of a
   * response from {@code url} (HTTP sends each cookie in a field of its own, so values are not
   * split at commas). Invalid cookies are skipped; expired ones are returned.
   *
   * @param setCookieValues the field values, not null
   * @param url the URL the response came from, not null; without a host no cookie is valid
   * @return the valid cookies in order, possibly empty; never null
   * @throws IllegalArgumentException if an argument is null
   */
  public static List<Cookie> cookies(List<String> setCookieValues, URI url) {
    return cookies(setCookieValues, url, Instant.now());
  }

  /** As {@link #cookies(List, URI)}, with {@code Max-Age} counted from {@code now}. */
  static List<Cookie> cookies(List<String> setCookieValues, URI url, Instant now) {
    Checks.notNull(setCookieValues, "setCookieValues");
    Checks.notNull(url, "url");
    return parseAll(setCookieValues, url, now);
  }

  /**
   * The request header fields that send {@code cookies}: {@code {"Cookie": "a=1; b=2"}} in list
   * order, or an empty map for an empty list (Apple's {@code requestHeaderFields(with:)}). The
   * caller chooses which cookies to send, normally {@link CookieStorage#cookies(URI)}.
   *
   * @return an unmodifiable map; never null
   * @throws IllegalArgumentException if the list or one of its elements is null
   */
  public static Map<String, String> requestHeaderFields(List<Cookie> cookies) {
    Checks.notNull(cookies, "cookies");
    if (cookies.isEmpty()) {
      return Map.of();
    }
    StringBuilder b = new StringBuilder();
    for (Cookie c : cookies) {
      Checks.notNull(c, "cookie");
      if (b.length() > 0) {
        b.append("; ");
      }
      b.append(c.name).append('=').append(c.value);
    }
    return Map.of("Cookie", b.toString());
  }

  /** The name, never empty. */
  public String name() {
    return name;
  }

  /** The value, possibly empty. */
  public String value() {
    return value;
  }

  /**
   * The domain: lower case ASCII, with a leading dot for a domain cookie and without one for a
   * {@linkplain #isHostOnly() host-only} cookie.
   */
  public String domain() {
    return domain;
  }

  /** The path, starting with {@code /}. */
  public String path() {
    return path;
  }

  /** When the cookie expires, or {@code null} for a session cookie. */
  public @Nullable Instant expiresDate() {
    return expiresDate;
  }

  /** Whether the cookie is only sent over {@code https} (and {@code wss}). */
  public boolean isSecure() {
    return secure;
  }

  /** Whether the cookie is meant for HTTP only, not for scripts. */
  public boolean isHttpOnly() {
    return httpOnly;
  }

  /** Whether the cookie lasts only for the session: it has no expiry date and is never persisted. */
  public boolean isSessionOnly() {
    return expiresDate == null;
  }

  /** Whether the cookie is sent only to the exact host of its {@link #domain()}. */
  public boolean isHostOnly() {
    return domain.charAt(0) != '.';
  }

  /**
   * The {@code SameSite} attribute as parsed ({@code "Strict"}, {@code "Lax"} or {@code "None"})
   * or as built, or {@code null} when absent. Kept as information; this layer does not enforce
   * it, having no notion of the site a request comes from.
   */
  public @Nullable String sameSite() {
    return sameSite;
  }

  /** The cookie version: always 0 (RFC 6265 cookies; Apple's version 1 is obsolete). */
  public int version() {
    return 0;
  }

  /**
   * Whether this cookie would be sent with a request for {@code url} now: its domain
   * domain-matches the URL's host (exactly, for a host-only cookie), its path path-matches the
   * URL's path (RFC 6265 5.1.4: {@code /foo} matches {@code /foo}, {@code /foo/} and
   * {@code /foo/bar} but not {@code /foobar}), the scheme is {@code https} or {@code wss} if the
   * cookie is secure, and it has not expired.
   *
   * @throws IllegalArgumentException if {@code url} is null
   */
  public boolean matches(URI url) {
    return matches(url, Instant.now());
  }

  boolean matches(URI url, Instant now) {
    Checks.notNull(url, "url");
    if (isExpired(now)) {
      return false;
    }
    String host = CookieDomains.requestHost(url);
    if (host == null || !domainMatches(host)) {
      return false;
    }
    if (secure && !isSecureScheme(url)) {
      return false;
    }
    return pathMatches(requestPath(url), path);
  }

  /** Whether the cookie's domain accepts {@code host} (canonical). */
  boolean domainMatches(String host) {
    return isHostOnly() ? host.equals(domain) : CookieDomains.domainMatches(host, domain.substring(1));
  }

  /** Whether the cookie has expired at {@code now}. */
  boolean isExpired(Instant now) {
    return expiresDate != null && !expiresDate.isAfter(now);
  }

  /** The domain without a leading dot. */
  String bareDomain() {
    return isHostOnly() ? domain : domain.substring(1);
  }

  @Override
  public boolean equals(@Nullable Object o) {
    if (this == o) {
      return true;
    }
    return o instanceof Cookie
        && ((Cookie) o).name.equals(name)
        && ((Cookie) o).domain.equals(domain)
        && ((Cookie) o).path.equals(path);
  }

  @Override
  public int hashCode() {
    return (name.hashCode() * 31 + domain.hashCode()) * 31 + path.hashCode();
  }

  /** A description without the value, which is often a credential. */
  @Override
  public String toString() {
    StringBuilder b = new StringBuilder("Cookie{").append(name)
        .append(", domain=").append(domain)
        .append(", path=").append(path);
    if (expiresDate != null) {
      b.append(", expires=").append(expiresDate);
    }
    if (secure) {
      b.append(", secure");
    }
    if (httpOnly) {
      b.append(", httpOnly");
    }
    if (sameSite != null) {
      b.append(", sameSite=").append(sameSite);
    }
    return b.append('}').toString();
  }

  // --- parsing (RFC 6265 section 5.2 and 5.3) ---

  private static List<Cookie> parseAll(List<String> fields, URI url, Instant now) {
    String host = CookieDomains.requestHost(url);
    if (host == null) {
      return List.of();
    }
    List<Cookie> result = new ArrayList<>(fields.size());
    for (String field : fields) {
      if (field == null) {
        continue;
      }
      Cookie c = parse(field, url, host, now);
      if (c != null) {
        result.add(c);
      }
    }
    return Collections.unmodifiableList(result);
  }

  /** One {@code Set-Cookie} value from {@code url} (whose canonical host is {@code host}), or null. */
  static @Nullable Cookie parse(String field, URI url, String host, Instant now) {
    if (field.length() > MAX_SIZE || !isAllowedText(field)) {
      return null;
    }
    int semicolon = field.indexOf(';');
    String nameValue = semicolon < 0 ? field : field.substring(0, semicolon);
    int eq = nameValue.indexOf('=');
    if (eq < 0) {
      return null;
    }
    String name = trimWhitespace(nameValue.substring(0, eq));
    String value = trimWhitespace(nameValue.substring(eq + 1));
    if (name.isEmpty()) {
      return null;
    }

    Instant expires = null;
    Long maxAge = null;
    String domainAttribute = null;
    String pathAttribute = null;
    boolean secure = false;
    boolean httpOnly = false;
    String sameSite = null;
    if (semicolon >= 0) {
      for (String av : field.substring(semicolon + 1).split(";", -1)) {
        int e = av.indexOf('=');
        String attrName = trimWhitespace(e < 0 ? av : av.substring(0, e)).toLowerCase(Locale.ROOT);
        String attrValue = e < 0 ? "" : trimWhitespace(av.substring(e + 1));
        switch (attrName) {
          case "expires":
            Instant date = parseDate(attrValue);
            if (date != null) {
              expires = date;
            }
            break;
          case "max-age":
            Long seconds = parseMaxAge(attrValue);
            if (seconds != null) {
              maxAge = seconds;
            }
            break;
          case "domain":
            if (!attrValue.isEmpty()) {
              domainAttribute = attrValue.charAt(0) == '.' ? attrValue.substring(1) : attrValue;
            }
            break;
          case "path":
            pathAttribute = attrValue.startsWith("/") ? attrValue : null;
            break;
          case "secure":
            secure = true;
            break;
          case "httponly":
            httpOnly = true;
            break;
          case "samesite":
            sameSite = canonicalSameSite(attrValue);
            break;
          default:
            break;
        }
      }
    }

    Instant expiresDate;
    if (maxAge != null) {
      if (maxAge <= 0) {
        expiresDate = Instant.EPOCH;
      } else {
        long room = LATEST_EXPIRY.getEpochSecond() - now.getEpochSecond();
        expiresDate = maxAge >= room ? LATEST_EXPIRY : now.plusSeconds(maxAge);
      }
    } else {
      expiresDate = expires;
    }

    String domain;
    if (domainAttribute != null) {
      String d = CookieDomains.canonicalHost(domainAttribute);
      if (d == null) {
        return null;
      }
      if (CookieDomains.isIpAddress(d)) {
        if (!d.equals(host)) {
          return null;
        }
        domain = d;
      } else if (CookieDomains.isPublicSuffix(d)) {
        if (!d.equals(host)) {
          return null;
        }
        domain = d;
      } else if (CookieDomains.domainMatches(host, d)) {
        domain = "." + d;
      } else {
        return null;
      }
    } else {
      domain = host;
    }
    boolean hostOnly = domain.charAt(0) != '.';
    String path = pathAttribute != null ? pathAttribute : defaultPath(url);

    if (secure && !isSecureScheme(url) && !CookieDomains.isLoopback(host)) {
      return null;
    }
    if (startsWithIgnoreCase(name, "__Secure-") && !secure) {
      return null;
    }
    if (startsWithIgnoreCase(name, "__Host-")
        && !(secure && hostOnly && domainAttribute == null && path.equals("/"))) {
      return null;
    }
    return new Cookie(name, value, domain, path, expiresDate, secure, httpOnly, sameSite);
  }

  /**
   * Splits a value holding several {@code Set-Cookie} fields joined with commas. A comma starts a
   * new cookie only when what follows it reads {@code name=} before any {@code ;} or {@code ,},
   * which an {@code Expires} date ({@code Wed, 01 Jan 2020 ...}) or a value never does.
   */
  static List<String> splitFolded(String value) {
    List<String> parts = new ArrayList<>(2);
    int start = 0;
    for (int i = 0; i < value.length(); i++) {
      if (value.charAt(i) == ',' && startsCookie(value, i + 1)) {
        parts.add(value.substring(start, i));
        start = i + 1;
      }
    }
    parts.add(value.substring(start));
    List<String> result = new ArrayList<>(parts.size());
    for (String p : parts) {
      if (!p.isBlank()) {
        result.add(p.trim());
      }
    }
    return result;
  }

  private static boolean startsCookie(String s, int from) {
    int i = from;
    while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\t')) {
      i++;
    }
    int nameStart = i;
    while (i < s.length()) {
      char c = s.charAt(i);
      if (c == '=') {
        return i > nameStart;
      }
      if (c == ';' || c == ',' || c == ' ' || c == '\t' || c < 0x21 || c > 0x7e) {
        return false;
      }
      i++;
    }
    return false;
  }

  private static @Nullable String canonicalSameSite(String v) {
    switch (v.toLowerCase(Locale.ROOT)) {
      case "strict":
        return "Strict";
      case "lax":
        return "Lax";
      case "none":
        return "None";
      default:
        return null;
    }
  }

  private static @Nullable Long parseMaxAge(String v) {
    if (v.isEmpty()) {
      return null;
    }
    boolean negative = v.charAt(0) == '-';
    int from = negative ? 1 : 0;
    if (from == v.length()) {
      return null;
    }
    for (int i = from; i < v.length(); i++) {
      if (v.charAt(i) < '0' || v.charAt(i) > '9') {
        return null;
      }
    }
    if (negative) {
      return -1L;
    }
    String digits = v.substring(from);
    return digits.length() > 18 ? Long.MAX_VALUE : Long.parseLong(digits);
  }

  /** RFC 6265 5.1.1 cookie-date, or null when invalid: see {@link HttpDates#cookieDate}. */
  static @Nullable Instant parseDate(String s) {
    Instant date = HttpDates.cookieDate(s);
    return date != null && date.isAfter(LATEST_EXPIRY) ? LATEST_EXPIRY : date;
  }

  /** RFC 6265 5.1.4 default-path: the URL's path up to, not including, its last {@code /}. */
  static String defaultPath(URI url) {
    String p = url.getRawPath();
    if (p == null || p.isEmpty() || p.charAt(0) != '/') {
      return "/";
    }
    int last = p.lastIndexOf('/');
    return last == 0 ? "/" : p.substring(0, last);
  }

  /** The path a request for {@code url} is matched with: its raw path, or {@code /}. */
  static String requestPath(URI url) {
    String p = url.getRawPath();
    return p == null || p.isEmpty() ? "/" : p;
  }

  /** RFC 6265 5.1.4 path-match. */
  static boolean pathMatches(String requestPath, String cookiePath) {
    if (requestPath.equals(cookiePath)) {
      return true;
    }
    return requestPath.startsWith(cookiePath)
        && (cookiePath.endsWith("/") || requestPath.charAt(cookiePath.length()) == '/');
  }

  static boolean isSecureScheme(URI url) {
    String scheme = url.getScheme();
    return scheme != null && (scheme.equalsIgnoreCase("https") || scheme.equalsIgnoreCase("wss"));
  }

  /** No control character other than HTAB, and nothing above U+00FF (a header must carry it). */
  private static boolean isAllowedText(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x20 && c != '\t' || c == 0x7f || c > 0xff) {
        return false;
      }
    }
    return true;
  }

  private static String trimWhitespace(String s) {
    int start = 0;
    int end = s.length();
    while (start < end && (s.charAt(start) == ' ' || s.charAt(start) == '\t')) {
      start++;
    }
    while (end > start && (s.charAt(end - 1) == ' ' || s.charAt(end - 1) == '\t')) {
      end--;
    }
    return s.substring(start, end);
  }

  private static boolean startsWithIgnoreCase(String s, String prefix) {
    return s.regionMatches(true, 0, prefix, 0, prefix.length());
  }

  private static String checkText(@Nullable String s, String option, boolean allowSemicolon) {
    Checks.notNull(s, option);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x20 && c != '\t' || c == 0x7f) {
        throw new IllegalArgumentException(
            option + " contains control character 0x" + Integer.toHexString(c) + " at index " + i);
      }
      if (c > 0xff) {
        throw new IllegalArgumentException(
            option + " contains non-Latin-1 character U+"
                + Integer.toHexString(c).toUpperCase(Locale.ROOT) + " at index " + i);
      }
      if (c == ';' && !allowSemicolon) {
        throw new IllegalArgumentException(option + " contains ';' at index " + i);
      }
    }
    return s;
  }

  /**
   * Builds a {@link Cookie} (Apple's {@code HTTPCookie(properties:)}). Defaults: path {@code /},
   * a session cookie, not secure, not HTTP-only, no {@code SameSite}. Every setter validates its
   * argument and throws {@link IllegalArgumentException} naming the option. Not thread-safe.
   *
   * @since 0.1.0
   */
  public static final class Builder {
    private final String name;
    private final String value;
    private @Nullable String domain;
    private @Nullable String originHost;
    private String path = "/";
    private @Nullable Instant expiresDate;
    private boolean secure;
    private boolean httpOnly;
    private @Nullable String sameSite;

    private Builder(String name, String value) {
      checkText(name, "cookie name", false);
      if (name.isEmpty()) {
        throw new IllegalArgumentException("cookie name must not be empty");
      }
      if (name.indexOf('=') >= 0) {
        throw new IllegalArgumentException("cookie name \"" + name + "\" contains '='");
      }
      if (!trimWhitespace(name).equals(name)) {
        throw new IllegalArgumentException(
            "cookie name \"" + name + "\" has leading or trailing whitespace");
      }
      checkText(value, "cookie value", false);
      this.name = name;
      this.value = value;
    }

    /**
     * The domain. With a leading dot ({@code .example.org}) the cookie is sent to the domain and
     * its subdomains; without one ({@code example.org}, or an IP address) only to that host. The
     * domain is normalised: lower case, a trailing dot removed, IDNA to ASCII.
     *
     * @throws IllegalArgumentException if the domain is null or not a valid host name, or if it
     *     has a leading dot and is an IP address or a public suffix ({@code .com},
     *     {@code .co.uk}): such a cookie would be sent to every site under it
     */
    public Builder domain(String domain) {
      Checks.notNull(domain, "cookie domain");
      boolean leadingDot = domain.startsWith(".");
      String d = CookieDomains.canonicalHost(leadingDot ? domain.substring(1) : domain);
      if (d == null) {
        throw new IllegalArgumentException("cookie domain \"" + domain + "\" is not a valid host name");
      }
      if (leadingDot && CookieDomains.isIpAddress(d)) {
        throw new IllegalArgumentException(
            "cookie domain \"" + domain + "\" is an IP address; use \"" + d + "\" for a host-only cookie");
      }
      if (leadingDot && CookieDomains.isPublicSuffix(d)) {
        throw new IllegalArgumentException(
            "cookie domain \"" + domain + "\" is a public suffix; use \"" + d + "\" for a host-only cookie");
      }
      this.domain = leadingDot ? "." + d : d;
      return this;
    }

    /**
     * The URL the cookie comes from; when no {@linkplain #domain(String) domain} is set, the
     * cookie is host-only for this URL's host.
     *
     * @throws IllegalArgumentException if the URL is null or has no valid host
     */
    public Builder originUrl(URI originUrl) {
      Checks.notNull(originUrl, "cookie originUrl");
      String host = CookieDomains.requestHost(originUrl);
      if (host == null) {
        throw new IllegalArgumentException("cookie originUrl " + originUrl + " has no valid host");
      }
      this.originHost = host;
      return this;
    }

    /**
     * The path, {@code /} by default.
     *
     * @throws IllegalArgumentException if the path is null, does not start with {@code /}, or
     *     holds {@code ;}, a control character or a character above U+00FF
     */
    public Builder path(String path) {
      checkText(path, "cookie path", false);
      if (!path.startsWith("/")) {
        throw new IllegalArgumentException("cookie path \"" + path + "\" must start with '/'");
      }
      this.path = path;
      return this;
    }

    /**
     * When the cookie expires; {@code null} (the default) makes a session cookie. Dates after
     * the year 9999 are capped. A date in the past makes an expired cookie, which storing
     * deletes.
     */
    public Builder expiresDate(@Nullable Instant expiresDate) {
      this.expiresDate =
          expiresDate != null && expiresDate.isAfter(LATEST_EXPIRY) ? LATEST_EXPIRY : expiresDate;
      return this;
    }

    /** Whether the cookie is only sent over {@code https}; false by default. */
    public Builder secure(boolean secure) {
      this.secure = secure;
      return this;
    }

    /** Whether the cookie is for HTTP only; false by default. */
    public Builder httpOnly(boolean httpOnly) {
      this.httpOnly = httpOnly;
      return this;
    }

    /**
     * The {@code SameSite} attribute ({@code "Strict"}, {@code "Lax"}, {@code "None"}), kept as
     * information; {@code null} (the default) for none.
     *
     * @throws IllegalArgumentException if the value is empty or holds {@code ;}, a control
     *     character or a character above U+00FF
     */
    public Builder sameSite(@Nullable String sameSite) {
      if (sameSite != null) {
        checkText(sameSite, "cookie sameSite", false);
        if (sameSite.isEmpty()) {
          throw new IllegalArgumentException("cookie sameSite must not be empty; use null for none");
        }
      }
      this.sameSite = sameSite;
      return this;
    }

    /**
     * The cookie.
     *
     * @throws IllegalStateException if neither a domain nor an origin URL was set
     * @throws IllegalArgumentException if name, value, domain, path and {@code SameSite} together
     *     exceed {@value Cookie#MAX_SIZE} bytes
     */
    public Cookie build() {
      String d = domain != null ? domain : originHost;
      if (d == null) {
        throw new IllegalStateException("cookie " + name + " needs a domain or an originUrl");
      }
      int size = name.length() + value.length() + d.length() + path.length()
          + (sameSite == null ? 0 : sameSite.length());
      if (size > MAX_SIZE) {
        throw new IllegalArgumentException(
            "cookie " + name + " is " + size + " bytes, more than the maximum of " + MAX_SIZE);
      }
      return new Cookie(name, value, d, path, expiresDate, secure, httpOnly, sameSite);
    }
  }
}
