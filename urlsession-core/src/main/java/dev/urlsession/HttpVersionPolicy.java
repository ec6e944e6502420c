package dev.urlsession;

/**
 * Which HTTP versions a session speaks.
 *
 * @since 0.1.0
 */
public enum HttpVersionPolicy {
  /** HTTP/2 over TLS when the server offers it by ALPN, else HTTP/1.1 (cleartext is always HTTP/1.1). */
  NEGOTIATE,
  /** HTTP/1.1 only. */
  HTTP_1_1,
  /** HTTP/2 only (over TLS by ALPN; over cleartext by prior knowledge). */
  HTTP_2
}
