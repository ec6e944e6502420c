package dev.urlsession.autoconfigure.event;

import dev.urlsession.Session;
import dev.urlsession.SessionTask;

/**
 * A task sent or received body bytes. At most one is published per task and
 * {@code urlsession.events.progress-interval}, plus a last one before the task's
 * {@link TaskCompletedEvent} when progress was held back; the counts are those of the moment the
 * event is published.
 *
 * <p>Published for data received by delegate-driven data tasks ({@code didReceiveData}), bytes
 * written by download tasks ({@code didWriteData}) and body bytes sent by any task
 * ({@code didSendBodyData}). Tasks created with a completion handler or the future API receive
 * their data without the delegate and so publish upload progress only.
 *
 * @since 0.1.0
 */
public final class TaskProgressEvent extends TaskEvent {
  private static final long serialVersionUID = 1L;

  private final long bytesSent;
  private final long bytesExpectedToSend;
  private final long bytesReceived;
  private final long bytesExpectedToReceive;

  /** The event for {@code task}, with its counters read now. */
  public TaskProgressEvent(Session session, String sessionName, SessionTask task) {
    super(session, sessionName, task);
    this.bytesSent = task.countOfBytesSent();
    this.bytesExpectedToSend = task.countOfBytesExpectedToSend();
    this.bytesReceived = task.countOfBytesReceived();
    this.bytesExpectedToReceive = task.countOfBytesExpectedToReceive();
  }

  /** Body bytes sent so far. */
  public long getBytesSent() {
    return bytesSent;
  }

  /** Body bytes to send, or -1 when unknown. */
  public long getBytesExpectedToSend() {
    return bytesExpectedToSend;
  }

  /** Body bytes received so far (after content decoding). */
  public long getBytesReceived() {
    return bytesReceived;
  }

  /** Body bytes expected ({@code Content-Length}), or -1 when unknown. */
  public long getBytesExpectedToReceive() {
    return bytesExpectedToReceive;
  }

  /**
   * Received bytes over expected ones, 0 to 1, or -1 when the expected length is unknown (for a
   * task still sending its body, sent over expected).
   */
  public double getFractionCompleted() {
    if (bytesReceived == 0 && bytesExpectedToSend > 0) {
      return (double) bytesSent / bytesExpectedToSend;
    }
    return bytesExpectedToReceive > 0 ? Math.min(1.0, (double) bytesReceived / bytesExpectedToReceive) : -1;
  }

  @Override
  String describe() {
    return super.describe() + ", sent=" + bytesSent + "/" + bytesExpectedToSend
        + ", received=" + bytesReceived + "/" + bytesExpectedToReceive;
  }
}
