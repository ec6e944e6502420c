package dev.urlsession.autoconfigure.event;

import dev.urlsession.Session;
import dev.urlsession.SessionException;
import org.jspecify.annotations.Nullable;

/**
 * The session became invalid (the delegate's {@code didBecomeInvalid}): every task it let finish
 * has completed, and it accepts no new task. The last event of a session.
 *
 * @since 0.1.0
 */
public final class SessionInvalidatedEvent extends UrlSessionEvent {
  private static final long serialVersionUID = 1L;

  private final transient @Nullable SessionException error;

  /**
   * The event for {@code session}.
   *
   * @param error why the session became invalid, or {@code null} when the application
   *     invalidated it
   */
  public SessionInvalidatedEvent(Session session, String sessionName, @Nullable SessionException error) {
    super(session, sessionName);
    this.error = error;
  }

  /** Why the session became invalid, or {@code null} when the application invalidated it. */
  public @Nullable SessionException getError() {
    return error;
  }
}
