package dev.urlsession.autoconfigure;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.springframework.context.SmartLifecycle;

/**
 * The delegate queue of the configured background sessions: it holds their delegate calls until
 * the application context has started, then runs them, in order, on daemon threads.
 *
 * <p>A background session delivers, as soon as it is created, the events of transfers that ended
 * while the application was down, and a finished file is deleted once its event was published.
 * Sessions are created while the context creates its beans, before {@code @EventListener}
 * methods are registered: published then, those events would reach nobody and their files would
 * be lost. Lifecycle beans start once every singleton exists and every listener is registered,
 * so that is when the calls held here run. If the context never starts, they never run: the
 * results stay in the store and are delivered at the next start.
 */
final class BackgroundEventGate implements SmartLifecycle, java.util.concurrent.Executor {
  private static final ExecutorService POOL = Executors.newCachedThreadPool(new java.util.concurrent.ThreadFactory() {
    private final AtomicInteger n = new AtomicInteger();

    @Override
    public Thread newThread(Runnable r) {
      Thread t = new Thread(r, "urlsession-background-events-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    }
  });

  private final Object lock = new Object();
  /** Calls waiting for the start; null once started. */
  private @Nullable List<Runnable> held = new ArrayList<>();

  @Override
  public void execute(Runnable command) {
    synchronized (lock) {
      if (held != null) {
        held.add(command);
        return;
      }
    }
    POOL.execute(command);
  }

  @Override
  public void start() {
    List<Runnable> release;
    synchronized (lock) {
      release = held;
      held = null;
    }
    if (release != null) {
      release.forEach(POOL::execute);
    }
  }

  /** Stays open: the calls of detaching sessions still run while the context closes. */
  @Override
  public void stop() {
  }

  @Override
  public boolean isRunning() {
    synchronized (lock) {
      return held == null;
    }
  }

  /** Starts with the session lifecycle, before the application's own lifecycle beans by default. */
  @Override
  public int getPhase() {
    return SessionRegistryLifecycle.PHASE;
  }
}
