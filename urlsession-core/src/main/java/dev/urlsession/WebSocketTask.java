package dev.urlsession;

import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * A WebSocket connection (RFC 6455) over {@code ws:} or {@code wss:} (Apple's
 * {@code URLSessionWebSocketTask}). Create it with {@link Session#webSocketTask(java.net.URI)}
 * and {@link #resume()} it: the opening handshake uses the session's headers, cookies,
 * credentials, TLS settings, proxy and timeouts, and {@code permessage-deflate} (RFC 7692) when
 * the server agrees.
 *
 * <pre>{@code
 * WebSocketTask ws = session.webSocketTask(URI.create("wss://example.org/chat"));
 * ws.resume();
 * ws.send(WebSocketMessage.text("hello")).get(10, SECONDS);
 * WebSocketMessage reply = ws.receive().get(10, SECONDS);
 * ws.cancel(CloseCode.NORMAL_CLOSURE, null);
 * }</pre>
 *
 * <p><b>Handshake.</b> Challenges are a data task's (Apple's order): a server's {@code 401} and an
 * HTTP proxy's {@code 407} to the tunnel's {@code CONNECT} (Basic, Digest) reach the task
 * delegate's {@code didReceiveChallenge} with the proposed credential and the failure count; a
 * credential makes a new handshake (as {@code Authorization} for the server; the proxy gets it on
 * the {@code CONNECT}, never the server), default handling uses the session's credential storage,
 * and a credential that worked is kept there as its persistence says. When no credential answers
 * the challenge the task fails with {@code BAD_SERVER_RESPONSE} and {@link #response()} is the
 * {@code 401} or {@code 407}. Each handshake attempt is a transaction of the task's metrics, on
 * a new connection: with the address lookup, connect and (for {@code wss:}) TLS dates, the
 * request and response dates, and the body bytes of an answer that is no {@code 101} (the
 * handshake request has no body; header sizes are not counted, as for every task); through a
 * proxy, the lookup is the proxy's and the TLS handshake the server's inside the tunnel. The open
 * connection's frames are not part of the metrics ({@link #countOfBytesSent()} and
 * {@link #countOfBytesReceived()} count the messages' payload). On
 * {@code wss:} with the platform's trust, the session (or task) delegate decides on the server's
 * certificates ({@code SERVER_TRUST}) before the handshake request is sent, and on a server's
 * request for a client certificate ({@code CLIENT_CERTIFICATE}, as https loads ask it): a chosen
 * identity is presented on a new connection (and on the session's later WebSocket connections to
 * that host and port); without one, a server that insists fails the task with
 * {@code CLIENT_CERTIFICATE_REQUIRED}. A session with an SSL context of its own presents that
 * context's keys and asks neither.
 *
 * <p>A redirect ({@code 3xx}) answering the upgrade is not followed: Apple documents no redirect
 * for WebSocket tasks (URLSESSION-BEHAVIOUR.md 10.2 lists a refused upgrade as a failure, and
 * says nothing of redirects), so it is a refused upgrade like any other answer that is no
 * {@code 101}: {@code willPerformHttpRedirection} is not called, the task fails with
 * {@code BAD_SERVER_RESPONSE}, and {@link #response()} is the redirect.
 *
 * <p><b>Order.</b> Messages go out in the order of the {@code send} calls (sends made before the
 * handshake completed go out after it) and come in in the order the peer sent them, one per
 * {@link #receive()}. A {@link WebSocketDelegate} gets {@code didOpenWithProtocol} after the
 * handshake, {@code didCloseWith} when the connection closes after that, then
 * {@code didComplete}, exactly once.
 *
 * <p><b>Completion.</b> The task completes with no error when the close handshake took place
 * (whoever started it), with {@code CANCELLED} after {@link #cancel()}, with
 * {@code BAD_SERVER_RESPONSE} when the server refused the upgrade or broke the protocol, with
 * {@code NETWORK_CONNECTION_LOST} when the connection was lost without a close frame, and with
 * {@code DATA_LENGTH_EXCEEDS_MAXIMUM} when a message exceeded {@link #maximumMessageSize()}.
 * Afterwards every pending and future {@code send}, {@code receive} and {@code sendPing} fails
 * with that error, or with {@code NETWORK_CONNECTION_LOST} when there is none.
 *
 * <p><b>Timeouts.</b> The handshake must finish within the request's timeout interval
 * (the configuration's {@code timeoutIntervalForRequest} by default); an open connection has no
 * idle timeout (send pings to keep it alive); {@code timeoutIntervalForResource} bounds the whole
 * task. After {@link #cancel(CloseCode, byte[])} the peer has the request timeout interval to
 * answer the close frame; then the connection is dropped. With the configuration's
 * {@code waitsForConnectivity}, a handshake that cannot connect (no address, no route, refused)
 * does not fail the task: the delegate hears {@code taskIsWaitingForConnectivity} once and the
 * task tries again (after 0.5 s, doubling up to 10 s) until it connects or
 * {@code timeoutIntervalForResource} passes ({@code TIMED_OUT}).
 *
 * <p>Thread-safe; every method returns at once. Futures complete, and delegates are called, on
 * the session's delegate queue. Not available in background sessions.
 *
 * @since 0.1.0
 */
public interface WebSocketTask extends SessionTask {
  /** The default {@link #maximumMessageSize()}: 1 MiB. */
  int DEFAULT_MAXIMUM_MESSAGE_SIZE = 1024 * 1024;

  /**
   * Sends {@code message}, after the handshake if it has not completed yet. The future completes
   * (on the delegate queue) once the message was handed to the network, or fails with a
   * {@link SessionException} when the task completed first.
   *
   * @throws IllegalArgumentException if {@code message} is null
   */
  CompletableFuture<Void> send(WebSocketMessage message);

  /**
   * The next message the peer sent, waiting until one arrives. One message per call: call again
   * for the next. Fails with a {@link SessionException} when the task completes first (see the
   * class comment for the codes). Ping, pong and close frames are handled by the task, never
   * received here.
   */
  CompletableFuture<WebSocketMessage> receive();

  /**
   * Sends a ping; the future completes when the peer's pong arrived (Apple's pong handler), or
   * fails with a {@link SessionException} when the task completes first.
   */
  CompletableFuture<Void> sendPing();

  /**
   * Closes the connection with {@code code} and {@code reason} (at most 123 bytes, UTF-8 text as
   * RFC 6455 requires): after the messages already sent, a close frame goes out and the task
   * waits for the peer's. {@link #closeCode()} and {@link #closeReason()} then tell what was
   * sent; {@link WebSocketDelegate#didCloseWith} follows with them. Before the connection is
   * open this cancels the task ({@code CANCELLED}); after completion it does nothing.
   *
   * @param code the code to send; {@link CloseCode#INVALID} sends a close frame without a code
   * @throws IllegalArgumentException if {@code code} is null or may not be sent
   *     ({@link CloseCode#isSendable()}), or {@code reason} is longer than 123 bytes or not
   *     UTF-8
   */
  void cancel(CloseCode code, byte @Nullable [] reason);

  /**
   * Cancels the task: it completes with {@code CANCELLED}. An open connection gets a close frame
   * without a code ({@code cancel(CloseCode.INVALID, null)}), and is not waited for.
   */
  @Override
  void cancel();

  /** The largest message {@link #receive()} accepts, in bytes: 1 MiB unless set. */
  int maximumMessageSize();

  /**
   * Sets the largest message accepted, at any time. A bigger message closes the connection with
   * {@link CloseCode#MESSAGE_TOO_BIG} and fails the task (and the receive) with
   * {@code DATA_LENGTH_EXCEEDS_MAXIMUM} (Apple reports POSIX error 40, "Message too long").
   *
   * @throws IllegalArgumentException if {@code bytes} is less than 1
   */
  void maximumMessageSize(int bytes);

  /**
   * The code of the close frame that was sent or received ({@link CloseCode#ABNORMAL_CLOSURE}
   * after a connection lost without one); {@link CloseCode#INVALID} before.
   */
  CloseCode closeCode();

  /** A copy of the reason of that close frame, or {@code null} when it had none. */
  byte @Nullable [] closeReason();
}
