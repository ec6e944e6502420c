package dev.urlsession;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Duration;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import okhttp3.tls.HandshakeCertificates;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code wss:} with the session's TLS (its SSL context, or the platform's trust with the
 * SERVER_TRUST challenge before the handshake request is sent), the transport security policy
 * for {@code ws:}, and the session's HTTP proxy through {@code CONNECT}.
 */
@Timeout(30)
class WebSocketSecurityTests {
  @StartStop final MockWebServer server = new MockWebServer();
  Session session;
  TestHttpProxy proxy;

  @AfterEach
  void tearDown() throws Exception {
    if (session != null) {
      session.invalidateAndCancel();
    }
    if (proxy != null) {
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> proxy.openConnections() == 0);
      proxy.close();
    }
  }

  void https() {
    server.useHttps(new HandshakeCertificates.Builder().heldCertificate(HttpsAndHttp2Tests.CERT).build()
        .sslSocketFactory());
  }

  URI wss(String path) {
    return URI.create("wss://" + server.getHostName() + ":" + server.getPort() + path);
  }

  URI ws(String path) {
    return URI.create("ws://" + server.getHostName() + ":" + server.getPort() + path);
  }

  WebSocketTask echo(Session s, URI url) throws Exception {
    WebSocketTask task = s.webSocketTask(url);
    task.resume();
    task.send(WebSocketMessage.text("secure"));
    assertThat(task.receive().get(10, SECONDS)).isEqualTo(WebSocketMessage.text("secure"));
    task.cancel(CloseCode.NORMAL_CLOSURE, null);
    assertThat(task.completion().get(10, SECONDS).error()).isNull();
    return task;
  }

  @Test
  void wssWhenTheSessionsSslContextTrustsTheServerThenMessagesFlow() throws Exception {
    https();
    server.enqueue(new MockResponse.Builder().webSocketUpgrade(new WebSocketTaskTests.Echo()).build());
    session = Session.create(SessionConfiguration.ephemeral().toBuilder().sslContext(HttpsAndHttp2Tests.trusting())
        .build());
    echo(session, wss("/tls"));
    assertThat(server.takeRequest().getHandshake()).isNotNull();
  }

  @Test
  void wssWhenTheDelegatePinsAnUntrustedCertificateThenChallengeComesBeforeTheOpen() throws Exception {
    https();
    server.enqueue(new MockResponse.Builder().webSocketUpgrade(new WebSocketTaskTests.Echo()).build());
    RecordingWebSocketDelegate delegate = new RecordingWebSocketDelegate() {
      @Override
      public void didReceiveChallenge(Session s, AuthenticationChallenge c, ChallengeHandler h) {
        recordEvent(null, "didReceiveChallenge " + c.protectionSpace().authenticationMethod());
        ServerTrust trust = c.protectionSpace().serverTrust();
        h.useCredential(trust.certificateChain().get(0).equals(HttpsAndHttp2Tests.CERT.certificate())
            ? Credential.forTrust(trust) : null);
      }
    };
    session = Session.create(SessionConfiguration.ephemeral(), delegate, null);
    echo(session, wss("/pinned"));
    assertThat(delegate.awaitCompletion()).isNull();
    delegate.assertEvents("didCreateTask", "didReceiveChallenge SERVER_TRUST", "didOpenWithProtocol null",
        "didCloseWith NORMAL_CLOSURE null", "didFinishCollectingMetrics", "didComplete null");
  }

  @Test
  void wssWhenNobodyTrustsTheServerThenUntrustedAndNoHandshakeRequestIsSent() throws Exception {
    https();
    RecordingWebSocketDelegate delegate = new RecordingWebSocketDelegate();
    session = Session.create(SessionConfiguration.ephemeral(), delegate, null);
    WebSocketTask task = session.webSocketTask(wss("/untrusted"));
    task.resume();
    assertThat(delegate.awaitCompletion().code()).isEqualTo(SessionException.Code.SERVER_CERTIFICATE_UNTRUSTED);
    delegate.assertEvents("didCreateTask", "didFinishCollectingMetrics", "didComplete SERVER_CERTIFICATE_UNTRUSTED");
    assertThat(server.getRequestCount()).isZero();
    assertThat(task.response()).isNull();
  }

  @Test
  void cleartextWhenThePolicyRefusesTheHostThenFailsBeforeConnecting() throws Exception {
    RecordingWebSocketDelegate delegate = new RecordingWebSocketDelegate();
    session = Session.create(SessionConfiguration.ephemeral().toBuilder()
        .transportSecurity(TransportSecurityPolicy.builder().allowsLocalNetworking(false).build()).build(), delegate, null);
    session.webSocketTask(ws("/cleartext")).resume();
    assertThat(delegate.awaitCompletion().code())
        .isEqualTo(SessionException.Code.APP_TRANSPORT_SECURITY_REQUIRES_SECURE_CONNECTION);
    assertThat(server.getRequestCount()).isZero();
  }

  @Test
  void wsWhenTheSessionHasAnHttpProxyThenTunnelsThroughConnect() throws Exception {
    proxy = new TestHttpProxy();
    server.enqueue(new MockResponse.Builder().webSocketUpgrade(new WebSocketTaskTests.Echo()).build());
    RecordingWebSocketDelegate delegate = new RecordingWebSocketDelegate();
    session = Session.create(SessionConfiguration.ephemeral().toBuilder()
        .proxy(ProxyConfiguration.http("127.0.0.1", proxy.port())).build(), delegate, null);
    echo(session, ws("/proxied"));
    // One CONNECT (one more if Jetty lost the tunnel to a race of its own, see WebSocketEngine.lostTunnelRace).
    assertThat(proxy.requests()).extracting(TestHttpProxy.Seen::method).containsOnly("CONNECT");
    assertThat(proxy.requests()).extracting(TestHttpProxy.Seen::target)
        .containsOnly(server.getHostName() + ":" + server.getPort());
    assertThat(delegate.awaitCompletion()).isNull();
    assertThat(delegate.metrics.transactionMetrics()).hasSize(1);
    assertThat(delegate.metrics.transactionMetrics().get(0).proxyConnection()).isTrue();
  }

  @Test
  void wssWhenTheProxyWantsCredentialsThenTheConfiguredOnesAnswerAndNeverReachTheOrigin() throws Exception {
    https();
    proxy = new TestHttpProxy().requireCredentials("proxyuser", "proxypass");
    server.enqueue(new MockResponse.Builder().webSocketUpgrade(new WebSocketTaskTests.Echo()).build());
    session = Session.create(SessionConfiguration.ephemeral().toBuilder().sslContext(HttpsAndHttp2Tests.trusting())
        .proxy(ProxyConfiguration.http("127.0.0.1", proxy.port()).withCredentials("proxyuser", "proxypass")).build());
    echo(session, wss("/secret"));
    assertThat(proxy.requests()).extracting(s -> s.headers().get("proxy-authorization"))
        .contains(TestHttpProxy.basic("proxyuser", "proxypass"));
    assertThat(server.takeRequest().getHeaders().get("Proxy-Authorization")).isNull();
  }
}
