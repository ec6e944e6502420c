package dev.urlsession;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.urlsession.SessionException.Code;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPOutputStream;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import okio.Buffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Data tasks over HTTP/1.1 against MockWebServer: delegate call sequences and results. */
@Timeout(30)
class DataTaskHttpTests {
  @StartStop final MockWebServer server = new MockWebServer();
  final RecordingDelegate delegate = new RecordingDelegate();
  Session session = Session.create(SessionConfiguration.ephemeral(), delegate, null);

  @AfterEach
  void tearDown() {
    session.invalidateAndCancel();
  }

  /** Replaces the session, once the old one delivered its invalidation. */
  void recreate(SessionConfiguration configuration) throws Exception {
    session.invalidateAndCancel();
    delegate.invalid.get(5, SECONDS);
    delegate.events.clear();
    session = Session.create(configuration, delegate, null);
  }

  URI url(String path) {
    return server.url(path).uri();
  }

  @Test
  void responseWhenOverHttp11CarriesTheReasonPhraseTheServerSent() throws Exception {
    server.enqueue(new MockResponse.Builder().status("HTTP/1.1 500 Server Error").build());
    server.enqueue(new MockResponse.Builder().status("HTTP/1.1 200 Fine, Thanks").build());
    server.enqueue(new MockResponse.Builder().status("HTTP/1.1 404 ").build());

    assertThat(session.data(Request.get(url("/a"))).get(10, SECONDS).response().reasonPhrase())
        .isEqualTo("Server Error");
    assertThat(session.data(Request.get(url("/b"))).get(10, SECONDS).response().reasonPhrase())
        .isEqualTo("Fine, Thanks");
    assertThat(session.data(Request.get(url("/c"))).get(10, SECONDS).response().reasonPhrase())
        .isEmpty();
  }

  @Test
  void dataTaskWhenServerReturns200DeliversResponseDataMetricsAndCompletion() throws Exception {
    server.enqueue(new MockResponse.Builder().body("hello world").addHeader("Content-Type", "text/plain; charset=UTF-8").build());
    DataTask task = session.dataTask(url("/a"));
    assertThat(task.state()).isEqualTo(SessionTask.State.SUSPENDED);
    task.resume();
    assertThat(delegate.awaitCompletion()).isNull();
    delegate.assertEvents("didCreateTask", "didReceiveResponse 200", "didReceiveData",
        "didFinishCollectingMetrics", "didComplete null");
    assertThat(delegate.body.toString(StandardCharsets.UTF_8)).isEqualTo("hello world");
    assertThat(task.state()).isEqualTo(SessionTask.State.COMPLETED);
    assertThat(task.error()).isNull();
    assertThat(task.response().statusCode()).isEqualTo(200);
    assertThat(task.response().mimeType()).isEqualTo("text/plain");
    assertThat(task.response().textEncodingName()).isEqualTo("utf-8");
    assertThat(task.countOfBytesReceived()).isEqualTo(11);
    assertThat(task.countOfBytesExpectedToReceive()).isEqualTo(11);
    assertThat(task.progress().fractionCompleted()).isEqualTo(1.0);
    assertThat(task.completion().get(5, SECONDS)).isSameAs(task);
    RecordedRequest recorded = server.takeRequest(5, SECONDS);
    assertThat(recorded.getTarget()).isEqualTo("/a");
    assertThat(recorded.getHeaders().get("Accept-Encoding")).isEqualTo("gzip, deflate, br");
    assertThat(recorded.getHeaders().get("User-Agent")).startsWith("urlsession/");
  }

  @Test
  void dataTaskWhenServerReturns404CompletesWithoutError() throws Exception {
    server.enqueue(new MockResponse.Builder().code(404).body("missing").build());
    session.dataTask(url("/missing")).resume();
    assertThat(delegate.awaitCompletion()).isNull();
    delegate.assertEvents("didCreateTask", "didReceiveResponse 404", "didReceiveData",
        "didFinishCollectingMetrics", "didComplete null");
    assertThat(delegate.body.toString(StandardCharsets.UTF_8)).isEqualTo("missing");
  }

