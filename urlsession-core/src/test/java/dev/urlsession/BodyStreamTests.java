package dev.urlsession;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.urlsession.SessionException.Code;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A request's body stream (Apple's {@code httpBodyStream}): chunked or framed by a declared
 * {@code Content-Length}, asked again of {@code needNewBodyStream} when re-sent, and the
 * {@code Content-Length: 0} of bodiless {@code POST}, {@code PUT} and {@code PATCH}.
 */
@Timeout(60)
class BodyStreamTests {
  private static final byte[] CONTENT = "a streamed body ".repeat(20_000).getBytes(StandardCharsets.UTF_8);

  @StartStop final MockWebServer server = new MockWebServer();
  final AtomicInteger opened = new AtomicInteger();
  final AtomicBoolean closed = new AtomicBoolean();
  final UploadTaskTests.StreamingDelegate delegate =
      new UploadTaskTests.StreamingDelegate(() -> new ByteArrayInputStream(CONTENT));
  final Session session = Session.create(SessionConfiguration.ephemeral(), delegate, null);

  @AfterEach
  void tearDown() {
    session.invalidateAndCancel();
  }

  /** A supplier of {@code content} that counts the streams it opens and notes a close. */
  Supplier<InputStream> counting(byte[] content) {
    return () -> {
      opened.incrementAndGet();
      return new ByteArrayInputStream(content) {
        @Override
        public void close() {
          closed.set(true);
        }
      };
    };
  }

  Request.Builder post(String path, Supplier<InputStream> stream) {
    return Request.builder(server.url(path).uri()).method("POST")
        .header("Content-Type", "application/octet-stream").bodyStream(stream);
  }

  @Test
  void dataTaskWithABodyStreamSendsItChunkedAndReportsProgress() throws Exception {
    server.enqueue(new MockResponse.Builder().body("ok").build());
    DataTask task = session.dataTask(post("/chunked", counting(CONTENT)).build());
    assertThat(task.countOfBytesExpectedToSend()).isEqualTo(-1);
    task.resume();

    assertThat(delegate.awaitCompletion()).isNull();
    delegate.assertEvents("didCreateTask", "didSendBodyData", "didReceiveResponse 200", "didReceiveData",
        "didFinishCollectingMetrics", "didComplete null");
    RecordedRequest r = server.takeRequest(5, SECONDS);
    assertThat(r.getHeaders().get("Transfer-Encoding")).isEqualTo("chunked");
    assertThat(r.getHeaders().get("Content-Length")).isNull();
    assertThat(r.getBody().toByteArray()).isEqualTo(CONTENT);
    assertThat(task.countOfBytesSent()).isEqualTo(CONTENT.length);
    assertThat(opened.get()).isEqualTo(1);
    assertThat(closed.get()).isTrue();
  }

  @Test
  void declaredContentLengthFramesTheStreamInsteadOfChunks() throws Exception {
    server.enqueue(new MockResponse.Builder().body("ok").build());
    Request request = post("/framed", counting(CONTENT)).header("Content-Length", String.valueOf(CONTENT.length))
        .build();
    assertThat(request.headers().contains("Content-Length")).isFalse();
    assertThat(request.declaredContentLength()).isEqualTo(CONTENT.length);
    DataTask task = session.dataTask(request);
    assertThat(task.countOfBytesExpectedToSend()).isEqualTo(CONTENT.length);
    task.resume();

    assertThat(delegate.awaitCompletion()).isNull();
    RecordedRequest r = server.takeRequest(5, SECONDS);
    assertThat(r.getHeaders().get("Content-Length")).isEqualTo(String.valueOf(CONTENT.length));
    assertThat(r.getHeaders().get("Transfer-Encoding")).isNull();
    assertThat(r.getBody().toByteArray()).isEqualTo(CONTENT);
  }

  @ParameterizedTest
  @ValueSource(ints = {-1, +1})
  void streamThatContradictsItsContentLengthFailsWithBodyStreamExhausted(int difference) throws Exception {
    server.enqueue(new MockResponse.Builder().body("never").build());
    Request request = post("/liar", counting(CONTENT))
        .header("Content-Length", String.valueOf(CONTENT.length + difference)).build();
    session.dataTask(request).resume();

    SessionException error = delegate.awaitCompletion();
    assertThat(error.code()).isEqualTo(Code.REQUEST_BODY_STREAM_EXHAUSTED);
    assertThat(error.failingUrl()).isEqualTo(request.url());
    assertThat(error.getMessage()).contains("Content-Length declares " + (CONTENT.length + difference));
    assertThat(delegate.events).doesNotContain("didReceiveResponse 200");
  }

  @Test
  void redirect307AsksNeedNewBodyStreamForTheResentBody() throws Exception {
    server.enqueue(new MockResponse.Builder().code(307).addHeader("Location", "/again").build());
    server.enqueue(new MockResponse.Builder().body("ok").build());
    session.dataTask(post("/first", counting(CONTENT)).build()).resume();

    assertThat(delegate.awaitCompletion()).isNull();
    delegate.assertEvents("didCreateTask", "didSendBodyData", "willPerformHttpRedirection 307 /again",
        "needNewBodyStream", "didSendBodyData", "didReceiveResponse 200", "didReceiveData",
        "didFinishCollectingMetrics", "didComplete null");
    assertThat(opened.get()).as("the request's supplier serves the first load only").isEqualTo(1);
    assertThat(server.takeRequest(5, SECONDS).getBody().toByteArray()).isEqualTo(CONTENT);
    RecordedRequest again = server.takeRequest(5, SECONDS);
    assertThat(again.getMethod()).isEqualTo("POST");
    assertThat(again.getTarget()).isEqualTo("/again");
    assertThat(again.getBody().toByteArray()).isEqualTo(CONTENT);
  }

