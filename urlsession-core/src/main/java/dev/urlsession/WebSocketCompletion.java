package dev.urlsession;

import dev.urlsession.internal.TransactionRecorder;
import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The end of a WebSocket task, decided under its lock and delivered on the delegate queue
 * (URLSESSION-BEHAVIOUR.md 3.3, 3.10, 10.2): the listener's {@code taskCompleted} with the
 * metrics of the handshake, the state {@code COMPLETED}, {@code didFinishCollectingMetrics},
 * {@code didComplete}, and the task's completion future last.
 */
final class WebSocketCompletion {
  private WebSocketCompletion() {}

  /**
   * Posts the completion of {@code task} with {@code error}; the caller holds the task's lock.
   *
   * @param handshakes the transactions of the handshake's attempts (none when none was sent)
   * @param markCompleted sets the task's state to {@code COMPLETED} (takes its lock)
   */
  static void post(RealSession session, WebSocketTask task, TaskEvents events, boolean started,
      List<TransactionRecorder> handshakes, @Nullable Instant start, @Nullable SessionException error,
      Runnable markCompleted) {
    TaskMetrics metrics = started && TaskCompletion.metricsWanted(events)
        ? TaskCompletion.metrics(handshakes, start, 0) : null;
    TaskDelegate metricsDelegate = events.pick(TaskDelegate.class, "didFinishCollectingMetrics");
    TaskDelegate completeDelegate = events.pick(TaskDelegate.class, "didComplete");
    events.postPlain(() -> {
      events.completed(metrics, error);
      markCompleted.run();
      if (metrics != null && metricsDelegate != null) {
        events.guarded("didFinishCollectingMetrics",
            () -> metricsDelegate.didFinishCollectingMetrics(session, task, metrics)).run();
      }
      if (completeDelegate != null) {
        events.guarded("didComplete", () -> completeDelegate.didComplete(session, task, error)).run();
      }
      task.completion().complete(task);
    });
  }

  /** Posts {@code didCloseWith} with {@code code} and a copy of {@code reason}; the caller holds the lock. */
  static void postClose(RealSession session, WebSocketTask task, TaskEvents events, CloseCode code,
      byte @Nullable [] reason) {
    WebSocketDelegate d = events.pick(WebSocketDelegate.class, "didCloseWith");
    if (d != null) {
      byte[] r = reason == null ? null : reason.clone();
      events.post("didCloseWith", () -> d.didCloseWith(session, task, code, r));
    }
  }
}