  @Test
  void dataTaskWhenBodyIsEmptyGetsNoDataCall() throws Exception {
    server.enqueue(new MockResponse.Builder().code(204).build());
    session.dataTask(url("/empty")).resume();
    assertThat(delegate.awaitCompletion()).isNull();
    delegate.assertEvents("didCreateTask", "didReceiveResponse 204", "didFinishCollectingMetrics",
        "didComplete null");
  }

  @Test
  void dataTaskWhenRedirectedTwiceFollowsEachHopAfterAskingTheDelegate() throws Exception {
    server.enqueue(new MockResponse.Builder().code(301).addHeader("Location", "/b").body("moved").build());
    server.enqueue(new MockResponse.Builder().code(302).addHeader("Location", url("/c").toString()).build());
    server.enqueue(new MockResponse.Builder().body("final").build());
    DataTask task = session.dataTask(url("/a"));
    task.resume();
    assertThat(delegate.awaitCompletion()).isNull();
    delegate.assertEvents("didCreateTask", "willPerformHttpRedirection 301 /b",
        "willPerformHttpRedirection 302 /c", "didReceiveResponse 200", "didReceiveData",
        "didFinishCollectingMetrics", "didComplete null");
    assertThat(delegate.body.toString(StandardCharsets.UTF_8)).isEqualTo("final");
    assertThat(task.currentRequest().url().getPath()).isEqualTo("/c");
    assertThat(task.originalRequest().url().getPath()).isEqualTo("/a");
    assertThat(task.response().url().getPath()).isEqualTo("/c");
    TaskMetrics metrics = delegate.metrics;
    assertThat(metrics.redirectCount()).isEqualTo(2);
    assertThat(metrics.transactionMetrics()).extracting(m -> m.response().statusCode())
        .containsExactly(301, 302, 200);
    assertThat(server.takeRequest(5, SECONDS).getTarget()).isEqualTo("/a");
    assertThat(server.takeRequest(5, SECONDS).getTarget()).isEqualTo("/b");
    assertThat(server.takeRequest(5, SECONDS).getTarget()).isEqualTo("/c");
  }

  @Test
  void dataTaskWhenRedirectIsRefusedDeliversTheRedirectResponseAndBody() throws Exception {
    delegate.followRedirects = false;
    server.enqueue(new MockResponse.Builder().code(302).addHeader("Location", "/b").body("see /b").build());
    session.dataTask(url("/a")).resume();
    assertThat(delegate.awaitCompletion()).isNull();
    delegate.assertEvents("didCreateTask", "willPerformHttpRedirection 302 /b",
        "didReceiveResponse 302", "didReceiveData", "didFinishCollectingMetrics", "didComplete null");
    assertThat(delegate.body.toString(StandardCharsets.UTF_8)).isEqualTo("see /b");
    assertThat(server.getRequestCount()).isEqualTo(1);
  }

  @Test
  void postWhenRedirectedWith302BecomesGetWithoutBodyAnd307KeepsMethodAndBody() throws Exception {
    server.enqueue(new MockResponse.Builder().code(302).addHeader("Location", "/get").build());
    server.enqueue(new MockResponse.Builder().body("ok").build());
    Request post = Request.builder(url("/post")).method("POST").body("a=1".getBytes()).build();
    session.dataTask(post).resume();
    assertThat(delegate.awaitCompletion()).isNull();
    RecordedRequest first = server.takeRequest(5, SECONDS);
    assertThat(first.getMethod()).isEqualTo("POST");
    assertThat(first.getHeaders().get("Content-Type")).isEqualTo("application/x-www-form-urlencoded");
    RecordedRequest second = server.takeRequest(5, SECONDS);
    assertThat(second.getMethod()).isEqualTo("GET");
    assertThat(second.getBodySize()).isZero();

    RecordingDelegate d2 = new RecordingDelegate();
    try (Session s2 = Session.create(SessionConfiguration.ephemeral(), d2, null)) {
      server.enqueue(new MockResponse.Builder().code(307).addHeader("Location", "/again").build());
      server.enqueue(new MockResponse.Builder().body("ok").build());
      s2.dataTask(Request.builder(url("/put")).method("PUT").body("xyz".getBytes()).build()).resume();
      assertThat(d2.awaitCompletion()).isNull();
      assertThat(server.takeRequest(5, SECONDS).getMethod()).isEqualTo("PUT");
      RecordedRequest again = server.takeRequest(5, SECONDS);
      assertThat(again.getMethod()).isEqualTo("PUT");
      assertThat(again.getBody().utf8()).isEqualTo("xyz");
    }
  }

