package dev.urlsession.internal;

import java.nio.ByteBuffer;
import java.util.function.Consumer;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.api.StatusCode;
import org.jspecify.annotations.Nullable;

/**
 * An open WebSocket connection, as the task drives it: Jetty's session behind a small surface.
 * Call its methods without holding a lock: Jetty may report back on the calling thread.
 */
public final class WebSocketConnection {
  private final Session session;

  private WebSocketConnection(Session session) {
    this.session = session;
  }

  /** Sends a text message; {@code done} gets null once it was written, or the failure. */
  public void sendText(String text, Consumer<@Nullable Throwable> done) {
    session.sendText(text, callback(done));
  }

  /** Sends a binary message; {@code done} as for {@link #sendText}. */
  public void sendBinary(byte[] data, Consumer<@Nullable Throwable> done) {
    session.sendBinary(ByteBuffer.wrap(data), callback(done));
  }

  /** Sends a ping carrying {@code id}, which the peer's pong echoes. */
  public void sendPing(long id, Consumer<@Nullable Throwable> done) {
    session.sendPing(ByteBuffer.allocate(Long.BYTES).putLong(0, id), callback(done));
  }

  /**
   * Starts the close handshake: a close frame with {@code code} and {@code reason}, or without
   * a code when {@code code} is 0.
   */
  public void close(int code, @Nullable String reason, Consumer<@Nullable Throwable> done) {
    session.close(code == 0 ? StatusCode.NO_CODE : code, code == 0 ? null : reason, callback(done));
  }

  /** Drops the connection at once, without a close frame. */
  public void disconnect() {
    session.disconnect();
  }

  /** Asks for the next message (or pong, or close). */
  public void demand() {
    session.demand();
  }

  /** Sets the largest message accepted; a bigger one closes the connection with 1009. */
  public void maximumMessageSize(int bytes) {
    session.setMaxTextMessageSize(bytes);
    session.setMaxBinaryMessageSize(bytes);
    // A data frame is never bigger than the message it carries; compressed, a frame's payload is
    // checked again after inflating. Control frames (ping, pong, close: up to 125 bytes by RFC
    // 6455) are no messages, whatever the limit.
    session.setMaxFrameSize(Math.max(bytes, 125));
  }

  private static Callback callback(Consumer<@Nullable Throwable> done) {
    return new Callback() {
      @Override
      public void succeed() {
        done.accept(null);
      }

      @Override
      public void fail(Throwable x) {
        done.accept(x);
      }
    };
  }

  /**
   * Jetty's endpoint of one connection: its events go to the task's {@link WebSocketEvents}.
   * Public for Jetty, which binds the methods a listener overrides; not for applications. Not
   * auto-demanding: the task asks for each message, so a slow reader holds the peer back instead
   * of filling memory.
   */
  public static final class Endpoint implements Session.Listener {
    private final WebSocketEvents events;

    Endpoint(WebSocketEvents events) {
      this.events = events;
    }

    @Override
    public void onWebSocketOpen(Session session) {
      String protocol = session.getUpgradeResponse() == null ? null
          : session.getUpgradeResponse().getAcceptedSubProtocol();
      events.opened(new WebSocketConnection(session), protocol == null || protocol.isEmpty() ? null : protocol);
    }

    @Override
    public void onWebSocketText(String message) {
      events.text(message);
    }

    @Override
    public void onWebSocketBinary(ByteBuffer payload, Callback callback) {
      byte[] data = new byte[payload.remaining()];
      payload.get(data);
      callback.succeed();
      events.binary(data);
    }

    @Override
    public void onWebSocketPong(ByteBuffer payload) {
      events.pong(payload.remaining() == Long.BYTES ? payload.getLong(payload.position()) : -1);
    }

    @Override
    public void onWebSocketError(Throwable cause) {
      events.failed(cause);
    }

    @Override
    public void onWebSocketClose(int statusCode, @Nullable String reason) {
      events.closed(statusCode, reason == null || reason.isEmpty() ? null : reason);
    }
  }
}
