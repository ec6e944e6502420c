package dev.urlsession.autoconfigure.event;

import dev.urlsession.Session;
import dev.urlsession.WebSocketTask;
import org.jspecify.annotations.Nullable;

/**
 * A WebSocket task's handshake completed: the connection is open. Published after the
 * delegate's {@code didOpenWithProtocol}, on the session's delegate queue.
 *
 * <pre>{@code
 * @EventListener
 * void opened(WebSocketOpenedEvent event) {
 *   log.info("{} connected ({})", event.getTask().currentRequest().url(), event.getProtocol());
 * }
 * }</pre>
 *
 * @since 0.1.0
 */
public class WebSocketOpenedEvent extends TaskEvent {
  private static final long serialVersionUID = 1L;

  private final @Nullable String protocol;

  /** The event for {@code task}, opened with subprotocol {@code protocol} (null for none). */
  public WebSocketOpenedEvent(Session session, String sessionName, WebSocketTask task, @Nullable String protocol) {
    super(session, sessionName, task);
    this.protocol = protocol;
  }

  /** The WebSocket task. */
  @Override
  public WebSocketTask getTask() {
    return (WebSocketTask) super.getTask();
  }

  /** The subprotocol the server chose, or {@code null}. */
  public @Nullable String getProtocol() {
    return protocol;
  }

  @Override
  String describe() {
    return super.describe() + (protocol == null ? "" : ", protocol=" + protocol);
  }
}
