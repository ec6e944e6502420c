package dev.urlsession;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.urlsession.SessionException.Code;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLIENT_CERTIFICATE challenge (URLSESSION-BEHAVIOUR.md 3.5, 9.3): a server that asks for a
 * client certificate makes the session ask its delegate, off the I/O thread, and the chosen
 * identity is presented on a new connection. The server's own certificate is self-signed, so the
 * delegate also answers SERVER_TRUST challenges (one per new connection).
 */
@Timeout(30)
class ClientCertificateChallengeTests {
  static final HeldCertificate CLIENT_CA = ClientCertificateTests.CLIENT_CA;
  static final HeldCertificate CLIENT = ClientCertificateTests.CLIENT;
  static final HeldCertificate SERVER = ServerTrustTests.SELF_SIGNED;

  @StartStop final MockWebServer server = new MockWebServer();
  @TempDir Path temp;
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

  static Credential identity(Credential.Persistence persistence) {
    return Credential.forIdentity(CLIENT.keyPair().getPrivate(),
        new X509Certificate[] {CLIENT.certificate(), CLIENT_CA.certificate()}, persistence);
  }

  /**
   * A session delegate that pins the server's certificate and answers CLIENT_CERTIFICATE
   * challenges with {@code answer}.
   */
  RecordingDelegate delegate(Consumer<ChallengeHandler> answer) {
    return new RecordingDelegate() {
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
    return session(d, maximum, CredentialStorage.inMemory());
  }

  Session session(SessionDelegate d, TlsVersion maximum, CredentialStorage storage) {
    session = Session.create(SessionConfiguration.ephemeral().toBuilder()
        .tlsMaximumSupportedProtocolVersion(maximum).credentialStorage(storage).build(), d, null);
    return session;
  }

  static List<Certificate> peerCertificates(RecordedRequest r) {
    return r.getHandshake().peerCertificates();
  }

  @Test
  void requiredOverTls12TheChosenIdentityIsPresentedOnANewConnection() throws Exception {
    server.requireClientAuth();
    server.enqueue(new MockResponse.Builder().body("hello client").build());
    RecordingDelegate d = delegate(h -> h.useCredential(identity(Credential.Persistence.NONE)));
    session(d, TlsVersion.TLS_1_2).dataTask(server.url("/m").uri()).resume();
    assertThat(d.awaitCompletion()).isNull();
    d.assertEvents("didCreateTask", "didReceiveChallenge CLIENT_CERTIFICATE", "didReceiveChallenge SERVER_TRUST",
        "didReceiveResponse 200", "didReceiveData", "didFinishCollectingMetrics", "didComplete null");
    assertThat(d.body.toString()).isEqualTo("hello client");
    RecordedRequest r = server.takeRequest(5, SECONDS);
    assertThat(peerCertificates(r)).containsExactly(CLIENT.certificate(), CLIENT_CA.certificate());

    AuthenticationChallenge c = challenges.get(0);
    ProtectionSpace space = c.protectionSpace();
    assertThat(space.host()).isEqualTo(server.url("/").host());
    assertThat(space.port()).isEqualTo(server.getPort());
    assertThat(space.protocol()).isEqualTo("https");
    assertThat(space.realm()).isNull();
    assertThat(space.isProxy()).isFalse();
    assertThat(space.distinguishedNames()).contains(CLIENT_CA.certificate().getSubjectX500Principal());
    assertThat(c.proposedCredential()).isNull();
    assertThat(c.previousFailureCount()).isZero();
    assertThat(c.failureResponse()).isNull();
  }

  @Test
  void requiredOverTls13TheChosenIdentityIsPresented() throws Exception {
    server.requireClientAuth();
    server.enqueue(new MockResponse.Builder().body("hello 1.3").build());
    RecordingDelegate d = delegate(h -> h.useCredential(identity(Credential.Persistence.NONE)));
    session(d, TlsVersion.TLS_1_3).dataTask(server.url("/m").uri()).resume();
    assertThat(d.awaitCompletion()).isNull();
    // Whether the refusal of the first connection shows in the handshake or after it (then the
    // server's certificate was evaluated first) depends on timing: one challenge either way.
    assertThat(d.events).containsOnlyOnce("didReceiveChallenge CLIENT_CERTIFICATE");
    assertThat(d.events.subList(d.events.size() - 5, d.events.size())).containsExactly(
        "didReceiveChallenge SERVER_TRUST", "didReceiveResponse 200", "didReceiveData",
        "didFinishCollectingMetrics", "didComplete null");
    assertThat(d.violations).isEmpty();
    assertThat(peerCertificates(server.takeRequest(5, SECONDS))).contains(CLIENT.certificate());
  }

  @Test
  void requestedOptionallyAndChosenTheRequestGoesOnANewConnectionWithTheCertificate() throws Exception {
    server.requestClientAuth();
    server.enqueue(new MockResponse.Builder().body("one").build());
    server.enqueue(new MockResponse.Builder().body("two").build());
    RecordingDelegate d = delegate(h -> h.useCredential(identity(Credential.Persistence.FOR_SESSION)));
    Session s = session(d, TlsVersion.TLS_1_2);
    s.dataTask(server.url("/one").uri()).resume();
    assertThat(d.awaitCompletion()).isNull();
    d.assertEvents("didCreateTask", "didReceiveChallenge SERVER_TRUST", "didReceiveChallenge CLIENT_CERTIFICATE",
        "didReceiveChallenge SERVER_TRUST", "didReceiveResponse 200", "didReceiveData",
        "didFinishCollectingMetrics", "didComplete null");
    RecordedRequest first = server.takeRequest(5, SECONDS);
    assertThat(peerCertificates(first)).contains(CLIENT.certificate());

    // The identity holds for the session's connections to that server: no new challenge, and the
    // connection that presents it is reused.
    // The connection goes back to the pool just after the completion is handed over.
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5))
        .until(() -> ((RealSession) s).leasedConnections() == 0);
    DataResponse second = s.data(Request.get(server.url("/two").uri())).get(10, SECONDS);
    assertThat(new String(second.body())).isEqualTo("two");
    assertThat(challenges).hasSize(1);
    assertThat(d.events.stream().filter(e -> e.endsWith("CLIENT_CERTIFICATE"))).hasSize(1);
    RecordedRequest r = server.takeRequest(5, SECONDS);
    assertThat(peerCertificates(r)).contains(CLIENT.certificate());
    assertThat(r.getConnectionIndex()).isEqualTo(first.getConnectionIndex());
    // FOR_SESSION: kept in the storage (in memory) for the space.
    assertThat(s.configuration().credentialStorage().defaultCredential(challenges.get(0).protectionSpace()))
        .isEqualTo(identity(Credential.Persistence.FOR_SESSION));
  }

  @Test
  void requestedOptionallyAndDefaultHandlingGoesOnWithoutACertificateOnTheSameConnection() throws Exception {
    server.requestClientAuth();
    server.enqueue(new MockResponse.Builder().body("anonymous").build());
    RecordingDelegate d = delegate(ChallengeHandler::performDefaultHandling);
    session(d, TlsVersion.TLS_1_2).dataTask(server.url("/a").uri()).resume();
    assertThat(d.awaitCompletion()).isNull();
    d.assertEvents("didCreateTask", "didReceiveChallenge SERVER_TRUST", "didReceiveChallenge CLIENT_CERTIFICATE",
        "didReceiveResponse 200", "didReceiveData", "didFinishCollectingMetrics", "didComplete null");
    assertThat(peerCertificates(server.takeRequest(5, SECONDS))).isEmpty();
  }

  @Test
  void requestedOptionallyAndRejectedGoesOnWithoutACertificate() throws Exception {
    server.requestClientAuth();
    server.enqueue(new MockResponse.Builder().body("anonymous").build());
    RecordingDelegate d = delegate(ChallengeHandler::rejectProtectionSpace);
    session(d, TlsVersion.TLS_1_3).dataTask(server.url("/r").uri()).resume();
    assertThat(d.awaitCompletion()).isNull();
    d.assertEvents("didCreateTask", "didReceiveChallenge SERVER_TRUST", "didReceiveChallenge CLIENT_CERTIFICATE",
        "didReceiveResponse 200", "didReceiveData", "didFinishCollectingMetrics", "didComplete null");
    assertThat(peerCertificates(server.takeRequest(5, SECONDS))).isEmpty();
  }

  @Test
  void useCredentialWithNullGoesOnWithoutACertificate() throws Exception {
    server.requestClientAuth();
    server.enqueue(new MockResponse.Builder().body("anonymous").build());
    RecordingDelegate d = delegate(h -> h.useCredential(null));
    session(d, TlsVersion.TLS_1_2).dataTask(server.url("/n").uri()).resume();
    assertThat(d.awaitCompletion()).isNull();
    assertThat(peerCertificates(server.takeRequest(5, SECONDS))).isEmpty();
  }

  @Test
  void requiredAndCancelledTheTaskFailsWithCancelledAndNoRequestIsSent() throws Exception {
    server.requireClientAuth();
    server.enqueue(new MockResponse.Builder().body("never").build());
    RecordingDelegate d = delegate(ChallengeHandler::cancelAuthenticationChallenge);
    session(d, TlsVersion.TLS_1_2).dataTask(server.url("/c").uri()).resume();
    assertThat(d.awaitCompletion().code()).isEqualTo(Code.CANCELLED);
    d.assertEvents("didCreateTask", "didReceiveChallenge CLIENT_CERTIFICATE", "didFinishCollectingMetrics",
        "didComplete CANCELLED");
    assertThat(server.getRequestCount()).isZero();
  }

  @Test
  void requestedOptionallyAndCancelledTheTaskFailsWithCancelled() throws Exception {
    server.requestClientAuth();
    server.enqueue(new MockResponse.Builder().body("never").build());
    RecordingDelegate d = delegate(ChallengeHandler::cancelAuthenticationChallenge);
    session(d, TlsVersion.TLS_1_3).dataTask(server.url("/c").uri()).resume();
    assertThat(d.awaitCompletion().code()).isEqualTo(Code.CANCELLED);
    d.assertEvents("didCreateTask", "didReceiveChallenge SERVER_TRUST", "didReceiveChallenge CLIENT_CERTIFICATE",
        "didFinishCollectingMetrics", "didComplete CANCELLED");
    assertThat(server.getRequestCount()).isZero();
  }

  @Test
  void requiredOverTls12WithoutACertificateFailsWithClientCertificateRequired() throws Exception {
    server.requireClientAuth();
    server.enqueue(new MockResponse.Builder().body("never").build());
    RecordingDelegate d = delegate(ChallengeHandler::performDefaultHandling);
    session(d, TlsVersion.TLS_1_2).dataTask(server.url("/d").uri()).resume();
    assertThat(d.awaitCompletion().code()).isEqualTo(Code.CLIENT_CERTIFICATE_REQUIRED);
    d.assertEvents("didCreateTask", "didReceiveChallenge CLIENT_CERTIFICATE", "didFinishCollectingMetrics",
        "didComplete CLIENT_CERTIFICATE_REQUIRED");
    assertThat(server.getRequestCount()).isZero();
  }

  @Test
  void requiredOverTls13WithoutACertificateFails() throws Exception {
    server.requireClientAuth();
    server.enqueue(new MockResponse.Builder().body("never").build());
    RecordingDelegate d = delegate(ChallengeHandler::rejectProtectionSpace);
    session(d, TlsVersion.TLS_1_3).dataTask(server.url("/d").uri()).resume();
    // The refusal shows in the handshake or as a failed write or read after it, depending on
    // timing: the code is the same either way.
    assertThat(d.awaitCompletion().code()).isEqualTo(Code.CLIENT_CERTIFICATE_REQUIRED);
    assertThat(d.events).containsOnlyOnce("didReceiveChallenge CLIENT_CERTIFICATE")
        .doesNotContain("didReceiveResponse 200");
    assertThat(server.getRequestCount()).isZero();
  }

  @Test
  void defaultHandlingPresentsTheStoragesDefaultIdentityForTheSpace() throws Exception {
    server.requireClientAuth();
    server.enqueue(new MockResponse.Builder().body("stored").build());
    CredentialStorage storage = CredentialStorage.inMemory();
    ProtectionSpace space = ProtectionSpace.forClientCertificate(server.url("/").host(), server.getPort(), List.of());
    storage.setDefaultCredential(identity(Credential.Persistence.FOR_SESSION), space);
    RecordingDelegate d = delegate(ChallengeHandler::performDefaultHandling);
    session(d, TlsVersion.TLS_1_2, storage).dataTask(server.url("/s").uri()).resume();
    assertThat(d.awaitCompletion()).isNull();
    assertThat(challenges.get(0).proposedCredential()).isEqualTo(identity(Credential.Persistence.FOR_SESSION));
    assertThat(peerCertificates(server.takeRequest(5, SECONDS))).contains(CLIENT.certificate());
  }

  @Test
  void anIdentityFromAKeyStoreIsPresented() throws Exception {
    server.requireClientAuth();
    server.enqueue(new MockResponse.Builder().body("p12").build());
    KeyStore p12 = KeyStore.getInstance("PKCS12");
    p12.load(null, null);
    char[] password = "changeit".toCharArray();
    p12.setKeyEntry("me", CLIENT.keyPair().getPrivate(), password,
        new Certificate[] {CLIENT.certificate(), CLIENT_CA.certificate()});
    Credential fromStore = Credential.forIdentity(p12, "me", password, Credential.Persistence.NONE);
    assertThat(fromStore).isEqualTo(identity(Credential.Persistence.NONE));
    RecordingDelegate d = delegate(h -> h.useCredential(fromStore));
    session(d, TlsVersion.TLS_1_2).dataTask(server.url("/k").uri()).resume();
    assertThat(d.awaitCompletion()).isNull();
    assertThat(peerCertificates(server.takeRequest(5, SECONDS))).contains(CLIENT.certificate());
  }

  @Test
  void aPermanentIdentityIsKeptInMemoryAndNeverWrittenToTheCredentialsFile() throws Exception {
    Path file = temp.resolve("credentials");
    CredentialStorage storage = CredentialStorage.persistent(file);
    ProtectionSpace space = ProtectionSpace.forClientCertificate("example.org", 443, List.of());
    Credential permanent = identity(Credential.Persistence.PERMANENT);
    storage.set(permanent, space);
    storage.set(Credential.of("bob", "pw", Credential.Persistence.PERMANENT),
        ProtectionSpace.of("example.org", 443, "https", "r", AuthenticationMethod.HTTP_BASIC));
    assertThat(storage.defaultCredential(space)).isEqualTo(permanent);
    String written = Files.readString(file);
    assertThat(written.lines()).hasSize(2); // the header and bob
    assertThat(CredentialStorage.persistent(file).defaultCredential(space)).isNull();
  }

  @Test
  void identityCredentialsHaveValueEqualityAndNeverPrintTheKey() {
    Credential a = identity(Credential.Persistence.NONE);
    assertThat(a).isEqualTo(identity(Credential.Persistence.NONE)).hasSameHashCodeAs(identity(Credential.Persistence.NONE));
    assertThat(a).isNotEqualTo(identity(Credential.Persistence.FOR_SESSION));
    assertThat(a.hasIdentity()).isTrue();
    assertThat(a.hasPassword()).isFalse();
    assertThat(a.user()).isEqualTo(CLIENT.certificate().getSubjectX500Principal().getName());
    assertThat(a.certificates()).containsExactly(CLIENT.certificate(), CLIENT_CA.certificate());
    String text = a.toString();
    assertThat(text).contains("client-7").doesNotContainIgnoringCase("private key")
        .doesNotContain(java.util.Base64.getEncoder().encodeToString(CLIENT.keyPair().getPrivate().getEncoded())
            .substring(0, 24));
    assertThat(Credential.of("u", "p", Credential.Persistence.NONE).hasIdentity()).isFalse();
  }

  @Test
  void identityWithAMismatchedKeyOrNoChainIsRefused() {
    HeldCertificate rsa = new HeldCertificate.Builder().rsa2048().build();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> Credential.forIdentity(rsa.keyPair().getPrivate(),
        new X509Certificate[] {CLIENT.certificate()}, Credential.Persistence.NONE))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not match");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> Credential.forIdentity(CLIENT.keyPair().getPrivate(),
        new X509Certificate[0], Credential.Persistence.NONE))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void anRsaIdentityIsPresentedToo() throws Exception {
    HeldCertificate rsaClient = new HeldCertificate.Builder().rsa2048().signedBy(CLIENT_CA).commonName("rsa-client")
        .build();
    server.requireClientAuth();
    server.enqueue(new MockResponse.Builder().body("rsa").build());
    RecordingDelegate d = delegate(h -> h.useCredential(Credential.forIdentity(rsaClient.keyPair().getPrivate(),
        new X509Certificate[] {rsaClient.certificate()}, Credential.Persistence.NONE)));
    session(d, TlsVersion.TLS_1_3).dataTask(server.url("/rsa").uri()).resume();
    assertThat(d.awaitCompletion()).isNull();
    assertThat(peerCertificates(server.takeRequest(5, SECONDS))).containsExactly(rsaClient.certificate());
  }

  @Test
  void withoutASessionLevelMethodTheTaskDelegateIsAskedAndCompletionHandlerTasksToo() throws Exception {
    server.requireClientAuth();
    server.enqueue(new MockResponse.Builder().body("task level").build());
    RecordingDelegate taskLevel = new RecordingDelegate() {
      @Override
      public void didReceiveChallenge(Session s, SessionTask task, AuthenticationChallenge c, ChallengeHandler h) {
        recordEvent(task, "task didReceiveChallenge " + c.protectionSpace().authenticationMethod());
        if (c.protectionSpace().authenticationMethod() == AuthenticationMethod.SERVER_TRUST) {
          h.useCredential(Credential.forTrust(c.protectionSpace().serverTrust()));
        } else {
          h.useCredential(identity(Credential.Persistence.NONE));
        }
      }
    };
    java.util.concurrent.CompletableFuture<String> result = new java.util.concurrent.CompletableFuture<>();
    session(taskLevel, TlsVersion.TLS_1_2).dataTask(server.url("/t").uri(),
        (data, response, error) -> result.complete(new String(data) + " " + error)).resume();
    assertThat(result.get(10, SECONDS)).isEqualTo("task level null");
    assertThat(taskLevel.events).containsExactly("didCreateTask", "task didReceiveChallenge CLIENT_CERTIFICATE",
        "task didReceiveChallenge SERVER_TRUST", "didFinishCollectingMetrics");
    assertThat(taskLevel.violations).isEmpty();
    assertThat(peerCertificates(server.takeRequest(5, SECONDS))).contains(CLIENT.certificate());
  }

  @Test
  void aRefusedServerTrustOnAServerThatAsksForACertificateRaisesNoClientCertificateChallenge() throws Exception {
    server.requestClientAuth();
    server.enqueue(new MockResponse.Builder().body("never").build());
    RecordingDelegate d = new RecordingDelegate() {
      @Override
      public void didReceiveChallenge(Session s, AuthenticationChallenge c, ChallengeHandler h) {
        recordEvent(null, "didReceiveChallenge " + c.protectionSpace().authenticationMethod());
        h.performDefaultHandling(); // the self-signed server is not trusted by default
      }
    };
    session(d, TlsVersion.TLS_1_2).dataTask(server.url("/x").uri()).resume();
    assertThat(d.awaitCompletion().code()).isEqualTo(Code.SERVER_CERTIFICATE_UNTRUSTED);
    d.assertEvents("didCreateTask", "didReceiveChallenge SERVER_TRUST", "didFinishCollectingMetrics",
        "didComplete SERVER_CERTIFICATE_UNTRUSTED");
    assertThat(server.getRequestCount()).isZero();
  }
}
