package dev.urlsession;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.urlsession.SessionException.Code;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Upload tasks from bytes, files and streams (URLSESSION-BEHAVIOUR.md 3.7). */
@Timeout(60)
class UploadTaskTests {
  @StartStop final MockWebServer server = new MockWebServer();
  @TempDir Path temp;
  final RecordingDelegate delegate = new RecordingDelegate();
  final Session session = Session.create(SessionConfiguration.ephemeral(), delegate, null);

  @AfterEach
  void tearDown() {
    session.invalidateAndCancel();
  }

  Request post(String path) {
    return Request.builder(server.url(path).uri()).method("POST")
        .header("Content-Type", "application/octet-stream")
        .body("ignored: upload tasks send their own body".getBytes()).build();
  }

  static String sha256(byte[] data) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
  }

  @Test
  void uploadOfBytesSendsThemInsteadOfTheRequestBodyAndReportsProgress() throws Exception {
    server.enqueue(new MockResponse.Builder().body("stored").build());
    byte[] body = new byte[300_000];
    new Random(1).nextBytes(body);
    UploadTask task = session.uploadTask(post("/bytes"), body);
    assertThat(task.countOfBytesExpectedToSend()).isEqualTo(300_000);
    task.resume();
    assertThat(delegate.awaitCompletion()).isNull();
    delegate.assertEvents("didCreateTask", "didSendBodyData", "didReceiveResponse 200", "didReceiveData",
        "didFinishCollectingMetrics", "didComplete null");
    assertThat(delegate.lastSent).isEqualTo("300000/300000");
    RecordedRequest r = server.takeRequest(5, SECONDS);
    assertThat(r.getBody().toByteArray()).isEqualTo(body);
    assertThat(r.getHeaders().get("Content-Length")).isEqualTo("300000");
    assertThat(task.countOfBytesSent()).isEqualTo(300_000);
    assertThat(session.tasks().get(5, SECONDS).upload()).isEmpty();
  }

  @Test
  void uploadOfAFileStreamsItFromDiskByteExact() throws Exception {
    Path file = temp.resolve("payload.bin");
    byte[] content = new byte[5 * 1024 * 1024 + 17];
    new Random(2).nextBytes(content);
    Files.write(file, content);
    server.enqueue(new MockResponse.Builder().body("ok").build());
    UploadTask task = session.uploadTask(post("/file"), file);
    assertThat(task.countOfBytesExpectedToSend()).isEqualTo(content.length);
    task.resume();
    assertThat(delegate.awaitCompletion()).isNull();
    RecordedRequest r = server.takeRequest(5, SECONDS);
    assertThat(r.getBodySize()).isEqualTo(content.length);
    assertThat(sha256(r.getBody().toByteArray())).isEqualTo(sha256(content));
    assertThat(delegate.lastSent).isEqualTo(content.length + "/" + content.length);
  }

  @Test
  void uploadOfAMissingFileFailsWithFileDoesNotExistWithoutConnecting() throws Exception {
    session.uploadTask(post("/x"), temp.resolve("nope.bin")).resume();
    assertThat(delegate.awaitCompletion().code()).isEqualTo(Code.FILE_DOES_NOT_EXIST);
    assertThat(server.getRequestCount()).isZero();
  }

  @Test
  void uploadOfADirectoryFailsWithFileIsDirectory() throws Exception {
    session.uploadTask(post("/x"), temp).resume();
    assertThat(delegate.awaitCompletion().code()).isEqualTo(Code.FILE_IS_DIRECTORY);
  }

  @Test
  void streamedUploadAsksForTheStreamFirstAndSendsItChunked() throws Exception {
    server.enqueue(new MockResponse.Builder().body("ok").build());
    byte[] content = "streamed body ".repeat(10_000).getBytes(StandardCharsets.UTF_8);
    AtomicInteger asked = new AtomicInteger();
    StreamingDelegate d = new StreamingDelegate(() -> {
      asked.incrementAndGet();
      return new ByteArrayInputStream(content);
    });
    try (Session s = Session.create(SessionConfiguration.ephemeral(), d, null)) {
      UploadTask task = s.uploadTask(post("/stream"));
      assertThat(task.countOfBytesExpectedToSend()).isEqualTo(-1);
      task.resume();
      assertThat(d.awaitCompletion()).isNull();
      assertThat(d.events.get(1)).isEqualTo("needNewBodyStream");
      assertThat(asked.get()).isEqualTo(1);
      RecordedRequest r = server.takeRequest(5, SECONDS);
      assertThat(r.getHeaders().get("Transfer-Encoding")).isEqualTo("chunked");
      assertThat(r.getBody().toByteArray()).isEqualTo(content);
    }
  }

  @Test
  void streamedUploadWhenRedirectedWith307AsksForANewStreamAndResendsTheBody() throws Exception {
    server.enqueue(new MockResponse.Builder().code(307).addHeader("Location", "/again").build());
    server.enqueue(new MockResponse.Builder().body("ok").build());
    byte[] content = "resend me".getBytes(StandardCharsets.UTF_8);
    AtomicInteger asked = new AtomicInteger();
    StreamingDelegate d = new StreamingDelegate(() -> {
      asked.incrementAndGet();
      return new ByteArrayInputStream(content);
    });
    try (Session s = Session.create(SessionConfiguration.ephemeral(), d, null)) {
      s.uploadTask(post("/first")).resume();
      assertThat(d.awaitCompletion()).isNull();
      assertThat(asked.get()).isEqualTo(2);
      assertThat(server.takeRequest(5, SECONDS).getBody().utf8()).isEqualTo("resend me");
      RecordedRequest second = server.takeRequest(5, SECONDS);
      assertThat(second.getTarget()).isEqualTo("/again");
      assertThat(second.getMethod()).isEqualTo("POST");
      assertThat(second.getBody().utf8()).isEqualTo("resend me");
    }
  }

  @Test
  void streamedUploadWithoutAStreamFailsWithRequestBodyStreamExhausted() throws Exception {
    session.uploadTask(post("/none")).resume();
    SessionException e = delegate.awaitCompletion();
    assertThat(e.code()).isEqualTo(Code.REQUEST_BODY_STREAM_EXHAUSTED);
    assertThat(e.code().value()).isEqualTo(-1021);
    assertThat(server.getRequestCount()).isZero();
  }

  @Test
  void fileUploadWhenRedirectedWith308ResendsTheFile() throws Exception {
    Path file = temp.resolve("again.txt");
    Files.writeString(file, "file body");
    server.enqueue(new MockResponse.Builder().code(308).addHeader("Location", "/moved").build());
    server.enqueue(new MockResponse.Builder().body("ok").build());
    session.uploadTask(post("/orig"), file).resume();
    assertThat(delegate.awaitCompletion()).isNull();
    assertThat(server.takeRequest(5, SECONDS).getBody().utf8()).isEqualTo("file body");
    assertThat(server.takeRequest(5, SECONDS).getBody().utf8()).isEqualTo("file body");
  }

  @ParameterizedTest
  @CsvSource({"POST, 305", "POST, 307", "PUT, 301", "PUT, 302"})
  void uploadWhenRedirectedKeepingItsMethodResendsTheBody(String method, int status) throws Exception {
    // URLSESSION-BEHAVIOUR.md 3.4: only 303, and 301/302 after a POST, become a GET without a body.
    server.enqueue(new MockResponse.Builder().code(status).addHeader("Location", "/moved").build());
    server.enqueue(new MockResponse.Builder().body("ok").build());
    Request request = post("/orig").toBuilder().method(method).build();
    session.uploadTask(request, "the body".getBytes(StandardCharsets.UTF_8)).resume();
    assertThat(delegate.awaitCompletion()).isNull();
    assertThat(server.takeRequest(5, SECONDS).getBody().utf8()).isEqualTo("the body");
    RecordedRequest second = server.takeRequest(5, SECONDS);
    assertThat(second.getTarget()).isEqualTo("/moved");
    assertThat(second.getMethod()).isEqualTo(method);
    assertThat(second.getBody().utf8()).isEqualTo("the body");
  }

  @Test
  void uploadWhenAPostIsRedirectedWith302BecomesAGetWithoutTheBody() throws Exception {
    server.enqueue(new MockResponse.Builder().code(302).addHeader("Location", "/moved").build());
    server.enqueue(new MockResponse.Builder().body("ok").build());
    session.uploadTask(post("/orig"), "the body".getBytes(StandardCharsets.UTF_8)).resume();
    assertThat(delegate.awaitCompletion()).isNull();
    server.takeRequest(5, SECONDS);
    RecordedRequest second = server.takeRequest(5, SECONDS);
    assertThat(second.getMethod()).isEqualTo("GET");
    assertThat(second.getBodySize()).isZero();
  }

  @Test
  void streamedUploadWithADeclaredContentLengthExpectsToSendThatMany() throws Exception {
    byte[] content = "thirteen byte".getBytes(StandardCharsets.UTF_8);
    server.enqueue(new MockResponse.Builder().body("ok").build());
    StreamingDelegate d = new StreamingDelegate(() -> new ByteArrayInputStream(content));
    try (Session s = Session.create(SessionConfiguration.ephemeral(), d, null)) {
      UploadTask task = s.uploadTask(post("/stream").toBuilder()
          .header("Content-Length", String.valueOf(content.length)).build());
      assertThat(task.countOfBytesExpectedToSend()).isEqualTo(content.length);
      task.resume();
      assertThat(d.awaitCompletion()).isNull();
      assertThat(task.countOfBytesSent()).isEqualTo(content.length);
      RecordedRequest r = server.takeRequest(5, SECONDS);
      assertThat(r.getHeaders().get("Content-Length")).isEqualTo("13");
      assertThat(r.getBody().toByteArray()).isEqualTo(content);
    }
  }

  @Test
  void streamThatThrowsFailsTheUploadInsteadOfHangingIt() throws Exception {
    StreamingDelegate d = new StreamingDelegate(() -> new InputStream() {
      @Override
      public int read() {
        throw new IllegalStateException("broken application stream");
      }
    });
    try (Session s = Session.create(SessionConfiguration.ephemeral(), d, null)) {
      s.uploadTask(post("/broken")).resume();
      SessionException e = d.awaitCompletion();
      assertThat(e).isNotNull();
      assertThat(e.getMessage()).contains("broken application stream");
    }
  }

  @Test
  void uploadWithGetFailsWithDataLengthExceedsMaximum() throws Exception {
    session.uploadTask(Request.get(server.url("/g").uri()), new byte[] {1, 2}).resume();
    assertThat(delegate.awaitCompletion().code()).isEqualTo(Code.DATA_LENGTH_EXCEEDS_MAXIMUM);
  }

  @Test
  void uploadFutureAndCompletionHandlerReturnTheResponseBody() throws Exception {
    server.enqueue(new MockResponse.Builder().body("echo").build());
    DataResponse r = session.upload(post("/f"), "abc".getBytes()).get(10, SECONDS);
    assertThat(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo("echo");
    assertThat(server.takeRequest(5, SECONDS).getBody().utf8()).isEqualTo("abc");

    Path file = temp.resolve("f.txt");
    Files.writeString(file, "from file");
    server.enqueue(new MockResponse.Builder().body("echo2").build());
    assertThat(session.upload(post("/g"), file).get(10, SECONDS).response().statusCode()).isEqualTo(200);
    assertThat(server.takeRequest(5, SECONDS).getBody().utf8()).isEqualTo("from file");
  }

  /** Answers needNewBodyStream from a supplier. */
  static final class StreamingDelegate extends RecordingDelegate {
    private final java.util.function.Supplier<InputStream> streams;

    StreamingDelegate(java.util.function.Supplier<InputStream> streams) {
      this.streams = streams;
    }

    @Override
    public void needNewBodyStream(Session session, SessionTask task, Consumer<@Nullable InputStream> handler) {
      recordEvent(task, "needNewBodyStream");
      handler.accept(streams.get());
    }
  }
}
