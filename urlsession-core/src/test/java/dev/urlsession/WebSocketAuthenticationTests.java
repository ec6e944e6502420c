package dev.urlsession;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.urlsession.Credential.Persistence;
import dev.urlsession.SessionException.Code;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The challenges of a WebSocket handshake as a data task's (URLSESSION-BEHAVIOUR.md 3.5): the
 * server's 401 and the HTTP proxy's 407 to the tunnel's CONNECT go to the task delegate with the
 * proposed credential and the failure count; an answer with a credential makes a new handshake.
 */
@Timeout(30)
class WebSocketAuthenticationTests {
  @StartStop final MockWebServer server = new MockWebServer();
  final List<AuthenticationChallenge> challenges = new CopyOnWriteArrayList<>();
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

  URI ws(String path) {
    return URI.create("ws://" + server.getHostName() + ":" + server.getPort() + path);
  }

  /** A WebSocket delegate that records challenges and answers them with {@code answer}. */
  RecordingWebSocketDelegate answering(BiConsumer<AuthenticationChallenge, ChallengeHandler> answer) {
    return new RecordingWebSocketDelegate() {
      @Override
      public void didReceiveChallenge(Session s, SessionTask t, AuthenticationChallenge c, ChallengeHandler h) {
        recordEvent(t, "didReceiveChallenge " + c.protectionSpace().authenticationMethod() + " "
            + c.protectionSpace().realm() + " " + c.previousFailureCount());
        challenges.add(c);
        answer.accept(c, h);
      }
    };
  }

  Session session(SessionDelegate delegate, SessionConfiguration.Builder c) {
    session = Session.create(c.build(), delegate, null);
    return session;
  }

  static SessionConfiguration.Builder config(CredentialStorage storage) {
    return SessionConfiguration.ephemeral().toBuilder().credentialStorage(storage);
  }

