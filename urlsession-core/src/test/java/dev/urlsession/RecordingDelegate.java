package dev.urlsession;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Records every delegate call as a line, so tests can assert exact call sequences (consecutive
 * didReceiveData calls are recorded once, their bytes collected). Also checks, in every call,
 * that it does not run on an HttpClient I/O thread nor under the task's lock.
 */
class RecordingDelegate implements DataDelegate {
  final List<String> events = new CopyOnWriteArrayList<>();
  final List<String> violations = new CopyOnWriteArrayList<>();
  final ByteArrayOutputStream body = new ByteArrayOutputStream();
  final CompletableFuture<@Nullable SessionException> completed = new CompletableFuture<>();
  final CompletableFuture<Void> invalid = new CompletableFuture<>();
  volatile @Nullable TaskMetrics metrics;
  volatile @Nullable String lastSent;
  volatile boolean followRedirects = true;
  volatile ResponseDisposition disposition = ResponseDisposition.ALLOW;

  void recordEvent(@Nullable SessionTask task, String event) {
    record(task, event);
  }

  /** What the events of {@code task} start with: nothing, unless a test of two tasks tells them apart. */
  String tag(@Nullable SessionTask task) {
    return "";
  }

  private void record(@Nullable SessionTask task, String event) {
    String thread = Thread.currentThread().getName();
    if (thread.startsWith("urlsession-io-") || thread.startsWith("urlsession-ws")
        || thread.startsWith("urlsession-stream-")) {
      violations.add(event + " on I/O thread " + thread);
    }
    if (task != null && Thread.holdsLock(task)) {
      violations.add(event + " under the task's lock");
    }
    String tag = tag(task);
    if ((event.equals("didReceiveData") || event.equals("didWriteData") || event.startsWith("didSendBodyData"))
        && !events.isEmpty() && events.get(events.size() - 1).equals(tag + event.split(" ")[0])) {
      return;
    }
    events.add(tag + event);
  }

  @Override
  public void didCreateTask(Session session, SessionTask task) {
    record(task, "didCreateTask");
  }

  @Override
  public void taskIsWaitingForConnectivity(Session session, SessionTask task) {
    record(task, "taskIsWaitingForConnectivity");
  }

  @Override
  public void willPerformHttpRedirection(Session session, SessionTask task, Response redirect,
      Request newRequest, Consumer<@Nullable Request> handler) {
    record(task, "willPerformHttpRedirection " + redirect.statusCode() + " " + newRequest.url().getPath());
    handler.accept(followRedirects ? newRequest : null);
  }

  @Override
  public void didSendBodyData(Session session, SessionTask task, long bytesSent, long totalBytesSent,
      long totalBytesExpectedToSend) {
    record(task, "didSendBodyData");
    lastSent = totalBytesSent + "/" + totalBytesExpectedToSend;
  }

  @Override
  public void didReceiveResponse(Session session, DataTask task, Response response,
      Consumer<ResponseDisposition> handler) {
    record(task, "didReceiveResponse " + response.statusCode());
    handler.accept(disposition);
  }

  @Override
  public void didReceiveData(Session session, DataTask task, byte[] data) {
    record(task, "didReceiveData");
    body.write(data, 0, data.length);
  }

  @Override
  public void didFinishCollectingMetrics(Session session, SessionTask task, TaskMetrics metrics) {
    record(task, "didFinishCollectingMetrics");
    this.metrics = metrics;
  }

  @Override
  public void didComplete(Session session, SessionTask task, @Nullable SessionException error) {
    record(task, "didComplete " + (error == null ? "null" : error.code()));
    completed.complete(error);
  }

  @Override
  public void didBecomeInvalid(Session session, @Nullable SessionException error) {
    record(null, "didBecomeInvalid");
    invalid.complete(null);
  }

  /** Waits (bounded) for didComplete and returns its error. */
  @Nullable SessionException awaitCompletion() throws Exception {
    return completed.get(10, TimeUnit.SECONDS);
  }

  void assertEvents(String... expected) {
    assertThat(violations).isEmpty();
    assertThat(new ArrayList<>(events)).containsExactly(expected);
  }

  static Duration seconds(long s) {
    return Duration.ofSeconds(s);
  }
}
