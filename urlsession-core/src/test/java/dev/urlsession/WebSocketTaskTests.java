package dev.urlsession;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ExecutionException;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;
import okio.ByteString;
import org.junit.jupiter.api.Test;

/** WebSocket tasks against MockWebServer's WebSocket peer (OkHttp's RFC 6455 implementation). */
class WebSocketTaskTests {
  @StartStop final MockWebServer server = new MockWebServer();

  /** Echoes every message; closes with the code and reason it was closed with. */
  static final class Echo extends WebSocketListener {
    @Override
    public void onMessage(WebSocket ws, String text) {
      ws.send(text);
    }

    @Override
    public void onMessage(WebSocket ws, ByteString bytes) {
      ws.send(bytes);
    }

    @Override
    public void onClosing(WebSocket ws, int code, String reason) {
      ws.close(code, reason);
    }
  }

  private URI ws(String path) {
    return URI.create("ws://" + server.getHostName() + ":" + server.getPort() + path);
  }

  @Test
  void echoWhenMessagesSentThenReceivedInOrderAndDelegateSequenceIsApples() throws Exception {
    server.enqueue(new MockResponse.Builder().webSocketUpgrade(new Echo()).build());
    RecordingWebSocketDelegate delegate = new RecordingWebSocketDelegate();
    try (Session session = Session.create(SessionConfiguration.ephemeral(), delegate, null)) {
      WebSocketTask task = session.webSocketTask(ws("/echo"));
      task.send(WebSocketMessage.text("one"));
      task.send(WebSocketMessage.binary(new byte[] {1, 2, 3}));
      task.resume();
      task.send(WebSocketMessage.text("three")).get(10, SECONDS);
      assertThat(task.receive().get(10, SECONDS)).isEqualTo(WebSocketMessage.text("one"));
      assertThat(task.receive().get(10, SECONDS)).isEqualTo(WebSocketMessage.binary(new byte[] {1, 2, 3}));
      assertThat(task.receive().get(10, SECONDS)).isEqualTo(WebSocketMessage.text("three"));
      task.sendPing().get(10, SECONDS);
      task.cancel(CloseCode.NORMAL_CLOSURE, "BuhBye".getBytes(StandardCharsets.UTF_8));
      assertThat(delegate.awaitCompletion()).isNull();
      assertThat(task.closeCode()).isEqualTo(CloseCode.NORMAL_CLOSURE);
      assertThat(task.closeReason()).isEqualTo("BuhBye".getBytes(StandardCharsets.UTF_8));
      delegate.assertEvents("didCreateTask", "didOpenWithProtocol null", "didCloseWith NORMAL_CLOSURE BuhBye",
          "didFinishCollectingMetrics", "didComplete null");
      RecordedRequest handshake = server.takeRequest();
      assertThat(handshake.getHeaders().get("Upgrade")).isEqualToIgnoringCase("websocket");
      assertThat(handshake.getUrl().encodedPath()).isEqualTo("/echo");
    }
  }

  @Test
  void subprotocolsWhenOfferedThenSentInOrderAndTheChosenOneOpens() throws Exception {
    server.enqueue(new MockResponse.Builder().setHeader("Sec-WebSocket-Protocol", "superchat")
        .webSocketUpgrade(new Echo()).build());
    RecordingWebSocketDelegate delegate = new RecordingWebSocketDelegate();
    try (Session session = Session.create(SessionConfiguration.ephemeral(), delegate, null)) {
      WebSocketTask task = session.webSocketTask(ws("/chat"), List.of("chat", "superchat"));
      task.resume();
      task.send(WebSocketMessage.text("hi"));
      assertThat(task.receive().get(10, SECONDS)).isEqualTo(WebSocketMessage.text("hi"));
      task.cancel(CloseCode.GOING_AWAY, null);
      assertThat(delegate.awaitCompletion()).isNull();
      delegate.assertEvents("didCreateTask", "didOpenWithProtocol superchat", "didCloseWith GOING_AWAY null",
          "didFinishCollectingMetrics", "didComplete null");
      assertThat(server.takeRequest().getHeaders().values("Sec-WebSocket-Protocol"))
          .containsExactly("chat, superchat");
      assertThat(task.response().statusCode()).isEqualTo(101);
    }
  }

