package dev.urlsession;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.urlsession.SessionException.Code;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The built-in ftp: handler against an embedded Apache FtpServer (URLSESSION-BEHAVIOUR.md 8.1). */
@Timeout(60)
class FtpTests {
  @TempDir Path home;
  FtpTestServer server;
  final RecordingDelegate delegate = new RecordingDelegate();
  Session session;

  @BeforeEach
  void setUp() throws Exception {
    server = FtpTestServer.start(home);
  }

  @AfterEach
  void tearDown() {
    if (session != null) {
      session.invalidateAndCancel();
    }
    server.close();
  }

  Session session(RecordingDelegate d) {
    session = Session.create(SessionConfiguration.ephemeral(), d, null);
    return session;
  }

  static byte[] random(int size, long seed) {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    return b;
  }

  @Test
  void ftpDataTaskWhenAnonymousDeliversTheFileByteExact() throws Exception {
    byte[] content = random(3 * 1024 * 1024 + 17, 1);
    Files.write(home.resolve("blob.bin"), content);
    DataTask task = session(delegate).dataTask(server.url("blob.bin"));
    task.resume();
    assertThat(delegate.awaitCompletion()).isNull();
    delegate.assertEvents("didCreateTask", "didReceiveResponse 0", "didReceiveData",
        "didFinishCollectingMetrics", "didComplete null");
    assertThat(delegate.body.toByteArray()).isEqualTo(content);
    Response r = task.response();
    assertThat(r.statusCode()).isZero();
    assertThat(r.url()).isEqualTo(server.url("blob.bin"));
    assertThat(r.expectedContentLength()).isEqualTo(content.length);
    assertThat(r.mimeType()).isEqualTo("application/octet-stream");
    assertThat(r.textEncodingName()).isNull();
    assertThat(task.countOfBytesReceived()).isEqualTo(content.length);
    assertThat(task.countOfBytesExpectedToReceive()).isEqualTo(content.length);
    assertThat(server.commands()).contains("USER anonymous", "TYPE I", "PASV", "SIZE blob.bin", "RETR blob.bin");
  }

  @Test
  void ftpDataTaskWithUserAndPasswordInTheUrlLogsInWithThemPercentDecoded() throws Exception {
    Files.createDirectories(home.resolve("docs"));
    Files.writeString(home.resolve("docs/read me.txt"), "private notes");
    CompletableFuture<String> result = new CompletableFuture<>();
    session(delegate).dataTask(server.url(FtpTestServer.USER + ":s3cret%20pass", "docs/read%20me.txt"),
        (data, response, error) -> result.complete(new String(data, StandardCharsets.UTF_8) + " "
            + response.statusCode() + " " + response.mimeType() + " " + response.expectedContentLength()
            + " " + error)).resume();
    assertThat(result.get(10, SECONDS)).isEqualTo("private notes 0 text/plain 13 null");
    assertThat(server.commands()).contains("USER alice", "RETR docs/read me.txt");
    assertThat(delegate.events).containsExactly("didCreateTask", "didFinishCollectingMetrics");
  }

