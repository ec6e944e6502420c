package dev.urlsession;

/**
 * How a protection space authenticates (Apple's {@code NSURLAuthenticationMethod*}).
 *
 * @since 0.1.0
 */
public enum AuthenticationMethod {
  DEFAULT,
  HTTP_BASIC,
  HTTP_DIGEST,
  HTML_FORM,
  NTLM,
  NEGOTIATE,
  /**
   * An https server asks for a client certificate: answer with {@link Credential#forIdentity}
   * (the space's {@link ProtectionSpace#distinguishedNames()} name the issuers it accepts).
   * Raised only when the configuration has no SSL context of its own.
   */
  CLIENT_CERTIFICATE,
  SERVER_TRUST;

  /**
   * Whether challenges of this method go to the session delegate's
   * {@link SessionDelegate#didReceiveChallenge} (server trust, client certificates, NTLM and
   * Negotiate, which concern the connection) rather than to the task's.
   */
  public boolean isSessionLevel() {
    return this == SERVER_TRUST || this == CLIENT_CERTIFICATE || this == NTLM || this == NEGOTIATE;
  }
}
