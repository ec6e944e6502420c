package dev.urlsession;

import dev.urlsession.internal.Deadlines;
import dev.urlsession.internal.Scheduler;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import org.jspecify.annotations.Nullable;

/**
 * A task's clocks (URLSESSION-BEHAVIOUR.md 1.4): the resource deadline, from the first
 * {@code resume()} to the completion; the idle deadline, reset by every sign of life while the
 * task runs; and the waits for connectivity, whose retries come after 0.5 s doubling to 10 s.
 * The session's {@link Deadlines} sweep asks the task about its deadlines every tick; a deadline
 * that falls before the next tick gets a timer of its own, which calls the task's check.
 *
 * <p>The fields are guarded by the task's lock, the {@link Owner}'s monitor ({@link #lastActivity}
 * and {@link #watched} are volatile so that the sweep passes over other tasks without taking
 * theirs); the task calls every method but {@link #touch()} and {@link #watched()} holding it.
 */
final class TaskTimers {
  /** What the timers call back: the task, outside its lock. */
  interface Owner {
    /** A deadline may have passed at {@code nowNanos}. */
    void checkDeadlines(long nowNanos);

    /** A wait for connectivity is over: try to connect again. */
    void connectivityRetryDue();
  }

  private final Owner owner;
  private final Duration resourceTimeout;
  private volatile long lastActivity;
  /** Whether the session's sweep checks this task: from its start to its completion. */
  private volatile boolean watched;
  private long resourceStart;
  private long resourceTimeoutNanos;
  private @Nullable ScheduledFuture<?> preciseTimer;
  // --- waiting for connectivity ---
  private boolean waitingForConnectivity;
  private boolean announcedWaiting;
  private int connectivityRetries;
  private @Nullable ScheduledFuture<?> connectivityRetry;
  /** A retry that came due while the task was suspended: run on resume. */
  private boolean retryOnResume;

  TaskTimers(Owner owner, Duration resourceTimeout) {
    this.owner = owner;
    this.resourceTimeout = resourceTimeout;
  }

  /** A sign of life: the idle deadline starts again. Any thread, no lock needed. */
  void touch() {
    lastActivity = System.nanoTime();
  }

  /** Whether the deadlines run; read without the lock by the sweep. */
  boolean watched() {
    return watched;
  }

  /** Starts the resource deadline now. */
  void start(long idleNanos, boolean running) {
    long now = System.nanoTime();
    resourceStart = now;
    resourceTimeoutNanos = nanos(resourceTimeout);
    watched = true;
    rearm(now, idleNanos, running);
  }

  /** Stops every clock: the task completes (or was handed over). */
  void stop() {
    watched = false;
    if (preciseTimer != null) {
      preciseTimer.cancel(false);
      preciseTimer = null;
    }
    if (connectivityRetry != null) {
      connectivityRetry.cancel(false);
      connectivityRetry = null;
    }
  }

  /**
   * Why the task times out at {@code now}, or null when no deadline has passed (then a precise
   * timer is armed if the next deadline comes before the sweep's next tick). The idle deadline
   * counts only while the task runs and does not wait for connectivity.
   */
  @Nullable String expired(long now, long idleNanos, boolean running) {
    if (now - resourceStart >= resourceTimeoutNanos) {
      return "The request timed out (timeoutIntervalForResource " + resourceTimeout + " elapsed)";
    }
    if (running && !waitingForConnectivity && now - lastActivity >= idleNanos) {
      return "The request timed out (no data for " + Duration.ofNanos(idleNanos) + ")";
    }
    rearm(now, idleNanos, running);
    return null;
  }

  /** Arms a precise timer when a deadline comes before the next sweep. */
  void rearm(long now, long idleNanos, boolean running) {
    long next = resourceTimeoutNanos - (now - resourceStart);
    if (running && !waitingForConnectivity) {
      next = Math.min(next, idleNanos - (now - lastActivity));
    }
    if (preciseTimer == null && watched && next < 2 * Deadlines.TICK_NANOS) {
      preciseTimer = Scheduler.schedule(() -> {
        synchronized (owner) { // the task's lock
          preciseTimer = null;
        }
        owner.checkDeadlines(System.nanoTime());
      }, next);
    }
  }

  // --- waiting for connectivity ---

  /** Whether the task waits for connectivity: its idle deadline does not run meanwhile. */
  boolean waitingForConnectivity() {
    return waitingForConnectivity;
  }

  /** A load connected (a response came): the wait is over. */
  void connected() {
    waitingForConnectivity = false;
  }

  /**
   * Waits for connectivity, with a retry after a delay growing from 0.5 s to 10 s; true the first
   * time, when the delegate is to hear of it.
   */
  boolean waitForConnectivity() {
    waitingForConnectivity = true;
    long delayMillis = Math.min(10_000L, 500L << Math.min(connectivityRetries, 5));
    connectivityRetries++;
    connectivityRetry = Scheduler.schedule(owner::connectivityRetryDue, Duration.ofMillis(delayMillis));
    boolean first = !announcedWaiting;
    announcedWaiting = true;
    return first;
  }

  /** The retry fired; while suspended it waits for {@code resume()}. */
  void connectivityRetryFired(boolean running) {
    connectivityRetry = null;
    if (!running) {
      retryOnResume = true;
    }
  }

  /** Whether a retry came due while the task was suspended (then it runs now). */
  boolean takeRetryOnResume() {
    boolean retry = retryOnResume;
    retryOnResume = false;
    return retry;
  }

  /** {@code d} in nanoseconds, capped far from overflow. */
  static long nanos(Duration d) {
    try {
      return Math.min(d.toNanos(), Long.MAX_VALUE / 4);
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE / 4;
    }
  }
}
