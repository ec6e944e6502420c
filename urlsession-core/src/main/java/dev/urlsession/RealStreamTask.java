package dev.urlsession;

import dev.urlsession.SessionException.Code;
import dev.urlsession.internal.CapturedStreams;
import dev.urlsession.internal.Checks;
import dev.urlsession.internal.ErrorMapper;
import dev.urlsession.internal.ServiceResolver;
import dev.urlsession.internal.StreamChannel;
import dev.urlsession.internal.StreamIo;
import dev.urlsession.internal.StreamSource;
import dev.urlsession.internal.StreamTls;
import java.io.IOException;
import java.net.URI;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import org.jspecify.annotations.Nullable;

/**
 * The state machine of a stream task (URLSESSION-BEHAVIOUR.md 10.1): connecting (after service
 * discovery, through the session's proxy), the queue of operations ({@link StreamOp}) matched with
 * what its {@link StreamChannel} can read and write, TLS started and stopped between them, the
 * hand-over to streams, and the one completion. A read-only stream task (a data task's response
 * handed over by {@code BECOME_STREAM}, URLSESSION-BEHAVIOUR.md 3.8) has no channel: it reads the
 * rest of the body from a {@link LoadStream}, runs from the start, and its write side is closed.
 *
 * <p>Concurrency: its fields are guarded by {@code this}. Operations arrive from user threads;
 * the channel's events, and the matching of operations with bytes ({@link #process()}), run on the
 * session's stream I/O thread, which takes the lock. Delegate calls and the futures' completions
 * are posted to the session's queue under the lock, in the order of the state changes, and the
 * queue is kicked after releasing it. User code never runs on the I/O thread or under the lock.
 */
final class RealStreamTask extends LocalTask implements StreamTask, TaskTimers.Owner, StreamChannel.Listener {
  /** BaseTask wants a request; a stream task has none (Apple's are nil), so nobody sees this one. */
  private static final Request NO_REQUEST = Request.get(URI.create("tcp://stream.invalid/"));

  private final StreamIo io;
  private final StreamTls tls;
  /** The connection; null for a read-only task. */
  private final @Nullable StreamChannel channel;
  /** Where reads take bytes from: the channel, or the body of a response handed over. */
  private final StreamSource source;
  private final TaskTimers timers;
  private final Authenticator authenticator;
  private final StreamTarget target;

  // --- guarded by this ---
  private boolean opened;
  /** Whether service discovery is under way (DNS servers that do not answer fail it themselves). */
  private boolean resolving;
  private final StreamOps ops = new StreamOps();
  /** The host TLS checks the certificates against: the one connected to. */
  private String tlsHost;
  private int tlsPort;
  private @Nullable ResolvedService resolved;
  private @Nullable CapturedStreams captured;

  RealStreamTask(RealSession session, long id, StreamTarget target, StreamIo io, StreamTls tls,
      @Nullable TaskDelegate taskDelegate) {
    this(session, id, NO_REQUEST, target, io, tls, null, taskDelegate);
  }

  private RealStreamTask(RealSession session, long id, Request request, StreamTarget target, StreamIo io,
      StreamTls tls, @Nullable StreamSource body, @Nullable TaskDelegate taskDelegate) {
    super(session, id, request, taskDelegate);
    this.io = io;
    this.tls = tls;
    this.target = target;
    this.channel = body == null ? new StreamChannel(io, this) : null;
    this.source = body == null ? channel : body;
    source.listener(this);
    this.timers = new TaskTimers(this, session.configuration().timeoutIntervalForResource());
    this.authenticator = new Authenticator(session, this, events, (c, a, cr) -> { });
    this.tlsHost = target.host() != null ? target.host() : "";
    this.tlsPort = target.port();
  }

  /**
   * A read-only stream task reading the rest of {@code from}'s response from {@code body}
   * ({@code BECOME_STREAM}); its requests and response are {@code from}'s. It counts as started
   * and running (as Apple's, it is never suspended first), its write side is closed;
   * {@link #begin()} starts its clocks and reads. Caller holds {@code from}'s lock.
   */
  static RealStreamTask readOnly(RealSession session, long id, BaseTask from, LoadStream body, StreamIo io,
      StreamTls tls, @Nullable TaskDelegate taskDelegate) {
    URI url = from.currentRequest.url();
    RealStreamTask t = new RealStreamTask(session, id, from.originalRequest(),
        new StreamTarget(url.getHost(), url.getPort(), null), io, tls, body, taskDelegate);
    synchronized (t) {
      t.currentRequest = from.currentRequest;
      t.response = from.response;
      t.started = true;
      t.opened = true;
      t.suspendCount = 0;
      t.state = State.RUNNING;
      t.ops.readOnly();
    }
    return t;
  }

