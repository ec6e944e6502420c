package dev.urlsession;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Authenticator;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.PasswordAuthentication;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;
import mockwebserver3.junit5.StartStop;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link TestHttpProxy} and {@link TestSocksProxy} with plain JDK clients and hand-written
 * handshakes: what they record, what they strip, how they refuse, and that they leave no
 * connection open.
 */
@Timeout(30)
class ProxyFixturesTests {
  static final HeldCertificate CERT = new HeldCertificate.Builder()
      .addSubjectAlternativeName("localhost").addSubjectAlternativeName("127.0.0.1").build();
  static final Duration WAIT = Duration.ofSeconds(5);

  static SSLContext trusting() {
    return new HandshakeCertificates.Builder().addTrustedCertificate(CERT.certificate()).build().sslContext();
  }

  static HttpClient jdkClient(TestHttpProxy proxy, Authenticator authenticator) {
    HttpClient.Builder b = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(WAIT).proxy(ProxySelector.of(proxy.address())).sslContext(trusting());
    if (authenticator != null) {
      b.authenticator(authenticator);
    }
    return b.build();
  }

  static Socket rawSocket(InetSocketAddress address) throws IOException {
    Socket s = new Socket();
    s.connect(address, 5_000);
    s.setSoTimeout(5_000);
    return s;
  }

  static void send(OutputStream out, String text) throws IOException {
    out.write(text.getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
  }

  /** A response head and its body, framed by Content-Length or by the end of the stream. */
  record RawResponse(int status, Map<String, String> headers, String body) {
    static RawResponse read(InputStream in) throws IOException {
      ByteArrayOutputStream head = new ByteArrayOutputStream();
      while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
        int c = in.read();
        if (c < 0) {
          throw new IOException("end of stream in head: " + head.toString(StandardCharsets.ISO_8859_1));
        }
        head.write(c);
      }
      String[] lines = head.toString(StandardCharsets.ISO_8859_1).split("\r\n");
      Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
      for (int i = 1; i < lines.length; i++) {
        int colon = lines[i].indexOf(':');
        headers.put(lines[i].substring(0, colon).trim(), lines[i].substring(colon + 1).trim());
      }
      String length = headers.get("Content-Length");
      byte[] body = length != null ? new DataInputStream(in).readNBytes(Integer.parseInt(length))
          : lines[0].contains(" 200 Connection established") ? new byte[0] : in.readAllBytes();
      return new RawResponse(Integer.parseInt(lines[0].split(" ")[1]), headers,
          new String(body, StandardCharsets.UTF_8));
    }
  }

  @Nested
  class HttpProxy {
    @StartStop final MockWebServer origin = new MockWebServer();
    final TestHttpProxy proxy = new TestHttpProxy();

    HttpProxy() throws IOException {
    }

    @AfterEach
    void tearDown() throws IOException {
      proxy.close();
    }

    String originAuthority() {
      return origin.getHostName() + ":" + origin.getPort();
    }

    @Test
    void jdkClientWhenGettingThroughProxyOriginSeesOriginFormRequestWithVia() throws Exception {
      origin.enqueue(new MockResponse.Builder().body("via proxy").addHeader("X-Origin", "yes").build());
      String url = origin.url("/a/b?x=1&y=%20").toString();

      HttpResponse<String> response = jdkClient(proxy, null)
          .send(HttpRequest.newBuilder(URI.create(url)).header("X-Custom", "kept").build(),
              HttpResponse.BodyHandlers.ofString());

      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.body()).isEqualTo("via proxy");
      assertThat(response.headers().firstValue("X-Origin")).hasValue("yes");
      assertThat(response.headers().firstValue("Connection")).hasValue("close");
      RecordedRequest recorded = origin.takeRequest(5, SECONDS);
      assertThat(recorded.getTarget()).isEqualTo("/a/b?x=1&y=%20");
      assertThat(recorded.getHeaders().get("Via")).isEqualTo(TestHttpProxy.VIA);
      assertThat(recorded.getHeaders().get("X-Custom")).isEqualTo("kept");
      assertThat(recorded.getHeaders().get("Host")).isEqualTo(originAuthority());
      assertThat(recorded.getHeaders().get("Connection")).isEqualTo("close");
      assertThat(proxy.requests()).singleElement().satisfies(seen -> {
        assertThat(seen.method()).isEqualTo("GET");
        assertThat(seen.target()).isEqualTo(url);
        assertThat(seen.headers()).containsEntry("x-custom", "kept").doesNotContainKey("Proxy-Authorization");
      });
      await().atMost(WAIT).until(() -> proxy.openConnections() == 0);
    }

