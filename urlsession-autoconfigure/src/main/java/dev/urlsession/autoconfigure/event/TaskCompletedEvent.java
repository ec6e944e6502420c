package dev.urlsession.autoconfigure.event;

import dev.urlsession.Session;
import dev.urlsession.SessionException;
import dev.urlsession.SessionTask;
import org.jspecify.annotations.Nullable;

/**
 * A task completed, with or without an error: the last event of every task, published once,
 * after its delegate's {@code didComplete} or its completion handler ran. HTTP 4xx and 5xx
 * responses are successes: {@link #getError()} is {@code null} for them.
 *
 * <p>Data and upload tasks publish the subclass {@link DataTaskCompletedEvent}; listen to this
 * type for every kind of task.
 *
 * <pre>{@code
 * @EventListener(condition = "!#event.successful")
 * void failed(TaskCompletedEvent event) {
 *   log.warn("{} task {} failed", event.getSessionName(), event.getTask(), event.getError());
 * }
 * }</pre>
 *
 * @since 0.1.0
 */
public class TaskCompletedEvent extends TaskEvent {
  private static final long serialVersionUID = 1L;

  private final transient @Nullable SessionException error;

  /** The event for {@code task}, completed with {@code error} ({@code null} on success). */
  public TaskCompletedEvent(Session session, String sessionName, SessionTask task,
      @Nullable SessionException error) {
    super(session, sessionName, task);
    this.error = error;
  }

  /** Why the task failed ({@code CANCELLED}, {@code TIMED_OUT}, ...), or {@code null} on success. */
  public @Nullable SessionException getError() {
    return error;
  }

  /** Whether the task completed without error. */
  public boolean isSuccessful() {
    return error == null;
  }

  @Override
  String describe() {
    return super.describe() + (error == null ? ", successful" : ", " + error.code());
  }
}