  @Test
  void redirectWith303TurnsAnyMethodIntoGetAndResolvesARelativeLocation() throws Exception {
    server.enqueue(new MockResponse.Builder().code(303).addHeader("Location", "next?q=a%20b").build());
    server.enqueue(new MockResponse.Builder().body("ok").build());
    Request put = Request.builder(url("/dir/start")).method("PUT")
        .header("Content-Type", "text/plain").body("payload".getBytes()).build();
    session.dataTask(put).resume();
    assertThat(delegate.awaitCompletion()).isNull();
    assertThat(server.takeRequest(5, SECONDS).getMethod()).isEqualTo("PUT");
    RecordedRequest second = server.takeRequest(5, SECONDS);
    assertThat(second.getMethod()).isEqualTo("GET");
    assertThat(second.getTarget()).isEqualTo("/dir/next?q=a%20b");
    assertThat(second.getHeaders().get("Content-Type")).isNull();
    assertThat(second.getBodySize()).isZero();
  }

  @Test
  void redirectWhenItGoesToAnotherOriginDropsAuthorizationAndCookie() throws Exception {
    try (MockWebServer other = new MockWebServer()) {
      other.start();
      other.enqueue(new MockResponse.Builder().body("there").build());
      server.enqueue(new MockResponse.Builder().code(302).addHeader("Location", other.url("/x").toString()).build());
      Request r = Request.builder(url("/a")).header("Authorization", "Bearer secret")
          .header("Cookie", "s=1").header("X-Keep", "yes").build();
      session.dataTask(r).resume();
      assertThat(delegate.awaitCompletion()).isNull();
      assertThat(server.takeRequest(5, SECONDS).getHeaders().get("Authorization")).isEqualTo("Bearer secret");
      RecordedRequest hop = other.takeRequest(5, SECONDS);
      assertThat(hop.getHeaders().get("Authorization")).isNull();
      assertThat(hop.getHeaders().get("Cookie")).isNull();
      assertThat(hop.getHeaders().get("X-Keep")).isEqualTo("yes");
    }
  }

  @Test
  void redirectToAFileUrlIsNotFollowedAndTheRedirectIsTheResponse() throws Exception {
    server.enqueue(new MockResponse.Builder().code(302).addHeader("Location", "file:///etc/passwd").body("nope").build());
    session.dataTask(url("/evil")).resume();
    assertThat(delegate.awaitCompletion()).isNull();
    delegate.assertEvents("didCreateTask", "didReceiveResponse 302", "didReceiveData",
        "didFinishCollectingMetrics", "didComplete null");
    assertThat(delegate.body.toString(StandardCharsets.UTF_8)).isEqualTo("nope");
  }

  @Test
  void redirectWhenLoopingFailsWithTooManyRedirects() throws Exception {
    for (int i = 0; i <= 20; i++) {
      server.enqueue(new MockResponse.Builder().code(302).addHeader("Location", "/loop" + (i + 1)).build());
    }
    DataTask task = session.dataTask(url("/loop0"));
    task.resume();
    SessionException error = delegate.awaitCompletion();
    assertThat(error.code()).isEqualTo(Code.HTTP_TOO_MANY_REDIRECTS);
    // The failing URL is the last response's, whose redirect was refused (Darwin), not its Location.
    assertThat(error.failingUrl().getPath()).isEqualTo("/loop20");
    assertThat(server.getRequestCount()).isEqualTo(21);
    assertThat(delegate.events).last().isEqualTo("didComplete HTTP_TOO_MANY_REDIRECTS");
  }

