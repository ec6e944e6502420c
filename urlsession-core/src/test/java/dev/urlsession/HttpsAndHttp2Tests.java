package dev.urlsession;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SSLContext;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import okhttp3.Protocol;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** HTTPS with a certificate the session is told to trust, and HTTP/2 negotiated by ALPN. */
@Timeout(30)
class HttpsAndHttp2Tests {
  static final HeldCertificate CERT = new HeldCertificate.Builder()
      .addSubjectAlternativeName("localhost").addSubjectAlternativeName("127.0.0.1").build();

  @StartStop final MockWebServer server = new MockWebServer();
  final RecordingDelegate delegate = new RecordingDelegate();

  static SSLContext trusting() {
    return new HandshakeCertificates.Builder().addTrustedCertificate(CERT.certificate()).build().sslContext();
  }

  @BeforeEach
  void https() {
    server.useHttps(new HandshakeCertificates.Builder().heldCertificate(CERT).build().sslSocketFactory());
  }

  Session session(HttpVersionPolicy policy) {
    return Session.create(SessionConfiguration.ephemeral().toBuilder().sslContext(trusting())
        .httpVersionPolicy(policy).build(), delegate, null);
  }

  @Test
  void httpsWhenServerOffersH2NegotiatesItByAlpn() throws Exception {
    server.setProtocols(List.of(Protocol.HTTP_2, Protocol.HTTP_1_1));
    server.enqueue(new MockResponse.Builder().body("over h2").build());
    try (Session session = session(HttpVersionPolicy.NEGOTIATE)) {
      DataTask task = session.dataTask(server.url("/h2").uri());
      task.resume();
      assertThat(delegate.awaitCompletion()).isNull();
      assertThat(delegate.body.toString(StandardCharsets.UTF_8)).isEqualTo("over h2");
      assertThat(delegate.metrics.transactionMetrics().get(0).networkProtocolName()).isEqualTo("h2");
      assertThat(server.takeRequest(5, SECONDS).getVersion()).isEqualTo("HTTP/2");
      delegate.assertEvents("didCreateTask", "didReceiveResponse 200", "didReceiveData",
          "didFinishCollectingMetrics", "didComplete null");
    }
  }

  @Test
  void responseWhenOverH2HasNoReasonPhrase() throws Exception {
    server.setProtocols(List.of(Protocol.HTTP_2, Protocol.HTTP_1_1));
    server.enqueue(new MockResponse.Builder().status("HTTP/1.1 500 Custom Words").build());
    try (Session session = session(HttpVersionPolicy.NEGOTIATE)) {
      DataResponse r = session.data(Request.get(server.url("/h2").uri())).get(10, SECONDS);
      assertThat(r.response().statusCode()).isEqualTo(500);
      assertThat(r.response().reasonPhrase()).isNull();
      assertThat(server.takeRequest(5, SECONDS).getVersion()).isEqualTo("HTTP/2");
    }
  }

  @Test
  void httpsWhenPolicyIsHttp11UsesHttp11EvenIfServerOffersH2() throws Exception {
    server.setProtocols(List.of(Protocol.HTTP_2, Protocol.HTTP_1_1));
    server.enqueue(new MockResponse.Builder().body("over 1.1").build());
    try (Session session = session(HttpVersionPolicy.HTTP_1_1)) {
      session.dataTask(server.url("/h1").uri()).resume();
      assertThat(delegate.awaitCompletion()).isNull();
      assertThat(delegate.metrics.transactionMetrics().get(0).networkProtocolName()).isEqualTo("http/1.1");
    }
  }

  @Test
  void http2CarriesManyConcurrentTasksAndRedirects() throws Exception {
    server.setProtocols(List.of(Protocol.HTTP_2, Protocol.HTTP_1_1));
    server.enqueue(new MockResponse.Builder().code(302).addHeader("Location", "/after").build());
    for (int i = 0; i < 20; i++) {
      server.enqueue(new MockResponse.Builder().body("r" + i).build());
    }
    try (Session session = session(HttpVersionPolicy.NEGOTIATE)) {
      List<CompletableFuture<DataResponse>> futures = new ArrayList<>();
      futures.add(session.data(Request.get(server.url("/before").uri())));
      for (int i = 0; i < 19; i++) {
        futures.add(session.data(Request.get(server.url("/n" + i).uri())));
      }
      for (CompletableFuture<DataResponse> f : futures) {
        assertThat(f.get(10, SECONDS).response().statusCode()).isEqualTo(200);
      }
      assertThat(server.getRequestCount()).isEqualTo(21);
    }
  }

  @Test
  void secondRequestReusesTheConnectionAndSaysSoInMetrics() throws Exception {
    server.enqueue(new MockResponse.Builder().body("1").build());
    server.enqueue(new MockResponse.Builder().body("2").build());
    try (Session session = session(HttpVersionPolicy.NEGOTIATE)) {
      session.dataTask(server.url("/1").uri()).resume();
      delegate.awaitCompletion();
      TransactionMetrics first = delegate.metrics.transactionMetrics().get(0);
      // The connection goes back to the pool just after the completion is handed over.
      org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5))
          .until(() -> ((RealSession) session).leasedConnections() == 0);
      RecordingDelegate second = new RecordingDelegate();
      DataTask t2 = session.dataTask(server.url("/2").uri());
      t2.delegate(second);
      t2.resume();
      second.awaitCompletion();
      TransactionMetrics reused = second.metrics.transactionMetrics().get(0);
      assertThat(first.reusedConnection()).isFalse();
      assertThat(first.connectStartDate()).isNotNull();
      assertThat(first.connectEndDate()).isAfterOrEqualTo(first.connectStartDate());
      // The TLS handshake of the new connection, within its connect dates (Apple's order).
      assertThat(first.secureConnectionStartDate()).isAfterOrEqualTo(first.connectStartDate());
      assertThat(first.secureConnectionEndDate()).isAfterOrEqualTo(first.secureConnectionStartDate());
      assertThat(first.connectEndDate()).isAfterOrEqualTo(first.secureConnectionEndDate());
      assertThat(reused.reusedConnection()).isTrue();
      assertThat(reused.connectStartDate()).isNull();
      assertThat(reused.secureConnectionStartDate()).isNull();
      assertThat(reused.secureConnectionEndDate()).isNull();
      assertThat(reused.fetchStartDate()).isNotNull();
      assertThat(reused.requestStartDate()).isAfterOrEqualTo(reused.fetchStartDate());
      assertThat(reused.responseStartDate()).isAfterOrEqualTo(reused.requestStartDate());
      assertThat(reused.responseEndDate()).isAfterOrEqualTo(reused.responseStartDate());
      assertThat(reused.proxyConnection()).isFalse();
      assertThat(server.takeRequest(5, SECONDS).getConnectionIndex()).isZero();
      assertThat(server.takeRequest(5, SECONDS).getConnectionIndex()).isZero();
    }
  }
}