  /** Starts a read-only task: posts {@code writeClosed} at once, then reads. */
  void begin() {
    synchronized (this) {
      if (completing) {
        return; // cancelled meanwhile (the session was invalidated)
      }
      sideClosed(false);
      timers.touch();
      timers.start(idleNanos(), true);
    }
    io.execute(this::process);
  }

  // --- SessionTask ---

  /** The data task's original request for a read-only task; null for others, as Apple's. */
  @Override
  public @Nullable Request originalRequest() {
    return channel == null ? super.originalRequest() : null;
  }

  /** The data task's current request for a read-only task; null for others, as Apple's. */
  @Override
  public @Nullable Request currentRequest() {
    return channel == null ? super.currentRequest() : null;
  }

  @Override
  public void resume() {
    boolean start;
    synchronized (this) {
      Resume resumed = resumeLocked();
      if (resumed == Resume.NONE) {
        return;
      }
      timers.touch();
      start = resumed == Resume.FIRST;
      if (start) {
        timers.start(idleNanos(), true);
      } else {
        timers.rearm(System.nanoTime(), idleNanos(), true);
      }
    }
    if (start) {
      connect();
    } else {
      io.execute(this::process);
    }
  }

  @Override
  public void suspend() {
    synchronized (this) {
      if (!suspendLocked()) {
        return; // no bytes move, no idle deadline, until resumed
      }
    }
    io.execute(this::process);
  }

  @Override
  public void cancel() {
    Runnable after;
    synchronized (this) {
      if (completing) {
        return;
      }
      state = State.CANCELING;
      progress.markCancelled();
      after = complete(new SessionException(Code.CANCELLED, null));
    }
    finish(after);
  }

  // --- StreamTask ---

  @Override
  public CompletableFuture<ReadResult> readData(int minLength, int maxLength, Duration timeout) {
    Checks.argument(minLength >= 0, "minLength must not be negative but was " + minLength);
    Checks.argument(maxLength >= 1, "maxLength must be at least 1 but was " + maxLength);
    Checks.argument(minLength <= maxLength, "minLength " + minLength + " exceeds maxLength " + maxLength);
    StreamOp op = StreamOp.read(minLength, maxLength, deadline(timeout), new QueueFuture<>(session.queue));
    enqueue(op);
    return op.readFuture;
  }

  @Override
  public CompletableFuture<Void> write(byte[] data, Duration timeout) {
    Checks.notNull(data, "data");
    StreamOp op = StreamOp.write(data.clone(), deadline(timeout), new QueueFuture<>(session.queue));
    enqueue(op);
    return op.writeFuture;
  }

  private static long deadline(Duration timeout) {
    Checks.notNull(timeout, "timeout");
    Checks.argument(!timeout.isNegative(), "timeout must not be negative but was " + timeout);
    return timeout.isZero() ? 0 : System.nanoTime() + TaskTimers.nanos(timeout) | 1; // never 0
  }

  @Override
  public void closeRead() {
    enqueue(StreamOp.of(StreamOp.Kind.CLOSE_READ));
  }

  @Override
  public void closeWrite() {
    enqueue(StreamOp.of(StreamOp.Kind.CLOSE_WRITE));
  }

  @Override
  public void startSecureConnection() {
    enqueue(StreamOp.of(StreamOp.Kind.START_TLS));
  }

  @Override
  public void stopSecureConnection() {
    enqueue(StreamOp.of(StreamOp.Kind.STOP_TLS));
  }

  @Override
  public StreamPair captureStreams() {
    CapturedStreams streams;
    synchronized (this) {
      if (completing) {
        throw new IllegalStateException("the task has completed: there is no connection to capture");
      }
      if (captured != null) {
        throw new IllegalStateException("the streams of this task were captured already");
      }
      streams = new CapturedStreams(io, channel == null);
      captured = streams;
    }
    enqueue(StreamOp.of(StreamOp.Kind.CAPTURE));
    return new StreamPair(streams.input(), streams.output());
  }

  @Override
  public synchronized @Nullable ResolvedService resolvedService() {
    return resolved;
  }

