package dev.urlsession;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.urlsession.SessionException.Code;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SSLContext;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * STARTTLS on stream tasks against a real loopback server that upgrades mid-stream: the server's
 * certificates go to the delegate as a SERVER_TRUST challenge like an https load's, an untrusted
 * server fails the task, a configuration's own SSL context decides by itself, TLS stops cleanly,
 * and captured streams keep it.
 */
@Timeout(30)
class StreamTaskTlsTests {
  static final Duration NONE = Duration.ZERO;
  static final HeldCertificate SELF_SIGNED = ServerTrustTests.SELF_SIGNED;
  static final SSLContext SERVER_TLS =
      new HandshakeCertificates.Builder().heldCertificate(SELF_SIGNED).build().sslContext();

  final List<AuthenticationChallenge> challenges = new CopyOnWriteArrayList<>();
  TcpTestServer server;
  Session session;

  @BeforeEach
  void start() throws IOException {
    server = TcpTestServer.lineEcho(SERVER_TLS);
  }

  @AfterEach
  void stop() throws IOException {
    if (session != null) {
      session.invalidateAndCancel();
    }
    server.close();
  }

  /** A delegate pinning the self-signed certificate (or refusing, when {@code pin} is false). */
  RecordingStreamDelegate pinning(boolean pin) {
    return new RecordingStreamDelegate() {
      @Override
      public void didReceiveChallenge(Session s, AuthenticationChallenge c, ChallengeHandler h) {
        recordEvent(null, "didReceiveChallenge " + c.protectionSpace().authenticationMethod());
        challenges.add(c);
        ServerTrust trust = c.protectionSpace().serverTrust();
        if (pin && trust.certificateChain().get(0).equals(SELF_SIGNED.certificate())) {
          h.useCredential(Credential.forTrust(trust));
        } else {
          h.cancelAuthenticationChallenge();
        }
      }
    };
  }

  StreamTask upgraded(RecordingStreamDelegate d, SessionConfiguration configuration) throws Exception {
    session = Session.create(configuration, d, null);
    StreamTask task = session.streamTask("localhost", server.port());
    task.resume();
    task.write("STARTTLS\n".getBytes(UTF_8), NONE);
    assertThat(text(task.readData(6, 6, NONE))).isEqualTo("READY\n");
    task.startSecureConnection();
    return task;
  }

  static String text(CompletableFuture<ReadResult> read) throws Exception {
    return new String(read.get(10, SECONDS).data(), UTF_8);
  }

  @Test
  void startSecureConnectionWhenTheDelegatePinsTheCertificateEncryptsWhatFollows() throws Exception {
    RecordingStreamDelegate d = pinning(true);
    StreamTask task = upgraded(d, SessionConfiguration.ephemeral());
    CompletableFuture<Void> w = task.write("secret\n".getBytes(UTF_8), NONE);
    assertThat(text(task.readData(7, 100, NONE))).isEqualTo("secret\n");
    w.get(10, SECONDS);
    assertThat(server.lines).containsExactly("STARTTLS", "secret");
    assertThat(challenges).hasSize(1);
    ProtectionSpace space = challenges.get(0).protectionSpace();
    assertThat(space.host()).isEqualTo("localhost");
    assertThat(space.port()).isEqualTo(server.port());
    assertThat(space.serverTrust().isTrustedByDefault()).isFalse();
    task.write("QUIT\n".getBytes(UTF_8), NONE);
    assertThat(text(task.readData(4, 100, NONE))).isEqualTo("BYE\n");
    task.closeRead();
    task.closeWrite();
    assertThat(d.awaitCompletion()).isNull();
    d.assertEvents("didCreateTask", "didReceiveChallenge SERVER_TRUST", "readClosed", "writeClosed",
        "didComplete null");
  }

