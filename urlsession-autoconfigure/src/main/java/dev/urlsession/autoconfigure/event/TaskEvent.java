package dev.urlsession.autoconfigure.event;

import dev.urlsession.Session;
import dev.urlsession.SessionTask;

/**
 * An event of one task of a session. Subclasses stand for the steps of a task, in this order:
 * {@link TaskCreatedEvent}, {@link TaskRedirectedEvent} for each redirect,
 * {@link TaskResponseReceivedEvent}, {@link TaskProgressEvent}s, and last
 * {@link TaskCompletedEvent} (for data and upload tasks a {@link DataTaskCompletedEvent}). A stream
 * task publishes {@link TaskCreatedEvent}, a {@link StreamClosedEvent} for each side that closes, and
 * {@link TaskCompletedEvent}. A WebSocket task publishes {@link TaskCreatedEvent},
 * {@link WebSocketOpenedEvent}, {@link WebSocketClosedEvent}, then {@link TaskCompletedEvent}.
 *
 * @since 0.1.0
 */
public abstract class TaskEvent extends UrlSessionEvent {
  private static final long serialVersionUID = 1L;

  private final transient SessionTask task;

  /**
   * An event of {@code task} in {@code session}.
   *
   * @param session the session, also the event's source
   * @param sessionName the name of the session
   * @param task the task
   */
  protected TaskEvent(Session session, String sessionName, SessionTask task) {
    super(session, sessionName);
    this.task = task;
  }

  /** The task; read its state, counters, request and response from it. */
  public SessionTask getTask() {
    return task;
  }

  @Override
  String describe() {
    return ", task=" + task.taskIdentifier();
  }
}
