package dev.urlsession;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.urlsession.SessionException.Code;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import okhttp3.tls.HandshakeCertificates;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Minimum TLS versions from the transport security policy, per domain. */
@Timeout(30)
class TransportSecurityTlsTests {
  @StartStop final MockWebServer server = new MockWebServer();
  final RecordingDelegate delegate = new RecordingDelegate();

  @BeforeEach
  void tls12OnlyServer() {
    SSLSocketFactory factory = new HandshakeCertificates.Builder().heldCertificate(HttpsAndHttp2Tests.CERT)
        .build().sslSocketFactory();
    server.useHttps(new OnlyTls12(factory));
    server.enqueue(new MockResponse.Builder().body("tls").build());
  }

  Session session(TransportSecurityPolicy policy) {
    return Session.create(SessionConfiguration.ephemeral().toBuilder().sslContext(HttpsAndHttp2Tests.trusting())
        .transportSecurity(policy).build(), delegate, null);
  }

  @Test
  void serverOfferingOnlyTls12IsFineByDefault() throws Exception {
    try (Session s = session(TransportSecurityPolicy.defaultPolicy())) {
      assertThat(s.data(Request.get(server.url("/").uri())).get(10, SECONDS).response().statusCode()).isEqualTo(200);
    }
  }

  @Test
  void domainRequiringTls13RefusesATls12Server() throws Exception {
    String host = server.url("/").uri().getHost();
    TransportSecurityPolicy policy = TransportSecurityPolicy.builder()
        .minimumTlsVersion(host, false, TlsVersion.TLS_1_3).build();
    assertThat(policy.minimumTlsVersion(host)).isEqualTo(TlsVersion.TLS_1_3);
    assertThat(policy.minimumTlsVersion("other.example")).isEqualTo(TlsVersion.TLS_1_2);
    try (Session s = session(policy)) {
      s.dataTask(server.url("/").uri()).resume();
      assertThat(delegate.awaitCompletion().code()).isEqualTo(Code.SECURE_CONNECTION_FAILED);
    }
  }

  @Test
  void generalMinimumOfTls13AppliesToEveryHost() throws Exception {
    try (Session s = session(TransportSecurityPolicy.builder().minimumTlsVersion(TlsVersion.TLS_1_3).build())) {
      s.dataTask(server.url("/").uri()).resume();
      assertThat(delegate.awaitCompletion().code()).isEqualTo(Code.SECURE_CONNECTION_FAILED);
    }
  }

  /** Server sockets that speak TLS 1.2 only. */
  static final class OnlyTls12 extends SSLSocketFactory {
    private final SSLSocketFactory delegate;

    OnlyTls12(SSLSocketFactory delegate) {
      this.delegate = delegate;
    }

    private Socket limit(Socket s) {
      ((SSLSocket) s).setEnabledProtocols(new String[] {"TLSv1.2"});
      return s;
    }

    @Override
    public String[] getDefaultCipherSuites() {
      return delegate.getDefaultCipherSuites();
    }

    @Override
    public String[] getSupportedCipherSuites() {
      return delegate.getSupportedCipherSuites();
    }

    @Override
    public Socket createSocket(Socket s, String host, int port, boolean autoClose) throws IOException {
      return limit(delegate.createSocket(s, host, port, autoClose));
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
      return limit(delegate.createSocket(host, port));
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
      return limit(delegate.createSocket(host, port, localHost, localPort));
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
      return limit(delegate.createSocket(host, port));
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
        throws IOException {
      return limit(delegate.createSocket(address, port, localAddress, localPort));
    }
  }
}
