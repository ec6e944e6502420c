package dev.urlsession.autoconfigure.client;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import dev.urlsession.Session;
import dev.urlsession.SessionConfiguration;
import dev.urlsession.SessionException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.core.io.ByteArrayResource;
import org.springframework.core.io.InputStreamResource;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.StreamingHttpOutputMessage;
import org.springframework.web.client.HttpClientErrorException;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.client.RestClient;

/** Request bodies through the factory: kept in memory up to the buffer size, streamed beyond. */
@Timeout(60)
class StreamedRequestBodyTests {
  private static final int BUFFER = 64 * 1024;

  @StartStop final MockWebServer server = new MockWebServer();

  private final Session session = Session.create(SessionConfiguration.ephemeral());
  private final SessionClientHttpRequestFactory factory = new SessionClientHttpRequestFactory(session, BUFFER);
  private final RestClient client = RestClient.builder().requestFactory(factory).build();

  @AfterEach
  void invalidate() {
    session.invalidateAndCancel();
  }

  static byte[] randomBytes(int n) {
    byte[] bytes = new byte[n];
    new Random(11).nextBytes(bytes);
    return bytes;
  }

  static byte[] sha256(byte[] bytes) throws Exception {
    return MessageDigest.getInstance("SHA-256").digest(bytes);
  }

  /** A stream of {@code size} bytes of {@code content} repeated, counting what was read from it. */
  static final class CountingStream extends InputStream {
    private final byte[] content;
    private final long size;
    final AtomicLong produced = new AtomicLong();

    CountingStream(byte[] content, long size) {
      this.content = content;
      this.size = size;
    }

    @Override
    public int read() {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      long at = produced.get();
      if (at >= size) {
        return -1;
      }
      int n = (int) Math.min(len, Math.min(size - at, content.length - at % content.length));
      System.arraycopy(content, (int) (at % content.length), b, off, n);
      produced.addAndGet(n);
      return n;
    }
  }

  @Test
  void bodyWhenItFitsTheBufferIsSentAsBytesWithItsLength() throws Exception {
    byte[] body = randomBytes(BUFFER);
    server.enqueue(new MockResponse.Builder().body("ok").build());

    client.post().uri(server.url("/fits").uri()).contentType(MediaType.APPLICATION_OCTET_STREAM)
        .body(body).retrieve().toBodilessEntity();

    RecordedRequest recorded = server.takeRequest(5, SECONDS);
    assertThat(recorded.getHeaders().values("Content-Length")).containsExactly(Integer.toString(BUFFER));
    assertThat(recorded.getHeaders().get("Transfer-Encoding")).isNull();
    assertThat(recorded.getBody().toByteArray()).isEqualTo(body);
  }

  @Test
  void bodyWhenOneByteLargerThanTheBufferIsStreamedByteExactWithTheLengthSpringDeclares() throws Exception {
    byte[] body = randomBytes(BUFFER + 1);
    server.enqueue(new MockResponse.Builder().body("ok").build());

    client.post().uri(server.url("/larger").uri()).contentType(MediaType.APPLICATION_OCTET_STREAM)
        .body(body).retrieve().toBodilessEntity();

    RecordedRequest recorded = server.takeRequest(5, SECONDS);
    assertThat(recorded.getHeaders().values("Content-Length")).containsExactly(Integer.toString(BUFFER + 1));
    assertThat(recorded.getHeaders().get("Transfer-Encoding")).isNull();
    assertThat(recorded.getBody().toByteArray()).isEqualTo(body);
  }

  @Test
  void bodyOfUnknownLengthLargerThanTheBufferIsStreamedChunked() throws Exception {
    byte[] body = randomBytes(BUFFER + 1);
    server.enqueue(new MockResponse.Builder().body("ok").build());

    client.post().uri(server.url("/unknown").uri()).contentType(MediaType.APPLICATION_OCTET_STREAM)
        .body(new InputStreamResource(new java.io.ByteArrayInputStream(body))).retrieve().toBodilessEntity();

    RecordedRequest recorded = server.takeRequest(5, SECONDS);
    assertThat(recorded.getHeaders().get("Transfer-Encoding")).isEqualTo("chunked");
    assertThat(recorded.getHeaders().get("Content-Length")).isNull();
    assertThat(recorded.getBody().toByteArray()).isEqualTo(body);
  }

