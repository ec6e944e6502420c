package dev.urlsession;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code waitsForConnectivity}: a task that cannot connect waits instead of failing. */
@Timeout(60)
class WaitsForConnectivityTests {

  /** A loopback port nobody listens on (for now). */
  private static int closedPort() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /** Requests handed to a protocol handler: the first attempt and each retry. */
  private final java.util.concurrent.atomic.AtomicInteger attempts = new java.util.concurrent.atomic.AtomicInteger();

  /** A session whose idle timeout (1 s) is shorter than the waits of these tests. */
  private Session session(boolean waits, Duration resource, RecordingDelegate delegate) {
    dev.urlsession.spi.SessionListener counting = new dev.urlsession.spi.SessionListener() {
      @Override
      public Request requestWillBeSent(SessionTask task, Request request) {
        attempts.incrementAndGet();
        return request;
      }
    };
    return Session.create(SessionConfiguration.ephemeral().toBuilder()
        .waitsForConnectivity(waits).timeoutIntervalForResource(resource)
        .timeoutIntervalForRequest(Duration.ofSeconds(1))
        .sessionListenerFactory(task -> counting).build(), delegate, null);
  }

  @Test
  void withoutWaitingARefusedConnectionFailsAtOnce() throws Exception {
    RecordingDelegate delegate = new RecordingDelegate();
    Session session = session(false, Duration.ofSeconds(30), delegate);
    try {
      session.dataTask(URI.create("http://127.0.0.1:" + closedPort() + "/")).resume();
      assertThat(delegate.awaitCompletion().code()).isEqualTo(SessionException.Code.CANNOT_CONNECT_TO_HOST);
      delegate.assertEvents("didCreateTask", "didFinishCollectingMetrics", "didComplete CANNOT_CONNECT_TO_HOST");
    } finally {
      session.invalidateAndCancel();
    }
  }

  @Test
  void waitingTaskIsToldOnceAndConnectsWhenTheServerComesUp() throws Exception {
    int port = closedPort();
    RecordingDelegate delegate = new RecordingDelegate();
    Session session = session(true, Duration.ofSeconds(30), delegate);
    try (MockWebServer server = new MockWebServer()) {
      server.enqueue(new MockResponse.Builder().body("finally").build());
      session.dataTask(URI.create("http://127.0.0.1:" + port + "/")).resume();
      Awaitility.await().atMost(Duration.ofSeconds(10))
          .until(() -> delegate.events.contains("taskIsWaitingForConnectivity"));
      // Three attempts (retries after 0.5 s and 1 s) outlast the idle timeout (1 s), which does
      // not run while the task waits.
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> attempts.get() >= 3);
      assertThat(delegate.completed).isNotDone();
      server.start(InetAddress.getLoopbackAddress(), port);
      assertThat(delegate.awaitCompletion()).isNull();
      assertThat(delegate.body.toString(StandardCharsets.UTF_8)).isEqualTo("finally");
      delegate.assertEvents("didCreateTask", "taskIsWaitingForConnectivity", "didReceiveResponse 200",
          "didReceiveData", "didFinishCollectingMetrics", "didComplete null");
      assertThat(delegate.metrics.transactionMetrics()).hasSizeGreaterThan(1);
    } finally {
      session.invalidateAndCancel();
    }
  }

  @Test
  void waitingEndsWithTimedOutAtTheResourceDeadline() throws Exception {
    RecordingDelegate delegate = new RecordingDelegate();
    Session session = session(true, Duration.ofMillis(2500), delegate);
    try {
      session.dataTask(URI.create("http://127.0.0.1:" + closedPort() + "/")).resume();
      SessionException error = delegate.awaitCompletion();
      assertThat(error.code()).isEqualTo(SessionException.Code.TIMED_OUT);
      assertThat(error.getMessage()).contains("timeoutIntervalForResource");
      delegate.assertEvents("didCreateTask", "taskIsWaitingForConnectivity", "didFinishCollectingMetrics",
          "didComplete TIMED_OUT");
    } finally {
      session.invalidateAndCancel();
    }
  }

  @Test
  void cancellingAWaitingTaskEndsItWithCancelled() throws Exception {
    RecordingDelegate delegate = new RecordingDelegate();
    Session session = session(true, Duration.ofSeconds(30), delegate);
    try {
      SessionTask task = session.dataTask(URI.create("http://127.0.0.1:" + closedPort() + "/"));
      task.resume();
      Awaitility.await().atMost(Duration.ofSeconds(10))
          .until(() -> delegate.events.contains("taskIsWaitingForConnectivity"));
      task.cancel();
      assertThat(delegate.awaitCompletion().code()).isEqualTo(SessionException.Code.CANCELLED);
      assertThat(task.completion().get(10, SECONDS).state()).isEqualTo(SessionTask.State.COMPLETED);
    } finally {
      session.invalidateAndCancel();
    }
  }
}
