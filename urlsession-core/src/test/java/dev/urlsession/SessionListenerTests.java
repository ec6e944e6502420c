package dev.urlsession;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.urlsession.Credential.Persistence;
import dev.urlsession.spi.SessionListener;
import dev.urlsession.spi.SessionStatistics;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.awaitility.Awaitility;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The SessionListener SPI and Session.statistics() against MockWebServer: exact event sequences. */
@Timeout(30)
class SessionListenerTests {
  @StartStop final MockWebServer server = new MockWebServer();
  final List<String> events = new CopyOnWriteArrayList<>();
  final CompletableFuture<TaskMetrics> metrics = new CompletableFuture<>();
  final AtomicInteger created = new AtomicInteger();
  @Nullable Session session;

  /** Records every event as text and adds an {@code X-Trace} header numbering the requests. */
  class Recording implements SessionListener {
    private final AtomicInteger sent = new AtomicInteger();

    @Override
    public void taskStarted(SessionTask task) {
      events.add("taskStarted " + task.taskIdentifier());
    }

    @Override
    public Request requestWillBeSent(SessionTask task, Request request) {
      events.add("requestWillBeSent " + request.url().getPath());
      return request.toBuilder().header("X-Trace", "t" + sent.incrementAndGet()).build();
    }

    @Override
    public void cacheHit(SessionTask task) {
      events.add("cacheHit");
    }

    @Override
    public void cacheMiss(SessionTask task) {
      events.add("cacheMiss");
    }

    @Override
    public void cacheConditionalHit(SessionTask task) {
      events.add("cacheConditionalHit");
    }

    @Override
    public void redirected(SessionTask task, Response redirect, Request next) {
      events.add("redirected " + redirect.statusCode() + " " + next.url().getPath());
    }

    @Override
    public void challengeReceived(SessionTask task, ProtectionSpace space, Response response) {
      events.add("challengeReceived " + space.authenticationMethod() + " " + response.statusCode());
    }

    @Override
    public void taskCompleted(SessionTask task, TaskMetrics m, @Nullable SessionException error) {
      events.add("taskCompleted " + (error == null ? "null" : error.code().toString()));
      metrics.complete(m);
    }
  }

  Session session(SessionConfiguration.Builder builder, @Nullable SessionDelegate delegate) {
    session = Session.create(builder.sessionListenerFactory(task -> {
      created.incrementAndGet();
      return new Recording();
    }).build(), delegate, null);
    return session;
  }

  static SessionConfiguration.Builder noCache() {
    return SessionConfiguration.ephemeral().toBuilder().httpCache(null);
  }

  @AfterEach
  void tearDown() {
    if (session != null) {
      session.invalidateAndCancel();
    }
  }

  @Test
  void listenerWhenRedirectedSeesEveryHopAndAddsItsHeaderToEach() throws Exception {
    server.enqueue(new MockResponse.Builder().code(302).addHeader("Location", "/b").build());
    server.enqueue(new MockResponse.Builder().body("done").build());
    DataResponse r = session(noCache(), null).data(Request.get(server.url("/a").uri())).get(10, SECONDS);
    assertThat(r.response().statusCode()).isEqualTo(200);
    // taskCompleted ran before the future completed.
    assertThat(events).containsExactly("taskStarted 1", "requestWillBeSent /a", "redirected 302 /b",
        "requestWillBeSent /b", "taskCompleted null");
    assertThat(metrics.get(5, SECONDS).redirectCount()).isEqualTo(1);
    assertThat(metrics.get(5, SECONDS).transactionMetrics()).hasSize(2);
    RecordedRequest first = server.takeRequest(5, SECONDS);
    RecordedRequest second = server.takeRequest(5, SECONDS);
    assertThat(first.getHeaders().get("X-Trace")).isEqualTo("t1");
    assertThat(second.getHeaders().get("X-Trace")).isEqualTo("t2");
    assertThat(created).hasValue(1);
  }

