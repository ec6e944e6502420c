package dev.urlsession;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.urlsession.SessionException.Code;
import java.net.URI;
import java.security.cert.Certificate;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Client certificates on {@code wss:}: with the platform's trust, the CLIENT_CERTIFICATE challenge
 * as https loads ask it (the chosen identity presented on a new connection); with a session's own
 * SSL context, its key material. The server's certificate is self-signed, so the delegate also
 * answers SERVER_TRUST challenges (one per new connection).
 */
@Timeout(30)
class WebSocketClientCertificateTests {
  static final HeldCertificate CLIENT_CA = ClientCertificateTests.CLIENT_CA;
  static final HeldCertificate CLIENT = ClientCertificateTests.CLIENT;
  static final HeldCertificate SERVER = ServerTrustTests.SELF_SIGNED;

  @StartStop final MockWebServer server = new MockWebServer();
  final List<AuthenticationChallenge> challenges = new CopyOnWriteArrayList<>();
  Session session;

  @BeforeEach
  void https() {
    server.useHttps(new HandshakeCertificates.Builder().heldCertificate(SERVER)
        .addTrustedCertificate(CLIENT_CA.certificate()).build().sslSocketFactory());
  }

  @AfterEach
  void tearDown() {
    if (session != null) {
      session.invalidateAndCancel();
    }
  }

  URI wss(String path) {
    return URI.create("wss://" + server.getHostName() + ":" + server.getPort() + path);
  }

  /** A session delegate that pins the server and answers CLIENT_CERTIFICATE challenges with {@code answer}. */
  RecordingWebSocketDelegate delegate(Consumer<ChallengeHandler> answer) {
    return new RecordingWebSocketDelegate() {
      @Override
      public void didReceiveChallenge(Session s, AuthenticationChallenge c, ChallengeHandler h) {
        recordEvent(null, "didReceiveChallenge " + c.protectionSpace().authenticationMethod());
        if (c.protectionSpace().authenticationMethod() == AuthenticationMethod.SERVER_TRUST) {
          ServerTrust trust = c.protectionSpace().serverTrust();
          h.useCredential(ServerTrustTests.pinned(trust) ? Credential.forTrust(trust) : null);
        } else {
          challenges.add(c);
          answer.accept(h);
        }
      }
    };
  }

  Session session(SessionDelegate d, TlsVersion maximum) {
    session = Session.create(SessionConfiguration.ephemeral().toBuilder().tlsMaximumSupportedProtocolVersion(maximum)
        .credentialStorage(CredentialStorage.inMemory()).build(), d, null);
    return session;
  }

  static Credential identity(Credential.Persistence persistence) {
    return ClientCertificateChallengeTests.identity(persistence);
  }

  static void echo(WebSocketTask task) throws Exception {
    task.resume();
    task.send(WebSocketMessage.text("mutual"));
    assertThat(task.receive().get(10, SECONDS)).isEqualTo(WebSocketMessage.text("mutual"));
    task.cancel(CloseCode.NORMAL_CLOSURE, null);
    assertThat(task.completion().get(10, SECONDS).error()).isNull();
  }

  List<Certificate> presented() throws Exception {
    return server.takeRequest(5, SECONDS).getHandshake().peerCertificates();
  }

  void upgrade() {
    server.enqueue(new MockResponse.Builder().webSocketUpgrade(new WebSocketTaskTests.Echo()).build());
  }

  @Test
  void requiredOverTls12WhenTheDelegateChoosesAnIdentityThenANewConnectionPresentsIt() throws Exception {
    server.requireClientAuth();
    upgrade();
    RecordingWebSocketDelegate d = delegate(h -> h.useCredential(identity(Credential.Persistence.NONE)));
    echo(session(d, TlsVersion.TLS_1_2).webSocketTask(wss("/mtls")));
    // The server aborted the first handshake: the challenge comes before the server's trust.
    d.assertEvents("didCreateTask", "didReceiveChallenge CLIENT_CERTIFICATE", "didReceiveChallenge SERVER_TRUST",
        "didOpenWithProtocol null", "didCloseWith NORMAL_CLOSURE null", "didFinishCollectingMetrics", "didComplete null");
    assertThat(presented()).containsExactly(CLIENT.certificate(), CLIENT_CA.certificate());
    ProtectionSpace space = challenges.get(0).protectionSpace();
    assertThat(space.host()).isEqualTo(server.getHostName());
    assertThat(space.port()).isEqualTo(server.getPort());
    assertThat(space.distinguishedNames()).contains(CLIENT_CA.certificate().getSubjectX500Principal());
    assertThat(challenges.get(0).previousFailureCount()).isZero();
  }

  @Test
  void requiredOverTls13WhenTheDelegateChoosesAnIdentityThenItIsPresented() throws Exception {
    server.requireClientAuth();
    upgrade();
    RecordingWebSocketDelegate d = delegate(h -> h.useCredential(identity(Credential.Persistence.NONE)));
    echo(session(d, TlsVersion.TLS_1_3).webSocketTask(wss("/mtls13")));
    assertThat(d.events).containsOnlyOnce("didReceiveChallenge CLIENT_CERTIFICATE");
    assertThat(d.events.subList(d.events.size() - 5, d.events.size())).containsExactly("didReceiveChallenge SERVER_TRUST",
        "didOpenWithProtocol null", "didCloseWith NORMAL_CLOSURE null", "didFinishCollectingMetrics", "didComplete null");
    assertThat(d.violations).isEmpty();
    assertThat(presented()).contains(CLIENT.certificate());
  }