  @Test
  void upgradeRefusedWhenServerAnswers200ThenOnlyDidCompleteWithBadServerResponse() throws Exception {
    server.enqueue(new MockResponse.Builder().body("no websockets here").build());
    RecordingWebSocketDelegate delegate = new RecordingWebSocketDelegate();
    try (Session session = Session.create(SessionConfiguration.ephemeral(), delegate, null)) {
      WebSocketTask task = session.webSocketTask(ws("/plain"));
      var receive = task.receive();
      task.resume();
      assertThat(delegate.awaitCompletion().code()).isEqualTo(SessionException.Code.BAD_SERVER_RESPONSE);
      delegate.assertEvents("didCreateTask", "didFinishCollectingMetrics", "didComplete BAD_SERVER_RESPONSE");
      assertThat(code(receive)).isEqualTo(SessionException.Code.BAD_SERVER_RESPONSE);
      assertThat(code(task.receive())).isEqualTo(SessionException.Code.BAD_SERVER_RESPONSE);
      assertThat(task.closeCode()).isEqualTo(CloseCode.INVALID);
      assertThat(task.closeReason()).isNull();
      assertThat(task.response().statusCode()).isEqualTo(200);
      assertThat(task.state()).isEqualTo(SessionTask.State.COMPLETED);
    }
  }

  @Test
  void redirectWhenTheServerAnswersTheUpgradeWith302ThenNotFollowedAndBadServerResponse() throws Exception {
    server.enqueue(new MockResponse.Builder().code(302).setHeader("Location", ws("/elsewhere").toString()).build());
    server.enqueue(new MockResponse.Builder().webSocketUpgrade(new Echo()).build());
    RecordingWebSocketDelegate delegate = new RecordingWebSocketDelegate();
    try (Session session = Session.create(SessionConfiguration.ephemeral(), delegate, null)) {
      WebSocketTask task = session.webSocketTask(ws("/moved"));
      task.resume();
      SessionException e = delegate.awaitCompletion();
      assertThat(e.code()).isEqualTo(SessionException.Code.BAD_SERVER_RESPONSE);
      assertThat(e.getMessage()).contains("HTTP 302");
      delegate.assertEvents("didCreateTask", "didFinishCollectingMetrics", "didComplete BAD_SERVER_RESPONSE");
      assertThat(task.response().statusCode()).isEqualTo(302);
      assertThat(task.currentRequest().url()).isEqualTo(ws("/moved"));
      assertThat(server.getRequestCount()).isEqualTo(1);
    }
  }

  @Test
  void serverClosesWhenOpenThenDidCloseWithItsCodeAndReasonThenDidCompleteWithoutError() throws Exception {
    server.enqueue(new MockResponse.Builder().webSocketUpgrade(new WebSocketListener() {
      @Override
      public void onOpen(WebSocket ws, okhttp3.Response response) {
        ws.send("last words");
        ws.close(1001, "server going away");
      }
    }).build());
    RecordingWebSocketDelegate delegate = new RecordingWebSocketDelegate();
    try (Session session = Session.create(SessionConfiguration.ephemeral(), delegate, null)) {
      WebSocketTask task = session.webSocketTask(ws("/bye"));
      var first = task.receive();
      var second = task.receive();
      task.resume();
      assertThat(first.get(10, SECONDS)).isEqualTo(WebSocketMessage.text("last words"));
      assertThat(delegate.awaitCompletion()).isNull();
      assertThat(code(second)).isEqualTo(SessionException.Code.NETWORK_CONNECTION_LOST);
      assertThat(code(task.send(WebSocketMessage.text("late")))).isEqualTo(SessionException.Code.NETWORK_CONNECTION_LOST);
      assertThat(task.closeCode()).isEqualTo(CloseCode.GOING_AWAY);
      assertThat(new String(task.closeReason(), StandardCharsets.UTF_8)).isEqualTo("server going away");
      delegate.assertEvents("didCreateTask", "didOpenWithProtocol null", "didCloseWith GOING_AWAY server going away",
          "didFinishCollectingMetrics", "didComplete null");
    }
  }

  @Test
  void largeMessagesWhenWithinTheLimitThenEchoedWhole() throws Exception {
    server.enqueue(new MockResponse.Builder().webSocketUpgrade(new Echo()).build());
    byte[] big = new byte[900 * 1024];
    new java.util.Random(7).nextBytes(big);
    String text = "x".repeat(700 * 1024);
    try (Session session = Session.create(SessionConfiguration.ephemeral())) {
      WebSocketTask task = session.webSocketTask(ws("/big"));
      task.resume();
      task.send(WebSocketMessage.binary(big));
      task.send(WebSocketMessage.text(text));
      assertThat(task.receive().get(10, SECONDS)).isEqualTo(WebSocketMessage.binary(big));
      assertThat(task.receive().get(10, SECONDS)).isEqualTo(WebSocketMessage.text(text));
      assertThat(task.countOfBytesSent()).isEqualTo(big.length + text.length());
      assertThat(task.countOfBytesReceived()).isEqualTo(big.length + text.length());
      task.cancel(CloseCode.NORMAL_CLOSURE, null);
      assertThat(task.completion().get(10, SECONDS).error()).isNull();
    }
  }