  @Test
  void inputStreamResourceWhenLargeIsStreamedWhileTheSessionSendsIt() throws Exception {
    byte[] pattern = randomBytes(10_007);
    long size = 16L * 1024 * 1024;
    CountingStream stream = new CountingStream(pattern, size);
    server.enqueue(new MockResponse.Builder().body("stored").build());

    String answer = client.put().uri(server.url("/upload").uri()).contentType(MediaType.APPLICATION_OCTET_STREAM)
        .body(new InputStreamResource(stream)).retrieve().body(String.class);

    assertThat(answer).isEqualTo("stored");
    RecordedRequest recorded = server.takeRequest(5, SECONDS);
    byte[] received = recorded.getBody().toByteArray();
    assertThat(received).hasSize((int) size);
    CountingStream expected = new CountingStream(pattern, size);
    assertThat(sha256(received)).isEqualTo(sha256(expected.readAllBytes()));
  }

  @Test
  void repeatableBodyWhenRedirectedWith307IsWrittenAgain() throws Exception {
    byte[] body = randomBytes(5 * BUFFER);
    server.enqueue(new MockResponse.Builder().code(307).addHeader("Location", "/again").build());
    server.enqueue(new MockResponse.Builder().body("ok").build());

    String answer = client.post().uri(server.url("/first").uri()).contentType(MediaType.APPLICATION_OCTET_STREAM)
        .body(new ByteArrayResource(body)).retrieve().body(String.class);

    assertThat(answer).isEqualTo("ok");
    RecordedRequest first = server.takeRequest(5, SECONDS);
    RecordedRequest again = server.takeRequest(5, SECONDS);
    assertThat(again.getTarget()).isEqualTo("/again");
    assertThat(again.getMethod()).isEqualTo("POST");
    assertThat(again.getBody().toByteArray()).isEqualTo(body);
    assertThat(first.getBodySize()).isLessThanOrEqualTo(body.length); // sent whole, or cut by the 307
  }

  @Test
  void oneShotBodyWhenRedirectedWith307FailsAsExhaustedStream() {
    server.enqueue(new MockResponse.Builder().code(307).addHeader("Location", "/again").build());
    server.enqueue(new MockResponse.Builder().body("never asked").build());
    CountingStream stream = new CountingStream(randomBytes(4096), 4L * BUFFER);

    assertThatExceptionOfType(ResourceAccessException.class)
        .isThrownBy(() -> client.post().uri(server.url("/first").uri())
            .contentType(MediaType.APPLICATION_OCTET_STREAM).body(new InputStreamResource(stream))
            .retrieve().body(String.class))
        .havingCause().isInstanceOfSatisfying(SessionException.class,
            e -> assertThat(e.code()).isEqualTo(SessionException.Code.REQUEST_BODY_STREAM_EXHAUSTED));
  }

  @Test
  void serverWhenItAnswersWithoutReadingTheBodyStopsTheWriter() throws Exception {
    server.enqueue(new MockResponse.Builder().code(413).doNotReadRequestBody()
        .addHeader("Connection", "close").body("too large").build());
    long size = 1024L * 1024 * 1024;
    CountingStream stream = new CountingStream(randomBytes(4096), size);

    // The 413 (when it arrives before the connection breaks) or the broken connection: either
    // way the 1 GiB body is not produced for nothing, and nothing waits forever.
    assertThatExceptionOfType(org.springframework.web.client.RestClientException.class)
        .isThrownBy(() -> client.post().uri(server.url("/limited").uri())
            .contentType(MediaType.APPLICATION_OCTET_STREAM).body(new InputStreamResource(stream))
            .retrieve().body(String.class))
        .satisfiesAnyOf(
            e -> assertThat(e).isInstanceOfSatisfying(HttpClientErrorException.class,
                c -> assertThat(c.getStatusCode().value()).isEqualTo(413)),
            e -> assertThat(e).isInstanceOf(ResourceAccessException.class)
                .cause().isInstanceOf(IOException.class));
    assertThat(stream.produced.get()).isLessThan(size / 4);
  }

  @Test
  void bodyWhenItFailsHalfwayFailsTheUploadInsteadOfEndingIt() throws Exception {
    byte[] start = randomBytes(3 * BUFFER);
    StreamingHttpOutputMessage.Body failing = out -> {
      out.write(start);
      throw new IOException("the application's source broke");
    };
    server.enqueue(new MockResponse.Builder().body("must not be reached").build());

    assertThatExceptionOfType(ResourceAccessException.class)
        .isThrownBy(() -> client.post().uri(server.url("/broken").uri()).body(failing).retrieve().body(String.class))
        .withMessageContaining("the application's source broke");
    // A chunked body cut short is never ended: the server did not take it as a complete request.
    RecordedRequest recorded = server.takeRequest(2, SECONDS);
    if (recorded != null) {
      assertThat(recorded.getFailure()).isNotNull();
    }
  }