  @Test
  void requestedOptionallyWhenChosenThenPresentedAndTheNextTaskPresentsItWithoutAsking() throws Exception {
    server.requestClientAuth();
    upgrade();
    upgrade();
    RecordingWebSocketDelegate d = delegate(h -> h.useCredential(identity(Credential.Persistence.FOR_SESSION)));
    Session s = session(d, TlsVersion.TLS_1_2);
    echo(s.webSocketTask(wss("/one")));
    d.assertEvents("didCreateTask", "didReceiveChallenge SERVER_TRUST", "didReceiveChallenge CLIENT_CERTIFICATE",
        "didReceiveChallenge SERVER_TRUST", "didOpenWithProtocol null", "didCloseWith NORMAL_CLOSURE null",
        "didFinishCollectingMetrics", "didComplete null");
    assertThat(presented()).contains(CLIENT.certificate());
    assertThat(s.configuration().credentialStorage().defaultCredential(challenges.get(0).protectionSpace()))
        .isEqualTo(identity(Credential.Persistence.FOR_SESSION));
    echo(s.webSocketTask(wss("/two")));
    assertThat(challenges).hasSize(1);
    assertThat(presented()).contains(CLIENT.certificate());
  }

  @Test
  void requestedOptionallyWhenDefaultHandlingWithoutAStoredIdentityThenGoesOnWithoutOnTheSameConnection()
      throws Exception {
    server.requestClientAuth();
    upgrade();
    RecordingWebSocketDelegate d = delegate(ChallengeHandler::performDefaultHandling);
    echo(session(d, TlsVersion.TLS_1_2).webSocketTask(wss("/anonymous")));
    d.assertEvents("didCreateTask", "didReceiveChallenge SERVER_TRUST", "didReceiveChallenge CLIENT_CERTIFICATE",
        "didOpenWithProtocol null", "didCloseWith NORMAL_CLOSURE null", "didFinishCollectingMetrics", "didComplete null");
    assertThat(presented()).isEmpty();
    assertThat(d.metrics.transactionMetrics()).hasSize(1);
  }

  @Test
  void requiredWhenTheDelegateRejectsThenClientCertificateRequired() throws Exception {
    server.requireClientAuth();
    RecordingWebSocketDelegate d = delegate(ChallengeHandler::rejectProtectionSpace);
    session(d, TlsVersion.TLS_1_2).webSocketTask(wss("/no")).resume();
    assertThat(d.awaitCompletion().code()).isEqualTo(Code.CLIENT_CERTIFICATE_REQUIRED);
    d.assertEvents("didCreateTask", "didReceiveChallenge CLIENT_CERTIFICATE", "didFinishCollectingMetrics",
        "didComplete CLIENT_CERTIFICATE_REQUIRED");
    assertThat(server.getRequestCount()).isZero();
  }

  @Test
  void requiredOverTls13WhenTheDelegateRejectsThenClientCertificateRequired() throws Exception {
    server.requireClientAuth();
    RecordingWebSocketDelegate d = delegate(ChallengeHandler::rejectProtectionSpace);
    session(d, TlsVersion.TLS_1_3).webSocketTask(wss("/no13")).resume();
    assertThat(d.awaitCompletion().code()).isEqualTo(Code.CLIENT_CERTIFICATE_REQUIRED);
    assertThat(d.events).containsOnlyOnce("didReceiveChallenge CLIENT_CERTIFICATE");
    assertThat(d.events.subList(d.events.size() - 2, d.events.size()))
        .containsExactly("didFinishCollectingMetrics", "didComplete CLIENT_CERTIFICATE_REQUIRED");
    assertThat(server.getRequestCount()).isZero();
  }

  @Test
  void requiredWhenTheDelegateCancelsThenCancelled() throws Exception {
    server.requireClientAuth();
    RecordingWebSocketDelegate d = delegate(ChallengeHandler::cancelAuthenticationChallenge);
    session(d, TlsVersion.TLS_1_2).webSocketTask(wss("/cancel")).resume();
    assertThat(d.awaitCompletion().code()).isEqualTo(Code.CANCELLED);
    d.assertEvents("didCreateTask", "didReceiveChallenge CLIENT_CERTIFICATE", "didFinishCollectingMetrics",
        "didComplete CANCELLED");
  }

  @Test
  void ownSslContextWhenItHoldsAKeyThenPresentsItAndNoChallengeIsAsked() throws Exception {
    server.requireClientAuth();
    upgrade();
    HandshakeCertificates client = new HandshakeCertificates.Builder().addTrustedCertificate(SERVER.certificate())
        .heldCertificate(CLIENT, CLIENT_CA.certificate()).build();
    RecordingWebSocketDelegate d = delegate(h -> h.useCredential(null));
    session = Session.create(SessionConfiguration.ephemeral().toBuilder().sslContext(client.sslContext()).build(), d, null);
    echo(session.webSocketTask(wss("/own")));
    d.assertEvents("didCreateTask", "didOpenWithProtocol null", "didCloseWith NORMAL_CLOSURE null",
        "didFinishCollectingMetrics", "didComplete null");
    assertThat(presented()).contains(CLIENT.certificate());
  }
}
