package dev.urlsession;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * WebSocket tasks against a peer that writes raw frames: fragmented and compressed messages,
 * frames that break the protocol, a close never answered, a connection lost without a close
 * frame, a handshake never answered.
 */
@Timeout(30)
class WebSocketProtocolTests {
  final RecordingWebSocketDelegate delegate = new RecordingWebSocketDelegate();
  RawWebSocketPeer peer;
  Session session;

  @AfterEach
  void tearDown() throws IOException {
    if (session != null) {
      session.invalidateAndCancel();
    }
    if (peer != null) {
      peer.close();
    }
  }

  WebSocketTask open(SessionConfiguration c) throws Exception {
    if (peer == null) {
      peer = new RawWebSocketPeer();
    }
    session = Session.create(c, delegate, null);
    WebSocketTask task = session.webSocketTask(peer.url("/raw"));
    task.resume();
    peer.awaitOpen();
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
        .until(() -> delegate.events.contains("didOpenWithProtocol null"));
    return task;
  }

  WebSocketTask open() throws Exception {
    return open(SessionConfiguration.ephemeral());
  }

  @Test
  void fragmentedMessagesWhenInterleavedWithPingsThenReceivedWholeAndInOrder() throws Exception {
    WebSocketTask task = open();
    peer.frame(false, false, RawWebSocketPeer.TEXT, "frag".getBytes(StandardCharsets.UTF_8));
    peer.frame(true, false, RawWebSocketPeer.PING, "p".getBytes(StandardCharsets.UTF_8));
    peer.frame(false, false, RawWebSocketPeer.CONTINUATION, "men".getBytes(StandardCharsets.UTF_8));
    peer.frame(true, false, RawWebSocketPeer.CONTINUATION, "ted".getBytes(StandardCharsets.UTF_8));
    peer.frame(false, false, RawWebSocketPeer.BINARY, new byte[] {1});
    peer.frame(true, false, RawWebSocketPeer.CONTINUATION, new byte[] {2, 3});
    assertThat(task.receive().get(10, SECONDS)).isEqualTo(WebSocketMessage.text("fragmented"));
    assertThat(task.receive().get(10, SECONDS)).isEqualTo(WebSocketMessage.binary(new byte[] {1, 2, 3}));
    RawWebSocketPeer.Frame pong = peer.read();
    assertThat(pong.opcode()).isEqualTo(RawWebSocketPeer.PONG);
    assertThat(pong.text()).isEqualTo("p");
  }

  @Test
  void compressedFramesWhenDeflateNegotiatedThenInflatedIncludingFragmentedOnes() throws Exception {
    peer = new RawWebSocketPeer().answerHeader("Sec-WebSocket-Extensions", "permessage-deflate");
    WebSocketTask task = open();
    assertThat(peer.requestHeader("Sec-WebSocket-Extensions")).contains("permessage-deflate");
    String text = "squeeze ".repeat(2_000);
    peer.frame(true, true, RawWebSocketPeer.TEXT, RawWebSocketPeer.deflate(text.getBytes(StandardCharsets.UTF_8)));
    byte[] compressed = RawWebSocketPeer.deflate("in two frames".getBytes(StandardCharsets.UTF_8));
    int half = compressed.length / 2;
    peer.frame(false, true, RawWebSocketPeer.TEXT, java.util.Arrays.copyOfRange(compressed, 0, half));
    peer.frame(true, false, RawWebSocketPeer.CONTINUATION, java.util.Arrays.copyOfRange(compressed, half, compressed.length));
    assertThat(task.receive().get(10, SECONDS)).isEqualTo(WebSocketMessage.text(text));
    assertThat(task.receive().get(10, SECONDS)).isEqualTo(WebSocketMessage.text("in two frames"));
    task.send(WebSocketMessage.text(text));
    RawWebSocketPeer.Frame sent = peer.read();
    assertThat(sent.opcode()).isEqualTo(RawWebSocketPeer.TEXT);
    assertThat(sent.payload().length).as("the client compresses what it sends").isLessThan(text.length() / 10);
  }

  @Test
  void controlFramesWhenLargerThanALoweredMaximumAreNoMessagesAndStillHandled() throws Exception {
    WebSocketTask task = open();
    task.maximumMessageSize(10);
    // A 20-byte ping (control frames carry up to 125 bytes) is answered, not refused as too big.
    peer.frame(true, false, RawWebSocketPeer.PING, "0123456789abcdefghij".getBytes(StandardCharsets.UTF_8));
    RawWebSocketPeer.Frame pong = peer.read();
    assertThat(pong.opcode()).isEqualTo(RawWebSocketPeer.PONG);
    assertThat(pong.text()).isEqualTo("0123456789abcdefghij");
    // A data frame over the limit is still refused with 1009, however small.
    CompletableFuture<WebSocketMessage> r = task.receive();
    peer.frame(true, false, RawWebSocketPeer.BINARY, new byte[50]);
    assertThat(WebSocketTaskTests.code(r)).isEqualTo(SessionException.Code.DATA_LENGTH_EXCEEDS_MAXIMUM);
    assertThat(peer.read().closeCode()).isEqualTo(1009);
  }