    @Test
    void jdkClientWhenPostingFixedAndChunkedBodiesOriginReceivesThemAndChunkedResponsesComeBack()
        throws Exception {
      origin.enqueue(new MockResponse.Builder().chunkedBody("chunked reply ".repeat(100), 64).build());
      origin.enqueue(new MockResponse.Builder().code(201).body("created").build());
      HttpClient client = jdkClient(proxy, null);
      String big = "0123456789".repeat(5_000);

      HttpResponse<String> fixed = client.send(HttpRequest.newBuilder(origin.url("/fixed").uri())
          .POST(HttpRequest.BodyPublishers.ofString(big)).build(), HttpResponse.BodyHandlers.ofString());
      HttpResponse<String> chunked = client.send(HttpRequest.newBuilder(origin.url("/chunked").uri())
          .PUT(HttpRequest.BodyPublishers.ofInputStream(
              () -> new ByteArrayInputStream("streamed body".getBytes(StandardCharsets.UTF_8)))).build(),
          HttpResponse.BodyHandlers.ofString());

      assertThat(fixed.body()).isEqualTo("chunked reply ".repeat(100));
      assertThat(chunked.statusCode()).isEqualTo(201);
      assertThat(chunked.body()).isEqualTo("created");
      RecordedRequest first = origin.takeRequest(5, SECONDS);
      assertThat(first.getBody().utf8()).isEqualTo(big);
      assertThat(first.getHeaders().get("Content-Length")).isEqualTo(String.valueOf(big.length()));
      RecordedRequest second = origin.takeRequest(5, SECONDS);
      assertThat(second.getMethod()).isEqualTo("PUT");
      assertThat(second.getHeaders().get("Transfer-Encoding")).isEqualToIgnoringCase("chunked");
      assertThat(second.getBody().utf8()).isEqualTo("streamed body");
      await().atMost(WAIT).until(() -> proxy.openConnections() == 0);
    }

    @Test
    void rawClientWhenCredentialsMissingOrWrongGets407ThenOriginNeverSeesProxyHeaders() throws Exception {
      proxy.requireCredentials("alice", "s3cret-\u00e9");
      origin.enqueue(new MockResponse.Builder().body("authorized").build());
      String url = origin.url("/private").toString();
      String good = TestHttpProxy.basic("alice", "s3cret-\u00e9");

      try (Socket s = rawSocket(proxy.address())) {
        send(s.getOutputStream(), "GET " + url + " HTTP/1.1\r\nHost: " + originAuthority() + "\r\n\r\n");
        RawResponse missing = RawResponse.read(s.getInputStream());
        assertThat(missing.status()).isEqualTo(407);
        assertThat(missing.headers()).containsEntry("Proxy-Authenticate", "Basic realm=\"test-proxy\"");
        assertThat(missing.body()).isNotEmpty();

        // the 407 kept the connection open: retry on it, first with a wrong password
        send(s.getOutputStream(), "GET " + url + " HTTP/1.1\r\nHost: " + originAuthority()
            + "\r\nProxy-Authorization: " + TestHttpProxy.basic("alice", "wrong") + "\r\n\r\n");
        assertThat(RawResponse.read(s.getInputStream()).status()).isEqualTo(407);

        send(s.getOutputStream(), "GET " + url + " HTTP/1.1\r\nHost: " + originAuthority()
            + "\r\nProxy-Authorization: " + good + "\r\nProxy-Connection: keep-alive\r\n"
            + "Connection: X-Hop\r\nX-Hop: hop-secret\r\nX-End-To-End: e2e\r\n\r\n");
        RawResponse ok = RawResponse.read(s.getInputStream());
        assertThat(ok.status()).isEqualTo(200);
        assertThat(ok.body()).isEqualTo("authorized");
        assertThat(s.getInputStream().read()).isEqualTo(-1); // closed after the forwarded response
      }

      RecordedRequest recorded = origin.takeRequest(5, SECONDS);
      assertThat(recorded.getHeaders().names()).map(n -> n.toLowerCase(Locale.ROOT))
          .doesNotContain("proxy-authorization", "proxy-connection", "x-hop")
          .contains("via", "x-end-to-end");
      assertThat(origin.getRequestCount()).isEqualTo(1);
      List<TestHttpProxy.Seen> seen = proxy.requests();
      assertThat(seen).hasSize(3).allSatisfy(r -> assertThat(r.target()).isEqualTo(url));
      assertThat(seen.get(0).headers()).doesNotContainKey("Proxy-Authorization");
      assertThat(seen.get(2).headers()).containsEntry("Proxy-Authorization", good)
          .containsEntry("proxy-connection", "keep-alive");
      await().atMost(WAIT).until(() -> proxy.openConnections() == 0);
    }

