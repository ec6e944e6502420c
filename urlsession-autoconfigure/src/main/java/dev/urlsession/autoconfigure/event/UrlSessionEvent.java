package dev.urlsession.autoconfigure.event;

import dev.urlsession.Session;
import org.springframework.context.ApplicationEvent;

/**
 * The root of every urlsession application event: something happened in the session of the
 * given name. Listen to this type to receive them all.
 *
 * <pre>{@code
 * @EventListener
 * void on(UrlSessionEvent event) {
 *   log.debug("{}: {}", event.getSessionName(), event);
 * }
 * }</pre>
 *
 * <p>Events are published synchronously on the session's delegate queue, in the order of the
 * delegate calls they stand for: a listener sees the events of one task in order, and a slow
 * listener slows that session's delegate calls down. A listener that throws is logged and cannot
 * break the session.
 *
 * @since 0.1.0
 */
public abstract class UrlSessionEvent extends ApplicationEvent {
  private static final long serialVersionUID = 1L;

  private final String sessionName;

  /**
   * An event of {@code session}, registered as {@code sessionName}.
   *
   * @param session the session, also the event's source
   * @param sessionName the name of the session
   */
  protected UrlSessionEvent(Session session, String sessionName) {
    super(session);
    this.sessionName = sessionName;
  }

  /** The session the event happened in. */
  public Session getSession() {
    return (Session) getSource();
  }

  /** The name of the session, as in {@code urlsession.sessions.<name>}. */
  public String getSessionName() {
    return sessionName;
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + "{session=" + sessionName + describe() + "}";
  }

  /** Extra text for {@link #toString()}, starting with {@code ", "}; empty by default. */
  String describe() {
    return "";
  }
}