  @Test
  void closeFrameWhenItsReasonIsLongerThanALoweredMaximumClosesCleanly() throws Exception {
    WebSocketTask task = open();
    task.maximumMessageSize(10);
    peer.close(1001, "a reason of some length");
    assertThat(delegate.awaitCompletion()).isNull();
    assertThat(task.closeCode()).isEqualTo(CloseCode.GOING_AWAY);
    assertThat(new String(task.closeReason(), StandardCharsets.UTF_8)).isEqualTo("a reason of some length");
  }

  @Test
  void compressedMessageWhenInflatedBeyondTheMaximumThenRefusedAsTooBig() throws Exception {
    peer = new RawWebSocketPeer().answerHeader("Sec-WebSocket-Extensions", "permessage-deflate");
    WebSocketTask task = open();
    task.maximumMessageSize(100_000);
    byte[] bomb = RawWebSocketPeer.deflate(new byte[5_000_000]); // about 5 KB on the wire
    assertThat(bomb.length).isLessThan(10_000);
    peer.frame(true, true, RawWebSocketPeer.BINARY, bomb);
    assertThat(WebSocketTaskTests.code(task.receive())).isEqualTo(SessionException.Code.DATA_LENGTH_EXCEEDS_MAXIMUM);
    assertThat(delegate.awaitCompletion().code()).isEqualTo(SessionException.Code.DATA_LENGTH_EXCEEDS_MAXIMUM);
    assertThat(peer.read().closeCode()).isEqualTo(1009);
  }

  @Test
  void protocolViolationWhenAReservedBitIsSetThenClosedWithProtocolErrorAndBadServerResponse() throws Exception {
    WebSocketTask task = open();
    CompletableFuture<WebSocketMessage> receive = task.receive();
    // RSV2 set without an extension that defines it: a protocol error (RFC 6455 5.2).
    peer.frame(true, false, 0x20 | RawWebSocketPeer.TEXT, "bad".getBytes(StandardCharsets.UTF_8));
    assertThat(delegate.awaitCompletion().code()).isEqualTo(SessionException.Code.BAD_SERVER_RESPONSE);
    assertThat(WebSocketTaskTests.code(receive)).isEqualTo(SessionException.Code.BAD_SERVER_RESPONSE);
    assertThat(task.closeCode()).isEqualTo(CloseCode.PROTOCOL_ERROR);
    assertThat(peer.read().closeCode()).isEqualTo(1002);
    assertThat(delegate.events).hasSize(5);
    assertThat(delegate.events.get(2)).startsWith("didCloseWith PROTOCOL_ERROR");
    delegate.assertEvents("didCreateTask", "didOpenWithProtocol null", delegate.events.get(2),
        "didFinishCollectingMetrics", "didComplete BAD_SERVER_RESPONSE");
  }

  @Test
  void invalidUtf8WhenSentAsTextThenClosedWithInvalidPayloadData() throws Exception {
    WebSocketTask task = open();
    peer.frame(true, false, RawWebSocketPeer.TEXT, new byte[] {(byte) 0xc3, (byte) 0x28});
    assertThat(delegate.awaitCompletion().code()).isEqualTo(SessionException.Code.BAD_SERVER_RESPONSE);
    assertThat(task.closeCode()).isEqualTo(CloseCode.INVALID_FRAME_PAYLOAD_DATA);
    assertThat(peer.read().closeCode()).isEqualTo(1007);
  }

  @Test
  void connectionDroppedWhenOpenThenAbnormalClosureAndNetworkConnectionLost() throws Exception {
    WebSocketTask task = open();
    CompletableFuture<WebSocketMessage> receive = task.receive();
    peer.drop();
    assertThat(delegate.awaitCompletion().code()).isEqualTo(SessionException.Code.NETWORK_CONNECTION_LOST);
    assertThat(WebSocketTaskTests.code(receive)).isEqualTo(SessionException.Code.NETWORK_CONNECTION_LOST);
    assertThat(task.closeCode()).isEqualTo(CloseCode.ABNORMAL_CLOSURE);
    delegate.assertEvents("didCreateTask", "didOpenWithProtocol null", "didCloseWith ABNORMAL_CLOSURE null",
        "didFinishCollectingMetrics", "didComplete NETWORK_CONNECTION_LOST");
  }