  /** Upgrades a handshake that carries {@code authorization}; asks the others for Basic credentials. */
  static Dispatcher upgradingOnly(String authorization, String challenge) {
    return new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        if (authorization.equals(request.getHeaders().get("Authorization"))) {
          return new MockResponse.Builder().webSocketUpgrade(new WebSocketTaskTests.Echo()).build();
        }
        return new MockResponse.Builder().code(401).addHeader("WWW-Authenticate", challenge)
            .body("who are you?").build();
      }
    };
  }

  static void echo(WebSocketTask task) throws Exception {
    task.send(WebSocketMessage.text("let me in"));
    assertThat(task.receive().get(10, SECONDS)).isEqualTo(WebSocketMessage.text("let me in"));
    task.cancel(CloseCode.NORMAL_CLOSURE, null);
    assertThat(task.completion().get(10, SECONDS).error()).isNull();
  }

  @Test
  void basicChallengeWhenTheDelegateGivesACredentialThenTheHandshakeIsRetriedAndTheCredentialKept() throws Exception {
    server.setDispatcher(upgradingOnly(AuthenticationTests.basic("ann", "s3cret"), "Basic realm=\"chat\""));
    CredentialStorage storage = CredentialStorage.inMemory();
    RecordingWebSocketDelegate d = answering((c, h) -> h.useCredential(Credential.of("ann", "s3cret", Persistence.FOR_SESSION)));
    WebSocketTask task = session(d, config(storage)).webSocketTask(ws("/private"));
    task.resume();
    echo(task);
    assertThat(d.awaitCompletion()).isNull();
    d.assertEvents("didCreateTask", "didReceiveChallenge HTTP_BASIC chat 0", "didOpenWithProtocol null",
        "didCloseWith NORMAL_CLOSURE null", "didFinishCollectingMetrics", "didComplete null");
    AuthenticationChallenge c = challenges.get(0);
    ProtectionSpace space = ProtectionSpace.of(server.getHostName(), server.getPort(), "http", "chat",
        AuthenticationMethod.HTTP_BASIC);
    assertThat(c.protectionSpace()).isEqualTo(space);
    assertThat(c.proposedCredential()).isNull();
    assertThat(c.failureResponse().statusCode()).isEqualTo(401);
    assertThat(server.takeRequest(5, SECONDS).getHeaders().get("Authorization")).isNull();
    assertThat(server.takeRequest(5, SECONDS).getHeaders().get("Authorization"))
        .isEqualTo(AuthenticationTests.basic("ann", "s3cret"));
    assertThat(storage.defaultCredential(space)).isEqualTo(Credential.of("ann", "s3cret", Persistence.FOR_SESSION));
    assertThat(d.metrics.transactionMetrics()).extracting(m -> m.response().statusCode()).containsExactly(401, 101);
    assertThat(task.response().statusCode()).isEqualTo(101);

    // Known now: the next WebSocket task to the host sends it at once.
    WebSocketTask next = session.webSocketTask(ws("/again"));
    next.resume();
    echo(next);
    assertThat(server.takeRequest(5, SECONDS).getHeaders().get("Authorization"))
        .isEqualTo(AuthenticationTests.basic("ann", "s3cret"));
    assertThat(challenges).hasSize(1);
  }

  @Test
  void challengeWhenAnsweredThroughAProxyThenNoConnectionOfTheRefusedAttemptStaysOpen() throws Exception {
    proxy = new TestHttpProxy();
    server.setDispatcher(upgradingOnly(AuthenticationTests.basic("ann", "s3cret"), "Basic realm=\"chat\""));
    RecordingWebSocketDelegate d = answering((c, h) -> h.useCredential(Credential.of("ann", "s3cret", Persistence.NONE)));
    WebSocketTask task = session(d, config(CredentialStorage.inMemory())
        .proxy(ProxyConfiguration.http("127.0.0.1", proxy.port()))).webSocketTask(ws("/kept"));
    task.resume();
    echo(task);
    // One tunnel per attempt (Jetty may lose a tunnel to a race of its own: then one more).
    assertThat(proxy.requests()).extracting(TestHttpProxy.Seen::method).containsOnly("CONNECT").hasSizeGreaterThan(1);
    // The 401 was kept alive by the server; the session lets go of that connection itself.
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> proxy.openConnections() == 0);
  }

  @Test
  void wrongCredentialsWhenRetriedThenTheFailureCountRisesUntilTheDelegateCancels() throws Exception {
    server.setDispatcher(upgradingOnly("never", "Basic realm=\"r\""));
    RecordingWebSocketDelegate d = answering((c, h) -> {
      if (c.previousFailureCount() < 2) {
        h.useCredential(Credential.of("bob", "wrong" + c.previousFailureCount(), Persistence.FOR_SESSION));
      } else {
        h.cancelAuthenticationChallenge();
      }
    });
    CredentialStorage storage = CredentialStorage.inMemory();
    WebSocketTask task = session(d, config(storage)).webSocketTask(ws("/p"));
    task.resume();
    assertThat(d.awaitCompletion().code()).isEqualTo(Code.CANCELLED);
    d.assertEvents("didCreateTask", "didReceiveChallenge HTTP_BASIC r 0", "didReceiveChallenge HTTP_BASIC r 1",
        "didReceiveChallenge HTTP_BASIC r 2", "didFinishCollectingMetrics", "didComplete CANCELLED");
    assertThat(server.getRequestCount()).isEqualTo(3);
    assertThat(storage.allCredentials()).isEmpty(); // none of them worked
    assertThat(task.closeCode()).isEqualTo(CloseCode.INVALID);
  }

  @Test
  void digestChallengeWhenDefaultHandlingThenTheStoredCredentialAnswersIt() throws Exception {
    String challenge = "Digest realm=\"vault\", qop=\"auth\", nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\"";
    List<String> authorizations = new CopyOnWriteArrayList<>();
    server.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        String a = request.getHeaders().get("Authorization");
        authorizations.add(String.valueOf(a));
        if (a != null && a.startsWith("Digest ") && validDigest(a, "eve", "vault", "pass word", "/vault")) {
          return new MockResponse.Builder().webSocketUpgrade(new WebSocketTaskTests.Echo()).build();
        }
        return new MockResponse.Builder().code(401).addHeader("WWW-Authenticate", challenge).build();
      }
    });
    CredentialStorage storage = CredentialStorage.inMemory();
    ProtectionSpace space = ProtectionSpace.of(server.getHostName(), server.getPort(), "http", "vault",
        AuthenticationMethod.HTTP_DIGEST);
    storage.setDefaultCredential(Credential.of("eve", "pass word", Persistence.FOR_SESSION), space);
    RecordingWebSocketDelegate d = answering((c, h) -> h.performDefaultHandling());
    WebSocketTask task = session(d, config(storage)).webSocketTask(ws("/vault"));
    task.resume();
    echo(task);
    d.assertEvents("didCreateTask", "didReceiveChallenge HTTP_DIGEST vault 0", "didOpenWithProtocol null",
        "didCloseWith NORMAL_CLOSURE null", "didFinishCollectingMetrics", "didComplete null");
    assertThat(challenges.get(0).proposedCredential().user()).isEqualTo("eve");
    assertThat(authorizations).hasSize(2);
    assertThat(authorizations.get(0)).isEqualTo("null");
  }

  static boolean validDigest(String header, String user, String realm, String password, String uri) {
    try {
      Map<String, String> p = AuthenticationTests.digestParams(header);
      String ha1 = AuthenticationTests.md5(user + ":" + realm + ":" + password);
      String ha2 = AuthenticationTests.md5("GET:" + uri);
      String expected = AuthenticationTests.md5(ha1 + ":" + p.get("nonce") + ":" + p.get("nc") + ":"
          + p.get("cnonce") + ":" + p.get("qop") + ":" + ha2);
      return user.equals(p.get("username")) && uri.equals(p.get("uri")) && expected.equals(p.get("response"));
    } catch (Exception e) {
      return false;
    }
  }

  @Test
  void rejectingAProtectionSpaceWhenAnotherIsOfferedThenThatOneIsAsked() throws Exception {
    server.setDispatcher(upgradingOnly(AuthenticationTests.basic("u", "p"),
        "Digest realm=\"first\", nonce=\"abc\", Basic realm=\"second\""));
    RecordingWebSocketDelegate d = answering((c, h) -> {
      if (c.protectionSpace().authenticationMethod() == AuthenticationMethod.HTTP_DIGEST) {
        h.rejectProtectionSpace();
      } else {
        h.useCredential(Credential.of("u", "p", Persistence.NONE));
      }
    });
    WebSocketTask task = session(d, config(CredentialStorage.inMemory())).webSocketTask(ws("/two"));
    task.resume();
    echo(task);
    d.assertEvents("didCreateTask", "didReceiveChallenge HTTP_DIGEST first 0", "didReceiveChallenge HTTP_BASIC second 0",
        "didOpenWithProtocol null", "didCloseWith NORMAL_CLOSURE null", "didFinishCollectingMetrics", "didComplete null");
  }

  @Test
  void challengeWhenNobodyHasACredentialThenBadServerResponseWithThe401AsTheResponse() throws Exception {
    server.setDispatcher(upgradingOnly("never", "Basic realm=\"closed\""));
    RecordingWebSocketDelegate d = new RecordingWebSocketDelegate();
    WebSocketTask task = session(d, config(CredentialStorage.inMemory())).webSocketTask(ws("/closed"));
    var receive = task.receive();
    task.resume();
    SessionException e = d.awaitCompletion();
    assertThat(e.code()).isEqualTo(Code.BAD_SERVER_RESPONSE);
    assertThat(e.getMessage()).contains("HTTP 401");
    d.assertEvents("didCreateTask", "didFinishCollectingMetrics", "didComplete BAD_SERVER_RESPONSE");
    assertThat(WebSocketTaskTests.code(receive)).isEqualTo(Code.BAD_SERVER_RESPONSE);
    assertThat(task.response().statusCode()).isEqualTo(401);
    assertThat(server.getRequestCount()).isEqualTo(1);
  }

  @Test
  void proxyChallengeWhenTheDelegateGivesACredentialThenJettyAnswersTheProxyAndTheOriginNeverSeesIt() throws Exception {
    proxy = new TestHttpProxy().requireCredentials("proxyuser", "proxypass");
    server.enqueue(new MockResponse.Builder().webSocketUpgrade(new WebSocketTaskTests.Echo()).build());
    CredentialStorage storage = CredentialStorage.inMemory();
    RecordingWebSocketDelegate d = answering((c, h) ->
        h.useCredential(Credential.of("proxyuser", "proxypass", Persistence.FOR_SESSION)));
    WebSocketTask task = session(d, config(storage).proxy(ProxyConfiguration.http("127.0.0.1", proxy.port())))
        .webSocketTask(ws("/tunnelled"));
    task.resume();
    echo(task);
    d.assertEvents("didCreateTask", "didReceiveChallenge HTTP_BASIC test-proxy 0", "didOpenWithProtocol null",
        "didCloseWith NORMAL_CLOSURE null", "didFinishCollectingMetrics", "didComplete null");
    ProtectionSpace space = challenges.get(0).protectionSpace();
    assertThat(space.isProxy()).isTrue();
    assertThat(space.host()).isEqualTo("127.0.0.1");
    assertThat(space.port()).isEqualTo(proxy.port());
    assertThat(challenges.get(0).failureResponse().statusCode()).isEqualTo(407);
    List<TestHttpProxy.Seen> seen = proxy.requests();
    assertThat(seen).extracting(TestHttpProxy.Seen::method).containsOnly("CONNECT");
    assertThat(seen.get(0).headers().get("proxy-authorization")).isNull();
    assertThat(seen.get(seen.size() - 1).headers().get("proxy-authorization"))
        .isEqualTo(TestHttpProxy.basic("proxyuser", "proxypass"));
    assertThat(server.takeRequest(5, SECONDS).getHeaders().get("Proxy-Authorization")).isNull();
    assertThat(storage.defaultCredential(space)).isEqualTo(Credential.of("proxyuser", "proxypass", Persistence.FOR_SESSION));
    assertThat(d.metrics.transactionMetrics()).extracting(m -> m.response().statusCode()).containsExactly(407, 101);
  }

  @Test
  void proxyChallengeWhenTheConfiguredCredentialsAreWrongThenTheDelegateIsAskedAndItsAnswerReplacesThem() throws Exception {
    proxy = new TestHttpProxy().requireCredentials("proxyuser", "proxypass");
    server.enqueue(new MockResponse.Builder().webSocketUpgrade(new WebSocketTaskTests.Echo()).build());
    RecordingWebSocketDelegate d = answering((c, h) ->
        h.useCredential(Credential.of("proxyuser", "proxypass", Persistence.NONE)));
    WebSocketTask task = session(d, config(CredentialStorage.inMemory())
        .proxy(ProxyConfiguration.http("127.0.0.1", proxy.port()).withCredentials("proxyuser", "stale")))
        .webSocketTask(ws("/replaced"));
    task.resume();
    echo(task);
    d.assertEvents("didCreateTask", "didReceiveChallenge HTTP_BASIC test-proxy 0", "didOpenWithProtocol null",
        "didCloseWith NORMAL_CLOSURE null", "didFinishCollectingMetrics", "didComplete null");
    assertThat(proxy.requests()).extracting(s -> s.headers().get("proxy-authorization"))
        .contains(TestHttpProxy.basic("proxyuser", "stale"))
        .endsWith(TestHttpProxy.basic("proxyuser", "proxypass"));
  }

  @Test
  void proxyChallengeWhenNobodyHasACredentialThenBadServerResponseWithThe407AsTheResponse() throws Exception {
    proxy = new TestHttpProxy().requireCredentials("proxyuser", "proxypass");
    RecordingWebSocketDelegate d = new RecordingWebSocketDelegate();
    WebSocketTask task = session(d, config(CredentialStorage.inMemory())
        .proxy(ProxyConfiguration.http("127.0.0.1", proxy.port()))).webSocketTask(ws("/refused"));
    task.resume();
    SessionException e = d.awaitCompletion();
    assertThat(e.code()).isEqualTo(Code.BAD_SERVER_RESPONSE);
    assertThat(e.getMessage()).contains("HTTP 407");
    d.assertEvents("didCreateTask", "didFinishCollectingMetrics", "didComplete BAD_SERVER_RESPONSE");
    assertThat(task.response().statusCode()).isEqualTo(407);
    assertThat(server.getRequestCount()).isZero();
  }
}