  /** Queues {@code op}, or fails it at once when the task has completed. */
  private void enqueue(StreamOp op) {
    synchronized (this) {
      if (completing && error == null && op.kind == StreamOp.Kind.READ && ops.readSideDone()) {
        op.completeRead(events, true); // after the end of the stream, reads keep returning it
      } else if (completing) {
        SessionException e = error != null ? error
            : new SessionException(Code.NETWORK_CONNECTION_LOST, null, "The stream task has completed", null);
        op.fail(events, e);
      } else {
        ops.add(op);
      }
    }
    events.kick();
    io.execute(this::process);
  }

  // --- connecting ---

  private void connect() {
    StreamChannel channel = this.channel;
    if (channel == null) {
      return; // a read-only task reads from the start
    }
    NetService service = target.service();
    if (service == null) {
      channel.connect(List.of(new StreamChannel.Target(target.host(), target.port())),
          StreamTarget.proxyFor(session.configuration().proxy(), target.host(), target.port()));
      return;
    }
    synchronized (this) {
      resolving = true; // the lookup's own timeout is the idle deadline meanwhile
    }
    ServiceResolver.resolve(service.instanceName(), service.dnsServer(),
        session.configuration().timeoutIntervalForRequest()).whenComplete((found, error) -> {
          Runnable after = null;
          List<StreamChannel.Target> targets = new ArrayList<>();
          synchronized (this) {
            resolving = false;
            timers.touch();
            if (completing) {
              return;
            }
            if (error != null) {
              after = complete(ErrorMapper.map(error, null));
            } else {
              resolved = new ResolvedService(service, found.targets(), found.txt());
              for (ResolvedService.Target t : found.targets()) {
                targets.add(new StreamChannel.Target(t.host(), t.port()));
              }
              tlsHost = targets.get(0).host();
              tlsPort = targets.get(0).port();
            }
          }
          if (after != null) {
            finish(after);
            return;
          }
          channel.connect(targets, StreamTarget.proxyFor(session.configuration().proxy(), tlsHost, tlsPort));
        });
  }

  // --- StreamChannel.Listener (the I/O thread) ---

  @Override
  public void opened() {
    synchronized (this) {
      opened = true;
      timers.touch();
    }
    process();
  }

  @Override
  public void changed() {
    timers.touch();
    process();
  }

  @Override
  public void failed(IOException e) {
    Runnable after;
    synchronized (this) {
      after = complete(e instanceof StreamChannel.ProxyAuthenticationRequired
          ? new SessionException(Code.USER_AUTHENTICATION_REQUIRED, null, e.getMessage(), e)
          : ErrorMapper.map(e, null));
    }
    finish(after);
  }

  @Override
  public void tlsHandshaken(SSLSession ssl) {
    Runnable after = null;
    synchronized (this) {
      if (completing) {
        return;
      }
      timers.touch();
      if (!tls.deferredTrust()) {
        io.execute(this::trusted); // the configuration's own SSL context decided in the handshake
        return;
      }
      if (!StreamTls.evaluated(ssl)) {
        after = complete(untrusted(new CertificateException("the server's certificates were not evaluated")));
      } else {
        CertificateException failure = StreamTls.trustFailure(ssl);
        List<X509Certificate> chain = new ArrayList<>();
        try {
          for (Certificate c : ssl.getPeerCertificates()) {
            if (c instanceof X509Certificate x) {
              chain.add(x);
            }
          }
        } catch (SSLPeerUnverifiedException e) {
          after = complete(ErrorMapper.map(e, null));
        }
        if (after == null) {
          ServerTrust trust = new ServerTrust(tlsHost, chain, failure);
          Boolean byDefault = authenticator.serverTrust(URI.create("https://" + authority()), trust,
              accepted -> trustDecided(accepted, failure), this::cancel);
          if (byDefault != null) {
            io.execute(() -> trustDecided(byDefault, failure));
          }
        }
      }
    }
    events.kick();
    if (after != null) {
      finish(after);
    }
  }

  private void trustDecided(boolean accepted, @Nullable CertificateException failure) {
    if (accepted) {
      io.execute(this::trusted);
      return;
    }
    Runnable after;
    synchronized (this) {
      after = complete(untrusted(failure != null ? failure
          : new CertificateException("the delegate did not accept the server's certificates")));
    }
    finish(after);
  }

  private void trusted() {
    try {
      channel().trusted();
    } catch (IOException e) {
      failed(e);
      return;
    }
    process();
  }

  private static SessionException untrusted(CertificateException cause) {
    SSLHandshakeException e = new SSLHandshakeException("the server's certificates are not trusted: "
        + cause.getMessage());
    e.initCause(cause);
    return ErrorMapper.map(e, null);
  }

