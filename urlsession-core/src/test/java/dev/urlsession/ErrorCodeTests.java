package dev.urlsession;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.urlsession.SessionException.Code;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.SocketEffect;
import mockwebserver3.junit5.StartStop;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;
import okio.Buffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Each failure becomes the right code, with the failing URL and the cause; never a raw HttpClient exception. */
@Timeout(30)
class ErrorCodeTests {
  @StartStop final MockWebServer server = new MockWebServer();
  final RecordingDelegate delegate = new RecordingDelegate();
  final Session session = Session.create(SessionConfiguration.ephemeral(), delegate, null);

  @AfterEach
  void tearDown() {
    session.invalidateAndCancel();
  }

  SessionException fail(URI url) throws Exception {
    return fail(Request.get(url));
  }

  SessionException fail(Request request) throws Exception {
    session.dataTask(request).resume();
    SessionException error = delegate.awaitCompletion();
    assertThat(error).as("the task should fail").isNotNull();
    assertThat(delegate.violations).isEmpty();
    return error;
  }

  @Test
  void unknownHostFailsWithCannotFindHost() throws Exception {
    URI url = URI.create("https://nonexistent.invalid/x");
    SessionException e = fail(url);
    assertThat(e.code()).isEqualTo(Code.CANNOT_FIND_HOST);
    assertThat(e.code().value()).isEqualTo(-1003);
    assertThat(e.failingUrl()).isEqualTo(url);
    assertThat(e.getCause()).isNotNull();
    delegate.assertEvents("didCreateTask", "didFinishCollectingMetrics", "didComplete CANNOT_FIND_HOST");
  }

  @Test
  void refusedConnectionFailsWithCannotConnectToHost() throws Exception {
    URI url = URI.create("http://127.0.0.1:" + DataTaskHttpTests.closedPort() + "/");
    SessionException e = fail(url);
    assertThat(e.code()).isEqualTo(Code.CANNOT_CONNECT_TO_HOST);
    assertThat(e.failingUrl()).isEqualTo(url);
  }

  @Test
  void connectionResetMidBodyFailsWithNetworkConnectionLost() throws Exception {
    server.enqueue(new MockResponse.Builder().body(new Buffer().write(new byte[1024 * 1024]))
        .onResponseBody(new SocketEffect.CloseSocket(true, false, false)).build());
    SessionException e = fail(server.url("/reset").uri());
    assertThat(e.code()).isEqualTo(Code.NETWORK_CONNECTION_LOST);
    assertThat(e.failingUrl()).isEqualTo(server.url("/reset").uri());
  }

  @Test
  void bodyShorterThanContentLengthFailsWithNetworkConnectionLost() throws Exception {
    try (ServerSocket raw = rawServer("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly ten b")) {
      SessionException e = fail(URI.create("http://127.0.0.1:" + raw.getLocalPort() + "/short"));
      assertThat(e.code()).isEqualTo(Code.NETWORK_CONNECTION_LOST);
    }
  }

  @Test
  void malformedStatusLineFailsWithAParseOrBadResponseCode() throws Exception {
    try (ServerSocket raw = rawServer("HTTP/1.1 abc nonsense\r\n\r\n")) {
      SessionException e = fail(URI.create("http://127.0.0.1:" + raw.getLocalPort() + "/bad"));
      assertThat(e.code()).isIn(Code.CANNOT_PARSE_RESPONSE, Code.BAD_SERVER_RESPONSE);
      assertThat(e.getCause()).isNotNull();
    }
  }

  @Test
  void emptyReplyFailsWithNetworkConnectionLost() throws Exception {
    try (ServerSocket raw = rawServer("")) {
      SessionException e = fail(URI.create("http://127.0.0.1:" + raw.getLocalPort() + "/empty"));
      assertThat(e.code()).isEqualTo(Code.NETWORK_CONNECTION_LOST);
    }
  }

  @Test
  void untrustedServerCertificateFailsWithServerCertificateUntrusted() throws Exception {
    HeldCertificate cert = new HeldCertificate.Builder().addSubjectAlternativeName("localhost")
        .addSubjectAlternativeName("127.0.0.1").build();
    server.useHttps(new HandshakeCertificates.Builder().heldCertificate(cert).build().sslSocketFactory());
    server.enqueue(new MockResponse.Builder().body("secret").build());
    SessionException e = fail(server.url("/tls").uri());
    assertThat(e.code()).isEqualTo(Code.SERVER_CERTIFICATE_UNTRUSTED);
    assertThat(e.code().value()).isEqualTo(-1202);
  }

