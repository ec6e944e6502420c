package dev.urlsession;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.urlsession.SessionException.Code;
import dev.urlsession.spi.SessionListener;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.zip.GZIPOutputStream;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import okhttp3.Protocol;
import okhttp3.tls.HandshakeCertificates;
import okio.Buffer;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ResponseDisposition.BECOME_STREAM}: the data task hands its load over to a running,
 * read-only stream task (Apple's variant for pipelined requests, URLSESSION-BEHAVIOUR.md 3.8) that
 * reads the rest of the body as the data task would have received it, over HTTP/1.1, HTTP/2 and
 * TLS, data:, file: and ftp: URLs; the exact delegate calls of both tasks, closing, cancelling,
 * failing, capturing streams, and writes refused.
 */
@Timeout(60)
class BecomeStreamTests {
  static final Duration NONE = Duration.ZERO;

  @StartStop final MockWebServer server = new MockWebServer();
  final Recorder delegate = new Recorder();
  Session session;
  TcpTestServer peer;

  /** Records both tasks (the stream task's events start with "stream ") and answers BECOME_STREAM. */
  static final class Recorder extends RecordingStreamDelegate {
    final CompletableFuture<StreamTask> stream = new CompletableFuture<>();
    volatile SessionTask.@Nullable State stateWhenHandedOver;

    Recorder() {
      disposition = ResponseDisposition.BECOME_STREAM;
    }

    @Override
    String tag(@Nullable SessionTask task) {
      return task instanceof StreamTask ? "stream " : "";
    }

    @Override
    public void didBecomeStreamTask(Session s, DataTask task, StreamTask streamTask) {
      recordEvent(task, "didBecomeStreamTask");
      stateWhenHandedOver = streamTask.state();
      stream.complete(streamTask);
    }

    StreamTask awaitStream() throws Exception {
      return stream.get(10, SECONDS);
    }
  }

  @AfterEach
  void tearDown() throws IOException {
    if (session != null) {
      session.invalidateAndCancel();
    }
    if (peer != null) {
      peer.close();
    }
  }

  Session session(SessionConfiguration configuration) {
    session = Session.create(configuration, delegate, null);
    return session;
  }

  static byte[] random(int size) {
    byte[] b = new byte[size];
    new Random(size).nextBytes(b);
    return b;
  }

  /** Reads up to the end of the stream, in reads of at most {@code max} bytes. */
  static byte[] readToEnd(StreamTask task, int max) throws Exception {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    while (true) {
      ReadResult r = task.readData(1, max, NONE).get(10, SECONDS);
      assertThat(r.data().length).isLessThanOrEqualTo(max);
      all.write(r.data());
      if (r.atEof()) {
        return all.toByteArray();
      }
    }
  }

  static SessionException failure(CompletableFuture<?> f) {
    try {
      f.get(10, SECONDS);
    } catch (ExecutionException e) {
      assertThat(e.getCause()).isInstanceOf(SessionException.class);
      return (SessionException) e.getCause();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    throw new AssertionError("the future did not fail");
  }

  /** Reads a request head off {@code s}. */
  static void readHead(InputStream in) throws IOException {
    int matched = 0;
    for (int b; (b = in.read()) >= 0; ) {
      matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
      if (matched == 4) {
        return;
      }
    }
    throw new IOException("no request head");
  }

  static void head(Socket s, long contentLength) throws IOException {
    readHead(s.getInputStream());
    s.getOutputStream().write(("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: "
        + contentLength + "\r\n\r\n").getBytes(ISO_8859_1));
  }

  @Test
  void becomeStreamWhenTheResponseIsHttp11HandsTheRestOfTheBodyToARunningReadOnlyStreamTask() throws Exception {
    byte[] body = random(300_000); // more than the 128 KiB the stream task buffers
    server.enqueue(new MockResponse.Builder().code(302).addHeader("Location", "/b").build());
    server.enqueue(new MockResponse.Builder().body(new Buffer().write(body)).build());
    DataTask task = session(SessionConfiguration.ephemeral()).dataTask(server.url("/a").uri());
    task.resume();
    StreamTask stream = delegate.awaitStream();

    assertThat(delegate.stateWhenHandedOver).isEqualTo(SessionTask.State.RUNNING);
    assertThat(stream.originalRequest()).isSameAs(task.originalRequest());
    assertThat(stream.currentRequest().url()).isEqualTo(server.url("/b").uri());
    assertThat(stream.response()).isSameAs(task.response());
    assertThat(stream.response().statusCode()).isEqualTo(200);
    assertThat(stream.taskIdentifier()).isNotEqualTo(task.taskIdentifier());
    task.completion().get(10, SECONDS);
    assertThat(task.state()).isEqualTo(SessionTask.State.COMPLETED);
    assertThat(task.error()).isNull();

    ReadResult first = stream.readData(10, 10, NONE).get(10, SECONDS);
    assertThat(first.data()).isEqualTo(Arrays.copyOf(body, 10));
    assertThat(first.atEof()).isFalse();
    ReadResult second = stream.readData(5000, 6000, NONE).get(10, SECONDS);
    assertThat(second.data().length).isBetween(5000, 6000);
    assertThat(second.data()).isEqualTo(Arrays.copyOfRange(body, 10, 10 + second.data().length));
    byte[] rest = readToEnd(stream, 7000);
    assertThat(rest).isEqualTo(Arrays.copyOfRange(body, 10 + second.data().length, body.length));
    ReadResult again = stream.readData(1, 10, NONE).get(10, SECONDS);
    assertThat(again.data()).isEmpty();
    assertThat(again.atEof()).isTrue();

    assertThat(delegate.awaitCompletion()).isNull();
    stream.completion().get(10, SECONDS);
    assertThat(stream.state()).isEqualTo(SessionTask.State.COMPLETED);
    assertThat(stream.countOfBytesReceived()).isEqualTo(body.length);
    delegate.assertEvents("didCreateTask", "willPerformHttpRedirection 302 /b", "didReceiveResponse 200",
        "didBecomeStreamTask", "stream writeClosed", "stream readClosed", "stream didComplete null");
    assertThat(delegate.body.size()).isZero();
    // The whole body was read: the connection went back to the pool and serves the next request.
    await().atMost(Duration.ofSeconds(10)).until(() -> ((RealSession) session).leasedConnections() == 0);
    server.enqueue(new MockResponse.Builder().body("next").build());
    assertThat(session.data(Request.get(server.url("/next").uri())).get(10, SECONDS).body()).asString()
        .isEqualTo("next");
    server.takeRequest(5, SECONDS);
    RecordedRequest b = server.takeRequest(5, SECONDS);
    assertThat(b.getTarget()).isEqualTo("/b");
    assertThat(server.takeRequest(5, SECONDS).getConnectionIndex()).isEqualTo(b.getConnectionIndex());
  }

  @Test
  void becomeStreamWhenTheResponseIsGzippedOverHttp2AndTlsReadsTheDecodedBody() throws Exception {
    server.useHttps(new HandshakeCertificates.Builder().heldCertificate(HttpsAndHttp2Tests.CERT).build()
        .sslSocketFactory());
    server.setProtocols(List.of(Protocol.HTTP_2, Protocol.HTTP_1_1));
    StringBuilder text = new StringBuilder();
    for (int i = 0; text.length() < 400_000; i++) {
      text.append("line ").append(i).append(" of a body that compresses well\n");
    }
    byte[] decoded = text.toString().getBytes(ISO_8859_1);
    Buffer gzipped = new Buffer();
    try (GZIPOutputStream gzip = new GZIPOutputStream(gzipped.outputStream())) {
      gzip.write(decoded);
    }
    server.enqueue(new MockResponse.Builder().addHeader("Content-Encoding", "gzip").body(gzipped).build());
    DataTask task = session(SessionConfiguration.ephemeral().toBuilder()
        .sslContext(HttpsAndHttp2Tests.trusting()).build()).dataTask(server.url("/h2").uri());
    task.resume();
    StreamTask stream = delegate.awaitStream();

    assertThat(readToEnd(stream, 50_000)).isEqualTo(decoded);
    assertThat(delegate.awaitCompletion()).isNull();
    delegate.assertEvents("didCreateTask", "didReceiveResponse 200", "didBecomeStreamTask", "stream writeClosed",
        "stream readClosed", "stream didComplete null");
    assertThat(server.takeRequest(5, SECONDS).getVersion()).isEqualTo("HTTP/2");
    assertThat(stream.response().header("Content-Encoding")).isEqualTo("gzip");
  }

  @Test
  void becomeStreamWhenTheUrlIsADataUrlReadsTheBodyThatArrivedBeforeTheDisposition() throws Exception {
    DataTask task = session(SessionConfiguration.ephemeral()).dataTask(URI.create("data:text/plain,hello%20stream"));
    task.resume();
    StreamTask stream = delegate.awaitStream();
    ReadResult r = stream.readData(100, 100, NONE).get(10, SECONDS); // fewer than min: the end
    assertThat(new String(r.data(), ISO_8859_1)).isEqualTo("hello stream");
    assertThat(r.atEof()).isTrue();
    assertThat(delegate.awaitCompletion()).isNull();
    assertThat(stream.originalRequest().url().getScheme()).isEqualTo("data");
    delegate.assertEvents("didCreateTask", "didReceiveResponse 0", "didBecomeStreamTask", "stream writeClosed",
        "stream readClosed", "stream didComplete null");
  }

  @Test
  void becomeStreamWhenTheUrlIsALargeFileReadsItByteExact(@TempDir Path dir) throws Exception {
    byte[] content = random(3 * 1024 * 1024 + 17);
    Path file = Files.write(dir.resolve("large.bin"), content);
    DataTask task = session(SessionConfiguration.ephemeral()).dataTask(file.toUri());
    task.resume();
    StreamTask stream = delegate.awaitStream();
    assertThat(readToEnd(stream, 100_000)).isEqualTo(content);
    assertThat(delegate.awaitCompletion()).isNull();
    delegate.assertEvents("didCreateTask", "didReceiveResponse 0", "didBecomeStreamTask", "stream writeClosed",
        "stream readClosed", "stream didComplete null");
  }

  @Test
  void becomeStreamWhenTheUrlIsFtpReadsTheFileByteExact(@TempDir Path home) throws Exception {
    byte[] content = random(1024 * 1024 + 3);
    Files.write(home.resolve("blob.bin"), content);
    FtpTestServer ftp = FtpTestServer.start(home);
    try {
      session(SessionConfiguration.ephemeral()).dataTask(ftp.url("blob.bin")).resume();
      StreamTask stream = delegate.awaitStream();
      assertThat(readToEnd(stream, 64_000)).isEqualTo(content);
      assertThat(delegate.awaitCompletion()).isNull();
      delegate.assertEvents("didCreateTask", "didReceiveResponse 0", "didBecomeStreamTask", "stream writeClosed",
          "stream readClosed", "stream didComplete null");
    } finally {
      session.invalidateAndCancel();
      ftp.close();
    }
  }

  @Test
  void closeReadWhenTheBodyIsMidwayStopsTheLoadAndTheServerSeesTheConnectionClosed() throws Exception {
    CompletableFuture<IOException> writeFailed = new CompletableFuture<>();
    peer = new TcpTestServer(s -> {
      head(s, 1L << 40);
      byte[] chunk = new byte[16 * 1024];
      try {
        while (true) {
          s.getOutputStream().write(chunk); // until the client goes away
        }
      } catch (IOException e) {
        writeFailed.complete(e);
      }
    });
    RealSession real = (RealSession) session(SessionConfiguration.ephemeral());
    real.dataTask(URI.create("http://127.0.0.1:" + peer.port() + "/endless")).resume();
    StreamTask stream = delegate.awaitStream();
    assertThat(stream.readData(1000, 1000, NONE).get(10, SECONDS).data()).hasSize(1000);
    assertThat(real.leasedConnections()).isEqualTo(1);
    stream.closeRead();
    assertThat(delegate.awaitCompletion()).isNull();
    await().atMost(Duration.ofSeconds(10)).until(() -> real.leasedConnections() == 0);
    assertThat(writeFailed.get(10, SECONDS)).isNotNull();
    ReadResult after = stream.readData(1, 10, NONE).get(10, SECONDS);
    assertThat(after.data()).isEmpty();
    assertThat(after.atEof()).isTrue();
    delegate.assertEvents("didCreateTask", "didReceiveResponse 200", "didBecomeStreamTask", "stream writeClosed",
        "stream readClosed", "stream didComplete null");
  }

  @Test
  void closeReadWhenTheLoadIsAnHttp2StreamStopsItAndReleasesItsConnection() throws Exception {
    server.useHttps(new HandshakeCertificates.Builder().heldCertificate(HttpsAndHttp2Tests.CERT).build()
        .sslSocketFactory());
    server.setProtocols(List.of(Protocol.HTTP_2, Protocol.HTTP_1_1));
    server.enqueue(new MockResponse.Builder().body(new Buffer().write(random(8 * 1024 * 1024))).build());
    server.enqueue(new MockResponse.Builder().body("next").build());
    RealSession real = (RealSession) session(SessionConfiguration.ephemeral().toBuilder()
        .sslContext(HttpsAndHttp2Tests.trusting()).build());
    real.dataTask(server.url("/big").uri()).resume();
    StreamTask stream = delegate.awaitStream();
    assertThat(stream.readData(1000, 1000, NONE).get(10, SECONDS).data()).hasSize(1000);
    assertThat(real.leasedConnections()).isEqualTo(1);
    stream.closeRead();
    assertThat(delegate.awaitCompletion()).isNull();
    await().atMost(Duration.ofSeconds(10)).until(() -> real.leasedConnections() == 0);
    delegate.assertEvents("didCreateTask", "didReceiveResponse 200", "didBecomeStreamTask", "stream writeClosed",
        "stream readClosed", "stream didComplete null");
    // Stopping an HTTP/2 exchange resets its stream only (SharingConnectionManager): the next
    // request goes on the same connection.
    assertThat(session.data(Request.get(server.url("/next").uri())).get(10, SECONDS).body()).asString()
        .isEqualTo("next");
    RecordedRequest big = server.takeRequest(5, SECONDS);
    RecordedRequest next = server.takeRequest(5, SECONDS);
    assertThat(big.getVersion()).isEqualTo("HTTP/2");
    assertThat(next.getVersion()).isEqualTo("HTTP/2");
    assertThat(next.getConnectionIndex()).isEqualTo(big.getConnectionIndex());
  }

  @Test
  void writeWhenTheStreamIsReadOnlyFailsAsAfterCloseWriteWhileReadsGoOn() throws Exception {
    server.enqueue(new MockResponse.Builder().body("the body").build());
    session(SessionConfiguration.ephemeral()).dataTask(server.url("/").uri()).resume();
    StreamTask stream = delegate.awaitStream();
    SessionException e = failure(stream.write("no".getBytes(ISO_8859_1), NONE));
    assertThat(e.code()).isEqualTo(Code.NETWORK_CONNECTION_LOST);
    assertThat(e.getMessage()).contains("write side of the stream task was closed");
    stream.closeWrite(); // closed already: nothing happens
    stream.stopSecureConnection(); // no TLS: nothing to stop
    assertThat(new String(readToEnd(stream, 3), ISO_8859_1)).isEqualTo("the body");
    assertThat(delegate.awaitCompletion()).isNull();
    assertThat(stream.countOfBytesSent()).isZero();
    delegate.assertEvents("didCreateTask", "didReceiveResponse 200", "didBecomeStreamTask", "stream writeClosed",
        "stream readClosed", "stream didComplete null");
  }

  @Test
  void startSecureConnectionWhenTheStreamIsReadOnlyFailsTheTaskAsAfterCloseWrite() throws Exception {
    byte[] body = random(2 * 1024 * 1024); // cannot end while nobody reads: the load waits for room
    server.enqueue(new MockResponse.Builder().body(new Buffer().write(body)).build());
    session(SessionConfiguration.ephemeral()).dataTask(server.url("/").uri()).resume();
    StreamTask stream = delegate.awaitStream();
    CompletableFuture<ReadResult> before = stream.readData(4, 4, NONE);
    stream.startSecureConnection();
    CompletableFuture<ReadResult> after = stream.readData(1, 10, NONE);
    assertThat(before.get(10, SECONDS).data()).isEqualTo(Arrays.copyOf(body, 4));
    SessionException e = failure(after);
    assertThat(e.code()).isEqualTo(Code.NETWORK_CONNECTION_LOST);
    assertThat(e.getMessage()).contains("TLS cannot start");
    assertThat(delegate.awaitCompletion().code()).isEqualTo(Code.NETWORK_CONNECTION_LOST);
    assertThat(failure(stream.readData(1, 10, NONE))).isSameAs(e);
    delegate.assertEvents("didCreateTask", "didReceiveResponse 200", "didBecomeStreamTask", "stream writeClosed",
        "stream didComplete NETWORK_CONNECTION_LOST");
  }

  @Test
  void captureStreamsWhenReadOnlyGivesTheRestOfTheBodyAndAnOutputThatRefusesWrites() throws Exception {
    byte[] body = random(500_000);
    server.enqueue(new MockResponse.Builder().body(new Buffer().write(body)).build());
    session(SessionConfiguration.ephemeral()).dataTask(server.url("/").uri()).resume();
    StreamTask stream = delegate.awaitStream();
    CompletableFuture<ReadResult> first = stream.readData(100, 100, NONE);
    StreamPair pair = stream.captureStreams();
    assertThat(first.get(10, SECONDS).data()).isEqualTo(Arrays.copyOf(body, 100));
    assertThat(delegate.streams.get(10, SECONDS).in()).isSameAs(pair.in());
    stream.completion().get(10, SECONDS);
    assertThat(stream.state()).isEqualTo(SessionTask.State.COMPLETED);
    try (InputStream in = pair.in(); OutputStream out = pair.out()) {
      assertThatThrownBy(() -> out.write(1)).isInstanceOf(IOException.class).hasMessageContaining("read-only stream");
      assertThat(in.readAllBytes()).isEqualTo(Arrays.copyOfRange(body, 100, body.length));
      assertThat(in.read()).isEqualTo(-1);
    }
    assertThat(stream.error()).isNull();
    delegate.assertEvents("didCreateTask", "didReceiveResponse 200", "didBecomeStreamTask", "stream writeClosed",
        "stream didBecomeStreams");
  }

  @Test
  void captureStreamsWhenTheSessionIsInvalidatedAfterwardsStillReadTheRestOfTheBody() throws Exception {
    byte[] body = random(4 * 1024 * 1024);
    peer = new TcpTestServer(s -> {
      head(s, body.length);
      s.getOutputStream().write(body);
      s.getInputStream().readAllBytes();
    });
    session(SessionConfiguration.ephemeral()).dataTask(URI.create("http://127.0.0.1:" + peer.port() + "/")).resume();
    StreamPair pair = delegate.awaitStream().captureStreams();
    InputStream in = pair.in();
    assertThat(in.readNBytes(1000)).isEqualTo(Arrays.copyOf(body, 1000));
    session.finishTasksAndInvalidate(); // the captured task completed: nothing holds the session
    delegate.invalid.get(10, SECONDS);
    // Like a connection's captured streams, they outlive the session: the exchange goes on.
    assertThat(in.readAllBytes()).isEqualTo(Arrays.copyOfRange(body, 1000, body.length));
    in.close();
  }

  @Test
  void cancelWhenAReadIsOutstandingFailsItWithCancelledAndStopsTheLoad() throws Exception {
    CompletableFuture<Void> clientGone = new CompletableFuture<>();
    peer = new TcpTestServer(s -> {
      head(s, 1_000_000);
      s.getOutputStream().write(new byte[100]);
      s.getOutputStream().flush();
      try {
        s.getInputStream().readAllBytes(); // until the client closes the connection
      } finally {
        clientGone.complete(null);
      }
    });
    session(SessionConfiguration.ephemeral()).dataTask(URI.create("http://127.0.0.1:" + peer.port() + "/")).resume();
    StreamTask stream = delegate.awaitStream();
    assertThat(stream.readData(100, 100, NONE).get(10, SECONDS).data()).hasSize(100);
    CompletableFuture<ReadResult> waiting = stream.readData(1, 10, NONE);
    stream.cancel();
    assertThat(failure(waiting).code()).isEqualTo(Code.CANCELLED);
    assertThat(delegate.awaitCompletion().code()).isEqualTo(Code.CANCELLED);
    clientGone.get(10, SECONDS);
    assertThat(stream.error().code()).isEqualTo(Code.CANCELLED);
    delegate.assertEvents("didCreateTask", "didReceiveResponse 200", "didBecomeStreamTask", "stream writeClosed",
        "stream didComplete CANCELLED");
  }

  @Test
  void loadFailureWhenTheServerCutsTheConnectionMidBodyFailsTheOutstandingReadOnceThenCompletes() throws Exception {
    CountDownLatch cut = new CountDownLatch(1);
    peer = new TcpTestServer(s -> {
      head(s, 100_000);
      s.getOutputStream().write(new byte[1000]);
      s.getOutputStream().flush();
      try {
        cut.await(10, SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      // returning closes the connection 99,000 bytes early
    });
    session(SessionConfiguration.ephemeral()).dataTask(URI.create("http://127.0.0.1:" + peer.port() + "/")).resume();
    StreamTask stream = delegate.awaitStream();
    assertThat(stream.readData(1000, 1000, NONE).get(10, SECONDS).data()).hasSize(1000);
    CompletableFuture<ReadResult> waiting = stream.readData(1, 10, NONE);
    cut.countDown();
    SessionException e = failure(waiting);
    assertThat(e.code()).isEqualTo(Code.NETWORK_CONNECTION_LOST);
    assertThat(delegate.awaitCompletion()).isSameAs(e);
    assertThat(failure(stream.readData(1, 10, NONE))).isSameAs(e);
    assertThat(stream.error()).isSameAs(e);
    delegate.assertEvents("didCreateTask", "didReceiveResponse 200", "didBecomeStreamTask", "stream writeClosed",
        "stream didComplete NETWORK_CONNECTION_LOST");
  }

  @Test
  void sessionListenerWhenADataTaskBecomesAStreamTaskEndsTheDataTasksObservationAtTheHandOver() throws Exception {
    List<String> heard = new CopyOnWriteArrayList<>();
    server.enqueue(new MockResponse.Builder().body("observed").build());
    session(SessionConfiguration.ephemeral().toBuilder().sessionListenerFactory(task -> new SessionListener() {
      @Override
      public void taskStarted(SessionTask t) {
        heard.add("started " + t.taskIdentifier());
      }

      @Override
      public void taskCompleted(SessionTask t, TaskMetrics metrics, @Nullable SessionException error) {
        heard.add("completed " + t.taskIdentifier() + " " + error + " " + metrics.transactionMetrics().size());
      }
    }).build());
    DataTask task = session.dataTask(server.url("/").uri());
    task.resume();
    StreamTask stream = delegate.awaitStream();
    task.completion().get(10, SECONDS);
    assertThat(new String(readToEnd(stream, 100), ISO_8859_1)).isEqualTo("observed");
    assertThat(delegate.awaitCompletion()).isNull();
    assertThat(heard).containsExactly("started " + task.taskIdentifier(), "completed " + task.taskIdentifier() + " null 1");
  }

  @Test
  void invalidateAndCancelWhenAHandedOverStreamTaskRunsCancelsIt() throws Exception {
    peer = new TcpTestServer(s -> {
      head(s, 1_000_000);
      s.getOutputStream().write(new byte[10]);
      s.getInputStream().readAllBytes();
    });
    session(SessionConfiguration.ephemeral()).dataTask(URI.create("http://127.0.0.1:" + peer.port() + "/")).resume();
    StreamTask stream = delegate.awaitStream();
    assertThat(session.allTasks().get(10, SECONDS)).containsExactly(stream);
    assertThat(session.statistics().tasks("stream", SessionTask.State.RUNNING)).isEqualTo(1);
    session.invalidateAndCancel();
    assertThat(delegate.awaitCompletion().code()).isEqualTo(Code.CANCELLED);
    delegate.invalid.get(10, SECONDS);
    delegate.assertEvents("didCreateTask", "didReceiveResponse 200", "didBecomeStreamTask", "stream writeClosed",
        "stream didComplete CANCELLED", "didBecomeInvalid");
  }
}