  @Test
  void listenerWhenChallengedSeesTheChallengeAndTheRetry() throws Exception {
    server.enqueue(new MockResponse.Builder().code(401).addHeader("WWW-Authenticate", "Basic realm=\"shop\"").build());
    server.enqueue(new MockResponse.Builder().body("welcome").build());
    RecordingDelegate d = new RecordingDelegate() {
      @Override
      public void didReceiveChallenge(Session s, SessionTask t, AuthenticationChallenge c, ChallengeHandler h) {
        h.useCredential(Credential.of("ann", "s3cret", Persistence.NONE));
      }
    };
    session(noCache(), d).dataTask(server.url("/private").uri()).resume();
    assertThat(d.awaitCompletion()).isNull();
    assertThat(events).containsExactly("taskStarted 1", "requestWillBeSent /private",
        "challengeReceived HTTP_BASIC 401", "requestWillBeSent /private", "taskCompleted null");
    assertThat(server.takeRequest(5, SECONDS).getHeaders().get("X-Trace")).isEqualTo("t1");
    RecordedRequest retry = server.takeRequest(5, SECONDS);
    assertThat(retry.getHeaders().get("X-Trace")).isEqualTo("t2");
    assertThat(retry.getHeaders().get("Authorization")).startsWith("Basic ");
  }

