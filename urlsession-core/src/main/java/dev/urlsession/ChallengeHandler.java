package dev.urlsession;

import org.jspecify.annotations.Nullable;

/**
 * The answer to an {@link AuthenticationChallenge} (Apple's challenge dispositions). Exactly one
 * method must be called, exactly once, from any thread; the task waits until it is. A second call
 * throws {@link IllegalStateException}.
 *
 * @since 0.1.0
 */
public interface ChallengeHandler {
  /**
   * Retries with {@code credential}; with null, continues without one (the 401 or 407 is then
   * delivered as the response). For {@code CLIENT_CERTIFICATE}, an identity
   * ({@link Credential#forIdentity}) is presented on a new connection; null or a credential that
   * is no identity goes on without a certificate.
   */
  void useCredential(@Nullable Credential credential);

  /**
   * Does what the session would do without a delegate: tries the proposed credential once, else
   * delivers the 401 or 407 as the response.
   */
  void performDefaultHandling();

  /** Cancels the task ({@code CANCELLED}). */
  void cancelAuthenticationChallenge();

  /** Skips this protection space: the next one the server offered is tried, else default handling. */
  void rejectProtectionSpace();
}
