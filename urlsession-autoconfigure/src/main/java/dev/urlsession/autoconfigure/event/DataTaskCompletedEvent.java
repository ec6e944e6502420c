package dev.urlsession.autoconfigure.event;

import dev.urlsession.DataTask;
import dev.urlsession.Response;
import dev.urlsession.Session;
import dev.urlsession.SessionException;
import org.jspecify.annotations.Nullable;

/**
 * A data or upload task completed: its whole body was received (or it failed). The
 * {@link TaskCompletedEvent} of data tasks, with the response and the number of body bytes.
 *
 * @since 0.1.0
 */
public final class DataTaskCompletedEvent extends TaskCompletedEvent {
  private static final long serialVersionUID = 1L;

  private final transient @Nullable Response response;
  private final long bytesReceived;

  /** The event for {@code task}, completed with {@code error} ({@code null} on success). */
  public DataTaskCompletedEvent(Session session, String sessionName, DataTask task,
      @Nullable SessionException error) {
    super(session, sessionName, task, error);
    this.response = task.response();
    this.bytesReceived = task.countOfBytesReceived();
  }

  @Override
  public DataTask getTask() {
    return (DataTask) super.getTask();
  }

  /** The final response, or {@code null} when the task failed before one arrived. */
  public @Nullable Response getResponse() {
    return response;
  }

  /** Body bytes received (after content decoding). */
  public long getBytesReceived() {
    return bytesReceived;
  }
}
