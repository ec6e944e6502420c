package dev.urlsession;

import dev.urlsession.internal.WebSocketConnection;
import java.util.function.BiConsumer;
import java.util.function.ObjLongConsumer;
import org.jspecify.annotations.Nullable;

/**
 * A WebSocket task's open connection as the task drives it: what goes out next (one message or
 * the close frame at a time, in order, then the pings) and when to read the next message (one
 * demand outstanding at most). Guarded by the task's lock; every method returns the Jetty call
 * to make after the lock is released, or null.
 */
final class WebSocketLink {
  private final WebSocketMailbox mailbox;
  /** Where the outcome of a send goes: the task, which takes its lock. */
  private final BiConsumer<WebSocketMailbox.Outgoing, @Nullable Throwable> sent;
  /** Where a ping that could not be sent goes: the task, which takes its lock. */
  private final ObjLongConsumer<Throwable> pingFailed;
  private @Nullable WebSocketConnection connection;
  /** Whether a demand for the next message is outstanding with Jetty. */
  private boolean demanding;

  WebSocketLink(WebSocketMailbox mailbox, BiConsumer<WebSocketMailbox.Outgoing, @Nullable Throwable> sent,
      ObjLongConsumer<Throwable> pingFailed) {
    this.mailbox = mailbox;
    this.sent = sent;
    this.pingFailed = pingFailed;
  }

  /** The connection opened. */
  void open(WebSocketConnection c) {
    connection = c;
  }

  @Nullable WebSocketConnection connection() {
    return connection;
  }

  /** Lets go of the connection (closed, or about to be closed by the caller); returns it. */
  @Nullable WebSocketConnection release() {
    WebSocketConnection c = connection;
    connection = null;
    return c;
  }

  /** A message, pong or close arrived: the outstanding demand was used. */
  void demandUsed() {
    demanding = false;
  }

  /** Sends the next queued message or close frame, when nothing is being sent. */
  @Nullable Runnable sendNext() {
    WebSocketConnection c = connection;
    WebSocketMailbox.Outgoing o = c == null ? null : mailbox.nextToSend();
    if (o == null) {
      return null;
    }
    java.util.function.Consumer<@Nullable Throwable> done = x -> sent.accept(o, x);
    WebSocketMessage m = o.message();
    if (m == null) {
      int code = o.closeCode().value();
      return () -> c.close(code, o.closeReason(), done);
    }
    if (m instanceof WebSocketMessage.Text) {
      String text = ((WebSocketMessage.Text) m).text();
      return () -> c.sendText(text, done);
    }
    byte[] data = ((WebSocketMessage.Binary) m).bytes();
    return () -> c.sendBinary(data, done);
  }

  /** Sends the pings not sent yet. */
  @Nullable Runnable sendPings() {
    WebSocketConnection c = connection;
    long[] ids = c == null ? new long[0] : mailbox.pingsToSend();
    if (ids.length == 0) {
      return null;
    }
    return () -> {
      for (long id : ids) {
        c.sendPing(id, x -> {
          if (x != null) {
            pingFailed.accept(x, id);
          }
        });
      }
    };
  }

  /** Asks for the next message when {@code wanted} and none is asked for. */
  @Nullable Runnable demand(boolean wanted) {
    WebSocketConnection c = connection;
    if (c == null || demanding || !wanted) {
      return null;
    }
    demanding = true;
    return c::demand;
  }

  /** Both, in order; either may be null. */
  static @Nullable Runnable chain(@Nullable Runnable a, @Nullable Runnable b) {
    if (a == null) {
      return b;
    }
    if (b == null) {
      return a;
    }
    return () -> {
      a.run();
      b.run();
    };
  }
}
