package dev.urlsession.internal.background;

import dev.urlsession.SessionException;
import dev.urlsession.background.BackgroundStore;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * When a background transfer that failed runs again: transient failures (the network, timeouts,
 * bad responses, 5xx) are retried after a delay that starts at the store's initial delay and
 * doubles up to its maximum, until the transfer's deadline ({@code timeoutIntervalForResource}).
 */
public final class RetryPolicy {
  private final long initialMillis;
  private final long maximumMillis;

  public RetryPolicy(BackgroundStore store) {
    this.initialMillis = store.retryInitialDelay().toMillis();
    this.maximumMillis = store.retryMaximumDelay().toMillis();
  }

  /** Whether a run that failed with {@code e} is worth another attempt. */
  public static boolean isTransient(SessionException e) {
    switch (e.code()) {
      case TIMED_OUT:
      case NETWORK_CONNECTION_LOST:
      case CANNOT_CONNECT_TO_HOST:
      case CANNOT_FIND_HOST:
      case DNS_LOOKUP_FAILED:
      case NOT_CONNECTED_TO_INTERNET:
      case BAD_SERVER_RESPONSE:
        return true;
      default:
        return false;
    }
  }

  /** Whether {@code e} says the storage directory's file system is full. */
  public static boolean isNoSpace(Throwable e) {
    for (Throwable c = e; c != null; c = c.getCause()) {
      String m = c.getMessage();
      if (m != null && m.contains("No space left on device")) {
        return true;
      }
    }
    return false;
  }

  /**
   * When to try again after {@code failures} failed runs in a row, or null when that would be
   * past {@code deadlineMillis}: the transfer then times out.
   */
  public @Nullable Instant nextAttempt(int failures, long deadlineMillis) {
    long delay = Math.min(maximumMillis, initialMillis << Math.min(failures, 30));
    long when = System.currentTimeMillis() + delay;
    return when >= deadlineMillis ? null : Instant.ofEpochMilli(when);
  }
}
