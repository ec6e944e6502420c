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
