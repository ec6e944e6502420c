package dev.urlsession;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.urlsession.SessionException.Code;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Session management: invalidation, task lists, the shared session (URLSESSION-BEHAVIOUR.md 6). */
@Timeout(30)
class SessionLifecycleTests {
  @StartStop final MockWebServer server = new MockWebServer();
  final RecordingDelegate delegate = new RecordingDelegate();

  URI url(String path) {
    return server.url(path).uri();
  }

  @Test
  void finishTasksAndInvalidateLetsRunningTasksCompleteThenSendsDidBecomeInvalidLast() throws Exception {
    Session session = Session.create(SessionConfiguration.ephemeral(), delegate, null);
    server.enqueue(new MockResponse.Builder().headersDelay(300, java.util.concurrent.TimeUnit.MILLISECONDS).body("x").build());
    session.dataTask(url("/")).resume();
    session.finishTasksAndInvalidate();
    assertThatThrownBy(() -> session.dataTask(url("/late"))).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("invalidated");
    delegate.invalid.get(10, SECONDS);
    delegate.assertEvents("didCreateTask", "didReceiveResponse 200", "didReceiveData",
        "didFinishCollectingMetrics", "didComplete null", "didBecomeInvalid");
    // Dropped once didBecomeInvalid has returned.
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5)).until(() -> session.delegate() == null);
  }

  @Test
  void finishTasksAndInvalidateDoesNotWaitForTasksNeverResumedAndDoesNotStartThem() throws Exception {
    Session session = Session.create(SessionConfiguration.ephemeral(), delegate, null);
    DataTask never = session.dataTask(url("/"));
    session.finishTasksAndInvalidate();
    delegate.invalid.get(10, SECONDS);
    never.resume();
    assertThat(never.state()).isEqualTo(SessionTask.State.SUSPENDED);
    assertThat(server.getRequestCount()).isZero();
  }

  @Test
  void invalidateAndCancelCancelsEveryTaskThenInvalidates() throws Exception {
    Session session = Session.create(SessionConfiguration.ephemeral(), delegate, null);
    server.enqueue(new MockResponse.Builder().headersDelay(10, SECONDS).body("x").build());
    DataTask running = session.dataTask(url("/slow"));
    running.resume();
    server.takeRequest(5, SECONDS);
    session.invalidateAndCancel();
    delegate.invalid.get(10, SECONDS);
    delegate.assertEvents("didCreateTask", "didFinishCollectingMetrics", "didComplete CANCELLED",
        "didBecomeInvalid");
    assertThat(running.error().code()).isEqualTo(Code.CANCELLED);
    assertThat(running.error().failingUrl()).isEqualTo(url("/slow"));
  }

  @Test
  void closeWaitsForInvalidationAndIsIdempotent() throws Exception {
    Session session = Session.create(SessionConfiguration.ephemeral(), delegate, null);
    session.close();
    assertThat(delegate.invalid).isDone();
    session.close();
    session.finishTasksAndInvalidate();
    session.invalidateAndCancel();
    assertThat(delegate.events).containsExactly("didBecomeInvalid");
  }

  @Test
  void allTasksHoldsRunningAndSuspendedAfterRunningButNotNewOrCompletedTasks() throws Exception {
    Session session = Session.create(SessionConfiguration.ephemeral(), delegate, null);
    try {
      server.enqueue(new MockResponse.Builder().body("c").build());
      server.enqueue(new MockResponse.Builder().headersDelay(10, SECONDS).body("a").build());
      server.enqueue(new MockResponse.Builder().headersDelay(10, SECONDS).body("b").build());
      DataTask done = session.dataTask(url("/c"), (d, r, e) -> {});
      done.resume();
      done.completion().get(10, SECONDS);
      DataTask running = session.dataTask(url("/a"));
      DataTask suspended = session.dataTask(url("/b"));
      DataTask fresh = session.dataTask(url("/never"));
      running.resume();
      suspended.resume();
      suspended.suspend();
      List<SessionTask> all = session.allTasks().get(5, SECONDS);
      assertThat(all).containsExactly(running, suspended);
      TaskLists lists = session.tasks().get(5, SECONDS);
      assertThat(lists.data()).containsExactly(running, suspended);
      assertThat(lists.upload()).isEmpty();
      assertThat(lists.download()).isEmpty();
      assertThat(fresh.state()).isEqualTo(SessionTask.State.SUSPENDED);
    } finally {
      session.invalidateAndCancel();
    }
  }

  @Test
  void sharedSessionIgnoresInvalidationAndLoads() throws Exception {
    Session shared = Session.shared();
    assertThat(Session.shared()).isSameAs(shared);
    assertThat(shared.delegate()).isNull();
    shared.finishTasksAndInvalidate();
    shared.invalidateAndCancel();
    shared.close();
    server.enqueue(new MockResponse.Builder().body("shared").build());
    DataResponse r = shared.data(Request.get(url("/s"))).get(10, SECONDS);
    assertThat(new String(r.body())).isEqualTo("shared");
  }

  @Test
  void flushAndResetCompleteOnTheDelegateQueueAndLaterRequestsUseNewConnections() throws Exception {
    Session session = Session.create(SessionConfiguration.ephemeral(), delegate, null);
    try {
      server.enqueue(new MockResponse.Builder().body("1").build());
      server.enqueue(new MockResponse.Builder().body("2").build());
      session.data(Request.get(url("/1"))).get(10, SECONDS);
      // The connection goes back to the pool just after the completion is handed over (as in
      // HttpsAndHttp2Tests): only an idle connection is closed by flush.
      org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5))
          .until(() -> ((RealSession) session).leasedConnections() == 0);
      java.util.concurrent.CountDownLatch hold = new java.util.concurrent.CountDownLatch(1);
      session.delegateQueue().execute(() -> {
        try {
          hold.await(5, SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
      CompletableFuture<Void> flushed = session.flush();
      // The future completes on the delegate queue, behind the work already queued there.
      assertThat(flushed).isNotDone();
      hold.countDown();
      flushed.get(5, SECONDS);
      session.reset().get(5, SECONDS);
      session.data(Request.get(url("/2"))).get(10, SECONDS);
      assertThat(server.takeRequest(5, SECONDS).getConnectionIndex()).isZero();
      assertThat(server.takeRequest(5, SECONDS).getConnectionIndex()).isEqualTo(1);
    } finally {
      session.invalidateAndCancel();
    }
  }

  @Test
  void flushWhileARequestIsInFlightRetiresItsConnection() throws Exception {
    Session session = Session.create(SessionConfiguration.ephemeral(), delegate, null);
    try {
      server.enqueue(new MockResponse.Builder().body("slow").bodyDelay(300, java.util.concurrent.TimeUnit.MILLISECONDS)
          .build());
      server.enqueue(new MockResponse.Builder().body("after").build());
      CompletableFuture<DataResponse> slow = session.data(Request.get(url("/slow")));
      assertThat(server.takeRequest(5, SECONDS).getConnectionIndex()).isZero(); // in flight now
      session.flush().get(5, SECONDS);
      slow.get(10, SECONDS);
      session.data(Request.get(url("/after"))).get(10, SECONDS);
      assertThat(server.takeRequest(5, SECONDS).getConnectionIndex()).isEqualTo(1);
    } finally {
      session.invalidateAndCancel();
    }
  }

  @Test
  void flushRightAfterACompletionRetiresAConnectionNotYetBackInThePool() throws Exception {
    Session session = Session.create(SessionConfiguration.ephemeral(), delegate, null);
    try {
      for (int round = 0; round < 50; round++) {
        server.enqueue(new MockResponse.Builder().body("a").build());
        server.enqueue(new MockResponse.Builder().body("b").build());
        session.data(Request.get(url("/a" + round))).get(10, SECONDS);
        session.flush().get(5, SECONDS); // the connection may still be leased here
        session.data(Request.get(url("/b" + round))).get(10, SECONDS);
        int first = server.takeRequest(5, SECONDS).getConnectionIndex();
        assertThat(server.takeRequest(5, SECONDS).getConnectionIndex()).as("round %d", round).isNotEqualTo(first);
      }
    } finally {
      session.invalidateAndCancel();
    }
  }

  static long ioThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && t.getName().startsWith("urlsession-io-")).count();
  }

  @Test
  void invalidatedSessionStopsItsIoThreads() throws Exception {
    long before = ioThreads();
    Session session = Session.create(SessionConfiguration.ephemeral(), delegate, null);
    server.enqueue(new MockResponse.Builder().body("x").build());
    session.data(Request.get(url("/"))).get(10, SECONDS);
    assertThat(ioThreads()).isGreaterThan(before);
    session.close();
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> ioThreads() <= before);
  }

  @Test
  void sessionDescriptionIsKept() {
    Session session = Session.create(SessionConfiguration.ephemeral());
    try {
      session.sessionDescription("images");
      assertThat(session.sessionDescription()).isEqualTo("images");
      assertThat(session.configuration().kind()).isEqualTo(SessionConfiguration.Kind.EPHEMERAL);
      assertThat(session.delegateQueue()).isNotNull();
    } finally {
      session.close();
    }
  }

  @Test
  void createRejectsNullConfiguration() {
    assertThatThrownBy(() -> Session.create(null)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("configuration");
  }
}