  @Test
  void writerWhenTheServerNeverReadsIsReleasedByTheSessionsTimeout() throws Exception {
    Session impatient = Session.create(SessionConfiguration.ephemeral().toBuilder()
        .timeoutIntervalForRequest(Duration.ofMillis(500)).build());
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      RestClient impatientClient = RestClient.builder()
          .requestFactory(new SessionClientHttpRequestFactory(impatient, BUFFER)).build();
      CountingStream stream = new CountingStream(randomBytes(4096), 1024L * 1024 * 1024);
      Thread acceptor = new Thread(() -> {
        try (Socket accepted = silent.accept()) {
          accepted.getInputStream().read(); // reads one byte, then never again
          Thread.sleep(30_000);
        } catch (IOException | InterruptedException e) {
          // the test is over
        }
      });
      acceptor.setDaemon(true);
      acceptor.start();

      assertThatExceptionOfType(ResourceAccessException.class)
          .isThrownBy(() -> impatientClient.post().uri("http://127.0.0.1:" + silent.getLocalPort() + "/")
              .body(new InputStreamResource(stream)).retrieve().body(String.class))
          .havingCause().isInstanceOf(SocketTimeoutException.class);
      acceptor.interrupt();
    } finally {
      impatient.invalidateAndCancel();
    }
  }

  @Test
  void sessionWhenInvalidatedRefusesWithAnIOExceptionWhateverTheBody() {
    session.invalidateAndCancel();
    String url = server.url("/gone").toString();

    for (Object body : new Object[] {"small", new String(new char[4 * BUFFER]).replace('\0', 'x'),
        Map.of("big", new String(new char[4 * BUFFER]).replace('\0', 'y'))}) {
      assertThatExceptionOfType(ResourceAccessException.class)
          .as(body.getClass().getSimpleName())
          .isThrownBy(() -> client.post().uri(url).contentType(body instanceof Map
              ? MediaType.APPLICATION_JSON : MediaType.TEXT_PLAIN).body(body).retrieve().toBodilessEntity())
          .havingCause().isInstanceOf(IOException.class).withMessageContaining("refused");
    }
    assertThatExceptionOfType(ResourceAccessException.class)
        .isThrownBy(() -> client.get().uri(url).retrieve().toBodilessEntity())
        .havingCause().isInstanceOf(IOException.class)
        .havingCause().isInstanceOf(IllegalStateException.class);
  }

  @Test
  void headerWhenTheSessionCannotSendItIsRefusedWithAnIOException() {
    assertThatExceptionOfType(ResourceAccessException.class)
        .isThrownBy(() -> client.get().uri(server.url("/h").uri()).header("X-Bad", "a\u20acb")
            .retrieve().toBodilessEntity())
        .havingCause().isInstanceOf(IOException.class).withMessageContaining("X-Bad");
    assertThat(server.getRequestCount()).isZero();
  }

  @Test
  void getWhenItCarriesABodyFailsAsApplesDoesWithAnIOException() {
    assertThatExceptionOfType(ResourceAccessException.class)
        .isThrownBy(() -> client.method(org.springframework.http.HttpMethod.GET).uri(server.url("/g").uri())
            .body("a body").retrieve().toBodilessEntity())
        .havingCause().isInstanceOfSatisfying(SessionException.class,
            e -> assertThat(e.code()).isEqualTo(SessionException.Code.DATA_LENGTH_EXCEEDS_MAXIMUM));
  }

  @Test
  void nullHeaderValueWhenSetIsNotSentAtAll() throws Exception {
    server.enqueue(new MockResponse.Builder().body("ok").build());

    ResponseEntity<Void> r = client.get().uri(server.url("/n").uri())
        .httpRequest(request -> {
          request.getHeaders().add("X-Null", null);
          request.getHeaders().add("X-Mixed", null);
          request.getHeaders().add("X-Mixed", "kept");
        }).retrieve().toBodilessEntity();

    assertThat(r.getStatusCode()).isEqualTo(HttpStatus.OK);
    RecordedRequest recorded = server.takeRequest(5, SECONDS);
    assertThat(recorded.getHeaders().names()).doesNotContain("X-Null");
    assertThat(recorded.getHeaders().values("X-Mixed")).containsExactly("kept");
  }
}