  @Test
  void messageOverMaximumSizeWhenReceivedThenClosedWith1009AndFailsWithApplesError() throws Exception {
    java.util.concurrent.CompletableFuture<String> serverSawClose = new java.util.concurrent.CompletableFuture<>();
    server.enqueue(new MockResponse.Builder().webSocketUpgrade(new WebSocketListener() {
      @Override
      public void onMessage(WebSocket ws, String text) {
        ws.send(ByteString.of(new byte[Integer.parseInt(text)]));
      }

      @Override
      public void onClosing(WebSocket ws, int code, String reason) {
        serverSawClose.complete(code + "");
        ws.close(code, null);
      }
    }).build());
    RecordingWebSocketDelegate delegate = new RecordingWebSocketDelegate();
    try (Session session = Session.create(SessionConfiguration.ephemeral(), delegate, null)) {
      WebSocketTask task = session.webSocketTask(ws("/huge"));
      assertThat(task.maximumMessageSize()).isEqualTo(1024 * 1024);
      task.resume();
      task.send(WebSocketMessage.text(String.valueOf(1024 * 1024)));
      assertThat(task.receive().get(10, SECONDS).length()).isEqualTo(1024 * 1024);
      task.maximumMessageSize(64 * 1024);
      task.send(WebSocketMessage.text(String.valueOf(64 * 1024 + 1)));
      var tooBig = task.receive();
      assertThat(code(tooBig)).isEqualTo(SessionException.Code.DATA_LENGTH_EXCEEDS_MAXIMUM);
      assertThat(delegate.awaitCompletion().code()).isEqualTo(SessionException.Code.DATA_LENGTH_EXCEEDS_MAXIMUM);
      assertThat(task.error().getMessage()).contains("Message too long");
      assertThat(task.closeCode()).isEqualTo(CloseCode.MESSAGE_TOO_BIG);
      assertThat(serverSawClose.get(10, SECONDS)).isEqualTo("1009");
      assertThat(delegate.events).containsExactly("didCreateTask", "didOpenWithProtocol null",
          delegate.events.get(2), "didFinishCollectingMetrics", "didComplete DATA_LENGTH_EXCEEDS_MAXIMUM");
      assertThat(delegate.events.get(2)).startsWith("didCloseWith MESSAGE_TOO_BIG");
    }
  }

  @Test
  void permessageDeflateWhenTheServerAcceptsThenNegotiatedAndMessagesRoundTrip() throws Exception {
    server.enqueue(new MockResponse.Builder().setHeader("Sec-WebSocket-Extensions", "permessage-deflate")
        .webSocketUpgrade(new Echo()).build());
    String text = "compress me ".repeat(5_000);
    try (Session session = Session.create(SessionConfiguration.ephemeral())) {
      WebSocketTask task = session.webSocketTask(ws("/deflate"));
      task.resume();
      task.send(WebSocketMessage.text(text));
      assertThat(task.receive().get(10, SECONDS)).isEqualTo(WebSocketMessage.text(text));
      assertThat(task.response().header("Sec-WebSocket-Extensions")).isEqualTo("permessage-deflate");
      assertThat(server.takeRequest().getHeaders().get("Sec-WebSocket-Extensions")).contains("permessage-deflate");
      task.cancel(CloseCode.NORMAL_CLOSURE, null);
      assertThat(task.completion().get(10, SECONDS).error()).isNull();
    }
  }

