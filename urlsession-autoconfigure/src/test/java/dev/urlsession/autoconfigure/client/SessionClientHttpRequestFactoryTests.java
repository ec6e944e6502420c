package dev.urlsession.autoconfigure.client;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.urlsession.Session;
import dev.urlsession.SessionConfiguration;
import dev.urlsession.SessionException;
import dev.urlsession.SessionTask;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;
import mockwebserver3.junit5.StartStop;
import okio.Buffer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.client.ClientHttpRequest;
import org.springframework.http.client.ClientHttpResponse;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.client.HttpClientErrorException;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestTemplate;
import org.springframework.web.client.support.RestClientAdapter;
import org.springframework.web.service.annotation.GetExchange;
import org.springframework.web.service.annotation.PostExchange;
import org.springframework.web.service.invoker.HttpServiceProxyFactory;

/** RestClient, RestTemplate and HTTP interface clients running on a session. */
@Timeout(60)
class SessionClientHttpRequestFactoryTests {
  private static final int MIB = 1024 * 1024;

  @StartStop final MockWebServer server = new MockWebServer();

  private final Session session = Session.create(SessionConfiguration.ephemeral().toBuilder()
      .httpAdditionalHeaders(java.util.Map.of("User-Agent", "factory-tests")).build());
  private final SessionClientHttpRequestFactory factory = new SessionClientHttpRequestFactory(session);
  private final RestClient client = RestClient.builder().requestFactory(factory).build();

  @AfterEach
  void invalidate() {
    session.invalidateAndCancel();
  }

  @Test
  void restClientGetReadsStatusHeadersAndBody() throws Exception {
    server.enqueue(new MockResponse.Builder().addHeader("Content-Type", "text/plain; charset=utf-8")
        .addHeader("X-Answer", "42").body("hello").build());
    var entity = client.get().uri(server.url("/greeting").uri()).header("X-Trace", "t1")
        .retrieve().toEntity(String.class);
    assertThat(entity.getStatusCode()).isEqualTo(HttpStatus.OK);
    assertThat(entity.getHeaders().getFirst("X-Answer")).isEqualTo("42");
    assertThat(entity.getHeaders().getContentType()).isEqualTo(MediaType.parseMediaType("text/plain; charset=utf-8"));
    assertThat(entity.getBody()).isEqualTo("hello");
    RecordedRequest recorded = server.takeRequest(5, SECONDS);
    assertThat(recorded.getMethod()).isEqualTo("GET");
    assertThat(recorded.getHeaders().get("X-Trace")).isEqualTo("t1");
    assertThat(recorded.getHeaders().get("User-Agent")).isEqualTo("factory-tests");
  }

  @Test
  void ownConditionalRequestSeesTheServers304EvenWhenTheResponseIsCached() throws Exception {
    server.enqueue(new MockResponse.Builder().addHeader("ETag", "\"v1\"").addHeader("Cache-Control", "max-age=600")
        .body("version one").build());
    server.enqueue(new MockResponse.Builder().code(304).addHeader("ETag", "\"v1\"").build());
    URI url = server.url("/doc").uri();
    assertThat(client.get().uri(url).retrieve().body(String.class)).isEqualTo("version one");
    // The session's cache holds the fresh response: an ordinary GET would be answered from it.
    Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
        .until(() -> session.configuration().httpCache().cachedResponse(dev.urlsession.Request.get(url)) != null);

    var entity = client.get().uri(url).header("If-None-Match", "\"v1\"").retrieve().toBodilessEntity();

    assertThat(entity.getStatusCode()).isEqualTo(HttpStatus.NOT_MODIFIED);
    assertThat(server.getRequestCount()).isEqualTo(2);
    server.takeRequest(5, SECONDS);
    assertThat(server.takeRequest(5, SECONDS).getHeaders().get("If-None-Match")).isEqualTo("\"v1\"");
  }

  @Test
  void restClientPostSendsBodyAndHeadersWithoutRepeatingFramingHeaders() throws Exception {
    server.enqueue(new MockResponse.Builder().code(201).body("created").build());
    String answer = client.post().uri(server.url("/items").uri()).contentType(MediaType.TEXT_PLAIN)
        .body("an item").retrieve().body(String.class);
    assertThat(answer).isEqualTo("created");
    RecordedRequest recorded = server.takeRequest(5, SECONDS);
    assertThat(recorded.getMethod()).isEqualTo("POST");
    assertThat(recorded.getBody().utf8()).isEqualTo("an item");
    assertThat(recorded.getHeaders().values("Content-Length")).containsExactly("7");
    assertThat(recorded.getHeaders().get("Content-Type")).startsWith("text/plain");
  }

