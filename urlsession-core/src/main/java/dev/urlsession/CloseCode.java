package dev.urlsession;

/**
 * The close codes of a WebSocket connection (Apple's {@code URLSessionWebSocketTask.CloseCode},
 * RFC 6455 section 7.4), with Apple's numeric values.
 *
 * <p>{@link #INVALID} (0) is never sent: it is a task's {@link WebSocketTask#closeCode()} until a
 * close frame was sent or received.
 *
 * @since 0.1.0
 */
public enum CloseCode {
  /** No close frame yet (0); never on the wire. */
  INVALID(0),
  /** The purpose of the connection was fulfilled (1000). */
  NORMAL_CLOSURE(1000),
  /** An endpoint is going away: a server shutting down, a page navigated away from (1001). */
  GOING_AWAY(1001),
  /** An endpoint broke the protocol (1002). */
  PROTOCOL_ERROR(1002),
  /** An endpoint received a kind of data it cannot accept (1003). */
  UNSUPPORTED_DATA(1003),
  /** The close frame carried no status code (1005); never sent. */
  NO_STATUS_RECEIVED(1005),
  /** The connection closed without a close frame (1006); never sent. */
  ABNORMAL_CLOSURE(1006),
  /** A message's data was not consistent with its type, such as text that is not UTF-8 (1007). */
  INVALID_FRAME_PAYLOAD_DATA(1007),
  /** A message violated the endpoint's policy (1008). */
  POLICY_VIOLATION(1008),
  /** A message was too big to process (1009). */
  MESSAGE_TOO_BIG(1009),
  /** The client expected the server to negotiate an extension it did not (1010). */
  MANDATORY_EXTENSION_MISSING(1010),
  /** The server met an unexpected condition (1011). */
  INTERNAL_SERVER_ERROR(1011),
  /** The TLS handshake failed (1015); never sent. */
  TLS_HANDSHAKE_FAILURE(1015);

  private final int value;

  CloseCode(int value) {
    this.value = value;
  }

  /** Apple's (and RFC 6455's) numeric value. */
  public int value() {
    return value;
  }

  /**
   * Whether the code may be sent in a close frame: every code but {@link #INVALID},
   * {@link #NO_STATUS_RECEIVED}, {@link #ABNORMAL_CLOSURE} and {@link #TLS_HANDSHAKE_FAILURE}.
   */
  public boolean isSendable() {
    return this != INVALID && this != NO_STATUS_RECEIVED && this != ABNORMAL_CLOSURE
        && this != TLS_HANDSHAKE_FAILURE;
  }

  /**
   * The code of {@code value}; {@link #INVALID} for a value Apple has no case for (a peer's
   * application-defined 4000 to 4999, for example), as {@code CloseCode(rawValue:)} gives nil.
   */
  public static CloseCode of(int value) {
    for (CloseCode c : values()) {
      if (c.value == value) {
        return c;
      }
    }
    return INVALID;
  }
}
