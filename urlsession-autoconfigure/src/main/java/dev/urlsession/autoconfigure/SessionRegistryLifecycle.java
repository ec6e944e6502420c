package dev.urlsession.autoconfigure;

import dev.urlsession.Session;
import dev.urlsession.SessionConfiguration;
import dev.urlsession.SessionRegistry;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.context.SmartLifecycle;

/**
 * Finishes and invalidates the sessions of a {@link SessionRegistry} when the application context
 * closes: every session first stops taking tasks and lets its running tasks complete
 * ({@code finishTasksAndInvalidate()}); the context waits for that at most
 * {@code spring.lifecycle.timeout-per-shutdown-phase}; then sessions still busy are cancelled
 * ({@code invalidateAndCancel()}) when the registry's beans are destroyed.
 *
 * <p>It stops in phase {@link #PHASE}, after the embedded web server (graceful shutdown and stop
 * run in higher phases), so that requests still being handled can use their sessions.
 *
 * @since 0.1.0
 */
public final class SessionRegistryLifecycle implements SmartLifecycle, DisposableBean {
  /** The shutdown phase: after the web server's graceful shutdown and stop. */
  public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 4096;

  private final SessionRegistry registry;
  private volatile boolean running;

  /** A lifecycle for the sessions of {@code registry}, the ones registered when it stops. */
  public SessionRegistryLifecycle(SessionRegistry registry) {
    this.registry = registry;
  }

  @Override
  public void start() {
    running = true;
  }

  /** Finishes every session and waits (at most 30 s per session) for them to become invalid. */
  @Override
  public void stop() {
    running = false;
    List<Session> sessions = sessions();
    sessions.forEach(Session::finishTasksAndInvalidate);
    sessions.forEach(Session::close);
  }

  /**
   * Finishes every session and calls {@code callback} once all became invalid; returns at once.
   * The lifecycle processor waits for the callback at most the shutdown phase timeout.
   */
  @Override
  public void stop(Runnable callback) {
    running = false;
    List<Session> sessions = sessions();
    sessions.forEach(Session::finishTasksAndInvalidate);
    if (sessions.isEmpty()) {
      callback.run();
      return;
    }
    Thread waiter = new Thread(() -> {
      try {
        sessions.forEach(Session::close); // each waits for its own invalidation
      } finally {
        callback.run();
      }
    }, "urlsession-shutdown");
    waiter.setDaemon(true);
    waiter.start();
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  @Override
  public int getPhase() {
    return PHASE;
  }

  /**
   * False: stopping invalidates the sessions, and an invalidated session never takes a task again,
   * so a paused context (Spring's test context cache pauses contexts it is not using) must leave
   * this lifecycle running rather than come back with sessions that refuse every task.
   */
  @Override
  public boolean isPauseable() {
    return false;
  }

  /** Cancels whatever is still running: after the shutdown phase timeout, or a failed start. */
  @Override
  public void destroy() {
    sessions().forEach(SessionRegistryLifecycle::release);
  }

  /**
   * Lets go of a session at shutdown: cancels its tasks, except for a background session, whose
   * transfers are durable: it only detaches, and they go on at the next start.
   */
  static void release(Session session) {
    if (session.configuration().kind() == SessionConfiguration.Kind.BACKGROUND) {
      session.finishTasksAndInvalidate();
    } else {
      session.invalidateAndCancel();
    }
  }

  private List<Session> sessions() {
    Set<Session> distinct = Collections.newSetFromMap(new IdentityHashMap<>());
    distinct.addAll(registry.sessions().values());
    distinct.remove(Session.shared());
    return new ArrayList<>(distinct);
  }
}
