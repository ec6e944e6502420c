package dev.urlsession.autoconfigure.event;

import dev.urlsession.Session;

/**
 * A background session delivered every event that was waiting for it (transfers that completed
 * while no session was attached, for instance during a restart): the delegate's
 * {@code didFinishEventsForBackgroundSession}.
 *
 * @since 0.1.0
 */
public final class BackgroundEventsFinishedEvent extends UrlSessionEvent {
  private static final long serialVersionUID = 1L;

  /** The event for background session {@code session}. */
  public BackgroundEventsFinishedEvent(Session session, String sessionName) {
    super(session, sessionName);
  }
}
