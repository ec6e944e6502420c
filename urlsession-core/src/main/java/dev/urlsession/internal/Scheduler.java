package dev.urlsession.internal;

import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/** The library's one timer thread, for idle and resource timeouts. Timer work must be short. */
public final class Scheduler {
  private static final ScheduledThreadPoolExecutor TIMER;

  static {
    TIMER = new ScheduledThreadPoolExecutor(1, SerialQueue.daemonThreads("urlsession-timer-"));
    TIMER.setRemoveOnCancelPolicy(true);
    TIMER.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
  }

  private Scheduler() {}

  public static ScheduledFuture<?> schedule(Runnable task, long delayNanos) {
    return TIMER.schedule(task, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
  }

  /** Runs {@code task} every 5 seconds from now on; a task that throws is logged and runs again. */
  public static void everyFewSeconds(Runnable task) {
    TIMER.scheduleWithFixedDelay(() -> {
      try {
        task.run();
      } catch (RuntimeException e) {
        org.slf4j.LoggerFactory.getLogger(Scheduler.class).error("A periodic library task failed", e);
      }
    }, 5, 5, TimeUnit.SECONDS);
  }

  public static ScheduledFuture<?> schedule(Runnable task, Duration delay) {
    long nanos;
    try {
      nanos = delay.toNanos();
    } catch (ArithmeticException e) {
      nanos = Long.MAX_VALUE / 2;
    }
    return schedule(task, nanos);
  }
}
