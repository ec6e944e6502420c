package dev.urlsession;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.urlsession.SessionException.Code;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import okhttp3.tls.HandshakeCertificates;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Sessions through real HTTP and SOCKS5 proxies running in the test (issue 6, "Proxies"). */
@Timeout(60)
class ProxyTests {
  @StartStop final MockWebServer origin = new MockWebServer();
  final TestHttpProxy httpProxy;
  final TestSocksProxy socksProxy;
  final RecordingDelegate delegate = new RecordingDelegate();
  Session session;

  ProxyTests() throws Exception {
    httpProxy = new TestHttpProxy();
    socksProxy = new TestSocksProxy();
  }

  @AfterEach
  void tearDown() throws Exception {
    if (session != null) {
      session.invalidateAndCancel();
      delegate.invalid.get(10, SECONDS);
      // No sockets left open behind the session.
      Awaitility.await().atMost(Duration.ofSeconds(10))
          .until(() -> httpProxy.openConnections() == 0 && socksProxy.openConnections() == 0);
    }
    httpProxy.close();
    socksProxy.close();
  }

  Session session(ProxyConfiguration proxy, boolean tls) {
    SessionConfiguration.Builder b = SessionConfiguration.ephemeral().toBuilder().proxy(proxy);
    if (tls) {
      b.sslContext(HttpsAndHttp2Tests.trusting());
    }
    session = Session.create(b.build(), delegate, null);
    return session;
  }

  void https() {
    origin.useHttps(new HandshakeCertificates.Builder().heldCertificate(HttpsAndHttp2Tests.CERT).build().sslSocketFactory());
  }

  @Test
  void httpRequestGoesThroughTheHttpProxyInAbsoluteForm() throws Exception {
    origin.enqueue(new MockResponse.Builder().body("via proxy").build());
    session(ProxyConfiguration.http("127.0.0.1", httpProxy.port()), false).dataTask(origin.url("/a").uri()).resume();
    assertThat(delegate.awaitCompletion()).isNull();
    assertThat(httpProxy.requests()).extracting(TestHttpProxy.Seen::target).containsExactly(origin.url("/a").toString());
    assertThat(origin.takeRequest(5, SECONDS).getHeaders().get("Via")).isEqualTo(TestHttpProxy.VIA);
    assertThat(delegate.metrics.transactionMetrics().get(0).proxyConnection()).isTrue();
  }

  @Test
  void httpsRequestTunnelsThroughConnectAndTheProxySeesOnlyTheAuthority() throws Exception {
    https();
    origin.enqueue(new MockResponse.Builder().body("secret").build());
    Request r = Request.builder(origin.url("/s").uri()).header("Authorization", "Bearer origin-only").build();
    session(ProxyConfiguration.http("127.0.0.1", httpProxy.port()), true).dataTask(r).resume();
    assertThat(delegate.awaitCompletion()).isNull();
    TestHttpProxy.Seen connect = httpProxy.requests().get(0);
    assertThat(connect.method()).isEqualTo("CONNECT");
    assertThat(connect.target()).isEqualTo(origin.getHostName() + ":" + origin.getPort());
    assertThat(connect.headers()).doesNotContainKey("authorization");
    assertThat(origin.takeRequest(5, SECONDS).getHeaders().get("Authorization")).isEqualTo("Bearer origin-only");
  }

  @Test
  void configuredProxyCredentialsAnswerThe407AndNeverReachTheOrigin() throws Exception {
    https();
    httpProxy.requireCredentials("proxyuser", "proxypass");
    origin.enqueue(new MockResponse.Builder().body("through").build());
    session(ProxyConfiguration.http("127.0.0.1", httpProxy.port()).withCredentials("proxyuser", "proxypass"), true)
        .dataTask(origin.url("/t").uri()).resume();
    assertThat(delegate.awaitCompletion()).isNull();
    assertThat(httpProxy.requests()).extracting(s -> s.headers().get("proxy-authorization"))
        .contains(TestHttpProxy.basic("proxyuser", "proxypass"));
    RecordedRequest atOrigin = origin.takeRequest(5, SECONDS);
    assertThat(atOrigin.getHeaders().get("Proxy-Authorization")).isNull();
    assertThat(delegate.events).noneMatch(e -> e.startsWith("didReceiveChallenge"));
  }