  @Test
  void hostnameMismatchFailsWithServerCertificateUntrusted() throws Exception {
    HeldCertificate cert = new HeldCertificate.Builder().addSubjectAlternativeName("other.example").build();
    server.useHttps(new HandshakeCertificates.Builder().heldCertificate(cert).build().sslSocketFactory());
    server.enqueue(new MockResponse.Builder().body("secret").build());
    Session trusting = Session.create(SessionConfiguration.ephemeral().toBuilder()
        .sslContext(new HandshakeCertificates.Builder().addTrustedCertificate(cert.certificate()).build().sslContext())
        .build(), delegate, null);
    try {
      trusting.dataTask(server.url("/tls").uri()).resume();
      assertThat(delegate.awaitCompletion().code()).isEqualTo(Code.SERVER_CERTIFICATE_UNTRUSTED);
    } finally {
      trusting.invalidateAndCancel();
    }
  }

  @Test
  void urlWithoutHostFailsWithBadUrl() throws Exception {
    SessionException e = fail(URI.create("http:/no-host"));
    assertThat(e.code()).isEqualTo(Code.BAD_URL);
    delegate.assertEvents("didCreateTask", "didFinishCollectingMetrics", "didComplete BAD_URL");
  }

  @Test
  void portOutOfRangeFailsWithBadUrl() throws Exception {
    assertThat(fail(URI.create("http://localhost:99999/")).code()).isEqualTo(Code.BAD_URL);
  }

  @Test
  void unknownSchemeFailsWithUnsupportedUrl() throws Exception {
    SessionException e = fail(URI.create("foobar://host/path"));
    assertThat(e.code()).isEqualTo(Code.UNSUPPORTED_URL);
    assertThat(e.code().value()).isEqualTo(-1002);
  }

  @Test
  void cleartextToANonLocalHostIsRefusedByTransportSecurityBeforeAnyByteIsSent() throws Exception {
    SessionException e = fail(URI.create("http://example.com/"));
    assertThat(e.code()).isEqualTo(Code.APP_TRANSPORT_SECURITY_REQUIRES_SECURE_CONNECTION);
    assertThat(e.code().value()).isEqualTo(-1022);
  }

  @Test
  void redirectToCleartextNonLocalHostIsRefusedByTransportSecurity() throws Exception {
    server.enqueue(new MockResponse.Builder().code(302).addHeader("Location", "http://example.com/x").build());
    SessionException e = fail(server.url("/a").uri());
    assertThat(e.code()).isEqualTo(Code.APP_TRANSPORT_SECURITY_REQUIRES_SECURE_CONNECTION);
    assertThat(e.failingUrl()).isEqualTo(URI.create("http://example.com/x"));
  }

  @Test
  void getWithBodyFailsWithDataLengthExceedsMaximumAndSendsNothing() throws Exception {
    SessionException e = fail(Request.builder(server.url("/g").uri()).body(new byte[] {1}).build());
    assertThat(e.code()).isEqualTo(Code.DATA_LENGTH_EXCEEDS_MAXIMUM);
    assertThat(e.getMessage()).startsWith("resource exceeds maximum size");
    assertThat(server.getRequestCount()).isZero();
  }

  @Test
  void headerInjectionWhenTheRequestIsBuiltIsRejectedAndReservedHeadersIgnored() {
    Request.Builder b = Request.builder(server.url("/").uri());
    assertThatThrownBy(() -> b.header("X-Evil", "a\r\nInjected: yes")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.header("X Evil", "a")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.header("content-length", "5\r\n")).isInstanceOf(IllegalArgumentException.class);
    // Apple's reserved headers: ignored, the session derives its own (ReservedHeadersTests).
    assertThat(b.header("content-length", "5").header("Transfer-Encoding", "chunked").build().headers().isEmpty())
        .isTrue();
    assertThatThrownBy(() -> b.method("GET /x HTTP/1.1\r\n")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Request.builder(URI.create("/relative"))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Request.builder(server.url("/").uri()).timeoutInterval(java.time.Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("timeoutInterval");
    assertThatThrownBy(() -> session.dataTask((Request) null)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("request");
  }

  @Test
  void failuresReachFuturesAsSessionExceptionsNeverAsHttpClientExceptions() {
    CompletableFuture<DataResponse> f = session.data(Request.get(URI.create("https://nonexistent.invalid/")));
    assertThatThrownBy(() -> f.get(10, SECONDS)).isInstanceOf(ExecutionException.class)
        .cause().isExactlyInstanceOf(SessionException.class);
  }

  /** A one-connection server that reads the request head and answers {@code reply} verbatim, then closes. */
  static ServerSocket rawServer(String reply) throws Exception {
    ServerSocket ss = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
    Thread t = new Thread(() -> {
      try (Socket s = ss.accept()) {
        InputStream in = s.getInputStream();
        int state = 0;
        while (state < 4) {
          int c = in.read();
          if (c < 0) {
            break;
          }
          state = (c == '\r' && (state == 0 || state == 2)) || (c == '\n' && (state == 1 || state == 3)) ? state + 1 : 0;
        }
        OutputStream out = s.getOutputStream();
        out.write(reply.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
      } catch (Exception ignored) {
        // the test fails on the client side if the server could not answer
      }
    }, "raw-server");
    t.setDaemon(true);
    t.start();
    return ss;
  }
}
