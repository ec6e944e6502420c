package dev.urlsession;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.urlsession.SessionException.Code;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Upload tasks to ftp: URLs store their body with STOR (an extension: Apple's FTP only reads). */
@Timeout(60)
class FtpUploadTests {
  @TempDir Path home;
  @TempDir Path temp;
  FtpTestServer server;
  final RecordingDelegate delegate = new RecordingDelegate();
  Session session;

  @BeforeEach
  void setUp() throws Exception {
    server = FtpTestServer.start(home);
    session = Session.create(SessionConfiguration.ephemeral(), delegate, null);
  }

  @AfterEach
  void tearDown() {
    session.invalidateAndCancel();
    server.close();
  }

  Request put(String rawPath) {
    return Request.builder(server.url(FtpTestServer.USER + ":s3cret%20pass", rawPath)).method("PUT").build();
  }

  static byte[] random(int size, long seed) {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    return b;
  }

  @Test
  void ftpUploadOfBytesStoresThemByteExactAndCompletesWithAnEmptyResponse() throws Exception {
    byte[] body = random(700_000, 1);
    UploadTask task = session.uploadTask(put("stored.bin"), body);
    assertThat(task.countOfBytesExpectedToSend()).isEqualTo(body.length);
    task.resume();
    assertThat(delegate.awaitCompletion()).isNull();
    delegate.assertEvents("didCreateTask", "didSendBodyData", "didReceiveResponse 0",
        "didFinishCollectingMetrics", "didComplete null");
    assertThat(delegate.lastSent).isEqualTo(body.length + "/" + body.length);
    assertThat(Files.readAllBytes(home.resolve("stored.bin"))).isEqualTo(body);
    Response r = task.response();
    assertThat(r.statusCode()).isZero();
    assertThat(r.expectedContentLength()).isZero();
    assertThat(r.headers().size()).isZero();
    assertThat(task.countOfBytesSent()).isEqualTo(body.length);
    assertThat(task.countOfBytesReceived()).isZero();
    assertThat(delegate.body.size()).isZero();
    assertThat(server.commands()).contains("USER alice", "TYPE I", "PASV", "STOR stored.bin")
        .noneMatch(c -> c.startsWith("RETR"));
    assertThat(delegate.metrics.transactionMetrics().get(0).countOfRequestBodyBytesSent()).isEqualTo(body.length);
  }

  @Test
  void ftpUploadOfAFileStreamsItFromDisk() throws Exception {
    byte[] content = random(3 * 1024 * 1024 + 5, 2);
    Path file = temp.resolve("payload.bin");
    Files.write(file, content);
    DataResponse r = session.upload(put("payload-copy.bin"), file).get(10, SECONDS);
    assertThat(r.response().statusCode()).isZero();
    assertThat(r.body()).isEmpty();
    assertThat(ResumeDataTests.sha256(Files.readAllBytes(home.resolve("payload-copy.bin"))))
        .isEqualTo(ResumeDataTests.sha256(content));
  }

  @Test
  void ftpStreamedUploadAsksForTheStreamFirstThenStoresIt() throws Exception {
    byte[] content = random(500_000, 3);
    UploadTaskTests.StreamingDelegate d = new UploadTaskTests.StreamingDelegate(
        () -> new ByteArrayInputStream(content));
    try (Session s = Session.create(SessionConfiguration.ephemeral(), d, null)) {
      UploadTask task = s.uploadTask(put("streamed.bin"));
      task.resume();
      assertThat(d.awaitCompletion()).isNull();
      d.assertEvents("didCreateTask", "needNewBodyStream", "didSendBodyData", "didReceiveResponse 0",
          "didFinishCollectingMetrics", "didComplete null");
      assertThat(d.lastSent).isEqualTo(content.length + "/-1");
    }
    assertThat(Files.readAllBytes(home.resolve("streamed.bin"))).isEqualTo(content);
  }

  @Test
  void ftpUploadRefusedByTheServerFailsWithResourceUnavailableAndNoResponse() throws Exception {
    // anonymous has no write permission on the fixture: 550.
    UploadTask task = session.uploadTask(Request.builder(server.url("nope.bin")).method("PUT").build(),
        new byte[] {1, 2, 3});
    task.resume();
    SessionException e = delegate.awaitCompletion();
    assertThat(e.code()).isEqualTo(Code.RESOURCE_UNAVAILABLE);
    assertThat(e.getMessage()).contains("550");
    delegate.assertEvents("didCreateTask", "didFinishCollectingMetrics", "didComplete RESOURCE_UNAVAILABLE");
    assertThat(task.response()).isNull();
    assertThat(home.resolve("nope.bin")).doesNotExist();
  }

  @Test
  void ftpUploadWhenTheServerHasNoRoomFailsWithDataLengthExceedsMaximum() throws Exception {
    server.refuse("STOR", "552 Requested file action aborted, exceeded storage allocation.");
    session.uploadTask(put("full.bin"), new byte[] {1}).resume();
    assertThat(delegate.awaitCompletion().code()).isEqualTo(Code.DATA_LENGTH_EXCEEDS_MAXIMUM);
  }

  @Test
  void ftpUploadWithAWrongPasswordFailsWithUserAuthenticationRequired() throws Exception {
    session.uploadTask(Request.builder(server.url("alice:wrong", "x.bin")).method("PUT").build(),
        new byte[] {1}).resume();
    assertThat(delegate.awaitCompletion().code()).isEqualTo(Code.USER_AUTHENTICATION_REQUIRED);
    assertThat(server.commands()).noneMatch(c -> c.startsWith("STOR"));
  }

  @Test
  void ftpUploadWhoseStreamThrowsFailsWithRequestBodyStreamExhausted() throws Exception {
    UploadTaskTests.StreamingDelegate d = new UploadTaskTests.StreamingDelegate(() -> new InputStream() {
      @Override
      public int read() throws IOException {
        throw new IOException("broken application stream");
      }
    });
    try (Session s = Session.create(SessionConfiguration.ephemeral(), d, null)) {
      s.uploadTask(put("broken.bin")).resume();
      SessionException e = d.awaitCompletion();
      assertThat(e.code()).isEqualTo(Code.REQUEST_BODY_STREAM_EXHAUSTED);
      assertThat(e.getMessage()).contains("broken application stream");
    }
  }

  @Test
  void ftpDataTaskWithARequestBodyRetrievesAndIgnoresTheBody() throws Exception {
    Files.writeString(home.resolve("keep.txt"), "unchanged");
    Request r = Request.builder(server.url(FtpTestServer.USER + ":s3cret%20pass", "keep.txt")).method("PUT")
        .body("overwrite?".getBytes()).build();
    assertThat(new String(session.data(r).get(10, SECONDS).body())).isEqualTo("unchanged");
    assertThat(Files.readString(home.resolve("keep.txt"))).isEqualTo("unchanged");
    assertThat(server.commands()).contains("RETR keep.txt").noneMatch(c -> c.startsWith("STOR"));
  }

  @Test
  void ftpUploadCancelledMidTransferCompletesWithCancelledAndClosesTheConnection() throws Exception {
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    byte[] first = random(100_000, 4);
    InputStream stalling = new InputStream() {
      private int sent;

      @Override
      public int read() {
        throw new UnsupportedOperationException();
      }

      @Override
      public int read(byte[] b, int off, int len) {
        if (sent < first.length) {
          int n = Math.min(len, first.length - sent);
          System.arraycopy(first, sent, b, off, n);
          sent += n;
          return n;
        }
        try {
          release.await(10, SECONDS); // an application stream with nothing more yet
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return -1;
      }
    };
    RecordingDelegate d = new RecordingDelegate() {
      @Override
      public void needNewBodyStream(Session session, SessionTask task,
          java.util.function.Consumer<@org.jspecify.annotations.Nullable InputStream> handler) {
        recordEvent(task, "needNewBodyStream");
        handler.accept(stalling);
      }

      @Override
      public void didSendBodyData(Session session, SessionTask task, long bytesSent, long totalBytesSent,
          long totalBytesExpectedToSend) {
        super.didSendBodyData(session, task, bytesSent, totalBytesSent, totalBytesExpectedToSend);
        if (totalBytesSent == first.length) {
          task.cancel();
        }
      }
    };
    try (Session s = Session.create(SessionConfiguration.ephemeral(), d, null)) {
      s.uploadTask(put("partial.bin")).resume();
      assertThat(d.awaitCompletion().code()).isEqualTo(Code.CANCELLED);
      d.assertEvents("didCreateTask", "needNewBodyStream", "didSendBodyData", "didFinishCollectingMetrics",
          "didComplete CANCELLED");
      org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
          .until(() -> server.connections() == 1 && server.disconnections() == 1);
    } finally {
      release.countDown();
    }
  }
}
