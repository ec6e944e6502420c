package dev.urlsession;

import dev.urlsession.internal.TransactionRecorder;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * The end of a task, decided under its lock and delivered after (URLSESSION-BEHAVIOUR.md 3.3,
 * 3.6, 3.10, 3.11): the listener's {@code taskCompleted}, the response stored in the cache, the
 * state {@code COMPLETED}, resume data to {@code cancelByProducingResumeData}, the file to
 * {@code didFinishDownloadingTo} (deleted when it returns), the metrics, then exactly one of the
 * completion handler and {@code didComplete}, and the task's completion future last. The event
 * runs on the delegate queue; the common case of a data future, with nothing else to deliver, runs
 * it on the finishing thread instead, which completes the caller's future without a hop (see
 * {@link QueueFuture}).
 */
final class TaskCompletion {
  /** What the completion delivers, gathered by the task under its lock. */
  record Outcome(@Nullable Response response, @Nullable SessionException error, byte @Nullable [] body,
      @Nullable Path location, @Nullable ResumeData resumeData, @Nullable TaskMetrics metrics,
      @Nullable Runnable storeInCache) {}

  private final RealSession session;
  private final RealTask task;
  private final TaskEvents events;
  private final ResultRoute route;
  private final Outcome outcome;
  private final @Nullable CompletableFuture<@Nullable ResumeData> resumeFuture;
  private final @Nullable TaskDelegate metricsDelegate;
  private final @Nullable TaskDelegate completeDelegate;
  private final @Nullable DownloadDelegate fileDelegate;

  /** Picks the delegates to call; the caller holds the task's lock. */
  TaskCompletion(RealSession session, RealTask task, TaskEvents events, ResultRoute route, Outcome outcome,
      @Nullable CompletableFuture<@Nullable ResumeData> resumeFuture) {
    this.session = session;
    this.task = task;
    this.events = events;
    this.route = route;
    this.outcome = outcome;
    this.resumeFuture = resumeFuture;
    this.metricsDelegate = events.pick(TaskDelegate.class, "didFinishCollectingMetrics");
    this.completeDelegate = route.handlerMode() ? null : events.pick(TaskDelegate.class, "didComplete");
    this.fileDelegate = outcome.location() != null && !route.handlerMode()
        ? events.pick(DownloadDelegate.class, "didFinishDownloadingTo") : null;
  }

  /** The task's metrics: one transaction per load, from its first resume to now. */
  static TaskMetrics metrics(List<TransactionRecorder> loads, @Nullable Instant start, int redirects) {
    List<TransactionMetrics> list = new ArrayList<>(loads.size());
    for (TransactionRecorder t : loads) {
      list.add(t.toMetrics());
    }
    return new TaskMetrics(list, start, Instant.now(), redirects);
  }

  /** Whether the metrics are wanted: by a delegate, or by the listener. */
  static boolean metricsWanted(TaskEvents events) {
    return events.observed() || events.pick(TaskDelegate.class, "didFinishCollectingMetrics") != null;
  }

  /**
   * Whether the event may run on the finishing thread: a data future whose handler only completes
   * a library future, with nothing queued before it and nothing to write.
   */
  boolean direct() {
    return route.direct() && outcome.location() == null && metricsDelegate == null && resumeFuture == null
        && !events.hasQueued();
  }

  /** The completion's delegate calls, in order. */
  void run() {
    Outcome o = outcome;
    SessionException error = o.error();
    events.completed(o.metrics(), error);
    if (o.storeInCache() != null) {
      // Stored before anyone hears of the completion, so a next request finds the entry.
      events.guarded("storing in the cache", o.storeInCache()).run();
    }
    task.markCompleted();
    if (resumeFuture != null) {
      resumeFuture.complete(o.resumeData());
    }
    Path location = o.location();
    if (location != null && fileDelegate != null) {
      events.guarded("didFinishDownloadingTo",
          () -> fileDelegate.didFinishDownloadingTo(session, (DownloadTask) task, location)).run();
      FileSink.deleteQuietly(location);
    }
    if (o.metrics() != null && metricsDelegate != null) {
      events.guarded("didFinishCollectingMetrics",
          () -> metricsDelegate.didFinishCollectingMetrics(session, task, o.metrics())).run();
    }
    Response r = error == null ? o.response() : null;
    if (route.dataHandler != null) {
      events.guarded("completion handler", () -> route.dataHandler.complete(o.body(), r, error)).run();
    } else if (route.fileHandler != null) {
      events.guarded("completion handler", () -> route.fileHandler.complete(location, r, error)).run();
      if (location != null && !route.callerOwnsFile) {
        FileSink.deleteQuietly(location);
      }
    } else if (completeDelegate != null) {
      events.guarded("didComplete", () -> completeDelegate.didComplete(session, task, error)).run();
    }
    if (location != null && fileDelegate == null && route.fileHandler == null) {
      FileSink.deleteQuietly(location); // nobody took the file
    }
    task.completion().complete(task);
  }
}
