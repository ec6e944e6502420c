package dev.urlsession;

import org.jspecify.annotations.Nullable;

/**
 * A task that a {@link RealSession} runs in this process, whatever its kind ({@link RealTask} for
 * loads, {@link RealStreamTask}, {@link RealWebSocketTask}): its session, where its events go,
 * its progress, and whether it started and is completing. The subclasses are the state machines;
 * {@link #started} and {@link #completing} are guarded by {@code this}, as their own fields.
 */
abstract class LocalTask extends BaseTask implements LiveTask {
  final RealSession session;
  final TaskEvents events;
  final RealProgress progress = new RealProgress(this, false);

  // --- guarded by this ---
  /** The resume() calls it takes to run: 1 until the first resume; each suspend() adds one. */
  int suspendCount = 1;
  /** Whether it was resumed once. */
  boolean started;
  /** Whether its completion was decided: nothing changes it after that. */
  boolean completing;

  LocalTask(RealSession session, long taskIdentifier, Request request, @Nullable TaskDelegate taskDelegate) {
    super(taskIdentifier, request, State.SUSPENDED, new QueueFuture<>(session.queue));
    this.session = session;
    this.events = new TaskEvents(session, this, taskDelegate);
  }

  @Override
  public TaskProgress progress() {
    return progress;
  }

  @Override
  public synchronized @Nullable TaskDelegate delegate() {
    return events.taskDelegate();
  }

  @Override
  public synchronized void delegate(@Nullable TaskDelegate delegate) {
    if (started) {
      throw new IllegalStateException("a task's delegate must be set before resume()");
    }
    events.taskDelegate(delegate);
  }

  @Override
  public synchronized boolean isStarted() {
    return started;
  }

  @Override
  public synchronized boolean isCompleting() {
    return completing;
  }

  /** What a {@code resume()} call did: nothing, started the task, or let it run again. */
  enum Resume { NONE, FIRST, AGAIN }

  /**
   * Apple's suspend count for {@code resume()}: the call that balances the suspends makes the task
   * run; the first one starts it, unless the session was invalidated before (the task then never
   * starts). Caller holds the lock and, for {@code FIRST} or {@code AGAIN}, does what its kind does.
   */
  Resume resumeLocked() {
    if (completing || state == State.CANCELING || state == State.COMPLETED) {
      return Resume.NONE;
    }
    if (suspendCount > 0) {
      suspendCount--;
    }
    if (suspendCount > 0 || state == State.RUNNING) {
      return Resume.NONE;
    }
    if (!started && session.isInvalidated()) {
      suspendCount = 1;
      return Resume.NONE; // a task never resumed before invalidation does not start
    }
    state = State.RUNNING;
    if (started) {
      return Resume.AGAIN;
    }
    started = true;
    return Resume.FIRST;
  }

  /** {@code suspend()}: one more resume() needed; false once the task is ending. Caller holds the lock. */
  boolean suspendLocked() {
    if (completing || state == State.CANCELING || state == State.COMPLETED) {
      return false;
    }
    suspendCount++;
    state = State.SUSPENDED;
    return true;
  }

  /** The completion is being delivered: the state becomes {@code COMPLETED}. */
  synchronized void markCompleted() {
    state = State.COMPLETED;
  }
}