  @Test
  void dataTaskWhenCancelledWhileWaitingForHeadersCompletesWithCancelled() throws Exception {
    server.enqueue(new MockResponse.Builder().headersDelay(5, SECONDS).body("late").build());
    DataTask task = session.dataTask(url("/slow"));
    task.resume();
    server.takeRequest(5, SECONDS);
    task.cancel();
    assertThat(task.state()).isIn(SessionTask.State.CANCELING, SessionTask.State.COMPLETED);
    SessionException error = delegate.awaitCompletion();
    assertThat(error.code()).isEqualTo(Code.CANCELLED);
    assertThat(error.code().value()).isEqualTo(-999);
    assertThat(error.failingUrl()).isEqualTo(url("/slow"));
    assertThat(error.getMessage()).startsWith("cancelled");
    delegate.assertEvents("didCreateTask", "didFinishCollectingMetrics", "didComplete CANCELLED");
    assertThat(task.state()).isEqualTo(SessionTask.State.COMPLETED);
    assertThat(task.error()).isSameAs(error);
    assertThat(task.progress().isCancelled()).isTrue();
  }

  @Test
  void dataTaskWhenCancelledBeforeResumeCompletesWithoutTouchingTheNetwork() throws Exception {
    DataTask task = session.dataTask(url("/never"));
    task.cancel();
    assertThat(delegate.awaitCompletion().code()).isEqualTo(Code.CANCELLED);
    delegate.assertEvents("didCreateTask", "didComplete CANCELLED");
    task.resume();
    assertThat(task.state()).isEqualTo(SessionTask.State.COMPLETED);
    assertThat(server.getRequestCount()).isZero();
  }

  @Test
  void dataTaskWhenServerIsSilentTimesOutWithTheRequestsOwnTimeout() throws Exception {
    server.enqueue(new MockResponse.Builder().headersDelay(10, SECONDS).body("late").build());
    Request r = Request.builder(url("/slow")).timeoutInterval(Duration.ofMillis(500)).build();
    long start = System.nanoTime();
    session.dataTask(r).resume();
    SessionException error = delegate.awaitCompletion();
    assertThat(error.code()).isEqualTo(Code.TIMED_OUT);
    assertThat(error.code().value()).isEqualTo(-1001);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    delegate.assertEvents("didCreateTask", "didFinishCollectingMetrics", "didComplete TIMED_OUT");
  }

  @Test
  void dataTaskWhenBodyStallsTimesOutWithTheConfigurationsIdleTimeout() throws Exception {
    recreate(SessionConfiguration.ephemeral().toBuilder()
        .timeoutIntervalForRequest(Duration.ofMillis(500)).build());
    server.enqueue(new MockResponse.Builder().bodyDelay(10, SECONDS).body("late").build());
    session.dataTask(url("/stall")).resume();
    assertThat(delegate.awaitCompletion().code()).isEqualTo(Code.TIMED_OUT);
    delegate.assertEvents("didCreateTask", "didReceiveResponse 200", "didFinishCollectingMetrics",
        "didComplete TIMED_OUT");
  }

  @Test
  void dataTaskWhenTheResourceDeadlinePassesTimesOutThoughDataKeepsComing() throws Exception {
    recreate(SessionConfiguration.ephemeral().toBuilder()
        .timeoutIntervalForResource(Duration.ofMillis(700)).build());
    server.enqueue(new MockResponse.Builder().body(new Buffer().write(new byte[64 * 1024]))
        .throttleBody(1024, 100, TimeUnit.MILLISECONDS).build());
    session.dataTask(url("/trickle")).resume();
    SessionException error = delegate.awaitCompletion();
    assertThat(error.code()).isEqualTo(Code.TIMED_OUT);
    assertThat(error.getMessage()).contains("timeoutIntervalForResource");
  }

  @Test
  void theDeadlineSweepStopsWhenTheSessionHasNoTaskAndComesBackForItsNextTask() throws Exception {
    RealSession real = (RealSession) session;
    server.enqueue(new MockResponse.Builder().body("quick").build());
    assertThat(session.data(Request.get(url("/quick"))).get(10, SECONDS).body()).hasSize(5);
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> !real.sweepingDeadlines());