  @Test
  void ftpDataFutureCompletesWithTheBody() throws Exception {
    Files.writeString(home.resolve("f.json"), "{\"a\":1}");
    DataResponse r = session(delegate).data(Request.get(server.url("f.json"))).get(10, SECONDS);
    assertThat(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo("{\"a\":1}");
    assertThat(r.response().mimeType()).isEqualTo("application/json");
  }

  @Test
  void ftpDownloadTaskWritesTheFileThroughTheSession() throws Exception {
    byte[] content = random(2 * 1024 * 1024 + 5, 2);
    Files.write(home.resolve("archive.zip"), content);
    RecordingDownloadDelegate d = new RecordingDownloadDelegate();
    DownloadTask task = session(d).downloadTask(server.url("archive.zip"));
    task.resume();
    assertThat(d.awaitCompletion()).isNull();
    d.assertEvents("didCreateTask", "didWriteData", "didFinishDownloadingTo",
        "didFinishCollectingMetrics", "didComplete null");
    assertThat(d.fileContent).isEqualTo(content);
    assertThat(d.lastTotalWritten.get()).isEqualTo(content.length);
    assertThat(d.location).doesNotExist(); // delivered, then deleted by the session
    assertThat(task.response().mimeType()).isEqualTo("application/zip");
    assertThat(task.response().statusCode()).isZero();
  }

  @Test
  void ftpAsciiTypeCodeTransfersInAsciiMode() throws Exception {
    Files.writeString(home.resolve("lines.txt"), "one\ntwo\n");
    DataResponse r = session(delegate).data(Request.get(server.url("lines.txt;type=a"))).get(10, SECONDS);
    assertThat(new String(r.body(), StandardCharsets.US_ASCII)).isEqualTo("one" + System.lineSeparator()
        + "two" + System.lineSeparator());
    assertThat(r.response().expectedContentLength()).isEqualTo(-1);
    assertThat(server.commands()).contains("TYPE A", "RETR lines.txt").doesNotContain("SIZE lines.txt");
  }

  @Test
  void ftpWhenThePasswordIsWrongFailsWithUserAuthenticationRequiredAndNoResponse() throws Exception {
    Files.writeString(home.resolve("x.txt"), "x");
    DataTask task = session(delegate).dataTask(server.url(FtpTestServer.USER + ":wrong", "x.txt"));
    task.resume();
    assertThat(delegate.awaitCompletion().code()).isEqualTo(Code.USER_AUTHENTICATION_REQUIRED);
    delegate.assertEvents("didCreateTask", "didFinishCollectingMetrics", "didComplete USER_AUTHENTICATION_REQUIRED");
    assertThat(task.response()).isNull();
    assertThat(server.commands()).doesNotContain("RETR x.txt");
  }

  @Test
  void ftpWhenTheFileIsMissingFailsWithFileDoesNotExist() throws Exception {
    DataTask task = session(delegate).dataTask(server.url("nothing-here.bin"));
    task.resume();
    SessionException e = delegate.awaitCompletion();
    assertThat(e.code()).isEqualTo(Code.FILE_DOES_NOT_EXIST);
    assertThat(e.failingUrl()).isEqualTo(server.url("nothing-here.bin"));
    delegate.assertEvents("didCreateTask", "didFinishCollectingMetrics", "didComplete FILE_DOES_NOT_EXIST");
    assertThat(task.response()).isNull();
  }

  @Test
  void ftpDownloadOfAMissingFileFailsAndLeavesNoFile() throws Exception {
    RecordingDownloadDelegate d = new RecordingDownloadDelegate();
    session(d).downloadTask(server.url("missing.zip")).resume();
    assertThat(d.awaitCompletion().code()).isEqualTo(Code.FILE_DOES_NOT_EXIST);
    d.assertEvents("didCreateTask", "didFinishCollectingMetrics", "didComplete FILE_DOES_NOT_EXIST");
    assertThat(d.location).isNull();
  }

  @ParameterizedTest
  @ValueSource(strings = {"x%0D%0ADELE%20victim.txt", "x%0ADELE%20victim.txt", "x%0DDELE", "x%00y"})
  void ftpPathWithCrLfOrNulFailsWithBadUrlBeforeAnyCommandIsSent(String rawPath) throws Exception {
    Files.writeString(home.resolve("victim.txt"), "keep me");
    session(delegate).dataTask(server.url(rawPath)).resume();
    assertThat(delegate.awaitCompletion().code()).isEqualTo(Code.BAD_URL);
    delegate.assertEvents("didCreateTask", "didFinishCollectingMetrics", "didComplete BAD_URL");
    assertThat(server.connections()).isZero();
    assertThat(server.commands()).isEmpty();
    assertThat(home.resolve("victim.txt")).exists();
  }

  @ParameterizedTest
  @ValueSource(strings = {"alice%0D%0ADELE%20victim.txt:pw", "alice:pw%0D%0ADELE%20victim.txt", "alice%00:pw",
      "alice:pw%0A"})
  void ftpCredentialsWithCrLfOrNulFailWithBadUrlBeforeAnyCommandIsSent(String userInfo) throws Exception {
    session(delegate).dataTask(server.url(userInfo, "victim.txt")).resume();
    assertThat(delegate.awaitCompletion().code()).isEqualTo(Code.BAD_URL);
    assertThat(server.connections()).isZero();
    assertThat(server.commands()).isEmpty();
  }

  @Test
  void ftpUrlNamingADirectoryFailsWithUnsupportedUrlWithoutConnecting() throws Exception {
    session(delegate).dataTask(server.url("pub/")).resume();
    assertThat(delegate.awaitCompletion().code()).isEqualTo(Code.UNSUPPORTED_URL);
    assertThat(server.connections()).isZero();
  }

  @Test
  void ftpToANonLocalHostIsRefusedByTheDefaultTransportSecurityPolicy() throws Exception {
    session(delegate).dataTask(URI.create("ftp://ftp.example.org/pub/file.txt")).resume();
    assertThat(delegate.awaitCompletion().code()).isEqualTo(Code.APP_TRANSPORT_SECURITY_REQUIRES_SECURE_CONNECTION);
  }

  @Test
  void ftpWhenNothingListensFailsWithCannotConnectToHost() throws Exception {
    int closed;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closed = s.getLocalPort();
    }
    CompletableFuture<DataResponse> f = session(delegate).data(
        Request.get(URI.create("ftp://127.0.0.1:" + closed + "/f.txt")));
    assertThatThrownBy(() -> f.get(10, SECONDS)).isInstanceOf(ExecutionException.class)
        .cause().isInstanceOf(SessionException.class)
        .extracting(e -> ((SessionException) e).code()).isEqualTo(Code.CANNOT_CONNECT_TO_HOST);
  }

