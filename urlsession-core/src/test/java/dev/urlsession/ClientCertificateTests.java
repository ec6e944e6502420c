package dev.urlsession;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.urlsession.SessionException.Code;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Mutual TLS with a client identity from the configuration's SSL context. */
@Timeout(30)
class ClientCertificateTests {
  static final HeldCertificate CLIENT_CA = new HeldCertificate.Builder().certificateAuthority(0).build();
  static final HeldCertificate CLIENT = new HeldCertificate.Builder().signedBy(CLIENT_CA)
      .commonName("client-7").build();

  @StartStop final MockWebServer server = new MockWebServer();
  final RecordingDelegate delegate = new RecordingDelegate();

  @BeforeEach
  void mtlsServer() {
    server.useHttps(new HandshakeCertificates.Builder().heldCertificate(HttpsAndHttp2Tests.CERT)
        .addTrustedCertificate(CLIENT_CA.certificate()).build().sslSocketFactory());
    server.requireClientAuth();
  }

  @Test
  void clientIdentityFromTheSslContextIsPresented() throws Exception {
    server.enqueue(new MockResponse.Builder().body("hello client").build());
    HandshakeCertificates client = new HandshakeCertificates.Builder()
        .addTrustedCertificate(HttpsAndHttp2Tests.CERT.certificate())
        .heldCertificate(CLIENT, CLIENT_CA.certificate()).build();
    try (Session s = Session.create(SessionConfiguration.ephemeral().toBuilder()
        .sslContext(client.sslContext()).build(), delegate, null)) {
      DataResponse r = s.data(Request.get(server.url("/m").uri())).get(10, SECONDS);
      assertThat(new String(r.body())).isEqualTo("hello client");
      RecordedRequest recorded = server.takeRequest(5, SECONDS);
      assertThat(recorded.getHandshake().peerCertificates()).isNotEmpty();
    }
  }

  @Test
  void withoutAClientIdentityOverTls12TheHandshakeFailsWithATlsCode() throws Exception {
    server.enqueue(new MockResponse.Builder().body("never").build());
    try (Session s = Session.create(SessionConfiguration.ephemeral().toBuilder()
        .sslContext(HttpsAndHttp2Tests.trusting()).tlsMaximumSupportedProtocolVersion(TlsVersion.TLS_1_2)
        .build(), delegate, null)) {
      s.dataTask(server.url("/m").uri()).resume();
      SessionException e = delegate.awaitCompletion();
      assertThat(e.code()).isIn(Code.CLIENT_CERTIFICATE_REJECTED, Code.SECURE_CONNECTION_FAILED);
      assertThat(server.getRequestCount()).isZero();
    }
  }

  @Test
  void withoutAClientIdentityOverTls13TheServerClosesTheConnection() throws Exception {
    // TLS 1.3 rejects the missing certificate after the client's Finished message.
    server.enqueue(new MockResponse.Builder().body("never").build());
    try (Session s = Session.create(SessionConfiguration.ephemeral().toBuilder()
        .sslContext(HttpsAndHttp2Tests.trusting()).build(), delegate, null)) {
      s.dataTask(server.url("/m").uri()).resume();
      // Whether the alert or only the close reaches the client first depends on timing.
      assertThat(delegate.awaitCompletion().code()).isIn(Code.NETWORK_CONNECTION_LOST,
          Code.CLIENT_CERTIFICATE_REJECTED, Code.SECURE_CONNECTION_FAILED);
      assertThat(server.getRequestCount()).isZero();
    }
  }
}