  private String authority() {
    return (tlsHost.indexOf(':') >= 0 ? "[" + tlsHost + "]" : tlsHost) + ":" + tlsPort;
  }

  // --- matching operations with the connection (the I/O thread) ---

  /** Moves bytes between the operations and the channel, runs the barriers whose turn it is. */
  private void process() {
    Runnable after;
    synchronized (this) {
      if (completing) {
        return; // the source is closed, or captured streams read it now
      }
      source.pauseReading(state != State.RUNNING);
      if (!opened || state != State.RUNNING || !source.isOpen()) {
        source.updateInterest();
        return;
      }
      try {
        after = ops.run(this);
      } catch (IOException e) {
        after = complete(ErrorMapper.map(e, null));
      }
      if (!completing) {
        source.updateInterest();
      }
    }
    finish(after);
  }

  // what StreamOps calls, holding the lock, on the I/O thread

  /** The connection; null for a read-only task (StreamOps never writes then). */
  @Nullable StreamChannel channel() {
    return channel;
  }

  StreamSource source() {
    return source;
  }

  void received(int n) {
    bytesReceived += n;
    timers.touch();
  }

  void sent(int n) {
    bytesSent += n;
    timers.touch();
  }

  /** Posts {@code readClosed} or {@code writeClosed}. */
  void sideClosed(boolean read) {
    StreamDelegate d = events.pick(StreamDelegate.class, read ? "readClosed" : "writeClosed");
    if (d != null) {
      events.post(read ? "readClosed" : "writeClosed",
          read ? () -> d.readClosed(session, this) : () -> d.writeClosed(session, this));
    }
  }

  void startTls() throws IOException {
    channel().startTls(tls.engine(tlsHost, tlsPort));
  }

  /** The capture's turn: the streams take the connection, the task ends without a message. */
  @Nullable Runnable handOver() {
    CapturedStreams streams = captured;
    StreamDelegate d = events.pick(StreamDelegate.class, "didBecomeStreams");
    if (d != null) {
      events.post("didBecomeStreams", () -> d.didBecomeStreams(session, this, streams.input(), streams.output()));
    }
    completing = true;
    timers.stop();
    ops.failAll(events, new SessionException(Code.NETWORK_CONNECTION_LOST, null,
        "The connection was handed over to streams", null));
    events.postPlain(() -> {
      markCompleted();
      completion().complete(this);
    });
    return () -> {
      streams.attach(source, channel); // on the I/O thread: process() runs there
      session.taskFinished(this);
    };
  }

  /** Both sides are closed: the task completes without error. */
  @Nullable Runnable bothSidesClosed() {
    return complete(null);
  }

  // --- completion and deadlines ---

  /**
   * Completes the task with {@code failure} (null for success): fails every outstanding operation,
   * posts {@code didComplete}, closes the connection. Caller holds the lock; returns what to run
   * after releasing it.
   */
  private @Nullable Runnable complete(@Nullable SessionException failure) {
    if (completing) {
      return null;
    }
    completing = true;
    timers.stop();
    error = failure;
    SessionException opFailure = failure != null ? failure
        : new SessionException(Code.NETWORK_CONNECTION_LOST, null, "The stream task has completed", null);
    ops.failAll(events, opFailure);
    CapturedStreams streams = captured;
    if (streams != null) {
      streams.fail(opFailure);
    }
    TaskDelegate d = events.pick(TaskDelegate.class, "didComplete");
    events.postPlain(() -> {
      markCompleted();
      if (d != null) {
        events.guarded("didComplete", () -> d.didComplete(session, this, failure)).run();
      }
      completion().complete(this);
    });
    return () -> {
      io.execute(source::close);
      session.taskFinished(this);
    };
  }

  private void finish(@Nullable Runnable after) {
    events.kick();
    if (after != null) {
      after.run();
    }
  }

  private long idleNanos() {
    return TaskTimers.nanos(session.configuration().timeoutIntervalForRequest());
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
      boolean waiting = state == State.RUNNING && !resolving && (!opened || !ops.isEmpty());
      String expired = timers.expired(now, idleNanos(), waiting);
      if (expired == null) {
        expired = ops.expired(now);
      }
      if (expired == null) {
        return;
      }
      after = complete(new SessionException(Code.TIMED_OUT, null, expired, null));
    }
    finish(after);
  }

  @Override
  public void connectivityRetryDue() {
    // stream tasks do not wait for connectivity
  }

  @Override
  public String toString() {
    Object what = channel == null ? "reading " + super.originalRequest().url() : target;
    return "StreamTask{" + taskIdentifier() + ", " + what + "}";
  }
}
