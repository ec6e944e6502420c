package dev.urlsession;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.urlsession.SessionException.Code;
import java.io.IOException;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.SocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code ws:} through a SOCKS5 proxy (remote DNS, RFC 1929 credentials) and through the JVM's
 * proxy selector (the SYSTEM configuration), against the loopback proxy fixtures.
 */
@Timeout(30)
class WebSocketProxyTests {
  @StartStop final MockWebServer server = new MockWebServer();
  Session session;
  TestSocksProxy socks;
  TestHttpProxy http;

  @AfterEach
  void tearDown() throws Exception {
    if (session != null) {
      session.invalidateAndCancel();
    }
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() ->
        (socks == null || socks.openConnections() == 0) && (http == null || http.openConnections() == 0));
    if (socks != null) {
      socks.close();
    }
    if (http != null) {
      http.close();
    }
  }

  /** A URL with a host name, so that a SOCKS proxy shows whether it got the name or an address. */
  URI ws(String path) {
    return URI.create("ws://localhost:" + server.getPort() + path);
  }

  Session session(ProxyConfiguration proxy, RecordingWebSocketDelegate delegate) {
    session = Session.create(SessionConfiguration.ephemeral().toBuilder().proxy(proxy).build(), delegate, null);
    return session;
  }

  void upgrade() {
    server.enqueue(new MockResponse.Builder().webSocketUpgrade(new WebSocketTaskTests.Echo()).build());
  }

  static void echo(WebSocketTask task) throws Exception {
    task.resume();
    task.send(WebSocketMessage.text("around"));
    assertThat(task.receive().get(10, SECONDS)).isEqualTo(WebSocketMessage.text("around"));
    task.cancel(CloseCode.NORMAL_CLOSURE, null);
    assertThat(task.completion().get(10, SECONDS).error()).isNull();
  }

  @Test
  void socksWhenConfiguredThenTheProxyResolvesTheHostNameAndCarriesTheConnection() throws Exception {
    socks = new TestSocksProxy();
    upgrade();
    RecordingWebSocketDelegate d = new RecordingWebSocketDelegate();
    echo(session(ProxyConfiguration.socks("127.0.0.1", socks.port()), d).webSocketTask(ws("/socks")));
    assertThat(socks.targets()).containsExactly("localhost:" + server.getPort());
    assertThat(server.takeRequest(5, SECONDS).getUrl().encodedPath()).isEqualTo("/socks");
    assertThat(d.awaitCompletion()).isNull();
    d.assertEvents("didCreateTask", "didOpenWithProtocol null", "didCloseWith NORMAL_CLOSURE null",
        "didFinishCollectingMetrics", "didComplete null");
    assertThat(d.metrics.transactionMetrics().get(0).proxyConnection()).isTrue();
  }

  @Test
  void socksWhenTheProxyWantsCredentialsThenTheConfiguredOnesAreSent() throws Exception {
    socks = new TestSocksProxy().requireCredentials("sock", "s3cret");
    upgrade();
    echo(session(ProxyConfiguration.socks("127.0.0.1", socks.port()).withCredentials("sock", "s3cret"),
        new RecordingWebSocketDelegate()).webSocketTask(ws("/auth")));
    assertThat(socks.usernames()).containsExactly("sock");
    assertThat(socks.targets()).containsExactly("localhost:" + server.getPort());
  }

  @Test
  void socksWhenTheProxyRejectsTheCredentialsThenTheTaskFailsAndTheServerIsNotReached() throws Exception {
    socks = new TestSocksProxy().requireCredentials("sock", "right");
    RecordingWebSocketDelegate d = new RecordingWebSocketDelegate();
    session(ProxyConfiguration.socks("127.0.0.1", socks.port()).withCredentials("sock", "wrong"), d)
        .webSocketTask(ws("/wrong")).resume();
    SessionException e = d.awaitCompletion();
    // As for data tasks (ProxyTests): Jetty reports the refusal as an I/O failure of the connection.
    assertThat(e.code()).isIn(Code.CANNOT_CONNECT_TO_HOST, Code.NETWORK_CONNECTION_LOST);
    assertThat(e.getMessage()).contains("authentication failure");
    assertThat(e.failingUrl()).isEqualTo(ws("/wrong"));
    d.assertEvents("didCreateTask", "didFinishCollectingMetrics", "didComplete " + e.code());
    assertThat(server.getRequestCount()).isZero();
  }

  @Test
  void socksWhenTheHostIsBypassedThenConnectsDirectly() throws Exception {
    socks = new TestSocksProxy();
    upgrade();
    RecordingWebSocketDelegate d = new RecordingWebSocketDelegate();
    echo(session(ProxyConfiguration.socks("127.0.0.1", socks.port()).withBypass(List.of("localhost")), d)
        .webSocketTask(ws("/direct")));
    assertThat(socks.targets()).isEmpty();
    assertThat(d.metrics.transactionMetrics().get(0).proxyConnection()).isFalse();
  }

  /** A JVM proxy selector that sends {@code ws:} connections to {@code proxy} and records what it was asked. */
  static final class RecordingSelector extends ProxySelector {
    final List<URI> asked = new CopyOnWriteArrayList<>();
    final Proxy proxy;

    RecordingSelector(Proxy proxy) {
      this.proxy = proxy;
    }

    @Override
    public List<Proxy> select(URI uri) {
      asked.add(uri);
      return List.of(proxy);
    }

    @Override
    public void connectFailed(URI uri, SocketAddress sa, IOException ioe) {}
  }

  @Test
  void systemWhenTheJvmSelectorNamesAnHttpProxyThenTunnelsThroughIt() throws Exception {
    http = new TestHttpProxy();
    upgrade();
    RecordingSelector selector = new RecordingSelector(new Proxy(Proxy.Type.HTTP, http.address()));
    ProxySelector previous = ProxySelector.getDefault();
    ProxySelector.setDefault(selector);
    try {
      RecordingWebSocketDelegate d = new RecordingWebSocketDelegate();
      echo(session(ProxyConfiguration.system(), d).webSocketTask(ws("/system")));
      // One CONNECT (one more if Jetty lost the tunnel to a race of its own, see WebSocketEngine.lostTunnelRace).
      assertThat(http.requests()).extracting(TestHttpProxy.Seen::method).containsOnly("CONNECT");
      assertThat(http.requests()).extracting(TestHttpProxy.Seen::target).containsOnly("localhost:" + server.getPort());
      // The selector is asked about the http: form of the URL (a ws: connection is an HTTP one).
      assertThat(selector.asked).contains(URI.create("http://localhost:" + server.getPort() + "/"));
      assertThat(d.metrics.transactionMetrics().get(0).proxyConnection()).isTrue();
    } finally {
      ProxySelector.setDefault(previous);
    }
  }

  @Test
  void systemWhenTheJvmSelectorSaysDirectThenNoProxyIsUsed() throws Exception {
    http = new TestHttpProxy();
    upgrade();
    ProxySelector previous = ProxySelector.getDefault();
    ProxySelector.setDefault(new RecordingSelector(Proxy.NO_PROXY));
    try {
      RecordingWebSocketDelegate d = new RecordingWebSocketDelegate();
      echo(session(ProxyConfiguration.system(), d).webSocketTask(ws("/direct")));
      assertThat(http.requests()).isEmpty();
      assertThat(server.takeRequest(5, SECONDS).getUrl().encodedPath()).isEqualTo("/direct");
      assertThat(d.metrics.transactionMetrics().get(0).proxyConnection()).isFalse();
    } finally {
      ProxySelector.setDefault(previous);
    }
  }
}
