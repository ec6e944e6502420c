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

  /** Asserts Apple's order of a new connection's dates, from the fetch to the response's end. */
  static void assertNewConnectionDates(TransactionMetrics t, boolean tls) {
    assertThat(t.reusedConnection()).isFalse();
    assertThat(t.domainLookupStartDate()).isAfterOrEqualTo(t.fetchStartDate());
    assertThat(t.domainLookupEndDate()).isAfterOrEqualTo(t.domainLookupStartDate());
    assertThat(t.connectStartDate()).isAfterOrEqualTo(t.domainLookupEndDate());
    if (tls) {
      assertThat(t.secureConnectionStartDate()).isAfterOrEqualTo(t.connectStartDate());
      assertThat(t.secureConnectionEndDate()).isAfterOrEqualTo(t.secureConnectionStartDate());
      assertThat(t.connectEndDate()).isAfterOrEqualTo(t.secureConnectionEndDate());
    } else {
      assertThat(t.secureConnectionStartDate()).isNull();
      assertThat(t.secureConnectionEndDate()).isNull();
      assertThat(t.connectEndDate()).isAfterOrEqualTo(t.connectStartDate());
    }
    assertThat(t.requestStartDate()).isAfterOrEqualTo(t.connectEndDate());
    assertThat(t.requestEndDate()).isAfterOrEqualTo(t.requestStartDate());
    assertThat(t.responseStartDate()).isAfterOrEqualTo(t.requestEndDate());
    assertThat(t.responseEndDate()).isAfterOrEqualTo(t.responseStartDate());
  }

  @Test
  void metricsWhenTheHandshakeSucceedsThenDnsConnectAndExchangeDatesInOrderWithoutBody() throws Exception {
    server.enqueue(new MockResponse.Builder().webSocketUpgrade(new WebSocketTaskTests.Echo()).build());
    RecordingWebSocketDelegate delegate = new RecordingWebSocketDelegate();
    try (Session session = Session.create(SessionConfiguration.ephemeral(), delegate, null)) {
      WebSocketTask task = session.webSocketTask(URI.create("ws://localhost:" + server.getPort() + "/timed"));
      task.resume();
      task.send(WebSocketMessage.text("x"));
      task.receive().get(10, SECONDS);
      task.cancel(CloseCode.NORMAL_CLOSURE, null);
      assertThat(delegate.awaitCompletion()).isNull();
      TransactionMetrics t = delegate.metrics.transactionMetrics().get(0);
      assertNewConnectionDates(t, false);
      assertThat(t.countOfRequestBodyBytesSent()).isZero();
      assertThat(t.countOfResponseBodyBytesReceived()).isZero();
    }
  }

  @Test
  void metricsWhenWssThenTlsDatesLieBetweenConnectStartAndEnd() throws Exception {
    server.useHttps(new okhttp3.tls.HandshakeCertificates.Builder().heldCertificate(HttpsAndHttp2Tests.CERT).build()
        .sslSocketFactory());
    server.enqueue(new MockResponse.Builder().webSocketUpgrade(new WebSocketTaskTests.Echo()).build());
    RecordingWebSocketDelegate delegate = new RecordingWebSocketDelegate();
    try (Session session = Session.create(SessionConfiguration.ephemeral().toBuilder()
        .sslContext(HttpsAndHttp2Tests.trusting()).build(), delegate, null)) {
      WebSocketTask task = session.webSocketTask(URI.create("wss://localhost:" + server.getPort() + "/tls"));
      task.resume();
      task.send(WebSocketMessage.text("x"));
      task.receive().get(10, SECONDS);
      task.cancel(CloseCode.NORMAL_CLOSURE, null);
      assertThat(delegate.awaitCompletion()).isNull();
      assertNewConnectionDates(delegate.metrics.transactionMetrics().get(0), true);
    }
  }

  @Test
  void metricsWhenTheUpgradeIsRefusedThenTheAnswersBodyIsCounted() throws Exception {
    server.enqueue(new MockResponse.Builder().body("no websockets here").build());
    RecordingWebSocketDelegate delegate = new RecordingWebSocketDelegate();
    try (Session session = Session.create(SessionConfiguration.ephemeral(), delegate, null)) {
      session.webSocketTask(ws("/refused")).resume();
      assertThat(delegate.awaitCompletion().code()).isEqualTo(SessionException.Code.BAD_SERVER_RESPONSE);
      TransactionMetrics t = delegate.metrics.transactionMetrics().get(0);
      assertThat(t.response().statusCode()).isEqualTo(200);
      assertThat(t.countOfResponseBodyBytesReceived()).isEqualTo("no websockets here".length());
      assertNewConnectionDates(t, false);
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
