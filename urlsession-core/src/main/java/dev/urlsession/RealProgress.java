package dev.urlsession;

/** A task's progress: bytes received over bytes expected. */
final class RealProgress implements TaskProgress {
  private final RealTask task;
  private volatile boolean cancelled;

  RealProgress(RealTask task) {
    this.task = task;
  }

  void markCancelled() {
    cancelled = true;
  }

  @Override
  public long totalUnitCount() {
    return task.countOfBytesExpectedToReceive();
  }

  @Override
  public long completedUnitCount() {
    return task.countOfBytesReceived();
  }

  @Override
  public double fractionCompleted() {
    if (task.state() == SessionTask.State.COMPLETED && task.error() == null) {
      return 1.0;
    }
    long total = totalUnitCount();
    if (total <= 0) {
      return 0.0;
    }
    return Math.min(1.0, (double) completedUnitCount() / total);
  }

  @Override
  public boolean isCancelled() {
    return cancelled;
  }

  @Override
  public void cancel() {
    task.cancel();
  }
}
