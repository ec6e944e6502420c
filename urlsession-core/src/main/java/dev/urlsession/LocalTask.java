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

  /** The completion is being delivered: the state becomes {@code COMPLETED}. */
  synchronized void markCompleted() {
    state = State.COMPLETED;
  }
}
