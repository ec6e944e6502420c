package dev.urlsession;

import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * Where a task's results go: a completion handler (or the future behind {@code data()},
 * {@code upload()}, {@code download()}), or the delegates. A task with a completion handler gets
 * no data or response delegate calls; a future's task delegate still hears of a download's
 * progress. Immutable but for {@link #completeDirectly()}, set before the task is resumed.
 */
final class ResultRoute {
  /** A completion handler of a data or upload task, or the future behind {@code data()}. */
  final @Nullable CompletionHandler<byte[]> dataHandler;
  /** A completion handler of a download task, or the future behind {@code download()}. */
  final @Nullable CompletionHandler<Path> fileHandler;
  /** Whether the caller keeps the downloaded file ({@code download()}), so it is not deleted. */
  final boolean callerOwnsFile;
  /** Whether the task was created by a future API ({@code data()}, {@code download()}). */
  final boolean future;
  /**
   * Whether the completion handler only completes a library future ({@code data()},
   * {@code upload()}), so that it may run on the thread that finishes the task: see
   * {@link QueueFuture}.
   */
  private volatile boolean direct;

  ResultRoute(@Nullable CompletionHandler<byte[]> dataHandler, @Nullable CompletionHandler<Path> fileHandler,
      boolean callerOwnsFile, boolean future) {
    this.dataHandler = dataHandler;
    this.fileHandler = fileHandler;
    this.callerOwnsFile = callerOwnsFile;
    this.future = future;
  }

  /** The delegate route: no handler. */
  static ResultRoute delegates() {
    return new ResultRoute(null, null, false, false);
  }

  /** Whether results go to a completion handler or future instead of delegate data events. */
  boolean handlerMode() {
    return dataHandler != null || fileHandler != null;
  }

  void completeDirectly() {
    direct = true;
  }

  boolean direct() {
    return direct;
  }

  /** Who gets {@code didWriteData}: the delegate of a delegate task; the task's own for futures. */
  @Nullable DownloadDelegate progressDelegate(TaskEvents events) {
    if (future) {
      TaskDelegate own = events.taskDelegate();
      return own instanceof DownloadDelegate && Delegates.implementsMethod(own, "didWriteData")
          ? (DownloadDelegate) own : null;
    }
    return handlerMode() ? null : events.pick(DownloadDelegate.class, "didWriteData");
  }

  /** Who gets {@code didResumeAtOffset}: as for progress. */
  @Nullable DownloadDelegate resumedDelegate(TaskEvents events) {
    if (future) {
      TaskDelegate own = events.taskDelegate();
      return own instanceof DownloadDelegate ? (DownloadDelegate) own : null;
    }
    return handlerMode() ? null : events.pick(DownloadDelegate.class, "didResumeAtOffset");
  }
}