  @Test
  void restClientWhenServerAnswers404ThrowsHttpClientErrorExceptionWithTheReasonPhraseSent() {
    server.enqueue(new MockResponse.Builder().code(404).body("no such thing").build());
    assertThatExceptionOfType(HttpClientErrorException.NotFound.class)
        .isThrownBy(() -> client.get().uri(server.url("/missing").uri()).retrieve().body(String.class))
        .satisfies(e -> {
          assertThat(e.getStatusText()).isEqualTo("Client Error"); // the reason phrase MockWebServer sends
          assertThat(e.getResponseBodyAsString()).isEqualTo("no such thing");
        });
  }

  @Test
  void statusTextWhenOverH2WhichHasNoReasonPhraseIsTheStandardPhrase() throws Exception {
    okhttp3.tls.HeldCertificate certificate = new okhttp3.tls.HeldCertificate.Builder()
        .addSubjectAlternativeName("localhost").build();
    try (MockWebServer h2 = new MockWebServer()) {
      h2.useHttps(new okhttp3.tls.HandshakeCertificates.Builder().heldCertificate(certificate).build()
          .sslSocketFactory());
      h2.setProtocols(java.util.List.of(okhttp3.Protocol.HTTP_2, okhttp3.Protocol.HTTP_1_1));
      h2.start();
      h2.enqueue(new MockResponse.Builder().status("HTTP/1.1 500 Words Only HTTP/1.1 Carries").build());
      Session tls = Session.create(SessionConfiguration.ephemeral().toBuilder()
          .sslContext(new okhttp3.tls.HandshakeCertificates.Builder()
              .addTrustedCertificate(certificate.certificate()).build().sslContext()).build());
      try (ClientHttpResponse response = new SessionClientHttpRequestFactory(tls)
          .createRequest(h2.url("/h2").uri(), HttpMethod.GET).execute()) {
        assertThat(h2.takeRequest(5, SECONDS).getVersion()).isEqualTo("HTTP/2");
        assertThat(response.getStatusCode().value()).isEqualTo(500);
        assertThat(response.getStatusText()).isEqualTo("Internal Server Error");
      } finally {
        tls.invalidateAndCancel();
      }
    }
  }

  @Test
  void httpInterfaceClientRunsOnTheSession() throws Exception {
    server.enqueue(new MockResponse.Builder().body("hello, ada").build());
    server.enqueue(new MockResponse.Builder().body("saved").build());
    Greetings greetings = HttpServiceProxyFactory
        .builderFor(RestClientAdapter.create(RestClient.builder().requestFactory(factory)
            .baseUrl(server.url("/").toString()).build()))
        .build().createClient(Greetings.class);
    assertThat(greetings.greet("ada")).isEqualTo("hello, ada");
    assertThat(greetings.save("text")).isEqualTo("saved");
    assertThat(server.takeRequest(5, SECONDS).getTarget()).isEqualTo("/greetings/ada");
    assertThat(server.takeRequest(5, SECONDS).getBody().utf8()).isEqualTo("text");
  }

  @Test
  void restTemplateRunsOnTheSession() {
    server.enqueue(new MockResponse.Builder().body("from a template").build());
    RestTemplate template = new RestTemplate(factory);
    assertThat(template.getForObject(server.url("/t").uri(), String.class)).isEqualTo("from a template");
  }

  @Test
  void redirectsAreFollowedByTheSession() throws Exception {
    server.enqueue(new MockResponse.Builder().code(302).addHeader("Location", "/new").build());
    server.enqueue(new MockResponse.Builder().body("moved here").build());
    assertThat(client.get().uri(server.url("/old").uri()).retrieve().body(String.class)).isEqualTo("moved here");
  }

