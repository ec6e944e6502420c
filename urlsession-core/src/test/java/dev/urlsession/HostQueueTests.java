package dev.urlsession;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.urlsession.SessionException.Code;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The session's tasks per host: beyond {@code httpMaximumConnectionsPerHost} a resumed task waits
 * in the session, unstarted, until a task to that host completes; it runs meanwhile (its state and
 * its clocks), and a cancelled or timed-out waiting task never reaches the server.
 */
@Timeout(60)
class HostQueueTests {
  @StartStop final MockWebServer server = new MockWebServer();
  final CountDownLatch release = new CountDownLatch(1);
  final AtomicInteger inFlight = new AtomicInteger();
  final AtomicInteger mostInFlight = new AtomicInteger();
  Session session;

  @AfterEach
  void tearDown() {
    release.countDown();
    if (session != null) {
      session.invalidateAndCancel();
    }
  }

  /** Holds every request until {@code release}, counting how many are held at once. */
  void holdRequests() {
    server.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
        mostInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
        try {
          release.await(20, SECONDS);
          return new MockResponse.Builder().body(request.getUrl().encodedPath()).build();
        } finally {
          inFlight.decrementAndGet();
        }
      }
    });
  }

  Session session(int connectionsPerHost, Duration requestTimeout) {
    session = Session.create(SessionConfiguration.ephemeral().toBuilder()
        .httpMaximumConnectionsPerHost(connectionsPerHost).timeoutIntervalForRequest(requestTimeout).build());
    return session;
  }

  @Test
  void tasksWhenMoreThanTheConnectionLimitWaitUnstartedAndStartAsOthersComplete() throws Exception {
    holdRequests();
    Session s = session(2, Duration.ofSeconds(30));
    List<DataTask> tasks = new ArrayList<>();
    List<CompletableFuture<String>> bodies = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      CompletableFuture<String> body = new CompletableFuture<>();
      DataTask t = s.dataTask(Request.get(server.url("/t" + i).uri()), (data, response, error) -> {
        if (error != null) {
          body.completeExceptionally(error);
        } else {
          body.complete(new String(data, StandardCharsets.UTF_8));
        }
      });
      tasks.add(t);
      bodies.add(body);
      t.resume();
    }
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> inFlight.get() == 2);

    assertThat(server.getRequestCount()).isEqualTo(2);
    // The four others wait in the session, not as exchanges queued in the connection pool.
    assertThat(s.statistics().connectionPool().pending()).isZero();
    assertThat(s.statistics().connectionPool().leased()).isEqualTo(2);
    assertThat(tasks).allSatisfy(t -> assertThat(t.state()).isEqualTo(SessionTask.State.RUNNING));
    assertThat(s.allTasks().get(10, SECONDS)).hasSize(6);

    release.countDown();
    for (int i = 0; i < 6; i++) {
      assertThat(bodies.get(i).get(10, SECONDS)).isEqualTo("/t" + i);
    }
    assertThat(mostInFlight.get()).isEqualTo(2);
    assertThat(server.getRequestCount()).isEqualTo(6);
  }

  @Test
  void waitingTaskWhenCancelledCompletesCancelledAndNeverReachesTheServer() throws Exception {
    holdRequests();
    Session s = session(1, Duration.ofSeconds(30));
    CompletableFuture<DataResponse> first = s.data(Request.get(server.url("/first").uri()));
    CompletableFuture<DataResponse> waiting = s.data(Request.get(server.url("/waiting").uri()));
    CompletableFuture<DataResponse> third = s.data(Request.get(server.url("/third").uri()));
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> inFlight.get() == 1);

    waiting.cancel(true);
    release.countDown();

    assertThat(first.get(10, SECONDS).response().statusCode()).isEqualTo(200);
    assertThat(third.get(10, SECONDS).response().statusCode()).isEqualTo(200);
    assertThat(waiting).isCancelled();
    assertThat(server.getRequestCount()).isEqualTo(2);
    assertThat(server.takeRequest(5, SECONDS).getUrl().encodedPath()).isEqualTo("/first");
    assertThat(server.takeRequest(5, SECONDS).getUrl().encodedPath()).isEqualTo("/third");
  }

  @Test
  void waitingTaskWhenItsRequestTimeoutPassesTimesOutWithoutReachingTheServer() throws Exception {
    holdRequests();
    Session s = session(1, Duration.ofSeconds(30));
    s.data(Request.get(server.url("/held").uri()));
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> inFlight.get() == 1);

    CompletableFuture<DataResponse> waiting = s.data(Request.builder(server.url("/waiting").uri())
        .timeoutInterval(Duration.ofMillis(300)).build());

    assertThatThrownBy(() -> waiting.get(10, SECONDS)).isInstanceOf(ExecutionException.class)
        .cause().isInstanceOf(SessionException.class)
        .extracting(e -> ((SessionException) e).code()).isEqualTo(Code.TIMED_OUT);
    assertThat(server.getRequestCount()).isEqualTo(1);
  }

  @Test
  void tasksToAnotherHostDoNotWaitForABusyHost() throws Exception {
    holdRequests();
    try (MockWebServer other = new MockWebServer()) {
      other.enqueue(new MockResponse.Builder().body("other host").build());
      other.start();
      Session s = session(1, Duration.ofSeconds(30));
      s.data(Request.get(server.url("/held").uri()));
      s.data(Request.get(server.url("/waiting").uri()));
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> inFlight.get() == 1);

      DataResponse r = s.data(Request.get(other.url("/free").uri())).get(10, SECONDS);

      assertThat(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo("other host");
      assertThat(server.getRequestCount()).isEqualTo(1);
    }
  }
}
