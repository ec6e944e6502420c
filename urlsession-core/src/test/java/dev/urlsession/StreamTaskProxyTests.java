package dev.urlsession;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.urlsession.SessionException.Code;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Stream tasks through the session's proxy, real ones on loopback: a SOCKS5 proxy resolving the
 * host name itself (with and without RFC 1929 credentials) and an HTTP proxy's CONNECT tunnel
 * (with Basic credentials); refusals fail the task with a clear code, and bypassed hosts are
 * reached directly.
 */
@Timeout(30)
class StreamTaskProxyTests {
  static final Duration NONE = Duration.ZERO;
  final RecordingStreamDelegate delegate = new RecordingStreamDelegate();
  TcpTestServer echo;
  Session session;

  @BeforeEach
  void start() throws IOException {
    echo = TcpTestServer.lineEcho(null);
  }

  @AfterEach
  void stop() throws IOException {
    if (session != null) {
      session.invalidateAndCancel();
    }
    echo.close();
  }

  StreamTask task(ProxyConfiguration proxy) {
    session = Session.create(SessionConfiguration.ephemeral().toBuilder().proxy(proxy).build(), delegate, null);
    StreamTask task = session.streamTask("localhost", echo.port());
    task.resume();
    return task;
  }

  /** Sends a line through {@code task} and checks the echo, then ends the task cleanly. */
  void echoes(StreamTask task) throws Exception {
    task.write("through the proxy\n".getBytes(UTF_8), NONE);
    ReadResult r = task.readData(18, 100, NONE).get(10, SECONDS);
    assertThat(new String(r.data(), UTF_8)).isEqualTo("through the proxy\n");
    task.closeRead(); // the read side's turn comes first when both are due at once
    task.closeWrite();
    assertThat(delegate.awaitCompletion()).isNull();
    delegate.assertEvents("didCreateTask", "readClosed", "writeClosed", "didComplete null");
  }

  @Test
  void streamTaskWhenTheSessionHasASocksProxyTunnelsThroughItWithRemoteDns() throws Exception {
    try (TestSocksProxy proxy = new TestSocksProxy()) {
      echoes(task(ProxyConfiguration.socks("127.0.0.1", proxy.port())));
      assertThat(proxy.targets()).containsExactly("localhost:" + echo.port());
    }
  }

  @Test
  void streamTaskWhenTheSocksProxyWantsCredentialsSendsTheConfiguredOnes() throws Exception {
    try (TestSocksProxy proxy = new TestSocksProxy().requireCredentials("alice", "s3cret")) {
      echoes(task(ProxyConfiguration.socks("127.0.0.1", proxy.port()).withCredentials("alice", "s3cret")));
      assertThat(proxy.usernames()).containsExactly("alice");
    }
  }

  @Test
  void streamTaskWhenTheSocksProxyRejectsTheCredentialsFailsWithCannotConnectToHost() throws Exception {
    try (TestSocksProxy proxy = new TestSocksProxy().requireCredentials("alice", "s3cret")) {
      StreamTask task = task(ProxyConfiguration.socks("127.0.0.1", proxy.port()).withCredentials("alice", "wrong"));
      SessionException e = delegate.awaitCompletion();
      assertThat(e.code()).isEqualTo(Code.CANNOT_CONNECT_TO_HOST);
      assertThat(e.getMessage()).contains("rejected the username and password");
      assertThat(task.state()).isEqualTo(SessionTask.State.COMPLETED);
      assertThat(echo.accepted.get()).isZero();
    }
  }

  @Test
  void streamTaskWhenTheSocksProxyRefusesTheConnectionFailsWithItsReason() throws Exception {
    try (TestSocksProxy proxy = new TestSocksProxy()) {
      proxy.failNextConnect();
      task(ProxyConfiguration.socks("127.0.0.1", proxy.port()));
      SessionException e = delegate.awaitCompletion();
      assertThat(e.code()).isEqualTo(Code.CANNOT_CONNECT_TO_HOST);
      assertThat(e.getMessage()).contains("not allowed by the proxy's rules");
      delegate.assertEvents("didCreateTask", "didComplete CANNOT_CONNECT_TO_HOST");
    }
  }

  @Test
  void streamTaskWhenTheSessionHasAnHttpProxyTunnelsThroughConnect() throws Exception {
    try (TestHttpProxy proxy = new TestHttpProxy()) {
      echoes(task(ProxyConfiguration.http("127.0.0.1", proxy.port())));
      assertThat(proxy.requests()).extracting(TestHttpProxy.Seen::method, TestHttpProxy.Seen::target)
          .containsExactly(org.assertj.core.groups.Tuple.tuple("CONNECT", "localhost:" + echo.port()));
    }
  }

  @Test
  void streamTaskWhenTheHttpProxyWantsCredentialsSendsTheConfiguredOnesAsBasic() throws Exception {
    try (TestHttpProxy proxy = new TestHttpProxy().requireCredentials("bob", "pa55")) {
      echoes(task(ProxyConfiguration.http("127.0.0.1", proxy.port()).withCredentials("bob", "pa55")));
      assertThat(proxy.requests().get(0).headers().get("Proxy-Authorization")).startsWith("Basic ");
    }
  }

  @Test
  void streamTaskWhenTheHttpProxyAnswers407FailsWithUserAuthenticationRequired() throws Exception {
    try (TestHttpProxy proxy = new TestHttpProxy().requireCredentials("bob", "pa55")) {
      task(ProxyConfiguration.http("127.0.0.1", proxy.port()));
      SessionException e = delegate.awaitCompletion();
      assertThat(e.code()).isEqualTo(Code.USER_AUTHENTICATION_REQUIRED);
      assertThat(echo.accepted.get()).isZero();
    }
  }

  @Test
  void streamTaskWhenTheHttpProxyRefusesTheTunnelFailsWithCannotConnectToHost() throws Exception {
    try (TestHttpProxy proxy = new TestHttpProxy()) {
      proxy.failNextConnect();
      task(ProxyConfiguration.http("127.0.0.1", proxy.port()));
      SessionException e = delegate.awaitCompletion();
      assertThat(e.code()).isEqualTo(Code.CANNOT_CONNECT_TO_HOST);
      assertThat(e.getMessage()).contains("502");
    }
  }

  @Test
  void streamTaskWhenTheHostIsOnTheBypassListConnectsDirectly() throws Exception {
    try (TestHttpProxy proxy = new TestHttpProxy()) {
      echoes(task(ProxyConfiguration.http("127.0.0.1", proxy.port()).withBypass(List.of("localhost"))));
      assertThat(proxy.requests()).isEmpty();
    }
  }
}
