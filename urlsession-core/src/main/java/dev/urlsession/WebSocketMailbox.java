package dev.urlsession;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The queues of a WebSocket task: messages received and not yet taken, {@code receive()} calls
 * waiting for one, messages (and the close frame) waiting to be sent, one at a time and in
 * order, and pings waiting for their pong. Guarded by the task's lock; futures are completed by
 * work posted to the session's queue through {@code post}, in the order of the task's state
 * changes.
 */
final class WebSocketMailbox {
  /** Received bytes held for {@code receive()} above which the task stops reading. */
  static final long RECEIVED_LIMIT = 1024 * 1024;

  /** Something to send: a message with its future, or the close frame. */
  record Outgoing(@Nullable WebSocketMessage message, @Nullable CompletableFuture<Void> future,
      CloseCode closeCode, @Nullable String closeReason) {
    boolean isClose() {
      return message == null;
    }
  }

  /** A ping: its identifier (echoed by the pong), whether it was sent, and its future. */
  private static final class Ping {
    final long id;
    final CompletableFuture<Void> future;
    boolean sent;

    Ping(long id, CompletableFuture<Void> future) {
      this.id = id;
      this.future = future;
    }
  }

  private final Consumer<Runnable> post;
  private final ArrayDeque<WebSocketMessage> received = new ArrayDeque<>();
  private long receivedBytes;
  private final ArrayDeque<CompletableFuture<WebSocketMessage>> receivers = new ArrayDeque<>();
  private final ArrayDeque<Outgoing> outgoing = new ArrayDeque<>();
  private boolean sending;
  private boolean closeQueued;
  private final ArrayDeque<Ping> pings = new ArrayDeque<>();
  private long nextPingId = 1;

  WebSocketMailbox(Consumer<Runnable> post) {
    this.post = post;
  }

  // --- receiving ---

  void received(WebSocketMessage m) {
    received.add(m);
    receivedBytes += m.length();
  }

  void waitFor(CompletableFuture<WebSocketMessage> receiver) {
    receivers.add(receiver);
  }

  /** Hands received messages to waiting receivers, in order. */
  void deliver() {
    while (!received.isEmpty() && !receivers.isEmpty()) {
      WebSocketMessage m = received.poll();
      receivedBytes -= m.length();
      CompletableFuture<WebSocketMessage> f = receivers.poll();
      post.accept(() -> f.complete(m));
    }
  }

  /** Whether the task may read another message: little is held for {@code receive()}. */
  boolean wantsMore() {
    return receivedBytes < RECEIVED_LIMIT;
  }

  // --- sending ---

  /** Queues a message; false when the close frame is queued already (the message is refused). */
  boolean send(WebSocketMessage m, CompletableFuture<Void> future) {
    if (closeQueued) {
      return false;
    }
    outgoing.add(new Outgoing(m, future, CloseCode.INVALID, null));
    return true;
  }

  /** Queues the close frame after the messages queued before; false when one is queued already. */
  boolean close(CloseCode code, @Nullable String reason) {
    if (closeQueued) {
      return false;
    }
    closeQueued = true;
    outgoing.add(new Outgoing(null, null, code, reason));
    return true;
  }

  /** The next thing to send, when nothing is being sent; it is then being sent. */
  @Nullable Outgoing nextToSend() {
    if (sending || outgoing.isEmpty()) {
      return null;
    }
    sending = true;
    return outgoing.poll();
  }

  /** What was being sent is written (failure null) or failed. */
  void sent(Outgoing o, @Nullable SessionException failure) {
    sending = false;
    CompletableFuture<Void> f = o.future();
    if (f != null) {
      post.accept(failure == null ? () -> f.complete(null) : () -> f.completeExceptionally(failure));
    }
  }

  // --- pings ---

  /** Queues a ping; returns its identifier. */
  long ping(CompletableFuture<Void> future) {
    long id = nextPingId++;
    pings.add(new Ping(id, future));
    return id;
  }

  /** The identifiers of pings not sent yet; they are then sent. */
  long[] pingsToSend() {
    int n = 0;
    for (Ping p : pings) {
      n += p.sent ? 0 : 1;
    }
    long[] ids = new long[n];
    int i = 0;
    for (Ping p : pings) {
      if (!p.sent) {
        p.sent = true;
        ids[i++] = p.id;
      }
    }
    return ids;
  }

  /** A pong for ping {@code id} arrived: it answers that ping and those before it. */
  void pong(long id) {
    if (id <= 0) {
      return; // an unsolicited pong (RFC 6455 5.5.3): a heartbeat, nothing to answer
    }
    for (Iterator<Ping> it = pings.iterator(); it.hasNext();) {
      Ping p = it.next();
      if (p.id > id) {
        break;
      }
      it.remove();
      post.accept(() -> p.future.complete(null));
    }
  }

  /** A ping could not be sent: its future fails. */
  void pingFailed(long id, SessionException failure) {
    for (Iterator<Ping> it = pings.iterator(); it.hasNext();) {
      Ping p = it.next();
      if (p.id == id) {
        it.remove();
        post.accept(() -> p.future.completeExceptionally(failure));
        return;
      }
    }
  }

  // --- the end ---

  /** Drops what was received and not taken (the task is closing). */
  void dropReceived() {
    received.clear();
    receivedBytes = 0;
  }

  /** Fails every waiting receive, unsent message and unanswered ping with {@code failure}. */
  void failAll(SessionException failure) {
    dropReceived();
    while (!receivers.isEmpty()) {
      CompletableFuture<WebSocketMessage> f = receivers.poll();
      post.accept(() -> f.completeExceptionally(failure));
    }
    while (!outgoing.isEmpty()) {
      CompletableFuture<Void> f = outgoing.poll().future();
      if (f != null) {
        post.accept(() -> f.completeExceptionally(failure));
      }
    }
    while (!pings.isEmpty()) {
      Ping p = pings.poll();
      post.accept(() -> p.future.completeExceptionally(failure));
    }
  }
}
