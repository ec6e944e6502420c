package dev.urlsession.internal;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs submitted work one at a time, in submission order, on threads of a target executor: the
 * session's delegate queue.
 *
 * <p>Producers never block and never run user code: {@link #offer} is a lock-free enqueue, and
 * {@link #kick} schedules one drain on the target only when none is scheduled. A drain keeps
 * running while work arrives (one wake-up for many callbacks under load) and yields the thread
 * after a batch so that one busy session cannot starve others sharing the pool. A task that
 * throws (an exception or an {@link Error}) is logged and the queue goes on; a
 * {@link VirtualMachineError} ends the thread it ran on, and the queue goes on on another.
 */
public final class SerialQueue implements Executor {
  private static final Logger log = LoggerFactory.getLogger(SerialQueue.class);
  private static final int BATCH = 1024;

  private static final ExecutorService DEFAULT_POOL =
      Executors.newCachedThreadPool(daemonThreads("urlsession-delegate-"));

  private final Executor target;
  private final ConcurrentLinkedQueue<Runnable> queue = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean scheduled = new AtomicBoolean();
  private final Runnable drain = this::drain;
  private volatile Thread drainingThread;

  public SerialQueue(Executor target) {
    this.target = target;
  }

  /** A serial queue on the library's shared pool of daemon threads. */
  public static SerialQueue onDefaultPool() {
    return new SerialQueue(DEFAULT_POOL);
  }

  /** Thread factory for daemon threads named {@code prefix + n}. */
  public static ThreadFactory daemonThreads(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  /** Enqueues {@code task} without scheduling a drain; follow with {@link #kick()}. */
  public void offer(Runnable task) {
    queue.offer(task);
  }

  /** Schedules a drain if work is queued and none is scheduled. Never runs work under a caller's lock unless the target runs inline. */
  public void kick() {
    if (!queue.isEmpty() && scheduled.compareAndSet(false, true)) {
      try {
        target.execute(drain);
      } catch (RejectedExecutionException e) {
        log.warn("Delegate queue executor rejected work; running it on the calling thread", e);
        drain();
      }
    }
  }

  @Override
  public void execute(Runnable task) {
    offer(task);
    kick();
  }

  /** Whether the calling thread is draining this queue right now. */
  public boolean isCurrentThread() {
    return drainingThread == Thread.currentThread();
  }

  private void drain() {
    drainingThread = Thread.currentThread();
    try {
      for (int i = 0; i < BATCH; i++) {
        Runnable r = queue.poll();
        if (r == null) {
          break;
        }
        try {
          r.run();
        } catch (VirtualMachineError e) {
          throw e; // the JVM is failing: this thread ends, and the finally below goes on elsewhere
        } catch (Throwable e) {
          // An Error too (a failed assertion in a delegate): the calls queued behind it still run.
          log.error("Delegate or completion handler threw; the session goes on", e);
        }
      }
    } finally {
      drainingThread = null;
      scheduled.set(false);
      kick();
    }
  }
}