    @Test
    void jdkClientWhenProxyChallengesRetriesWithItsAuthenticatorAndOriginSeesNoCredentials()
        throws Exception {
      proxy.requireCredentials("bob", "hunter2");
      origin.enqueue(new MockResponse.Builder().body("hello bob").build());
      Authenticator authenticator = new Authenticator() {
        @Override
        protected PasswordAuthentication getPasswordAuthentication() {
          return getRequestorType() == RequestorType.PROXY
              ? new PasswordAuthentication("bob", "hunter2".toCharArray()) : null;
        }
      };

      HttpResponse<String> response = jdkClient(proxy, authenticator)
          .send(HttpRequest.newBuilder(origin.url("/hi").uri()).build(), HttpResponse.BodyHandlers.ofString());

      assertThat(response.body()).isEqualTo("hello bob");
      assertThat(proxy.requests()).extracting(r -> r.headers().get("Proxy-Authorization"))
          .containsExactly(null, TestHttpProxy.basic("bob", "hunter2"));
      assertThat(origin.takeRequest(5, SECONDS).getHeaders().get("Proxy-Authorization")).isNull();
      await().atMost(WAIT).until(() -> proxy.openConnections() == 0);
    }
  }

  @Nested
  class HttpProxyTunnel {
    @StartStop final MockWebServer origin = new MockWebServer();
    final TestHttpProxy proxy = new TestHttpProxy();

    HttpProxyTunnel() throws IOException {
    }

    @BeforeEach
    void https() {
      origin.useHttps(new HandshakeCertificates.Builder().heldCertificate(CERT).build().sslSocketFactory());
    }

    @AfterEach
    void tearDown() throws IOException {
      proxy.close();
    }

    String originAuthority() {
      return origin.getHostName() + ":" + origin.getPort();
    }

    /** Opens a CONNECT tunnel to the origin on a raw socket and returns the proxy's answer. */
    RawResponse connect(Socket s, String proxyAuthorization) throws IOException {
      send(s.getOutputStream(), "CONNECT " + originAuthority() + " HTTP/1.1\r\nHost: " + originAuthority()
          + "\r\n" + (proxyAuthorization == null ? "" : "Proxy-Authorization: " + proxyAuthorization + "\r\n")
          + "\r\n");
      return RawResponse.read(s.getInputStream());
    }

    String getOverTls(Socket tunnel, String path) throws IOException {
      SSLSocket tls = (SSLSocket) trusting().getSocketFactory()
          .createSocket(tunnel, origin.getHostName(), origin.getPort(), true);
      tls.startHandshake();
      send(tls.getOutputStream(), "GET " + path + " HTTP/1.1\r\nHost: " + originAuthority()
          + "\r\nConnection: close\r\n\r\n");
      return RawResponse.read(tls.getInputStream()).body();
    }

    @Test
    void jdkClientWhenGettingHttpsTunnelsThroughConnectAndProxySeesOnlyTheAuthority() throws Exception {
      origin.enqueue(new MockResponse.Builder().body("secret page")
          .onResponseEnd(SocketEffect.ShutdownConnection.INSTANCE).build());

      HttpResponse<String> response = jdkClient(proxy, null)
          .send(HttpRequest.newBuilder(origin.url("/tls?q=1").uri()).header("Authorization", "Bearer t0k3n")
              .build(), HttpResponse.BodyHandlers.ofString());

      assertThat(response.body()).isEqualTo("secret page");
      RecordedRequest recorded = origin.takeRequest(5, SECONDS);
      assertThat(recorded.getHandshake()).isNotNull();
      assertThat(recorded.getTarget()).isEqualTo("/tls?q=1");
      assertThat(recorded.getHeaders().get("Via")).isNull(); // the proxy only pumped bytes
      assertThat(proxy.requests()).singleElement().satisfies(seen -> {
        assertThat(seen.method()).isEqualTo("CONNECT");
        assertThat(seen.target()).isEqualTo(originAuthority());
        assertThat(seen.headers()).doesNotContainKey("Authorization");
      });
      await().atMost(WAIT).until(() -> proxy.openConnections() == 0);
    }

    @Test
    void rawConnectWhenCredentialsRequiredGets407ThenTunnelsOnTheSameConnection() throws Exception {
      proxy.requireCredentials("carol", "pw");
      origin.enqueue(new MockResponse.Builder().body("through the tunnel").build());
      String good = TestHttpProxy.basic("carol", "pw");

      try (Socket s = rawSocket(proxy.address())) {
        RawResponse challenged = connect(s, null);
        assertThat(challenged.status()).isEqualTo(407);
        assertThat(challenged.headers()).containsEntry("Proxy-Authenticate", "Basic realm=\"test-proxy\"");
        assertThat(connect(s, TestHttpProxy.basic("carol", "nope")).status()).isEqualTo(407);
        assertThat(connect(s, good).status()).isEqualTo(200);
        assertThat(proxy.openConnections()).isEqualTo(1);

        assertThat(getOverTls(s, "/inside")).isEqualTo("through the tunnel");
      }

      assertThat(origin.takeRequest(5, SECONDS).getHeaders().get("Proxy-Authorization")).isNull();
      assertThat(proxy.requests()).extracting(TestHttpProxy.Seen::method).containsOnly("CONNECT");
      assertThat(proxy.requests().get(2).headers()).containsEntry("Proxy-Authorization", good);
      await().atMost(WAIT).until(() -> proxy.openConnections() == 0);
    }

    @Test
    void connectWhenFailNextConnectAnswers502AndClosesThenTheFollowingOneSucceeds() throws Exception {
      proxy.failNextConnect();
      origin.enqueue(new MockResponse.Builder().body("second try").build());

      try (Socket s = rawSocket(proxy.address())) {
        RawResponse refused = connect(s, null);
        assertThat(refused.status()).isEqualTo(502);
        assertThat(s.getInputStream().read()).isEqualTo(-1);
      }
      try (Socket s = rawSocket(proxy.address())) {
        assertThat(connect(s, null).status()).isEqualTo(200);
        assertThat(getOverTls(s, "/again")).isEqualTo("second try");
      }
      await().atMost(WAIT).until(() -> proxy.openConnections() == 0);
    }

    @Test
    void jdkClientWhenProxyRefusesTheTunnelFails() {
      proxy.failNextConnect();

      assertThatThrownBy(() -> jdkClient(proxy, null)
          .send(HttpRequest.newBuilder(origin.url("/x").uri()).build(), HttpResponse.BodyHandlers.ofString()))
          .isInstanceOf(IOException.class);
      assertThat(origin.getRequestCount()).isZero();
      await().atMost(WAIT).until(() -> proxy.openConnections() == 0);
    }

    @Test
    void connectWhenCloseNextTunnelAnswers200ThenCloses() throws Exception {
      proxy.closeNextTunnel();

      try (Socket s = rawSocket(proxy.address())) {
        assertThat(connect(s, null).status()).isEqualTo(200);
        assertThat(s.getInputStream().read()).isEqualTo(-1);
      }
      assertThat(origin.getRequestCount()).isZero();
      await().atMost(WAIT).until(() -> proxy.openConnections() == 0);
    }

    @Test
    void openConnectionsWhenClientHoldsATunnelCountsItUntilTheClientCloses() throws Exception {
      Socket s = rawSocket(proxy.address());
      assertThat(connect(s, null).status()).isEqualTo(200);
      assertThat(proxy.openConnections()).isEqualTo(1);

      s.close();

      await().atMost(WAIT).until(() -> proxy.openConnections() == 0);
    }

    @Test
    void closeWhenTunnelIsOpenClosesItAndStopsAccepting() throws Exception {
      try (Socket s = rawSocket(proxy.address())) {
        assertThat(connect(s, null).status()).isEqualTo(200);

        proxy.close();

        assertThat(proxy.openConnections()).isZero();
        assertThat(readOrFail(s.getInputStream())).isEqualTo(-1);
        assertThatThrownBy(() -> rawSocket(proxy.address()).close()).isInstanceOf(IOException.class);
      }
    }
  }

  /** -1 when the peer closed or reset the connection. */
  static int readOrFail(InputStream in) {
    try {
      return in.read();
    } catch (IOException e) {
      return -1;
    }
  }

  @Nested
  class SocksProxy {
    @StartStop final MockWebServer origin = new MockWebServer();
    final TestSocksProxy proxy = new TestSocksProxy();

    SocksProxy() throws IOException {
    }

    @AfterEach
    void tearDown() throws IOException {
      proxy.close();
    }

    /** GET over an already connected socket, with {@code Connection: close}; returns the body. */
    String get(Socket s, String path) throws IOException {
      send(s.getOutputStream(), "GET " + path + " HTTP/1.1\r\nHost: localhost:" + origin.getPort()
          + "\r\nConnection: close\r\n\r\n");
      return RawResponse.read(s.getInputStream()).body();
    }

    Socket jdkSocksSocket() throws IOException {
      Socket s = new Socket(new Proxy(Proxy.Type.SOCKS, proxy.address()));
      s.setSoTimeout(5_000);
      return s;
    }

    /** RFC 1928 greeting offering {@code methods}; returns the chosen method. */
    int greet(Socket s, int... methods) throws IOException {
      OutputStream out = s.getOutputStream();
      out.write(5);
      out.write(methods.length);
      for (int m : methods) {
        out.write(m);
      }
      out.flush();
      byte[] answer = s.getInputStream().readNBytes(2);
      assertThat(answer[0]).isEqualTo((byte) 5);
      return answer[1] & 0xFF;
    }

    /** RFC 1929 sub-negotiation; returns the status byte. */
    int authenticate(Socket s, String user, String password) throws IOException {
      byte[] u = user.getBytes(StandardCharsets.UTF_8);
      byte[] p = password.getBytes(StandardCharsets.UTF_8);
      OutputStream out = s.getOutputStream();
      out.write(1);
      out.write(u.length);
      out.write(u);
      out.write(p.length);
      out.write(p);
      out.flush();
      byte[] answer = s.getInputStream().readNBytes(2);
      assertThat(answer[0]).isEqualTo((byte) 1);
      return answer[1] & 0xFF;
    }

    /** CONNECT to a domain name; returns the reply code after consuming the whole reply. */
    int connectDomain(Socket s, String host, int port) throws IOException {
      byte[] name = host.getBytes(StandardCharsets.US_ASCII);
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      b.write(new byte[] {5, 1, 0, 3, (byte) name.length});
      b.write(name);
      b.write(port >> 8);
      b.write(port);
      return connect(s, b.toByteArray());
    }

    int connect(Socket s, byte[] request) throws IOException {
      s.getOutputStream().write(request);
      s.getOutputStream().flush();
      DataInputStream in = new DataInputStream(s.getInputStream());
      assertThat(in.readUnsignedByte()).isEqualTo(5);
      int reply = in.readUnsignedByte();
      in.readUnsignedByte();
      int type = in.readUnsignedByte();
      in.readNBytes((type == 4 ? 16 : 4) + 2);
      return reply;
    }

    @Test
    void jdkSocketWhenConnectingToUnresolvedHostSendsTheNameAndTheProxyResolvesIt() throws Exception {
      origin.enqueue(new MockResponse.Builder().body("over socks").build());

      try (Socket s = jdkSocksSocket()) {
        s.connect(InetSocketAddress.createUnresolved("localhost", origin.getPort()), 5_000);
        assertThat(get(s, "/socks")).isEqualTo("over socks");
      }

      assertThat(proxy.targets()).containsExactly("localhost:" + origin.getPort());
      assertThat(origin.takeRequest(5, SECONDS).getTarget()).isEqualTo("/socks");
      assertThat(proxy.usernames()).isEmpty();
      await().atMost(WAIT).until(() -> proxy.openConnections() == 0);
    }

    @Test
    void jdkSocketWhenConnectingToIpv4AddressSendsTheAddress() throws Exception {
      origin.enqueue(new MockResponse.Builder().body("by address").build());

      try (Socket s = jdkSocksSocket()) {
        s.connect(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), origin.getPort()), 5_000);
        assertThat(get(s, "/v4")).isEqualTo("by address");
      }

      assertThat(proxy.targets()).containsExactly("127.0.0.1:" + origin.getPort());
      await().atMost(WAIT).until(() -> proxy.openConnections() == 0);
    }

    @Test
    void rawClientWhenConnectingToIpv6AddressPumpsBytesBothWays() throws Exception {
      ServerSocket v6;
      try {
        v6 = new ServerSocket(0, 1, InetAddress.getByName("::1"));
      } catch (IOException e) {
        Assumptions.abort("no IPv6 loopback: " + e);
        return;
      }
      try (v6) {
        CompletableFuture<String> echoed = CompletableFuture.supplyAsync(() -> {
          try (Socket peer = v6.accept()) {
            peer.setSoTimeout(5_000);
            byte[] got = peer.getInputStream().readNBytes(4);
            peer.getOutputStream().write("pong".getBytes(StandardCharsets.US_ASCII));
            return new String(got, StandardCharsets.US_ASCII);
          } catch (IOException e) {
            throw new IllegalStateException(e);
          }
        });
        try (Socket s = rawSocket(proxy.address())) {
          assertThat(greet(s, 0x00)).isZero();
          ByteArrayOutputStream request = new ByteArrayOutputStream();
          request.write(new byte[] {5, 1, 0, 4});
          request.write(InetAddress.getByName("::1").getAddress());
          request.write(v6.getLocalPort() >> 8);
          request.write(v6.getLocalPort());
          assertThat(connect(s, request.toByteArray())).isEqualTo(TestSocksProxy.SUCCEEDED);
          send(s.getOutputStream(), "ping");
          assertThat(s.getInputStream().readNBytes(4)).asString(StandardCharsets.US_ASCII).isEqualTo("pong");
          assertThat(s.getInputStream().read()).isEqualTo(-1);
        }
        assertThat(echoed.get(5, SECONDS)).isEqualTo("ping");
        assertThat(proxy.targets()).containsExactly("[0:0:0:0:0:0:0:1]:" + v6.getLocalPort());
      }
      await().atMost(WAIT).until(() -> proxy.openConnections() == 0);
    }

    @Test
    void rawClientWhenCredentialsAreRightAuthenticatesAndConnects() throws Exception {
      proxy.requireCredentials("dave", "p\u00e4ss");
      origin.enqueue(new MockResponse.Builder().body("authenticated").build());

      try (Socket s = rawSocket(proxy.address())) {
        assertThat(greet(s, 0x00, 0x02)).isEqualTo(0x02);
        assertThat(authenticate(s, "dave", "p\u00e4ss")).isZero();
        assertThat(connectDomain(s, "localhost", origin.getPort())).isEqualTo(TestSocksProxy.SUCCEEDED);
        assertThat(get(s, "/auth")).isEqualTo("authenticated");
      }

      assertThat(proxy.usernames()).containsExactly("dave");
      assertThat(proxy.targets()).containsExactly("localhost:" + origin.getPort());
      await().atMost(WAIT).until(() -> proxy.openConnections() == 0);
    }

    @Test
    void rawClientWhenCredentialsAreWrongGetsStatus1AndIsDisconnected() throws Exception {
      proxy.requireCredentials("dave", "right");

      try (Socket s = rawSocket(proxy.address())) {
        assertThat(greet(s, 0x02)).isEqualTo(0x02);
        assertThat(authenticate(s, "dave", "wrong")).isEqualTo(0x01);
        assertThat(readOrFail(s.getInputStream())).isEqualTo(-1);
      }

      assertThat(proxy.usernames()).containsExactly("dave");
      assertThat(proxy.targets()).isEmpty();
      assertThat(origin.getRequestCount()).isZero();
      await().atMost(WAIT).until(() -> proxy.openConnections() == 0);
    }

    @Test
    void rawClientWhenCredentialsRequiredButNotOfferedGetsNoAcceptableMethods() throws Exception {
      proxy.requireCredentials("dave", "right");

      try (Socket s = rawSocket(proxy.address())) {
        assertThat(greet(s, 0x00)).isEqualTo(0xFF);
        assertThat(readOrFail(s.getInputStream())).isEqualTo(-1);
      }

      assertThat(proxy.targets()).isEmpty();
      await().atMost(WAIT).until(() -> proxy.openConnections() == 0);
    }

    @Test
    void connectWhenNotAllowedOrRefusedRepliesWithTheRfc1928Code() throws Exception {
      int closedPort;
      try (ServerSocket unused = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        closedPort = unused.getLocalPort();
      }
      proxy.failNextConnect();

      try (Socket s = rawSocket(proxy.address())) {
        greet(s, 0x00);
        assertThat(connectDomain(s, "localhost", origin.getPort())).isEqualTo(TestSocksProxy.NOT_ALLOWED);
      }
      try (Socket s = rawSocket(proxy.address())) {
        greet(s, 0x00);
        assertThat(connectDomain(s, "127.0.0.1", closedPort)).isEqualTo(TestSocksProxy.CONNECTION_REFUSED);
      }

      assertThat(proxy.targets()).containsExactly("localhost:" + origin.getPort(), "127.0.0.1:" + closedPort);
      assertThat(origin.getRequestCount()).isZero();
      await().atMost(WAIT).until(() -> proxy.openConnections() == 0);
    }
  }
}
