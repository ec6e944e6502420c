package dev.urlsession;

/** A task's progress: bytes received (or, for a task that counts what it sends, sent) over bytes expected. */
final class RealProgress implements TaskProgress {
  private final SessionTask task;
  private final boolean sending;
  private volatile boolean cancelled;

  RealProgress(SessionTask task, boolean sending) {
    this.task = task;
    this.sending = sending;
  }

  void markCancelled() {
    cancelled = true;
  }

  @Override
  public long totalUnitCount() {
    return sending ? task.countOfBytesExpectedToSend() : task.countOfBytesExpectedToReceive();
  }

  @Override
  public long completedUnitCount() {
    return sending ? task.countOfBytesSent() : task.countOfBytesReceived();
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
