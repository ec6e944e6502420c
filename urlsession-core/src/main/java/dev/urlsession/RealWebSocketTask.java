package dev.urlsession;

import dev.urlsession.SessionException.Code;
import dev.urlsession.internal.ErrorMapper;
import dev.urlsession.internal.WebSocketConnection;
import dev.urlsession.internal.WebSocketEngine;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * The state machine of a WebSocket task (URLSESSION-BEHAVIOUR.md 10.2): the opening handshake,
 * the open connection and its close, and the one completion. The connection itself is Jetty's
 * ({@link WebSocketEngine}); the handshake up to the {@code 101} is a {@link WebSocketOpening}'s;
 * the queues of messages, sends and pings are a {@link WebSocketMailbox}'s.
 *
 * <p>Concurrency as in {@link RealTask}: its fields (and its mailbox's) are guarded by
 * {@code this}; events come from user threads, Jetty's threads and timers; each takes the lock,
 * changes state and posts delegate calls and future completions to the session's serial queue
 * while holding it, so that they run in the order of the state changes. Jetty is called, and
 * the queue kicked, only after the lock is released: methods that change state return what is
 * left to run then.
 */
final class RealWebSocketTask extends LocalTask implements WebSocketTask, TaskTimers.Owner {
  /** Where the connection stands. */
  private enum Phase { CREATED, CONNECTING, OPEN, CLOSING, DONE }

  private final TaskTimers timers;
  private final WebSocketOpening opening;
  private final WebSocketMailbox mailbox;
  private final WebSocketLink link;

  // --- guarded by this ---
  private Phase phase = Phase.CREATED;
  private @Nullable Instant intervalStart;
  /** Why the open connection is failing (a protocol error, a message too big), before it closed. */
  private @Nullable SessionException failure;
  /** Whether the application started the close handshake ({@link #cancel(CloseCode, byte[])}). */
  private boolean closeSent;
  private int maximumMessageSize = DEFAULT_MAXIMUM_MESSAGE_SIZE;
  private CloseCode closeCode = CloseCode.INVALID;
  private byte @Nullable [] closeReason;

  RealWebSocketTask(RealSession session, long taskIdentifier, Request request) {
    super(session, taskIdentifier, request, null);
    this.timers = new TaskTimers(this, session.configuration().timeoutIntervalForResource());
    this.opening = new WebSocketOpening(session, this, new Connection(), events, timers);
    this.mailbox = new WebSocketMailbox(events::postPlain);
    this.link = new WebSocketLink(mailbox, this::sent, this::pingFailed);
  }

  // --- SessionTask ---

  @Override
  public void resume() {
    boolean start = false;
    boolean retry = false;
    Runnable after;
    synchronized (this) {
      Resume resumed = resumeLocked();
      if (resumed == Resume.NONE) {
        return;
      }
      timers.touch();
      if (resumed == Resume.FIRST) {
        intervalStart = Instant.now();
        phase = Phase.CONNECTING;
        timers.start(idleNanos(), true);
        start = true;
      } else {
        retry = timers.takeRetryOnResume(); // a wait for connectivity ended while suspended
      }
      mailbox.deliver();
      after = demandIfWanted();
    }
    events.kick();
    if (start) {
      events.started();
      opening.begin();
    } else if (retry) {
      opening.retryConnecting();
    } else if (after != null) {
      after.run();
    }
  }

  @Override
  public void suspend() {
    synchronized (this) {
      suspendLocked(); // no message is delivered or read meanwhile
    }
  }

  @Override
  public void cancel() {
    Runnable after;
    synchronized (this) {
      if (completing || state == State.CANCELING) {
        return;
      }
      state = State.CANCELING;
      progress.markCancelled();
      WebSocketConnection c = link.release(); // closed here, not dropped by the completion
      Runnable completed = complete(new SessionException(Code.CANCELLED, currentRequest.url()));
      after = c == null ? completed : WebSocketLink.chain(completed, () -> c.close(0, null, x -> c.disconnect()));
    }
    finish(after); // an open connection gets a close frame without code, not waited for
  }

  @Override
  public void cancel(CloseCode code, byte @Nullable [] reason) {
    if (code == null || (code != CloseCode.INVALID && !code.isSendable())) {
      throw new IllegalArgumentException("close code " + code + " may not be sent");
    }
    String reasonText = WebSocketHandshakes.reasonText(reason);
    boolean open;
    Runnable after = null;
    synchronized (this) {
      if (completing || state == State.CANCELING) {
        return;
      }
      open = phase == Phase.OPEN;
      if (open) {
        state = State.CANCELING;
        closeSent = true;
        closeCode = code;
        closeReason = reason == null || reason.length == 0 ? null : reason.clone();
        phase = Phase.CLOSING;
        timers.touch(); // the peer has the idle interval to answer the close
        mailbox.dropReceived();
        mailbox.close(code, reasonText);
        after = WebSocketLink.chain(sendNext(), demandIfWanted());
      }
    }
    if (!open) {
      cancel(); // not open (yet): nothing to close, the task is cancelled
      return;
    }
    finish(after);
  }

  // --- WebSocketTask ---

  @Override
  public CompletableFuture<Void> send(WebSocketMessage message) {
    if (message == null) {
      throw new IllegalArgumentException("message must not be null");
    }
    CompletableFuture<Void> f = new QueueFuture<>(session.queue);
    Runnable after;
    synchronized (this) {
      if (completing || phase == Phase.CLOSING || !mailbox.send(message, f)) {
        events.postPlain(() -> f.completeExceptionally(endedError()));
        after = null;
      } else {
        after = sendNext();
      }
    }
    finish(after);
    return f;
  }

  @Override
  public CompletableFuture<WebSocketMessage> receive() {
    CompletableFuture<WebSocketMessage> f = new QueueFuture<>(session.queue);
    Runnable after = null;
    synchronized (this) {
      if (completing || phase == Phase.CLOSING) {
        events.postPlain(() -> f.completeExceptionally(endedError()));
      } else {
        mailbox.waitFor(f);
        if (state == State.RUNNING) {
          mailbox.deliver();
          after = demandIfWanted();
        }
      }
    }
    finish(after);
    return f;
  }

  @Override
  public CompletableFuture<Void> sendPing() {
    CompletableFuture<Void> f = new QueueFuture<>(session.queue);
    Runnable after = null;
    synchronized (this) {
      if (completing || phase == Phase.CLOSING) {
        events.postPlain(() -> f.completeExceptionally(endedError()));
      } else {
        mailbox.ping(f);
        after = sendPings();
      }
    }
    finish(after);
    return f;
  }

  @Override
  public synchronized int maximumMessageSize() {
    return maximumMessageSize;
  }

  @Override
  public void maximumMessageSize(int bytes) {
    if (bytes < 1) {
      throw new IllegalArgumentException("maximumMessageSize must be at least 1, not " + bytes);
    }
    WebSocketConnection c;
    synchronized (this) {
      maximumMessageSize = bytes;
      c = link.connection();
    }
    if (c != null) {
      c.maximumMessageSize(bytes);
    }
  }

  @Override
  public synchronized CloseCode closeCode() {
    return closeCode;
  }

  @Override
  public synchronized byte @Nullable [] closeReason() {
    return closeReason == null ? null : closeReason.clone();
  }

  @Override
  public String toString() {
    return "WebSocketTask{" + taskIdentifier() + ", " + SessionException.redact(originalRequest().url()) + "}";
  }

  // --- what the connection reports (Jetty's threads) ---

  /** The task as its opening and open connection see it (Jetty's threads). */
  private final class Connection implements WebSocketOpening.Host {
    @Override
    public boolean completing() {
      return completing;
    }

    @Override
    public @Nullable Runnable complete(@Nullable SessionException error) {
      return RealWebSocketTask.this.complete(error);
    }

    @Override
    public boolean running() {
      return state == State.RUNNING;
    }

    @Override
    public void cancel() {
      RealWebSocketTask.this.cancel();
    }

    @Override
    public void opened(WebSocketConnection c, @Nullable String protocol) {
      Runnable after;
      int max;
      synchronized (RealWebSocketTask.this) {
        if (completing) {
          after = c::disconnect;
          max = 0;
        } else {
          link.open(c);
          phase = Phase.OPEN;
          timers.touch();
          max = maximumMessageSize;
          WebSocketDelegate d = events.pick(WebSocketDelegate.class, "didOpenWithProtocol");
          if (d != null) {
            events.post("didOpenWithProtocol",
                () -> d.didOpenWithProtocol(session, RealWebSocketTask.this, protocol));
          }
          after = WebSocketLink.chain(sendNext(), WebSocketLink.chain(sendPings(), demandIfWanted()));
        }
      }
      if (max > 0) {
        c.maximumMessageSize(max);
      }
      finish(after);
    }

    @Override
    public void text(String text) {
      received(WebSocketMessage.text(text));
    }

    @Override
    public void binary(byte[] data) {
      received(WebSocketMessage.Binary.wrap(data));
    }

    @Override
    public void pong(long id) {
      Runnable after;
      synchronized (RealWebSocketTask.this) {
        link.demandUsed();
        if (completing) {
          return;
        }
        mailbox.pong(id);
        after = demandIfWanted();
      }
      finish(after);
    }

    @Override
    public void closed(int code, @Nullable String reason) {
      Runnable after;
      synchronized (RealWebSocketTask.this) {
        if (completing) {
          return;
        }
        boolean wasOpen = phase == Phase.OPEN || phase == Phase.CLOSING;
        link.release(); // closed: nothing to drop
        if (!closeSent) {
          closeCode = code == 1006 ? CloseCode.ABNORMAL_CLOSURE : CloseCode.of(code);
          // 1006 is no close frame: Jetty's reason for it is its own, not the peer's.
          closeReason = reason == null || code == 1006 ? null : reason.getBytes(StandardCharsets.UTF_8);
        }
        SessionException error = failure;
        if (error == null && code == 1006 && !closeSent) {
          error = new SessionException(Code.NETWORK_CONNECTION_LOST, currentRequest.url(),
              "The connection closed without a close frame", null);
        }
        if (wasOpen) {
          WebSocketCompletion.postClose(session, RealWebSocketTask.this, events, closeCode, closeReason);
        }
        after = complete(error);
      }
      finish(after);
    }

    @Override
    public void failedOpen(Throwable cause) {
      synchronized (RealWebSocketTask.this) {
        if (completing) {
          return;
        }
        // Jetty closes the connection (closed() follows); the task fails with this.
        if (failure == null) {
          failure = WebSocketEngine.failure(cause, currentRequest.url());
        }
        phase = Phase.CLOSING;
        timers.touch(); // closed() is due within the idle interval
      }
      events.kick();
    }
  }

  private void received(WebSocketMessage m) {
    Runnable after;
    synchronized (this) {
      link.demandUsed();
      if (completing) {
        return;
      }
      timers.touch();
      bytesReceived += m.length();
      if (phase == Phase.OPEN) {
        mailbox.received(m);
        if (state == State.RUNNING) {
          mailbox.deliver();
        }
      } // while closing, messages are dropped: the application is done with them
      after = demandIfWanted();
    }
    finish(after);
  }

  // --- sending and reading (the lock held; Jetty is called by what they return) ---

  private @Nullable Runnable sendNext() {
    return completing ? null : link.sendNext();
  }

  private @Nullable Runnable sendPings() {
    return completing ? null : link.sendPings();
  }

  /**
   * Asks Jetty for the next message when the task runs and little is held for {@code receive()};
   * while closing, always (the peer's close frame must be read).
   */
  private @Nullable Runnable demandIfWanted() {
    return completing ? null : link.demand(phase == Phase.CLOSING
        || (phase == Phase.OPEN && state == State.RUNNING && mailbox.wantsMore()));
  }

  /** A message or the close frame was written (x null), or not. */
  private void sent(WebSocketMailbox.Outgoing o, @Nullable Throwable x) {
    Runnable after;
    synchronized (this) {
      SessionException error = x == null ? null : completing ? endedError() : ErrorMapper.map(x, currentRequest.url());
      if (x == null && o.message() != null) {
        bytesSent += o.message().length();
      }
      mailbox.sent(o, error);
      timers.touch();
      after = o.isClose() ? demandIfWanted() : sendNext();
    }
    finish(after);
  }

  private void pingFailed(Throwable x, long id) {
    synchronized (this) {
      mailbox.pingFailed(id, completing ? endedError() : ErrorMapper.map(x, currentRequest.url()));
    }
    events.kick();
  }

  private void finish(@Nullable Runnable after) { // what an event left to do outside the lock
    events.kick();
    if (after != null) {
      after.run();
    }
  }

  /** The failure of a send, receive or ping after the end: the task's error, or the connection lost. */
  private SessionException endedError() {
    SessionException e = error != null ? error : failure;
    return e != null ? e : new SessionException(Code.NETWORK_CONNECTION_LOST, currentRequest.url(),
        "The WebSocket connection is closed", null);
  }

  // --- completion and deadlines ---

  /**
   * Completes the task with {@code error} (null for success): stops its clocks, fails what
   * waits, posts the completion. Caller holds the lock; returns what to run after releasing it.
   */
  private @Nullable Runnable complete(@Nullable SessionException error) {
    if (completing) {
      return null;
    }
    completing = true;
    timers.stop();
    Phase was = phase;
    phase = Phase.DONE;
    this.error = error;
    mailbox.failAll(endedError());
    Runnable abort = was == Phase.CONNECTING ? opening.stop() : null;
    WebSocketConnection c = link.release();
    WebSocketCompletion.post(session, this, events, started, opening.transactions(), intervalStart, error,
        this::markCompleted);
    return () -> {
      if (abort != null) {
        abort.run();
      }
      if (c != null) {
        c.disconnect(); // completed before the connection closed (a deadline): drop it
      }
      session.taskFinished(this);
    };
  }

  private long idleNanos() {
    Request r = originalRequest();
    return TaskTimers.nanos(r.isTimeoutIntervalSet() ? r.timeoutInterval()
        : session.configuration().timeoutIntervalForRequest());
  }

  /** Called by the session's deadline sweep and the task's precise timer. */
  @Override
  public void checkDeadlines(long now) {
    if (!timers.watched()) {
      return;
    }
    Runnable after;
    synchronized (this) {
      if (completing || !timers.watched()) {
        return;
      }
      // The idle deadline bounds the handshake and the close; an open connection has none.
      String expired = timers.expired(now, idleNanos(), phase == Phase.CONNECTING || phase == Phase.CLOSING);
      if (expired == null) {
        return;
      }
      if (phase == Phase.CLOSING && failure == null && closeSent) {
        // The peer never answered our close frame: the connection is dropped, the close was ours.
        WebSocketCompletion.postClose(session, this, events, closeCode, closeReason);
        after = complete(null);
      } else {
        after = complete(failure != null ? failure
            : new SessionException(Code.TIMED_OUT, currentRequest.url(), expired, null));
      }
    }
    finish(after);
  }

  @Override
  public void connectivityRetryDue() {
    opening.connectivityRetryDue();
  }
}
