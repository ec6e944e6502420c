package dev.urlsession;

/**
 * Which cookies a {@link CookieStorage} accepts from responses (Apple's
 * {@code HTTPCookie.AcceptPolicy}).
 *
 * <p>The policy applies to {@link CookieStorage#setCookies(java.util.List, java.net.URI,
 * java.net.URI)}, the path responses take; {@link #NEVER} also makes
 * {@link CookieStorage#setCookie(Cookie)} a no-op, as on Apple platforms.
 *
 * @since 0.1.0
 */
public enum CookieAcceptPolicy {
  /** Accept every valid cookie, including third-party ones. */
  ALWAYS,

  /** Accept no cookie at all; {@code Set-Cookie} fields stay visible in the response headers. */
  NEVER,

  /**
   * Accept a cookie only when the host of the main document (the page the user navigated to)
   * domain-matches the cookie's domain (RFC 6265 5.1.3). With a main document on
   * {@code www.example.com}, {@code api.example.com} may set a cookie for {@code example.com}, but
   * not a host-only cookie of its own (a sibling host), and {@code tracker.example.net} none.
   * Without a main document URL, the setting URL counts as the main document and its cookies are
   * accepted. This is the default.
   */
  ONLY_FROM_MAIN_DOCUMENT_DOMAIN
}
