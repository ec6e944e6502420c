package dev.urlsession;

import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One non-daemon thread that lives while some work is pending, so that the JVM does not exit
 * under it (every other thread of the library is a daemon). {@link #arm()} starts it when it is
 * not running; it asks {@code pending} about once per poll interval and ends when the answer is
 * zero and nothing armed it again meanwhile, or when {@code stopped} says so. Thread-safe.
 */
final class ProcessKeepAlive {
  private static final Logger log = LoggerFactory.getLogger(ProcessKeepAlive.class);

  private final String threadName;
  private final LongSupplier pending;
  private final BooleanSupplier stopped;
  private final long pollMillis;
  // --- guarded by this ---
  private boolean running;
  private boolean armedAgain;

  ProcessKeepAlive(String threadName, LongSupplier pending, BooleanSupplier stopped, long pollMillis) {
    this.threadName = threadName;
    this.pending = pending;
    this.stopped = stopped;
    this.pollMillis = pollMillis;
  }

  /** Makes sure the thread runs: work was just added (or may exist). */
  synchronized void arm() {
    if (running) {
      armedAgain = true; // a count taken before the new work must not end the thread
      return;
    }
    if (stopped.getAsBoolean()) {
      return;
    }
    running = true;
    armedAgain = false;
    Thread t = new Thread(this::run, threadName);
    t.setDaemon(false);
    t.start();
  }

  /** Wakes the thread so that it sees {@code stopped} at once. */
  synchronized void wake() {
    notifyAll();
  }

  synchronized boolean isRunning() {
    return running;
  }

  private void run() {
    try {
      while (true) {
        long left;
        try {
          left = stopped.getAsBoolean() ? 0 : pending.getAsLong();
        } catch (RuntimeException e) {
          log.debug("{}: could not count the pending work; keeping the process alive", threadName, e);
          left = 1;
        }
        synchronized (this) {
          if (stopped.getAsBoolean() || (left == 0 && !armedAgain)) {
            running = false;
            return;
          }
          armedAgain = false;
          wait(pollMillis);
        }
      }
    } catch (InterruptedException e) {
      synchronized (this) {
        running = false;
      }
    }
  }
}
