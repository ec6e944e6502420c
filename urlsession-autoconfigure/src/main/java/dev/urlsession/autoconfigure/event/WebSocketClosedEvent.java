package dev.urlsession.autoconfigure.event;

import dev.urlsession.CloseCode;
import dev.urlsession.Session;
import dev.urlsession.WebSocketTask;
import org.jspecify.annotations.Nullable;

/**
 * A WebSocket task's connection closed, with the close code and reason sent or received
 * ({@link CloseCode#ABNORMAL_CLOSURE} for a connection lost without a close frame). Published
 * after the delegate's {@code didCloseWith}, before the task's {@link TaskCompletedEvent}.
 *
 * @since 0.1.0
 */
public class WebSocketClosedEvent extends TaskEvent {
  private static final long serialVersionUID = 1L;

  private final CloseCode closeCode;
  private final byte @Nullable [] reason;

  /** The event for {@code task}, closed with {@code closeCode} and {@code reason} (null for none). */
  public WebSocketClosedEvent(Session session, String sessionName, WebSocketTask task, CloseCode closeCode,
      byte @Nullable [] reason) {
    super(session, sessionName, task);
    this.closeCode = closeCode;
    this.reason = reason == null ? null : reason.clone();
  }

  /** The WebSocket task. */
  @Override
  public WebSocketTask getTask() {
    return (WebSocketTask) super.getTask();
  }

  /** The close code. */
  public CloseCode getCloseCode() {
    return closeCode;
  }

  /** A copy of the close reason, or {@code null}. */
  public byte @Nullable [] getReason() {
    return reason == null ? null : reason.clone();
  }

  @Override
  String describe() {
    return super.describe() + ", closeCode=" + closeCode;
  }
}
