package dev.urlsession;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.urlsession.spi.SessionListener;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * WebSocket tasks as the session sees them: its listener (the handshake's observation and
 * metrics), its statistics and task lists, invalidation, and background sessions' refusal.
 */
@Timeout(30)
class WebSocketSessionTests {
  @StartStop final MockWebServer server = new MockWebServer();

  URI ws(String path) {
    return URI.create("ws://" + server.getHostName() + ":" + server.getPort() + path);
  }

  @Test
  void listenerWhenTheTaskRunsThenObservesTheHandshakeWithOneTransaction() throws Exception {
    server.enqueue(new MockResponse.Builder().webSocketUpgrade(new WebSocketTaskTests.Echo()).build());
    List<String> seen = new CopyOnWriteArrayList<>();
    List<TaskMetrics> metrics = new CopyOnWriteArrayList<>();
    SessionConfiguration c = SessionConfiguration.ephemeral().toBuilder().sessionListenerFactory(task ->
        new SessionListener() {
          @Override
          public void taskStarted(SessionTask t) {
            seen.add("taskStarted");
          }

          @Override
          public Request requestWillBeSent(SessionTask t, Request r) {
            seen.add("requestWillBeSent " + r.url().getPath());
            return r.toBuilder().header("traceparent", "00-trace-span-01").build();
          }

          @Override
          public void taskCompleted(SessionTask t, TaskMetrics m, SessionException error) {
            seen.add("taskCompleted " + (error == null ? "null" : error.code()));
            metrics.add(m);
          }
        }).build();
    try (Session session = Session.create(c)) {
      WebSocketTask task = session.webSocketTask(ws("/observed"));
      task.resume();
      task.send(WebSocketMessage.text("x"));
      task.receive().get(10, SECONDS);
      task.cancel(CloseCode.NORMAL_CLOSURE, null);
      task.completion().get(10, SECONDS);
      assertThat(seen).containsExactly("taskStarted", "requestWillBeSent /observed", "taskCompleted null");
      assertThat(server.takeRequest().getHeaders().get("traceparent")).isEqualTo("00-trace-span-01");
      TaskMetrics m = metrics.get(0);
      assertThat(m.transactionMetrics()).hasSize(1);
      TransactionMetrics t = m.transactionMetrics().get(0);
      assertThat(t.response().statusCode()).isEqualTo(101);
      assertThat(t.networkProtocolName()).isEqualTo("http/1.1");
      assertThat(t.proxyConnection()).isFalse();
      assertThat(t.fetchStartDate()).isNotNull();
      assertThat(t.requestStartDate()).isAfterOrEqualTo(t.fetchStartDate());
      assertThat(t.responseStartDate()).isAfterOrEqualTo(t.requestStartDate());
      assertThat(t.responseEndDate()).isAfterOrEqualTo(t.responseStartDate());
      assertThat(m.taskIntervalEnd()).isAfterOrEqualTo(t.responseEndDate());
    }
  }

  @Test
  void statisticsAndTaskListsWhenOpenThenCountTheTaskAndInvalidateAndCancelEndsIt() throws Exception {
    server.enqueue(new MockResponse.Builder().webSocketUpgrade(new WebSocketTaskTests.Echo()).build());
    RecordingWebSocketDelegate delegate = new RecordingWebSocketDelegate();
    Session session = Session.create(SessionConfiguration.ephemeral(), delegate, null);
    WebSocketTask task = session.webSocketTask(ws("/counted"));
    assertThat(session.statistics().tasks("websocket", SessionTask.State.SUSPENDED)).isEqualTo(1);
    task.resume();
    task.send(WebSocketMessage.text("x"));
    task.receive().get(10, SECONDS);
    assertThat(session.statistics().tasks("websocket", SessionTask.State.RUNNING)).isEqualTo(1);
    assertThat(session.allTasks().get(10, SECONDS)).containsExactly(task);
    TaskLists lists = session.tasks().get(10, SECONDS);
    assertThat(lists.data()).isEmpty(); // Apple's getTasks lists data, upload and download tasks only
    session.invalidateAndCancel();
    assertThat(delegate.awaitCompletion().code()).isEqualTo(SessionException.Code.CANCELLED);
    delegate.invalid.get(10, SECONDS);
    delegate.assertEvents("didCreateTask", "didOpenWithProtocol null", "didFinishCollectingMetrics",
        "didComplete CANCELLED", "didBecomeInvalid");
    assertThat(session.statistics().tasks()).isEmpty();
    assertThatThrownBy(() -> session.webSocketTask(ws("/late"))).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void finishTasksAndInvalidateWhenATaskIsOpenThenWaitsForItsClose() throws Exception {
    server.enqueue(new MockResponse.Builder().webSocketUpgrade(new WebSocketTaskTests.Echo()).build());
    RecordingWebSocketDelegate delegate = new RecordingWebSocketDelegate();
    Session session = Session.create(SessionConfiguration.ephemeral(), delegate, null);
    WebSocketTask task = session.webSocketTask(ws("/finish"));
    task.resume();
    task.send(WebSocketMessage.text("x"));
    task.receive().get(10, SECONDS);
    session.finishTasksAndInvalidate();
    assertThat(delegate.invalid).isNotDone();
    task.cancel(CloseCode.NORMAL_CLOSURE, null);
    delegate.invalid.get(10, SECONDS);
    delegate.assertEvents("didCreateTask", "didOpenWithProtocol null", "didCloseWith NORMAL_CLOSURE null",
        "didFinishCollectingMetrics", "didComplete null", "didBecomeInvalid");
  }

  @Test
  void backgroundSessionWhenAskedForAWebSocketTaskThenRefusesClearly(@TempDir Path storage) {
    Session background = Session.create(SessionConfiguration.backgroundBuilder("ws-refused")
        .storageDirectory(storage).build(), new SessionDelegate() {}, null);
    try {
      assertThatThrownBy(() -> background.webSocketTask(ws("/bg")))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("WebSocket tasks are not supported in background sessions");
      assertThatThrownBy(() -> background.webSocketTask(ws("/bg"), List.of("p")))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> background.webSocketTask(Request.get(ws("/bg"))))
          .isInstanceOf(IllegalArgumentException.class);
    } finally {
      background.close(); // detaches and waits: the store is closed before the directory goes
    }
  }
}