  @Test
  void closeWhenThePeerNeverAnswersThenDroppedAfterTheRequestTimeoutAndCompletedAsClosed() throws Exception {
    WebSocketTask task = open(SessionConfiguration.ephemeral().toBuilder()
        .timeoutIntervalForRequest(Duration.ofSeconds(2)).build());
    task.cancel(CloseCode.NORMAL_CLOSURE, "done".getBytes(StandardCharsets.UTF_8));
    RawWebSocketPeer.Frame close = peer.read();
    assertThat(close.opcode()).isEqualTo(RawWebSocketPeer.CLOSE);
    assertThat(close.closeCode()).isEqualTo(1000);
    assertThat(new String(close.payload(), 2, close.payload().length - 2, StandardCharsets.UTF_8)).isEqualTo("done");
    assertThat(delegate.awaitCompletion()).isNull();
    assertThat(peer.clientClosed()).isTrue();
    delegate.assertEvents("didCreateTask", "didOpenWithProtocol null", "didCloseWith NORMAL_CLOSURE done",
        "didFinishCollectingMetrics", "didComplete null");
    assertThat(task.closeCode()).isEqualTo(CloseCode.NORMAL_CLOSURE);
  }

  @Test
  void closeWhenThePeerAnswersThenDidCloseWithTheSentCode() throws Exception {
    WebSocketTask task = open();
    task.cancel(CloseCode.POLICY_VIOLATION, null);
    assertThat(peer.read().closeCode()).isEqualTo(1008);
    peer.close(1008, "");
    assertThat(delegate.awaitCompletion()).isNull();
    delegate.assertEvents("didCreateTask", "didOpenWithProtocol null", "didCloseWith POLICY_VIOLATION null",
        "didFinishCollectingMetrics", "didComplete null");
    assertThat(task.state()).isEqualTo(SessionTask.State.COMPLETED);
  }

  @Test
  void plainCancelWhenOpenThenCloseFrameWithoutCodeAndCancelledWithoutDidClose() throws Exception {
    WebSocketTask task = open();
    task.cancel();
    assertThat(delegate.awaitCompletion().code()).isEqualTo(SessionException.Code.CANCELLED);
    RawWebSocketPeer.Frame close = peer.read();
    assertThat(close.opcode()).isEqualTo(RawWebSocketPeer.CLOSE);
    assertThat(close.payload()).isEmpty();
    delegate.assertEvents("didCreateTask", "didOpenWithProtocol null", "didFinishCollectingMetrics",
        "didComplete CANCELLED");
    assertThat(task.closeCode()).isEqualTo(CloseCode.INVALID);
  }

  @Test
  void unansweredHandshakeWhenTheRequestTimeoutPassesThenTimedOut() throws Exception {
    try (ServerSocket silent = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
      CompletableFuture<Socket> accepted = CompletableFuture.supplyAsync(() -> {
        try {
          return silent.accept();
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      });
      session = Session.create(SessionConfiguration.ephemeral().toBuilder()
          .timeoutIntervalForRequest(Duration.ofSeconds(1)).build(), delegate, null);
      WebSocketTask task = session.webSocketTask(URI.create("ws://127.0.0.1:" + silent.getLocalPort() + "/"));
      task.resume();
      assertThat(delegate.awaitCompletion().code()).isEqualTo(SessionException.Code.TIMED_OUT);
      delegate.assertEvents("didCreateTask", "didFinishCollectingMetrics", "didComplete TIMED_OUT");
      try (Socket s = accepted.get(10, SECONDS)) {
        s.setSoTimeout(10_000);
        // The handshake request, then the end: the abandoned connection is closed.
        String received = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        assertThat(received).startsWith("GET / HTTP/1.1\r\n").contains("Upgrade: websocket");
      }
    }
  }

  @Test
  void messagesWhenSuspendedThenHeldUntilResumed() throws Exception {
    WebSocketTask task = open();
    task.suspend();
    CompletableFuture<WebSocketMessage> receive = task.receive();
    peer.text("while suspended");
    assertThat(receive).isNotDone();
    assertThat(task.state()).isEqualTo(SessionTask.State.SUSPENDED);
    task.resume();
    assertThat(receive.get(10, SECONDS)).isEqualTo(WebSocketMessage.text("while suspended"));
  }

  @Test
  void pingsWhenPongsArriveThenEachHandlerCompletesAndUnsolicitedPongsAreIgnored() throws Exception {
    WebSocketTask task = open();
    peer.frame(true, false, RawWebSocketPeer.PONG, new byte[0]); // unsolicited: a heartbeat
    CompletableFuture<Void> first = task.sendPing();
    CompletableFuture<Void> second = task.sendPing();
    RawWebSocketPeer.Frame p1 = peer.read();
    RawWebSocketPeer.Frame p2 = peer.read();
    assertThat(p1.opcode()).isEqualTo(RawWebSocketPeer.PING);
    peer.frame(true, false, RawWebSocketPeer.PONG, p1.payload());
    first.get(10, SECONDS);
    assertThat(second).isNotDone();
    peer.frame(true, false, RawWebSocketPeer.PONG, p2.payload());
    second.get(10, SECONDS);
    CompletableFuture<Void> unanswered = task.sendPing();
    peer.read();
    peer.drop();
    assertThat(WebSocketTaskTests.code(unanswered)).isEqualTo(SessionException.Code.NETWORK_CONNECTION_LOST);
    assertThat(task.completion().get(10, SECONDS).state()).isEqualTo(SessionTask.State.COMPLETED);
  }
}
