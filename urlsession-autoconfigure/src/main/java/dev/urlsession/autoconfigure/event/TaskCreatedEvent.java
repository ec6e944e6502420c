package dev.urlsession.autoconfigure.event;

import dev.urlsession.Session;
import dev.urlsession.SessionTask;

/**
 * A task was created (the delegate's {@code didCreateTask}); it is still suspended. The first
 * event of every task.
 *
 * @since 0.1.0
 */
public final class TaskCreatedEvent extends TaskEvent {
  private static final long serialVersionUID = 1L;

  /** The event for {@code task}. */
  public TaskCreatedEvent(Session session, String sessionName, SessionTask task) {
    super(session, sessionName, task);
  }
}