  @Test
  void authenticatingProxyChallengesOnlyTheFirstRequestOfTheSession() throws Exception {
    httpProxy.requireCredentials("proxyuser", "proxypass");
    for (int i = 0; i < 3; i++) {
      origin.enqueue(new MockResponse.Builder().body("ok " + i).build());
    }
    Session s = session(ProxyConfiguration.http("127.0.0.1", httpProxy.port()).withCredentials("proxyuser", "proxypass"),
        false);
    for (int i = 0; i < 3; i++) {
      assertThat(new String(s.data(Request.get(origin.url("/p" + i).uri())).get(10, SECONDS).body(),
          java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("ok " + i);
    }
    // The first request meets the 407; the next ones carry the credentials from the start.
    assertThat(httpProxy.requests()).extracting(r -> r.headers().get("proxy-authorization")).containsExactly(
        null, TestHttpProxy.basic("proxyuser", "proxypass"), TestHttpProxy.basic("proxyuser", "proxypass"),
        TestHttpProxy.basic("proxyuser", "proxypass"));
    for (int i = 0; i < 3; i++) {
      assertThat(origin.takeRequest(5, SECONDS).getHeaders().get("Proxy-Authorization")).isNull();
    }
  }

  @Test
  void proxyChallengeAnsweredByTheDelegateIsNotAskedAgainForTheNextRequests() throws Exception {
    httpProxy.requireCredentials("u", "p");
    origin.enqueue(new MockResponse.Builder().body("one").build());
    origin.enqueue(new MockResponse.Builder().body("two").build());
    java.util.concurrent.atomic.AtomicInteger asked = new java.util.concurrent.atomic.AtomicInteger();
    RecordingDelegate d = new RecordingDelegate() {
      @Override
      public void didReceiveChallenge(Session s, SessionTask t, AuthenticationChallenge c, ChallengeHandler h) {
        asked.incrementAndGet();
        h.useCredential(Credential.of("u", "p", Credential.Persistence.NONE));
      }
    };
    session = Session.create(SessionConfiguration.ephemeral().toBuilder()
        .proxy(ProxyConfiguration.http("127.0.0.1", httpProxy.port())).build(), d, null);
    assertThat(session.data(Request.get(origin.url("/1").uri())).get(10, SECONDS).body()).hasSize(3);
    assertThat(session.data(Request.get(origin.url("/2").uri())).get(10, SECONDS).body()).hasSize(3);
    assertThat(asked.get()).isEqualTo(1);
    assertThat(httpProxy.requests()).extracting(r -> r.headers().get("proxy-authorization"))
        .containsExactly(null, TestHttpProxy.basic("u", "p"), TestHttpProxy.basic("u", "p"));
    session.invalidateAndCancel();
    d.invalid.get(10, SECONDS);
    session = null;
  }

  @Test
  void proxyChallengeReachesTheDelegateWithAProxyProtectionSpace() throws Exception {
    httpProxy.requireCredentials("u", "p");
    origin.enqueue(new MockResponse.Builder().body("ok").build());
    List<AuthenticationChallenge> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
    RecordingDelegate d = new RecordingDelegate() {
      @Override
      public void didReceiveChallenge(Session s, SessionTask t, AuthenticationChallenge c, ChallengeHandler h) {
        seen.add(c);
        h.useCredential(Credential.of("u", "p", Credential.Persistence.NONE));
      }
    };
    session = Session.create(SessionConfiguration.ephemeral().toBuilder()
        .proxy(ProxyConfiguration.http("127.0.0.1", httpProxy.port())).build(), d, null);
    session.dataTask(origin.url("/c").uri()).resume();
    assertThat(d.awaitCompletion()).isNull();
    assertThat(seen).hasSize(1);
    ProtectionSpace space = seen.get(0).protectionSpace();
    assertThat(space.isProxy()).isTrue();
    assertThat(space.port()).isEqualTo(httpProxy.port());
    assertThat(space.realm()).isEqualTo("test-proxy");
    assertThat(origin.takeRequest(5, SECONDS).getHeaders().get("Proxy-Authorization")).isNull();
    session.invalidateAndCancel();
    d.invalid.get(10, SECONDS);
    session = null;
  }

  @Test
  void systemRouteFollowsTheJvmProxySelector() throws Exception {
    origin.enqueue(new MockResponse.Builder().body("system").build());
    java.net.ProxySelector previous = java.net.ProxySelector.getDefault();
    java.net.ProxySelector.setDefault(java.net.ProxySelector.of(httpProxy.address()));
    try {
      session(ProxyConfiguration.system(), false).dataTask(origin.url("/sys").uri()).resume();
      assertThat(delegate.awaitCompletion()).isNull();
      assertThat(httpProxy.requests()).extracting(TestHttpProxy.Seen::target)
          .containsExactly(origin.url("/sys").toString());
    } finally {
      java.net.ProxySelector.setDefault(previous);
    }
  }

  @Test
  void bypassedHostsAreReachedDirectly() throws Exception {
    origin.enqueue(new MockResponse.Builder().body("direct").build());
    String host = origin.url("/").uri().getHost();
    session(ProxyConfiguration.http("127.0.0.1", httpProxy.port()).withBypass(List.of(host)), false)
        .dataTask(origin.url("/d").uri()).resume();
    assertThat(delegate.awaitCompletion()).isNull();
    assertThat(httpProxy.requests()).isEmpty();
    assertThat(origin.takeRequest(5, SECONDS).getHeaders().get("Via")).isNull();
  }

  @Test
  void socksProxyWithCredentialsResolvesTheHostNameItself() throws Exception {
    https();
    socksProxy.requireCredentials("sock", "s3cret");
    origin.enqueue(new MockResponse.Builder().body("socks").build());
    URI url = URI.create("https://localhost:" + origin.getPort() + "/s");
    session(ProxyConfiguration.socks("127.0.0.1", socksProxy.port()).withCredentials("sock", "s3cret"), true)
        .dataTask(url).resume();
    assertThat(delegate.awaitCompletion()).isNull();
    assertThat(socksProxy.targets()).containsExactly("localhost:" + origin.getPort());
    assertThat(socksProxy.usernames()).containsExactly("sock");
  }

  @Test
  void socksProxyRefusingTheCredentialsFailsTheTask() throws Exception {
    socksProxy.requireCredentials("sock", "right");
    session(ProxyConfiguration.socks("127.0.0.1", socksProxy.port()).withCredentials("sock", "wrong"), false)
        .dataTask(URI.create("http://localhost:" + origin.getPort() + "/x")).resume();
    SessionException e = delegate.awaitCompletion();
    assertThat(e.code()).isIn(Code.CANNOT_CONNECT_TO_HOST, Code.NETWORK_CONNECTION_LOST);
    assertThat(e.failingUrl()).isEqualTo(URI.create("http://localhost:" + origin.getPort() + "/x"));
    assertThat(origin.getRequestCount()).isZero();
  }

  @Test
  void hostNamesLongerThanSocksCanCarryAreRefused() throws Exception {
    String label = "a".repeat(60);
    String host = String.join(".", label, label, label, label, label) + ".example";
    session(ProxyConfiguration.socks("127.0.0.1", socksProxy.port()), false)
        .dataTask(URI.create("https://" + host + "/")).resume();
    assertThat(delegate.awaitCompletion().code()).isEqualTo(Code.CANNOT_FIND_HOST);
    assertThat(socksProxy.targets()).isEmpty();
  }

  @Test
  void proxyThatRefusesTheTunnelEndsTheTaskWithoutReachingTheOrigin() throws Exception {
    https();
    httpProxy.failNextConnect();
    session(ProxyConfiguration.http("127.0.0.1", httpProxy.port()), true).dataTask(origin.url("/r").uri()).resume();
    SessionException e = delegate.awaitCompletion();
    // The proxy's 502 is not the origin's answer: the task fails, it does not "succeed" with it.
    assertThat(e.code()).isEqualTo(Code.CANNOT_CONNECT_TO_HOST);
    assertThat(e.getMessage()).contains("proxy refused the tunnel with 502");
    assertThat(e.failingUrl()).isEqualTo(origin.url("/r").uri());
    assertThat(origin.getRequestCount()).isZero();
  }

  @Test
  void proxyThatClosesTheTunnelEndsTheTaskWithAConnectionError() throws Exception {
    https();
    httpProxy.closeNextTunnel();
    session(ProxyConfiguration.http("127.0.0.1", httpProxy.port()), true).dataTask(origin.url("/c").uri()).resume();
    SessionException e = delegate.awaitCompletion();
    assertThat(e.code()).isIn(Code.NETWORK_CONNECTION_LOST, Code.SECURE_CONNECTION_FAILED);
    assertThat(e.failingUrl()).isEqualTo(origin.url("/c").uri());
  }
}