    server.enqueue(new MockResponse.Builder().headersDelay(10, SECONDS).body("late").build());
    var late = session.data(Request.builder(url("/slow")).timeoutInterval(Duration.ofMillis(500)).build());
    assertThat(real.sweepingDeadlines()).isTrue();
    assertThatThrownBy(() -> late.get(10, SECONDS))
        .hasCauseInstanceOf(SessionException.class)
        .cause().extracting(e -> ((SessionException) e).code()).isEqualTo(Code.TIMED_OUT);
  }

  @Test
  void additionalHeadersAreMergedUnderRequestHeadersCaseInsensitively() throws Exception {
    recreate(SessionConfiguration.ephemeral().toBuilder()
        .httpAdditionalHeaders(Map.of("X-A", "config", "X-B", "config", "Accept", "text/html")).build());
    server.enqueue(new MockResponse.Builder().body("ok").build());
    session.dataTask(Request.builder(url("/h")).header("x-a", "request").build()).resume();
    assertThat(delegate.awaitCompletion()).isNull();
    RecordedRequest r = server.takeRequest(5, SECONDS);
    assertThat(r.getHeaders().values("X-A")).containsExactly("request");
    assertThat(r.getHeaders().values("X-B")).containsExactly("config");
    assertThat(r.getHeaders().values("Accept")).containsExactly("text/html");
  }

  @Test
  void gzipBodyIsDecodedAndCountedAfterDecoding() throws Exception {
    byte[] plain = "hello gzip ".repeat(1000).getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream gz = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
      out.write(plain);
    }
    server.enqueue(new MockResponse.Builder().addHeader("Content-Encoding", "gzip")
        .body(new Buffer().write(gz.toByteArray())).build());
    DataTask task = session.dataTask(url("/gz"));
    task.resume();
    assertThat(delegate.awaitCompletion()).isNull();
    assertThat(delegate.body.toByteArray()).isEqualTo(plain);
    assertThat(task.countOfBytesReceived()).isEqualTo(plain.length);
    assertThat(task.countOfBytesExpectedToReceive()).isEqualTo(-1);
    assertThat(task.response().header("Content-Encoding")).isEqualTo("gzip");
    TransactionMetrics m = delegate.metrics.transactionMetrics().get(0);
    assertThat(m.countOfResponseBodyBytesReceived()).isEqualTo(gz.size());
    assertThat(m.countOfResponseBodyBytesAfterDecoding()).isEqualTo(plain.length);
  }

  @Test
  void deflateBodyIsDecoded() throws Exception {
    byte[] plain = "deflate me ".repeat(500).getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream z = new ByteArrayOutputStream();
    try (DeflaterOutputStream out = new DeflaterOutputStream(z)) {
      out.write(plain);
    }
    server.enqueue(new MockResponse.Builder().addHeader("Content-Encoding", "deflate")
        .body(new Buffer().write(z.toByteArray())).build());
    session.dataTask(url("/z")).resume();
    assertThat(delegate.awaitCompletion()).isNull();
    assertThat(delegate.body.toByteArray()).isEqualTo(plain);
  }

  @Test
  void corruptGzipBodyFailsWithCannotDecodeRawData() throws Exception {
    server.enqueue(new MockResponse.Builder().addHeader("Content-Encoding", "gzip").body("not gzip at all").build());
    session.dataTask(url("/bad")).resume();
    assertThat(delegate.awaitCompletion().code()).isEqualTo(Code.CANNOT_DECODE_RAW_DATA);
  }

  @Test
  void postWithBodyReportsUploadProgressAndSendsContentLength() throws Exception {
    server.enqueue(new MockResponse.Builder().body("ok").build());
    byte[] body = new byte[100_000];
    Request post = Request.builder(url("/up")).method("POST").header("Content-Type", "application/octet-stream").body(body).build();
    DataTask task = session.dataTask(post);
    assertThat(task.countOfBytesExpectedToSend()).isEqualTo(100_000);
    task.resume();
    assertThat(delegate.awaitCompletion()).isNull();
    delegate.assertEvents("didCreateTask", "didSendBodyData", "didReceiveResponse 200", "didReceiveData",
        "didFinishCollectingMetrics", "didComplete null");
    assertThat(delegate.lastSent).isEqualTo("100000/100000");
    assertThat(task.countOfBytesSent()).isEqualTo(100_000);
    RecordedRequest r = server.takeRequest(5, SECONDS);
    assertThat(r.getHeaders().get("Content-Length")).isEqualTo("100000");
    assertThat(r.getHeaders().get("Transfer-Encoding")).isNull();
    assertThat(r.getBodySize()).isEqualTo(100_000);
  }

  @Test
  void emptyPostSendsNoContentType() throws Exception {
    server.enqueue(new MockResponse.Builder().body("ok").build());
    session.dataTask(Request.builder(url("/p")).method("POST").build()).resume();
    assertThat(delegate.awaitCompletion()).isNull();
    assertThat(server.takeRequest(5, SECONDS).getHeaders().get("Content-Type")).isNull();
  }

  @Test
  void responseDispositionCancelCancelsTheTask() throws Exception {
    delegate.disposition = ResponseDisposition.CANCEL;
    server.enqueue(new MockResponse.Builder().body("unwanted").build());
    session.dataTask(url("/c")).resume();
    assertThat(delegate.awaitCompletion().code()).isEqualTo(Code.CANCELLED);
    delegate.assertEvents("didCreateTask", "didReceiveResponse 200", "didFinishCollectingMetrics",
        "didComplete CANCELLED");
  }

  @Test
  void completionHandlerGetsBodyAndResponseAndNoDataDelegateCalls() throws Exception {
    server.enqueue(new MockResponse.Builder().code(302).addHeader("Location", "/b").build());
    server.enqueue(new MockResponse.Builder().body("handled").build());
    CompletableFuture<String> result = new CompletableFuture<>();
    session.dataTask(url("/a"), (data, response, error) -> {
      if (Thread.currentThread().getName().startsWith("urlsession-io-")) {
        result.completeExceptionally(new AssertionError("handler on I/O thread"));
      }
      result.complete(new String(data, StandardCharsets.UTF_8) + " " + response.statusCode() + " " + error);
    }).resume();
    assertThat(result.get(10, SECONDS)).isEqualTo("handled 200 null");
    assertThat(delegate.events).containsExactly("didCreateTask", "willPerformHttpRedirection 302 /b",
        "didFinishCollectingMetrics");
  }

  @Test
  void completionHandlerWhenTheLoadFailsGetsOnlyTheError() throws Exception {
    CompletableFuture<Object[]> result = new CompletableFuture<>();
    session.dataTask(URI.create("http://127.0.0.1:" + closedPort() + "/"),
        (data, response, error) -> result.complete(new Object[] {data, response, error})).resume();
    Object[] args = result.get(10, SECONDS);
    assertThat(args[0]).isNull();
    assertThat(args[1]).isNull();
    assertThat(((SessionException) args[2]).code()).isEqualTo(Code.CANNOT_CONNECT_TO_HOST);
  }

  @Test
  void dataFutureCompletesWithBodyAndCancellingItCancelsTheTask() throws Exception {
    server.enqueue(new MockResponse.Builder().body("future").build());
    DataResponse r = session.data(Request.get(url("/f"))).get(10, SECONDS);
    assertThat(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo("future");

    server.enqueue(new MockResponse.Builder().headersDelay(10, SECONDS).body("late").build());
    CompletableFuture<DataResponse> slow = session.data(Request.get(url("/slow")));
    server.takeRequest(5, SECONDS);
    slow.cancel(true);
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5))
        .until(() -> session.allTasks().get(5, SECONDS).isEmpty());
  }

  @Test
  void dataFutureCompletedWithACancellationExceptionCancelsTheTaskToo() throws Exception {
    server.enqueue(new MockResponse.Builder().headersDelay(10, SECONDS).body("late").build());
    CompletableFuture<DataResponse> slow = session.data(Request.get(url("/slow")));
    server.takeRequest(5, SECONDS);
    assertThat(session.allTasks().get(5, SECONDS)).hasSize(1);
    // What CompletableFuture counts as cancelled, though cancel() was not called.
    slow.completeExceptionally(new java.util.concurrent.CancellationException("given up"));
    assertThat(slow.isCancelled()).isTrue();
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5))
        .until(() -> session.allTasks().get(5, SECONDS).isEmpty());
  }

  @Test
  void dataFutureWhenTheLoadFailsFailsWithTheSessionException() {
    CompletableFuture<DataResponse> f = session.data(Request.get(URI.create("http://127.0.0.1:" + closedPort() + "/")));
    assertThatThrownBy(() -> f.get(10, SECONDS)).isInstanceOf(ExecutionException.class)
        .cause().isInstanceOf(SessionException.class)
        .extracting(e -> ((SessionException) e).code()).isEqualTo(Code.CANNOT_CONNECT_TO_HOST);
  }

  static int closedPort() {
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      return s.getLocalPort();
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }
}