  @Test
  void handshakeWhenSessionHasHeadersCookiesAndCredentialsThenSendsThemAndStoresNewCookies() throws Exception {
    server.enqueue(new MockResponse.Builder().addHeader("Set-Cookie", "fresh=1; Path=/")
        .webSocketUpgrade(new Echo()).build());
    CookieStorage cookies = SessionConfiguration.ephemeral().httpCookieStorage();
    URI http = URI.create("http://" + server.getHostName() + ":" + server.getPort() + "/");
    cookies.setCookies(List.of(Cookie.builder("stored", "yes").domain(server.getHostName()).path("/")
        .originUrl(http).build()), http, null);
    SessionConfiguration c = SessionConfiguration.ephemeral().toBuilder().httpCookieStorage(cookies)
        .httpAdditionalHeaders(java.util.Map.of("X-Session", "s", "X-Both", "session")).build();
    try (Session session = Session.create(c)) {
      URI withUser = URI.create("ws://alice:secret@" + server.getHostName() + ":" + server.getPort() + "/auth");
      WebSocketTask task = session.webSocketTask(Request.builder(withUser).header("X-Both", "request").build());
      task.resume();
      task.send(WebSocketMessage.text("ok")).get(10, SECONDS);
      RecordedRequest r = server.takeRequest();
      assertThat(r.getHeaders().get("X-Session")).isEqualTo("s");
      assertThat(r.getHeaders().get("X-Both")).isEqualTo("request");
      assertThat(r.getHeaders().get("Cookie")).isEqualTo("stored=yes");
      assertThat(r.getHeaders().get("Authorization")).isEqualTo("Basic "
          + java.util.Base64.getEncoder().encodeToString("alice:secret".getBytes(StandardCharsets.UTF_8)));
      assertThat(cookies.cookies(http)).extracting(Cookie::name).contains("fresh", "stored");
      task.cancel(CloseCode.NORMAL_CLOSURE, null);
      task.completion().get(10, SECONDS);
    }
  }

  @Test
  void sharedSessionWhenNoDelegateThenFuturesAloneDriveTheTask() throws Exception {
    server.enqueue(new MockResponse.Builder().webSocketUpgrade(new Echo()).build());
    WebSocketTask task = Session.shared().webSocketTask(ws("/shared"));
    task.resume();
    task.send(WebSocketMessage.text("shared"));
    assertThat(task.receive().get(10, SECONDS)).isEqualTo(WebSocketMessage.text("shared"));
    task.cancel(CloseCode.NORMAL_CLOSURE, null);
    assertThat(task.completion().get(10, SECONDS).error()).isNull();
    assertThat(task.state()).isEqualTo(SessionTask.State.COMPLETED);
  }

  @Test
  void cancelWhenNeverResumedThenCancelledWithoutHandshake() throws Exception {
    RecordingWebSocketDelegate delegate = new RecordingWebSocketDelegate();
    try (Session session = Session.create(SessionConfiguration.ephemeral(), delegate, null)) {
      WebSocketTask task = session.webSocketTask(ws("/never"));
      var send = task.send(WebSocketMessage.text("queued"));
      task.cancel(CloseCode.NORMAL_CLOSURE, null);
      assertThat(delegate.awaitCompletion().code()).isEqualTo(SessionException.Code.CANCELLED);
      assertThat(code(send)).isEqualTo(SessionException.Code.CANCELLED);
      delegate.assertEvents("didCreateTask", "didComplete CANCELLED");
      assertThat(server.getRequestCount()).isZero();
      assertThat(task.closeCode()).isEqualTo(CloseCode.INVALID);
    }
  }

  @Test
  void invalidArgumentsWhenCreatingOrClosingThenClearExceptions() {
    try (Session session = Session.create(SessionConfiguration.ephemeral())) {
      assertThatThrownBy(() -> session.webSocketTask(URI.create("http://example.org/")))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ws: or wss:");
      assertThatThrownBy(() -> session.webSocketTask(ws("/x"), List.of("a b")))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("token");
      assertThatThrownBy(() -> session.webSocketTask(Request.builder(ws("/x")).method("POST").build()))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("GET");
      WebSocketTask task = session.webSocketTask(ws("/x"));
      assertThatThrownBy(() -> task.cancel(CloseCode.ABNORMAL_CLOSURE, null))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> task.cancel(CloseCode.NORMAL_CLOSURE, new byte[124]))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("123");
      assertThatThrownBy(() -> task.maximumMessageSize(0)).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> task.send(null)).isInstanceOf(IllegalArgumentException.class);
      task.cancel();
    }
  }

  static SessionException.Code code(java.util.concurrent.CompletableFuture<?> f) throws Exception {
    try {
      f.get(10, SECONDS);
    } catch (ExecutionException e) {
      assertThat(e.getCause()).isInstanceOf(SessionException.class);
      return ((SessionException) e.getCause()).code();
    }
    throw new AssertionError("the future did not fail");
  }
}
