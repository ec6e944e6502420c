package dev.urlsession;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code waitsForConnectivity} for WebSocket tasks, as for data tasks: a handshake that cannot
 * connect makes the task wait, tell its delegate once, and try again until the resource timeout.
 */
@Timeout(60)
class WebSocketConnectivityTests {
  /** Handshake attempts: the listener hears each request. */
  final AtomicInteger attempts = new AtomicInteger();
  Session session;

  @AfterEach
  void tearDown() {
    if (session != null) {
      session.invalidateAndCancel();
    }
  }

  /** A loopback port nobody listens on (for now). */
  static int closedPort() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /** A session whose request timeout (1 s) is shorter than the waits of these tests. */
  Session session(boolean waits, Duration resource, RecordingDelegate delegate) {
    dev.urlsession.spi.SessionListener counting = new dev.urlsession.spi.SessionListener() {
      @Override
      public Request requestWillBeSent(SessionTask task, Request request) {
        attempts.incrementAndGet();
        return request;
      }
    };
    session = Session.create(SessionConfiguration.ephemeral().toBuilder()
        .waitsForConnectivity(waits).timeoutIntervalForResource(resource)
        .timeoutIntervalForRequest(Duration.ofSeconds(1))
        .sessionListenerFactory(task -> counting).build(), delegate, null);
    return session;
  }

  @Test
  void refusedWhenNotWaitingThenFailsAtOnceWithCannotConnect() throws Exception {
    RecordingWebSocketDelegate d = new RecordingWebSocketDelegate();
    session(false, Duration.ofSeconds(30), d).webSocketTask(URI.create("ws://127.0.0.1:" + closedPort() + "/")).resume();
    assertThat(d.awaitCompletion().code()).isEqualTo(SessionException.Code.CANNOT_CONNECT_TO_HOST);
    d.assertEvents("didCreateTask", "didFinishCollectingMetrics", "didComplete CANNOT_CONNECT_TO_HOST");
    assertThat(attempts).hasValue(1);
  }

  @Test
  void refusedWhenWaitingThenToldOnceAndOpensWhenTheServerComesUp() throws Exception {
    int port = closedPort();
    RecordingWebSocketDelegate d = new RecordingWebSocketDelegate();
    WebSocketTask task = session(true, Duration.ofSeconds(30), d)
        .webSocketTask(URI.create("ws://127.0.0.1:" + port + "/later"));
    task.resume();
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> d.events.contains("taskIsWaitingForConnectivity"));
    // Three attempts (retries after 0.5 s and 1 s) outlast the request timeout (1 s), which does
    // not run while the task waits.
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> attempts.get() >= 3);
    assertThat(d.completed).isNotDone();
    try (MockWebServer server = new MockWebServer()) {
      server.enqueue(new MockResponse.Builder().webSocketUpgrade(new WebSocketTaskTests.Echo()).build());
      server.start(InetAddress.getLoopbackAddress(), port);
      task.send(WebSocketMessage.text("finally"));
      assertThat(task.receive().get(10, SECONDS)).isEqualTo(WebSocketMessage.text("finally"));
      task.cancel(CloseCode.NORMAL_CLOSURE, null);
      assertThat(d.awaitCompletion()).isNull();
      d.assertEvents("didCreateTask", "taskIsWaitingForConnectivity", "didOpenWithProtocol null",
          "didCloseWith NORMAL_CLOSURE null", "didFinishCollectingMetrics", "didComplete null");
      var transactions = d.metrics.transactionMetrics();
      assertThat(transactions).hasSize(attempts.get());
      assertThat(transactions.subList(0, transactions.size() - 1)).allSatisfy(t -> assertThat(t.response()).isNull());
      assertThat(transactions.get(transactions.size() - 1).response().statusCode()).isEqualTo(101);
    }
  }

  @Test
  void waitingWhenTheResourceDeadlinePassesThenTimedOut() throws Exception {
    RecordingWebSocketDelegate d = new RecordingWebSocketDelegate();
    session(true, Duration.ofMillis(2500), d).webSocketTask(URI.create("ws://127.0.0.1:" + closedPort() + "/")).resume();
    SessionException error = d.awaitCompletion();
    assertThat(error.code()).isEqualTo(SessionException.Code.TIMED_OUT);
    assertThat(error.getMessage()).contains("timeoutIntervalForResource");
    d.assertEvents("didCreateTask", "taskIsWaitingForConnectivity", "didFinishCollectingMetrics", "didComplete TIMED_OUT");
    assertThat(attempts.get()).isGreaterThan(1);
  }

  @Test
  void waitingWhenCancelledThenCancelledWithoutAnotherAttempt() throws Exception {
    RecordingWebSocketDelegate d = new RecordingWebSocketDelegate();
    WebSocketTask task = session(true, Duration.ofSeconds(30), d)
        .webSocketTask(URI.create("ws://127.0.0.1:" + closedPort() + "/"));
    task.resume();
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> d.events.contains("taskIsWaitingForConnectivity"));
    task.cancel();
    assertThat(d.awaitCompletion().code()).isEqualTo(SessionException.Code.CANCELLED);
    assertThat(task.completion().get(10, SECONDS).state()).isEqualTo(SessionTask.State.COMPLETED);
    d.assertEvents("didCreateTask", "taskIsWaitingForConnectivity", "didFinishCollectingMetrics", "didComplete CANCELLED");
  }
}