  @Test
  void largeBodyIsStreamedAndTheTaskSuspendedWhileTheReaderLagsBehind() throws Exception {
    byte[] body = randomBytes(20 * MIB);
    server.enqueue(new MockResponse.Builder().body(new Buffer().write(body)).build());
    ClientHttpRequest request = factory.createRequest(server.url("/big").uri(), HttpMethod.GET);
    try (ClientHttpResponse response = request.execute()) {
      assertThat(response.getHeaders().getContentLength()).isEqualTo(body.length);
      ResponseBodyStream stream = (ResponseBodyStream) response.getBody();
      // The reader does not read: the buffer fills up, the task is suspended, memory stays bounded.
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> stream.suspensions() > 0);
      SessionTask task = session.allTasks().get(5, SECONDS).get(0);
      Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> task.state() == SessionTask.State.SUSPENDED);
      long received = task.countOfBytesReceived();
      assertThat(received).isLessThan(body.length / 2);
      // The socket is not read while suspended: the count stays put.
      Awaitility.await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2))
          .until(() -> task.countOfBytesReceived() == received);
      assertThat(stream.highWaterMark())
          .isLessThanOrEqualTo(SessionClientHttpRequestFactory.DEFAULT_BUFFER_SIZE + 2L * MIB);
      assertThat(digest(stream)).isEqualTo(digest(body));
      assertThat(stream.suspensions()).isGreaterThan(1);
      // While the reader reads, a resume it started may still be under way on its own thread when
      // the buffer fills again: the delegate queue then waits for it and suspends the task itself,
      // so the bound holds however late a loaded machine schedules the reader's thread.
      assertThat(stream.highWaterMark())
          .isLessThanOrEqualTo(SessionClientHttpRequestFactory.DEFAULT_BUFFER_SIZE + 2L * MIB);
      assertThat(task.completion().get(5, SECONDS).error()).isNull();
    }
  }

  @Test
  void largeBodyThroughRestClientIsReadAsAStream() {
    byte[] body = randomBytes(20 * MIB);
    server.enqueue(new MockResponse.Builder().body(new Buffer().write(body)).build());
    byte[] read = client.get().uri(server.url("/big").uri())
        .exchange((request, response) -> digest(response.getBody()));
    assertThat(read).isEqualTo(digest(body));
  }

  @Test
  void closingTheResponseBeforeTheEndOfTheBodyCancelsTheTask() throws Exception {
    server.enqueue(new MockResponse.Builder().body(new Buffer().write(new byte[8 * MIB])).build());
    ClientHttpResponse response = factory.createRequest(server.url("/big").uri(), HttpMethod.GET).execute();
    InputStream in = response.getBody();
    assertThat(in.read()).isZero();
    SessionTask task = session.allTasks().get(5, SECONDS).get(0);
    response.close();
    assertThat(task.completion().get(5, SECONDS).error().code()).isEqualTo(SessionException.Code.CANCELLED);
    assertThatThrownBy(in::read).isInstanceOf(IOException.class).hasMessage("The response body is closed");
    response.close(); // idempotent
  }

  @Test
  void gzipBodyIsDecodedAndItsEncodingHeadersRemoved() throws Exception {
    byte[] gzipped = gzip("decoded text");
    server.enqueue(new MockResponse.Builder().addHeader("Content-Encoding", "gzip")
        .body(new Buffer().write(gzipped)).build());
    var entity = client.get().uri(server.url("/z").uri()).retrieve().toEntity(String.class);
    assertThat(entity.getBody()).isEqualTo("decoded text");
    assertThat(entity.getHeaders().containsHeader(HttpHeaders.CONTENT_ENCODING)).isFalse();
    assertThat(entity.getHeaders().getContentLength()).isEqualTo(-1);
  }

  @Test
  void brotliBodyIsDecodedAndItsEncodingHeadersRemoved() throws Exception {
    byte[] brotli;
    try (InputStream in = getClass().getResourceAsStream("/encoded/text.br")) {
      assertThat(in).as("core's test fixture encoded/text.br").isNotNull();
      brotli = in.readAllBytes();
    }
    server.enqueue(new MockResponse.Builder().addHeader("Content-Encoding", "br")
        .body(new Buffer().write(brotli)).build());
    var entity = client.get().uri(server.url("/br").uri()).retrieve().toEntity(String.class);
    // The text core's README for the fixture describes: 5,000 numbered lines.
    assertThat(entity.getBody()).startsWith("line 0: the quick brown fox jumps over the lazy dog\n")
        .endsWith("line 4999: the quick brown fox jumps over the lazy dog\n").hasSize(273_890);
    assertThat(entity.getHeaders().containsHeader(HttpHeaders.CONTENT_ENCODING)).isFalse();
    assertThat(entity.getHeaders().getContentLength()).isEqualTo(-1);
    assertThat(server.takeRequest(5, SECONDS).getHeaders().get("Accept-Encoding")).contains("br");
  }

  @Test
  void requestThatSetsAcceptEncodingGetsTheEncodedBytes() throws Exception {
    byte[] gzipped = gzip("raw");
    server.enqueue(new MockResponse.Builder().addHeader("Content-Encoding", "gzip")
        .body(new Buffer().write(gzipped)).build());
    var entity = client.get().uri(server.url("/z").uri()).header("Accept-Encoding", "gzip")
        .retrieve().toEntity(byte[].class);
    assertThat(entity.getBody()).isEqualTo(gzipped);
    assertThat(entity.getHeaders().getFirst(HttpHeaders.CONTENT_ENCODING)).isEqualTo("gzip");
  }

  @Test
  void sessionThatSetsAcceptEncodingGetsTheEncodedBytes() throws Exception {
    byte[] gzipped = gzip("raw");
    server.enqueue(new MockResponse.Builder().addHeader("Content-Encoding", "gzip")
        .body(new Buffer().write(gzipped)).build());
    Session asking = Session.create(SessionConfiguration.ephemeral().toBuilder()
        .httpAdditionalHeaders(java.util.Map.of("accept-encoding", "gzip")).build());
    try {
      var entity = RestClient.builder().requestFactory(new SessionClientHttpRequestFactory(asking)).build()
          .get().uri(server.url("/z").uri()).retrieve().toEntity(byte[].class);
      assertThat(entity.getBody()).isEqualTo(gzipped);
      assertThat(entity.getHeaders().getFirst(HttpHeaders.CONTENT_ENCODING)).isEqualTo("gzip");
    } finally {
      asking.invalidateAndCancel();
    }
  }

  @Test
  void connectionRefusedIsAConnectExceptionCausedByTheSessionException() throws IOException {
    URI refused;
    try (ServerSocket socket = new ServerSocket(0)) {
      refused = URI.create("http://127.0.0.1:" + socket.getLocalPort() + "/");
    }
    assertThatExceptionOfType(ResourceAccessException.class)
        .isThrownBy(() -> client.get().uri(refused).retrieve().body(String.class))
        .havingCause().isInstanceOf(ConnectException.class)
        .havingCause().isInstanceOfSatisfying(SessionException.class,
            e -> assertThat(e.code()).isEqualTo(SessionException.Code.CANNOT_CONNECT_TO_HOST));
  }

  @Test
  void idleTimeoutIsASocketTimeoutException() throws IOException {
    Session impatient = Session.create(SessionConfiguration.ephemeral().toBuilder()
        .timeoutIntervalForRequest(Duration.ofMillis(300)).build());
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      RestClient impatientClient = RestClient.builder()
          .requestFactory(new SessionClientHttpRequestFactory(impatient)).build();
      assertThatExceptionOfType(ResourceAccessException.class)
          .isThrownBy(() -> impatientClient.get().uri("http://127.0.0.1:" + silent.getLocalPort() + "/")
              .retrieve().body(String.class))
          .havingCause().isInstanceOf(SocketTimeoutException.class)
          .havingCause().isInstanceOfSatisfying(SessionException.class,
              e -> assertThat(e.code()).isEqualTo(SessionException.Code.TIMED_OUT));
    } finally {
      impatient.invalidateAndCancel();
    }
  }

  @Test
  void connectionLostInTheMiddleOfTheBodyFailsTheRead() throws Exception {
    server.enqueue(new MockResponse.Builder().body(new Buffer().write(new byte[4 * MIB]))
        .onResponseBody(new SocketEffect.CloseSocket(true, false, false)).build());
    ClientHttpResponse response = factory.createRequest(server.url("/cut").uri(), HttpMethod.GET).execute();
    assertThatThrownBy(() -> digest(response.getBody())).isInstanceOf(IOException.class);
    response.close();
  }

  @Test
  void factoryRejectsABufferSizeThatIsNotPositive() {
    assertThatIllegalArgumentException().isThrownBy(() -> new SessionClientHttpRequestFactory(session, 0));
    assertThat(factory.session()).isSameAs(session);
  }

  interface Greetings {
    @GetExchange("/greetings/{name}")
    String greet(@PathVariable String name);

    @PostExchange("/greetings")
    String save(@RequestBody String text);
  }

  private static byte[] randomBytes(int n) {
    byte[] bytes = new byte[n];
    new Random(7).nextBytes(bytes);
    return bytes;
  }

  private static byte[] gzip(String text) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
    return out.toByteArray();
  }

  private static byte[] digest(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] digest(InputStream in) throws IOException {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      byte[] buffer = new byte[8192];
      for (int n; (n = in.read(buffer)) >= 0; ) {
        sha.update(buffer, 0, n);
      }
      return sha.digest();
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