  @Test
  void redirect307WithoutNeedNewBodyStreamFailsWithBodyStreamExhausted() throws Exception {
    server.enqueue(new MockResponse.Builder().code(307).addHeader("Location", "/again").build());
    RecordingDelegate plain = new RecordingDelegate();
    try (Session s = Session.create(SessionConfiguration.ephemeral(), plain, null)) {
      s.dataTask(post("/first", counting(CONTENT)).build()).resume();
      SessionException error = plain.awaitCompletion();
      assertThat(error.code()).isEqualTo(Code.REQUEST_BODY_STREAM_EXHAUSTED);
      assertThat(server.getRequestCount()).isEqualTo(1);
    }
  }

  @Test
  void redirect303DropsTheStreamAndAsksForNone() throws Exception {
    server.enqueue(new MockResponse.Builder().code(303).addHeader("Location", "/result").build());
    server.enqueue(new MockResponse.Builder().body("ok").build());
    session.dataTask(post("/form", counting(CONTENT)).build()).resume();

    assertThat(delegate.awaitCompletion()).isNull();
    assertThat(delegate.events).doesNotContain("needNewBodyStream");
    server.takeRequest(5, SECONDS);
    RecordedRequest result = server.takeRequest(5, SECONDS);
    assertThat(result.getMethod()).isEqualTo("GET");
    assertThat(result.getBodySize()).isZero();
  }

  @Test
  void supplierThatThrowsFailsTheTaskWithoutConnecting() throws Exception {
    session.dataTask(post("/x", () -> {
      throw new IllegalStateException("no such file");
    }).build()).resume();

    SessionException error = delegate.awaitCompletion();
    assertThat(error.code()).isEqualTo(Code.REQUEST_BODY_STREAM_EXHAUSTED);
    assertThat(error).hasMessageContaining("no such file");
    assertThat(server.getRequestCount()).isZero();
  }

  @Test
  void supplierThatReturnsNullFailsTheTask() throws Exception {
    session.dataTask(post("/x", () -> null).build()).resume();
    assertThat(delegate.awaitCompletion().code()).isEqualTo(Code.REQUEST_BODY_STREAM_EXHAUSTED);
  }

  @Test
  void streamThatFailsWhileReadFailsWithBodyStreamExhausted() throws Exception {
    server.enqueue(new MockResponse.Builder().body("never").build());
    session.dataTask(post("/x", () -> new InputStream() {
      private int left = 100_000;

      @Override
      public int read() throws IOException {
        if (left <= 0) {
          throw new IOException("disk gone");
        }
        left--;
        return 'x';
      }
    }).build()).resume();

    SessionException error = delegate.awaitCompletion();
    assertThat(error.code()).isEqualTo(Code.REQUEST_BODY_STREAM_EXHAUSTED);
    assertThat(error).hasMessageContaining("disk gone");
  }

  @Test
  void getWithABodyStreamFailsAndClosesTheStream() throws Exception {
    Request get = Request.builder(server.url("/get").uri()).bodyStream(counting(CONTENT)).build();
    session.dataTask(get).resume();
    assertThat(delegate.awaitCompletion().code()).isEqualTo(Code.DATA_LENGTH_EXCEEDS_MAXIMUM);
    assertThat(closed.get()).isTrue();
    assertThat(server.getRequestCount()).isZero();
  }

  @Test
  void streamedUploadTaskHonoursTheDeclaredContentLength() throws Exception {
    server.enqueue(new MockResponse.Builder().body("ok").build());
    Request request = Request.builder(server.url("/upload").uri()).method("PUT")
        .header("Content-Length", String.valueOf(CONTENT.length)).build();
    session.uploadTask(request).resume();

    assertThat(delegate.awaitCompletion()).isNull();
    RecordedRequest r = server.takeRequest(5, SECONDS);
    assertThat(r.getHeaders().get("Content-Length")).isEqualTo(String.valueOf(CONTENT.length));
    assertThat(r.getHeaders().get("Transfer-Encoding")).isNull();
    assertThat(r.getBody().toByteArray()).isEqualTo(CONTENT);
  }

  @ParameterizedTest
  @ValueSource(strings = {"POST", "PUT", "PATCH"})
  void methodThatDefinesContentIsSentWithContentLengthZeroWhenBodiless(String method) throws Exception {
    server.enqueue(new MockResponse.Builder().body("ok").build());
    Request request = Request.builder(server.url("/empty").uri()).method(method).build();
    assertThat(session.data(request).get(10, SECONDS).response().statusCode()).isEqualTo(200);
    RecordedRequest r = server.takeRequest(5, SECONDS);
    assertThat(r.getHeaders().get("Content-Length")).isEqualTo("0");
    assertThat(r.getHeaders().get("Transfer-Encoding")).isNull();
    assertThat(r.getHeaders().get("Content-Type")).isNull();
  }

  @ParameterizedTest
  @ValueSource(strings = {"GET", "DELETE", "HEAD"})
  void methodWithoutDefinedContentIsSentWithoutFraming(String method) throws Exception {
    server.enqueue(new MockResponse.Builder().body("ok").build());
    Request request = Request.builder(server.url("/plain").uri()).method(method).build();
    assertThat(session.data(request).get(10, SECONDS).response().statusCode()).isEqualTo(200);
    RecordedRequest r = server.takeRequest(5, SECONDS);
    assertThat(r.getHeaders().get("Content-Length")).isNull();
    assertThat(r.getHeaders().get("Transfer-Encoding")).isNull();
  }
}