  @Test
  void listenerWhenTheConnectionIsRefusedSeesTheFailure() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    CompletableFuture<DataResponse> f = session(noCache(), null).data(Request.get(URI.create("http://127.0.0.1:" + port + "/x")));
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(f::isDone);
    assertThat(events).containsExactly("taskStarted 1", "requestWillBeSent /x", "taskCompleted CANNOT_CONNECT_TO_HOST");
  }

  @Test
  void listenerWhenAnsweredFromTheCacheSeesMissThenHitThenConditionalHit() throws Exception {
    server.enqueue(new MockResponse.Builder().addHeader("Cache-Control", "max-age=60").body("fresh").build());
    server.enqueue(new MockResponse.Builder().addHeader("Cache-Control", "no-cache").addHeader("ETag", "\"v1\"")
        .body("revalidate me").build());
    server.enqueue(new MockResponse.Builder().code(304).addHeader("ETag", "\"v1\"").build());
    Session s = session(SessionConfiguration.ephemeral().toBuilder(), null);
    s.data(Request.get(server.url("/fresh").uri())).get(10, SECONDS);
    s.data(Request.get(server.url("/fresh").uri())).get(10, SECONDS);
    s.data(Request.get(server.url("/etag").uri())).get(10, SECONDS);
    DataResponse again = s.data(Request.get(server.url("/etag").uri())).get(10, SECONDS);
    assertThat(new String(again.body())).isEqualTo("revalidate me");
    assertThat(events).containsExactly(
        "taskStarted 1", "cacheMiss", "requestWillBeSent /fresh", "taskCompleted null",
        "taskStarted 2", "cacheHit", "taskCompleted null",
        "taskStarted 3", "cacheMiss", "requestWillBeSent /etag", "taskCompleted null",
        "taskStarted 4", "requestWillBeSent /etag", "cacheConditionalHit", "taskCompleted null");
    assertThat(server.getRequestCount()).isEqualTo(3);
  }

  @Test
  void throwingListenerIsLoggedAndCannotBreakTheTask() throws Exception {
    server.enqueue(new MockResponse.Builder().body("ok").build());
    session = Session.create(noCache().sessionListenerFactory(task -> new SessionListener() {
      @Override
      public void taskStarted(SessionTask t) {
        throw new IllegalStateException("boom");
      }

      @Override
      public Request requestWillBeSent(SessionTask t, Request request) {
        throw new IllegalStateException("boom");
      }

      @Override
      public void taskCompleted(SessionTask t, TaskMetrics m, @Nullable SessionException error) {
        throw new IllegalStateException("boom");
      }
    }).build());
    DataResponse r = session.data(Request.get(server.url("/ok").uri())).get(10, SECONDS);
    assertThat(new String(r.body())).isEqualTo("ok");
  }

  @Test
  void factoriesCombinedWithAndThenBothSeeEveryEvent() throws Exception {
    server.enqueue(new MockResponse.Builder().body("ok").build());
    List<String> second = new CopyOnWriteArrayList<>();
    SessionListener.Factory other = task -> new SessionListener() {
      @Override
      public Request requestWillBeSent(SessionTask t, Request request) {
        second.add("requestWillBeSent " + request.header("X-Trace"));
        return request.toBuilder().header("X-Other", "o").build();
      }

      @Override
      public void taskCompleted(SessionTask t, TaskMetrics m, @Nullable SessionException error) {
        second.add("taskCompleted");
      }
    };
    SessionListener.Factory first = task -> new Recording();
    session = Session.create(noCache().sessionListenerFactory(first.andThen(other)).build());
    session.data(Request.get(server.url("/ok").uri())).get(10, SECONDS);
    assertThat(events).containsExactly("taskStarted 1", "requestWillBeSent /ok", "taskCompleted null");
    assertThat(second).containsExactly("requestWillBeSent t1", "taskCompleted");
    RecordedRequest recorded = server.takeRequest(5, SECONDS);
    assertThat(recorded.getHeaders().get("X-Trace")).isEqualTo("t1");
    assertThat(recorded.getHeaders().get("X-Other")).isEqualTo("o");
  }

  @Test
  void aDataTaskThatBecomesADownloadHandsItsListenerToTheDownloadTask() throws Exception {
    server.enqueue(new MockResponse.Builder().body("file contents").build());
    RecordingDelegate d = new RecordingDelegate();
    d.disposition = ResponseDisposition.BECOME_DOWNLOAD;
    session(noCache(), d).dataTask(server.url("/file").uri()).resume();
    assertThat(d.awaitCompletion()).isNull();
    assertThat(events).containsExactly("taskStarted 1", "requestWillBeSent /file", "taskCompleted null");
    assertThat(created).hasValue(1);
  }

  @Test
  void aTaskCancelledWhileTaskStartedRunsGetsTaskCompletedAfterIt() throws Exception {
    java.util.concurrent.CountDownLatch inStart = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    session = Session.create(noCache().sessionListenerFactory(task -> new Recording() {
      @Override
      public void taskStarted(SessionTask t) {
        events.add("taskStarted begins");
        inStart.countDown();
        try {
          release.await(5, SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        events.add("taskStarted returns");
      }
    }).build());
    DataTask task = session.dataTask(server.url("/never").uri());
    Thread resumer = new Thread(task::resume);
    resumer.start();
    assertThat(inStart.await(5, SECONDS)).isTrue();
    task.cancel(); // posts the completion while taskStarted still runs on the other thread
    assertThat(task.completion()).isNotDone();
    release.countDown();
    task.completion().get(5, SECONDS);
    resumer.join(5_000);
    assertThat(events).containsExactly("taskStarted begins", "taskStarted returns", "taskCompleted CANCELLED");
  }

  @Test
  void aTaskCancelledBeforeResumeProducesNoEvent() throws Exception {
    DataTask task = session(noCache(), null).dataTask(server.url("/never").uri());
    task.cancel();
    task.completion().get(5, SECONDS);
    assertThat(created).hasValue(1);
    assertThat(events).isEmpty();
  }

  @Test
  void statisticsCountTasksByKindAndStateAndTheConnectionPool() throws Exception {
    server.enqueue(new MockResponse.Builder().bodyDelay(10, SECONDS).body("slow").build());
    Session s = session(noCache().httpMaximumConnectionsPerHost(3), null);
    assertThat(s.statistics().connectionPool()).isEqualTo(SessionStatistics.ConnectionPool.NONE);
    DataTask idle = s.dataTask(server.url("/idle").uri());
    DownloadTask running = s.downloadTask(server.url("/slow").uri());
    running.resume();
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> s.statistics().connectionPool().leased() == 1);
    SessionStatistics stats = s.statistics();
    assertThat(stats.tasks("data", SessionTask.State.SUSPENDED)).isEqualTo(1);
    assertThat(stats.tasks("download", SessionTask.State.RUNNING)).isEqualTo(1);
    assertThat(stats.tasks("upload", SessionTask.State.RUNNING)).isZero();
    assertThat(stats.connectionPool().pending()).isZero();
    assertThat(stats.connectionPool().max()).isPositive();
    running.cancel();
    idle.cancel();
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> s.statistics().tasks().isEmpty());
  }

  @Test
  void aSessionWithoutFactoryCreatesNoListener() throws Exception {
    server.enqueue(new MockResponse.Builder().body("ok").build());
    session = Session.create(noCache().build());
    session.data(Request.get(server.url("/ok").uri())).get(10, SECONDS);
    assertThat(session.configuration().sessionListenerFactory()).isNull();
    assertThat(server.takeRequest(5, SECONDS).getHeaders().get("X-Trace")).isNull();
  }
}
