package dev.urlsession;

/**
 * What a session needs of a task it runs in this process, whatever its kind: the key of its
 * entry in the session's map, its deadlines (checked by the session's
 * sweep), whether it started and is completing (for {@code allTasks()} and invalidation), and
 * {@code cancel()} (for {@code invalidateAndCancel()}).
 */
interface LiveTask extends SessionTask {
  /** The identifier boxed once, the task's key in the session's map. */
  Long registryKey();

  /** Checks the task's deadlines at {@code nowNanos}; cheap when it has none running. */
  void checkDeadlines(long nowNanos);

  /** Whether it was resumed once. */
  boolean isStarted();

  /** Whether its completion was decided. */
  boolean isCompleting();
}
