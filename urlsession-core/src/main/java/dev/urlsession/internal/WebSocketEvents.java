package dev.urlsession.internal;

import dev.urlsession.Response;
import dev.urlsession.ServerTrust;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * What a WebSocket task hears of its connection ({@link WebSocketEngine#connect}). Called on
 * Jetty's threads, never under a lock of the library's; each method must return quickly.
 */
public interface WebSocketEvents {
  /** Where the metrics of this connection's handshake go (the dates, the byte counts). */
  TransactionRecorder recorder();

  /**
   * A new TLS connection presented {@code trust}: call {@code decision}, from any thread, with
   * whether to go on. Nothing of the handshake request is sent before.
   */
  void evaluateServerTrust(ServerTrust trust, Consumer<Boolean> decision);

  /**
   * The server of a new TLS connection asked for a client certificate and got none (see
   * {@link ClientIdentities}): call {@code decision}, from any thread, with an identity to try
   * again with (a new connection presents it), {@link ClientIdentities.Answer#NONE} to go on
   * without, or {@link ClientIdentities.Answer#CANCEL}. {@code refusedWithout} says whether the
   * server refuses the connection without one (it aborted the handshake, or TLS 1.3 lets it
   * refuse after).
   */
  void clientCertificateRequested(dev.urlsession.ProtectionSpace space, boolean refusedWithout,
      Consumer<ClientIdentities.Answer> decision);

  /** The server answered the handshake request with {@code response} (a {@code 101} or not). */
  void handshakeResponse(Response response);

  /**
   * The HTTP proxy at {@code proxy} answered the {@code CONNECT} of the tunnel with
   * {@code response}, not a {@code 2xx} (a {@code 407} asks for credentials); {@link #failed}
   * follows.
   */
  void tunnelRefused(Response response, java.net.URI proxy);

  /** The connection is open; {@code protocol} is the subprotocol the server chose, or null. */
  void opened(WebSocketConnection connection, @Nullable String protocol);

  /** A whole text message arrived. Ask for the next with {@link WebSocketConnection#demand()}. */
  void text(String text);

  /** A whole binary message arrived. Ask for the next with {@link WebSocketConnection#demand()}. */
  void binary(byte[] data);

  /**
   * A pong arrived: {@code id} is the identifier of the ping it answers, or -1 for a pong that
   * answers none of ours. Ask for the next event with {@link WebSocketConnection#demand()}.
   */
  void pong(long id);

  /**
   * The connection closed: with the code and reason of the close frame received (or sent, when
   * the library closed it for an error), or 1006 when it ended without one. The last event.
   */
  void closed(int code, @Nullable String reason);

  /**
   * The handshake failed, or the connection met an error (a protocol violation, a message too
   * big, an I/O error); {@link #closed} follows for an open connection.
   */
  void failed(Throwable cause);
}