  @Test
  void ftpWhenTheHostIsUnknownFailsWithCannotFindHost() throws Exception {
    session = Session.create(SessionConfiguration.ephemeral().toBuilder()
        .transportSecurity(TransportSecurityPolicy.allowingArbitraryLoads()).build(), delegate, null);
    session.dataTask(URI.create("ftp://no-such-host.invalid/f.txt")).resume();
    assertThat(delegate.awaitCompletion().code()).isEqualTo(Code.CANNOT_FIND_HOST);
  }

  @Test
  void ftpWhenTheServerNeverGreetsTimesOut() throws Exception {
    try (ServerSocket silent = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      CompletableFuture<Socket> accepted = CompletableFuture.supplyAsync(() -> {
        try {
          return silent.accept();
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      });
      Request r = Request.builder(URI.create("ftp://127.0.0.1:" + silent.getLocalPort() + "/f.txt"))
          .timeoutInterval(Duration.ofMillis(500)).build();
      session(delegate).dataTask(r).resume();
      assertThat(delegate.awaitCompletion().code()).isEqualTo(Code.TIMED_OUT);
      accepted.get(5, SECONDS).close();
    }
  }

  @Test
  void ftpWhenCancelledMidTransferCompletesWithCancelledAndClosesTheConnection() throws Exception {
    byte[] content = random(16 * 1024 * 1024, 3);
    Files.write(home.resolve("big.bin"), content);
    CompletableFuture<Void> firstData = new CompletableFuture<>();
    RecordingDelegate cancelling = new RecordingDelegate() {
      @Override
      public void didReceiveData(Session s, DataTask task, byte[] data) {
        super.didReceiveData(s, task, data);
        if (firstData.complete(null)) {
          task.cancel();
        }
      }
    };
    DataTask task = session(cancelling).dataTask(server.url("big.bin"));
    task.resume();
    assertThat(cancelling.awaitCompletion().code()).isEqualTo(Code.CANCELLED);
    cancelling.assertEvents("didCreateTask", "didReceiveResponse 0", "didReceiveData",
        "didFinishCollectingMetrics", "didComplete CANCELLED");
    assertThat(task.countOfBytesReceived()).isLessThan(content.length);
    // The handler closed its sockets: the server sees the connection go.
    Awaitility.await().atMost(Duration.ofSeconds(10))
        .until(() -> server.connections() == 1 && server.disconnections() == 1);
  }

  @Test
  void ftpWhenTheTaskIsSuspendedReadsNothingUntilResumed() throws Exception {
    byte[] content = random(4 * 1024 * 1024, 4);
    Files.write(home.resolve("paused.bin"), content);
    RecordingDelegate suspending = new RecordingDelegate() {
      @Override
      public void didReceiveResponse(Session s, DataTask task, Response response,
          Consumer<ResponseDisposition> handler) {
        task.suspend();
        super.didReceiveResponse(s, task, response, handler);
      }
    };
    DataTask task = session(suspending).dataTask(server.url("paused.bin"));
    task.resume();
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> task.state() == SessionTask.State.SUSPENDED
        && suspending.events.contains("didReceiveResponse 0"));
    Awaitility.await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2))
        .until(() -> task.countOfBytesReceived() == 0);
    task.resume();
    assertThat(suspending.awaitCompletion()).isNull();
    assertThat(suspending.body.toByteArray()).isEqualTo(content);
  }

  @Test
  void ftpConcurrentLoadsBeyondThePoolSizeAllComplete() throws Exception {
    for (int i = 0; i < 12; i++) {
      Files.write(home.resolve("f" + i + ".bin"), random(200_000 + i, 10 + i));
    }
    Session s = session(delegate);
    java.util.List<CompletableFuture<DataResponse>> all = new java.util.ArrayList<>();
    for (int i = 0; i < 12; i++) {
      all.add(s.data(Request.get(server.url("f" + i + ".bin"))));
    }
    for (int i = 0; i < 12; i++) {
      assertThat(all.get(i).get(20, SECONDS).body()).isEqualTo(random(200_000 + i, 10 + i));
    }
    // At most httpMaximumConnectionsPerHost (6) at once: all 12 used to connect when their tasks
    // were slow to take data, and the server (10 anonymous logins) refused some with 421.
    assertThat(server.mostConnectionsAtOnce()).isLessThanOrEqualTo(6);
  }

  @Test
  void ftpLoadsWhenMoreThanTheConnectionLimitWaitForAConnectionAndAllComplete() throws Exception {
    for (int i = 0; i < 10; i++) {
      Files.write(home.resolve("g" + i + ".bin"), random(300_000 + i, 20 + i));
    }
    session = Session.create(SessionConfiguration.ephemeral().toBuilder().httpMaximumConnectionsPerHost(2).build(),
        delegate, null);
    java.util.List<CompletableFuture<DataResponse>> all = new java.util.ArrayList<>();
    for (int i = 0; i < 10; i++) {
      all.add(session.data(Request.get(server.url("g" + i + ".bin"))));
    }

    for (int i = 0; i < 10; i++) {
      assertThat(all.get(i).get(20, SECONDS).body()).isEqualTo(random(300_000 + i, 20 + i));
    }
    assertThat(server.mostConnectionsAtOnce()).isBetween(1, 2);
    assertThat(server.connections()).isEqualTo(10);
  }

  @Test
  void ftpLoadWhenCancelledWhileWaitingForAConnectionLeavesTheQueue() throws Exception {
    Files.write(home.resolve("slow.bin"), random(1_000_000, 7));
    Files.write(home.resolve("next.bin"), random(1_000, 8));
    session = Session.create(SessionConfiguration.ephemeral().toBuilder().httpMaximumConnectionsPerHost(1).build(),
        delegate, null);
    server.stallNextDownload(100_000);
    DataTask first = session.dataTask(server.url("slow.bin"));
    first.resume();
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
        .until(() -> delegate.body.size() > 0); // the first load holds the only connection, stalled
    CompletableFuture<DataResponse> waiting = session.data(Request.get(server.url("never.bin")));

    waiting.cancel(true);
    first.cancel();
    DataResponse next = session.data(Request.get(server.url("next.bin"))).get(20, SECONDS);

    assertThat(next.body()).isEqualTo(random(1_000, 8));
    assertThat(server.commands()).noneMatch(c -> c.contains("never.bin"));
    assertThat(server.connections()).as("the cancelled load never connected").isEqualTo(2);
  }
}
