package dev.urlsession;

import org.jspecify.annotations.Nullable;

/**
 * Events of WebSocket tasks (Apple's {@code URLSessionWebSocketDelegate}).
 *
 * <p>Order: {@code didOpenWithProtocol} once the server accepted the upgrade, then
 * {@code didCloseWith} when the connection closed (a close frame sent and answered, received, or
 * the connection lost: then {@link CloseCode#ABNORMAL_CLOSURE}), then
 * {@code didFinishCollectingMetrics} and {@code didComplete}. A task whose handshake failed (no
 * {@code 101}) gets only {@code didComplete} with {@code BAD_SERVER_RESPONSE}; a task cancelled
 * with {@link WebSocketTask#cancel()} gets no {@code didCloseWith}. Calls run on the session's
 * delegate queue.
 *
 * @since 0.1.0
 */
public interface WebSocketDelegate extends TaskDelegate {
  /**
   * The handshake completed: the connection is open.
   *
   * @param protocol the subprotocol the server chose ({@code Sec-WebSocket-Protocol}), or null
   */
  default void didOpenWithProtocol(Session session, WebSocketTask task, @Nullable String protocol) {}

  /**
   * The connection closed with {@code code} and {@code reason} (null when the close frame had
   * none); the task completes next.
   */
  default void didCloseWith(Session session, WebSocketTask task, CloseCode code, byte @Nullable [] reason) {}
}
