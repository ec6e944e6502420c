package dev.urlsession;

import dev.urlsession.spi.SessionListener;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a task's events go: its delegate calls (the task delegate when it implements a method,
 * else the session delegate), posted to the session's serial queue, guarded so that a throwing
 * delegate cannot break the task; and its {@link SessionListener}, told of the start and the
 * completion in that order even when they race. The task posts while holding its lock (so that
 * calls are queued in the order of its state changes) and kicks the queue after releasing it.
 */
final class TaskEvents {
  private static final Logger log = LoggerFactory.getLogger(TaskEvents.class);

  private final RealSession session;
  private final SessionTask task;
  /** Delegate events created for the queue and not yet run. */
  private final AtomicInteger queued = new AtomicInteger();
  /** Guarded by the task's lock; set before the task starts. */
  private @Nullable TaskDelegate taskDelegate;
  /** Observes the task (metrics, tracing); NONE unless the configuration has a listener factory. */
  private volatile SessionListener listener = SessionListener.NONE;
  /** Orders taskStarted before taskCompleted; set (before {@code listener}) only with a listener. */
  private @Nullable ListenerOrder order;

  /**
   * Whether taskStarted was delivered and taskCompleted is due, guarded by itself: a cancel() on
   * another thread may post the completion while the resuming thread is still in taskStarted.
   */
  private static final class ListenerOrder {
    boolean started;
    boolean done;
  }

  TaskEvents(RealSession session, SessionTask task, @Nullable TaskDelegate taskDelegate) {
    this.session = session;
    this.task = task;
    this.taskDelegate = taskDelegate;
  }

  @Nullable TaskDelegate taskDelegate() {
    return taskDelegate;
  }

  void taskDelegate(@Nullable TaskDelegate delegate) {
    this.taskDelegate = delegate;
  }

  /**
   * Posts {@code didCreateTask} without kicking the queue; called once by the session as it
   * registers the task, under its creation lock (it kicks once it has released that lock).
   */
  void postCreated() {
    synchronized (task) {
      TaskDelegate d = pick(TaskDelegate.class, "didCreateTask");
      if (d != null) {
        post("didCreateTask", () -> d.didCreateTask(session, task));
      }
    }
  }

  /** The delegate to call for {@code method}, or null when nobody implements it. Caller holds the task's lock. */
  <T> @Nullable T pick(Class<T> type, String method) {
    return Delegates.pick(taskDelegate, session.delegate(), type, method);
  }

  /**
   * The session delegate when it implements the session-level {@code didReceiveChallenge}, for
   * the challenges it takes first (server trust, client certificates).
   */
  @Nullable SessionDelegate sessionChallengeDelegate() {
    SessionDelegate d = session.delegate();
    return Delegates.implementsMethod(d, "didReceiveChallenge/3") ? d : null;
  }

  /** Queues a delegate call; the caller holds the task's lock and kicks the queue after releasing it. */
  void post(String what, Runnable call) {
    session.queue.offer(guarded(what, call));
  }

  /** Queues work that is not a delegate call (it must not throw). */
  void postPlain(Runnable work) {
    session.queue.offer(work);
  }

  /** Schedules the queue to run what was posted; call without the task's lock. */
  void kick() {
    session.queue.kick();
  }

  /** {@code call}, logged instead of thrown; counted as queued until it ran. */
  Runnable guarded(String what, Runnable call) {
    queued.incrementAndGet();
    return () -> {
      try {
        call.run();
      } catch (VirtualMachineError e) {
        throw e;
      } catch (Throwable e) {
        log.error("{} threw for task {}; the task goes on", what, task.taskIdentifier(), e);
      } finally {
        queued.decrementAndGet();
      }
    };
  }

  /** Whether delegate calls posted for this task have not run yet. */
  boolean hasQueued() {
    return queued.get() != 0;
  }

  /** A handler that must be called exactly once. */
  <T> Consumer<T> once(String what, Consumer<T> target) {
    AtomicBoolean called = new AtomicBoolean();
    return value -> {
      if (!called.compareAndSet(false, true)) {
        throw new IllegalStateException("the completion handler of " + what + " was already called");
      }
      target.accept(value);
    };
  }

  // --- the listener ---

  /** Creates the task's listener; called once by the session before the task is registered. */
  void listenTo(SessionListener.Factory factory) {
    try {
      SessionListener l = factory.create(task);
      if (l != null && l != SessionListener.NONE) {
        order = new ListenerOrder();
        listener = l;
      }
    } catch (RuntimeException e) {
      log.error("SessionListener.Factory threw for task {}; the task is not observed", task.taskIdentifier(), e);
    }
  }

  /** Makes {@code other} observe the same task observation (a data task that became a download task). */
  void shareListener(TaskEvents other) {
    other.order = order;
    other.listener = listener;
  }

  boolean observed() {
    return listener != SessionListener.NONE;
  }

  /** Delivers taskStarted, unless the task already completed. */
  void started() {
    ListenerOrder o = order;
    if (listener == SessionListener.NONE || o == null) {
      return;
    }
    synchronized (o) {
      if (!o.done) {
        notify("taskStarted", x -> x.taskStarted(task));
        o.started = true;
      }
    }
  }

  /** Delivers taskCompleted if taskStarted was delivered; either way no event follows. */
  void completed(@Nullable TaskMetrics metrics, @Nullable SessionException error) {
    ListenerOrder o = order;
    if (o == null || metrics == null) {
      return;
    }
    synchronized (o) {
      if (o.started && !o.done) {
        notify("taskCompleted", x -> x.taskCompleted(task, metrics, error));
      }
      o.done = true;
    }
  }

  /** Calls the listener unless there is none; a throwing listener is logged. */
  void notify(String event, Consumer<SessionListener> call) {
    SessionListener l = listener;
    if (l == SessionListener.NONE) {
      return;
    }
    try {
      call.accept(l);
    } catch (RuntimeException e) {
      log.error("SessionListener.{} threw for task {}; the task goes on", event, task.taskIdentifier(), e);
    }
  }

  /** The request the listener wants sent instead of {@code request} (same URL and method). */
  Request requestWillBeSent(Request request) {
    SessionListener l = listener;
    if (l == SessionListener.NONE) {
      return request;
    }
    try {
      Request r = l.requestWillBeSent(task, request);
      if (r != null && r.url().equals(request.url()) && r.method().equals(request.method())) {
        return r;
      }
      log.error("SessionListener.requestWillBeSent changed the URL or method of task {}; ignored",
          task.taskIdentifier());
    } catch (RuntimeException e) {
      log.error("SessionListener.requestWillBeSent threw for task {}; the request is sent unchanged",
          task.taskIdentifier(), e);
    }
    return request;
  }
}
