package dev.urlsession;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.urlsession.SessionException.Code;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;
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
 * The SERVER_TRUST challenge: a session delegate sees the server's certificates before the
 * request is sent and may pin them; without an explicit acceptance the platform's evaluation
 * decides, and an untrusted server gets no request at all.
 */
@Timeout(30)
class ServerTrustTests {
  /** Self-signed: the platform does not trust it; for localhost and 127.0.0.1. */
  static final HeldCertificate SELF_SIGNED = new HeldCertificate.Builder()
      .addSubjectAlternativeName("localhost").addSubjectAlternativeName("127.0.0.1").build();

  @StartStop final MockWebServer server = new MockWebServer();
  final List<AuthenticationChallenge> challenges = new CopyOnWriteArrayList<>();
  Session session;

  @BeforeEach
  void https() {
    server.useHttps(new HandshakeCertificates.Builder().heldCertificate(SELF_SIGNED).build().sslSocketFactory());
  }

  @AfterEach
  void tearDown() {
    if (session != null) {
      session.invalidateAndCancel();
    }
  }

  /** A session delegate answering SERVER_TRUST challenges with {@code answer}. */
  RecordingDelegate sessionLevel(BiConsumer<AuthenticationChallenge, ChallengeHandler> answer) {
    return new RecordingDelegate() {
      @Override
      public void didReceiveChallenge(Session s, AuthenticationChallenge c, ChallengeHandler h) {
        recordEvent(null, "didReceiveChallenge " + c.protectionSpace().authenticationMethod());
        challenges.add(c);
        answer.accept(c, h);
      }
    };
  }

  Session session(SessionDelegate delegate) {
    session = Session.create(SessionConfiguration.ephemeral(), delegate, null);
    return session;
  }

  static boolean pinned(ServerTrust trust) {
    return !trust.certificateChain().isEmpty()
        && trust.certificateChain().get(0).equals(SELF_SIGNED.certificate());
  }

  @Test
  void delegateThatPinsTheCertificateAcceptsAnUntrustedServer() throws Exception {
    server.enqueue(new MockResponse.Builder().body("pinned").build());
    server.enqueue(new MockResponse.Builder().body("again").build());
    RecordingDelegate d = sessionLevel((c, h) -> {
      ServerTrust trust = c.protectionSpace().serverTrust();
      h.useCredential(pinned(trust) ? Credential.forTrust(trust) : null);
    });
    session(d).dataTask(server.url("/p").uri()).resume();
    assertThat(d.awaitCompletion()).isNull();
    d.assertEvents("didCreateTask", "didReceiveChallenge SERVER_TRUST", "didReceiveResponse 200",
        "didReceiveData", "didFinishCollectingMetrics", "didComplete null");
    AuthenticationChallenge c = challenges.get(0);
    assertThat(c.protectionSpace().authenticationMethod()).isEqualTo(AuthenticationMethod.SERVER_TRUST);
    assertThat(c.protectionSpace().protocol()).isEqualTo("https");
    ServerTrust trust = c.protectionSpace().serverTrust();
    assertThat(trust.isTrustedByDefault()).isFalse();
    assertThat(trust.evaluationError()).isNotNull();
    assertThat(trust.host()).isEqualTo(server.url("/").uri().getHost());
    // The connection is reused: trust is evaluated once per connection. It goes back to the pool
    // just after the completion is handed over.
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5))
        .until(() -> ((RealSession) session).leasedConnections() == 0);
    assertThat(session.data(Request.get(server.url("/again").uri())).get(10, SECONDS).response().statusCode())
        .isEqualTo(200);
    assertThat(challenges).hasSize(1);
  }

  @Test
  void defaultHandlingOfAnUntrustedServerFailsBeforeAnyRequestIsSent() throws Exception {
    RecordingDelegate d = sessionLevel((c, h) -> h.performDefaultHandling());
    session(d).dataTask(server.url("/secret").uri()).resume();
    SessionException e = d.awaitCompletion();
    assertThat(e.code()).isEqualTo(Code.SERVER_CERTIFICATE_UNTRUSTED);
    assertThat(server.getRequestCount()).isZero();
  }

  @Test
  void aTrustCredentialForAnotherChainDoesNotAcceptThisOne() throws Exception {
    HeldCertificate other = new HeldCertificate.Builder().addSubjectAlternativeName("localhost").build();
    RecordingDelegate d = sessionLevel((c, h) -> h.useCredential(Credential.forTrust(
        new ServerTrust(c.protectionSpace().serverTrust().host(), List.of(other.certificate()), null))));
    session(d).dataTask(server.url("/x").uri()).resume();
    assertThat(d.awaitCompletion().code()).isEqualTo(Code.SERVER_CERTIFICATE_UNTRUSTED);
    assertThat(server.getRequestCount()).isZero();
  }

  @Test
  void cancellingTheChallengeCancelsTheTask() throws Exception {
    RecordingDelegate d = sessionLevel((c, h) -> h.cancelAuthenticationChallenge());
    session(d).dataTask(server.url("/x").uri()).resume();
    assertThat(d.awaitCompletion().code()).isEqualTo(Code.CANCELLED);
    assertThat(server.getRequestCount()).isZero();
  }

  @Test
  void withoutASessionLevelMethodTheTaskDelegateGetsTheServerTrustChallenge() throws Exception {
    server.enqueue(new MockResponse.Builder().body("task-level").build());
    RecordingDelegate d = new RecordingDelegate() {
      @Override
      public void didReceiveChallenge(Session s, SessionTask t, AuthenticationChallenge c, ChallengeHandler h) {
        recordEvent(t, "task " + c.protectionSpace().authenticationMethod());
        h.useCredential(Credential.forTrust(c.protectionSpace().serverTrust()));
      }
    };
    session(d).dataTask(server.url("/t").uri()).resume();
    assertThat(d.awaitCompletion()).isNull();
    assertThat(d.events).contains("task SERVER_TRUST");
  }

  @Test
  void withoutAnyDelegateAnUntrustedServerFailsAsUntrusted() throws Exception {
    RecordingDelegate d = new RecordingDelegate();
    session(d).dataTask(server.url("/n").uri()).resume();
    assertThat(d.awaitCompletion().code()).isEqualTo(Code.SERVER_CERTIFICATE_UNTRUSTED);
    d.assertEvents("didCreateTask", "didFinishCollectingMetrics", "didComplete SERVER_CERTIFICATE_UNTRUSTED");
  }
}
