package dev.urlsession;

import org.jspecify.annotations.Nullable;

/**
 * Session-level events (Apple's {@code URLSessionDelegate}). Every method has a default that
 * behaves as if it were not implemented.
 *
 * <p>Calls happen on the session's delegate queue, one at a time, never on an I/O thread and
 * never while the library holds a lock. A method that throws is logged and ignored: it cannot
 * break the session.
 *
 * @since 0.1.0
 */
public interface SessionDelegate {
  /**
   * The last message a session sends, after {@code finishTasksAndInvalidate()} or
   * {@code invalidateAndCancel()}; {@code error} is null when the app invalidated it.
   */
  default void didBecomeInvalid(Session session, @Nullable SessionException error) {}

  /**
   * A background session delivered every event that was waiting for it: those of transfers that
   * ended while no session with its identifier was attached (Apple's
   * {@code urlSessionDidFinishEvents(forBackgroundURLSession:)}). Called once per attach, after
   * their {@code didFinishDownloadingTo} and {@code didComplete} calls, and only when there were
   * such events.
   */
  default void didFinishEventsForBackgroundSession(Session session) {}

  /**
   * A connection-level challenge (server trust, client certificate, NTLM, Negotiate), for every
   * task of the session. When not implemented, the task delegate's
   * {@link TaskDelegate#didReceiveChallenge(Session, SessionTask, AuthenticationChallenge,
   * ChallengeHandler)} is asked instead.
   */
  default void didReceiveChallenge(
      Session session, AuthenticationChallenge challenge, ChallengeHandler handler) {
    handler.performDefaultHandling();
  }
}