  @Test
  void startSecureConnectionWhenTheDelegateCancelsTheChallengeFailsTheTaskAndItsPendingRead() throws Exception {
    RecordingStreamDelegate d = pinning(false);
    StreamTask task = upgraded(d, SessionConfiguration.ephemeral());
    CompletableFuture<ReadResult> r = task.readData(1, 100, NONE);
    SessionException e = d.awaitCompletion();
    assertThat(e.code()).isEqualTo(Code.CANCELLED);
    assertThat(r).failsWithin(Duration.ofSeconds(10));
    d.assertEvents("didCreateTask", "didReceiveChallenge SERVER_TRUST", "didComplete CANCELLED");
  }

  @Test
  void startSecureConnectionWithoutADelegateForChallengesFailsAnUntrustedServer() throws Exception {
    RecordingStreamDelegate d = new RecordingStreamDelegate();
    StreamTask task = upgraded(d, SessionConfiguration.ephemeral());
    CompletableFuture<Void> w = task.write("secret\n".getBytes(UTF_8), NONE);
    assertThat(d.awaitCompletion().code()).isEqualTo(Code.SERVER_CERTIFICATE_UNTRUSTED);
    assertThat(w).failsWithin(Duration.ofSeconds(10));
    assertThat(server.lines).containsExactly("STARTTLS"); // nothing was sent to an untrusted server
    d.assertEvents("didCreateTask", "didComplete SERVER_CERTIFICATE_UNTRUSTED");
  }

  @Test
  void startSecureConnectionWithAnSslContextOfTheConfigurationTrustsWhatItTrusts() throws Exception {
    SSLContext client = new HandshakeCertificates.Builder()
        .addTrustedCertificate(SELF_SIGNED.certificate()).build().sslContext();
    RecordingStreamDelegate d = pinning(false); // not asked: the context decides
    StreamTask task = upgraded(d, SessionConfiguration.ephemeral().toBuilder().sslContext(client).build());
    task.write("over tls\n".getBytes(UTF_8), NONE);
    assertThat(text(task.readData(9, 100, NONE))).isEqualTo("over tls\n");
    assertThat(challenges).isEmpty();
    task.cancel();
    assertThat(d.awaitCompletion().code()).isEqualTo(Code.CANCELLED);
    d.assertEvents("didCreateTask", "didComplete CANCELLED");
  }

  @Test
  void stopSecureConnectionWhenThePeerAnswersCloseNotifyGoesOnInTheClear() throws Exception {
    RecordingStreamDelegate d = pinning(true);
    StreamTask task = upgraded(d, SessionConfiguration.ephemeral());
    task.write("STOPTLS\n".getBytes(UTF_8), NONE);
    assertThat(text(task.readData(6, 6, NONE))).isEqualTo("CLEAR\n");
    task.stopSecureConnection();
    task.write("plain again\n".getBytes(UTF_8), NONE);
    assertThat(text(task.readData(12, 100, NONE))).isEqualTo("plain again\n");
    assertThat(server.lines).containsExactly("STARTTLS", "STOPTLS", "plain again");
    task.cancel();
    assertThat(d.awaitCompletion().code()).isEqualTo(Code.CANCELLED);
    d.assertEvents("didCreateTask", "didReceiveChallenge SERVER_TRUST", "didComplete CANCELLED");
  }

  @Test
  void captureStreamsAfterStartSecureConnectionKeepsTlsOnTheStreams() throws Exception {
    RecordingStreamDelegate d = pinning(true);
    StreamTask task = upgraded(d, SessionConfiguration.ephemeral());
    StreamPair pair = task.captureStreams();
    pair.out().write("through tls\n".getBytes(UTF_8));
    pair.out().flush();
    assertThat(TcpTestServer.readLine(pair.in())).isEqualTo("through tls");
    pair.out().write("QUIT\n".getBytes(UTF_8));
    assertThat(TcpTestServer.readLine(pair.in())).isEqualTo("BYE");
    pair.in().close();
    pair.out().close();
    task.completion().get(10, SECONDS);
    assertThat(server.lines).containsExactly("STARTTLS", "through tls", "QUIT");
    d.assertEvents("didCreateTask", "didReceiveChallenge SERVER_TRUST", "didBecomeStreams");
  }
}
