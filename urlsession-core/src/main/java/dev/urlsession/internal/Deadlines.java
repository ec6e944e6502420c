package dev.urlsession.internal;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the timeouts of running tasks with one sweeping thread instead of a timer per task.
 *
 * <p>A task's idle and resource deadlines move all the time (every byte received pushes the idle
 * one back), and almost none of them ever fires. Scheduling and cancelling timers for each task
 * cost two timer-queue operations and a wake-up of the timer thread per request (benchmarks/
 * README.md). Here a session is added to a set while it has tasks (so that no set operation is
 * paid per task); one daemon thread visits the set every {@link #TICK_NANOS} and lets each
 * session's tasks check their own deadlines (a task that is not running returns at once). A task
 * whose deadline falls before the next visit arms a precise one-shot timer on {@link Scheduler},
 * so a timeout fires on time, not up to a tick late.
 *
 * <p>The thread parks when nothing has been watched for {@link #LINGER_NANOS}, and is woken by the
 * next {@link #watch}.
 */
public final class Deadlines {
  private static final Logger log = LoggerFactory.getLogger(Deadlines.class);

  /** How often watched sessions are visited: 100 ms. */
  public static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

  /** How long the thread keeps visiting an empty set before it parks: 10 s. */
  private static final long LINGER_NANOS = TimeUnit.SECONDS.toNanos(10);

  /** Something with deadlines: checks them at {@code nowNanos} ({@link System#nanoTime()}). */
  public interface Watched {
    void checkDeadlines(long nowNanos);
  }

  private static final Set<Watched> WATCHED = ConcurrentHashMap.newKeySet();
  private static final Thread SWEEPER;
  private static volatile boolean parked;

  static {
    SWEEPER = SerialQueue.daemonThreads("urlsession-deadlines-").newThread(Deadlines::sweep);
    SWEEPER.start();
  }

  private Deadlines() {}

  /** Starts visiting {@code w} until {@link #unwatch}. */
  public static void watch(Watched w) {
    WATCHED.add(w);
    if (parked) {
      LockSupport.unpark(SWEEPER);
    }
  }

  /** Stops visiting {@code w}; harmless if it is not watched. */
  public static void unwatch(Watched w) {
    WATCHED.remove(w);
  }

  private static void sweep() {
    long lastBusy = System.nanoTime();
    while (true) {
      LockSupport.parkNanos(TICK_NANOS);
      long now = System.nanoTime();
      if (WATCHED.isEmpty()) {
        if (now - lastBusy < LINGER_NANOS) {
          continue;
        }
        parked = true;
        if (WATCHED.isEmpty()) { // watch() adds, then reads parked: one of us sees the other
          LockSupport.park();
        }
        parked = false;
        lastBusy = System.nanoTime();
        continue;
      }
      lastBusy = now;
      for (Watched w : WATCHED) {
        try {
          w.checkDeadlines(now);
        } catch (RuntimeException | Error e) {
          log.error("A deadline check failed; the other tasks go on", e);
        }
      }
    }
  }
}
