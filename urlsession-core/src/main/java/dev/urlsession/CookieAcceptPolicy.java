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
   * Accept cookies only when the URL that sets them belongs to the same site as the main document
   * (the page the user navigated to): the two hosts share a registrable domain, so
   * {@code api.example.com} may set cookies for a main document on {@code www.example.com}, but
   * {@code tracker.example.net} may not. Without a main document URL, the setting URL counts as
   * the main document and its cookies are accepted. This is the default.
   */
  ONLY_FROM_MAIN_DOCUMENT_DOMAIN
}
