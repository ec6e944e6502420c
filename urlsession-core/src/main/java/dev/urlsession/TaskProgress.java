package dev.urlsession;

/**
 * The progress of a task (Apple's {@code Progress}). Thread-safe.
 *
 * @since 0.1.0
 */
public interface TaskProgress {
  /** Total units (bytes) expected, or -1 when unknown. */
  long totalUnitCount();

  /** Units (bytes) completed. */
  long completedUnitCount();

  /** Completed over total, 0 to 1; 1 once the task has completed, 0 while the total is unknown. */
  double fractionCompleted();

  /** Whether the progress (and so the task) was cancelled. */
  boolean isCancelled();

  /** Cancels the task. */
  void cancel();
}
