package dev.urlsession;

import dev.urlsession.SessionException.Code;
import dev.urlsession.internal.ErrorMapper;
import dev.urlsession.internal.LoadSupport;
import dev.urlsession.internal.Scheduler;
import dev.urlsession.internal.TransactionRecorder;
import dev.urlsession.spi.ProtocolClient;
import dev.urlsession.spi.ProtocolHandler;
import dev.urlsession.spi.ProtocolLoad;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state machine of a data task (URLSESSION-BEHAVIOUR.md 2.2, 3.3, 3.4).
 *
 * <p>Concurrency: every field below {@code lock} is guarded by {@code this}. Events arrive from
 * user threads (resume, suspend, cancel, delegate answers), I/O threads (the current load) and
 * the timer thread. Each event takes the lock, updates state and <em>offers</em> delegate calls to
 * the session's serial queue while still holding it, so that the calls of one task are queued in
 * the order of its state changes. User code, handler code and queue kicks run only after the lock
 * is released.
 */
class RealTask implements DataTask {
  private static final Logger log = LoggerFactory.getLogger(RealTask.class);
  /** Undelivered body bytes above which the task stops asking the connection for more. */
  static final long BACKLOG_LIMIT = 1024 * 1024;
  private static final int MAX_REDIRECTS = 20;

  private enum Phase {
    /** Waiting for the current load's response. */
    WAITING_RESPONSE,
    /** A redirect response arrived; waiting for the delegate to decide. */
    AWAITING_REDIRECT_DECISION,
    /** The final response arrived; waiting for the delegate's disposition. */
    AWAITING_DISPOSITION,
    /** Delivering the body. */
    RECEIVING
  }

  final RealSession session;
  private final long taskIdentifier;
  private final Request originalRequest;
  private final @Nullable CompletionHandler<byte[]> completionHandler;
  private final CompletableFuture<SessionTask> completion = new CompletableFuture<>();
  private final RealProgress progress = new RealProgress(this);
  private volatile long lastActivityNanos;

  // --- guarded by this ---
  private State state = State.SUSPENDED;
  private int suspendCount = 1;
  private boolean started;
  private boolean completing;
  private Phase phase = Phase.WAITING_RESPONSE;
  private Request currentRequest;
  private @Nullable Response response;
  private @Nullable Response redirectResponse;
  private @Nullable Request proposedRedirect;
  private @Nullable SessionException error;
  private @Nullable TaskDelegate taskDelegate;
  private @Nullable String taskDescription;
  private float priority = DEFAULT_PRIORITY;
  private @Nullable Instant earliestBeginDate;
  private @Nullable RealLoad load;
  private boolean loadFinished;
  private int redirectCount;
  private final List<TransactionRecorder> transactions = new ArrayList<>(1);
  private @Nullable Instant intervalStart;
  private long bytesReceived;
  private long bytesExpectedToReceive = -1;
  private long bytesSent;
  private final long bytesExpectedToSend;
  private final ArrayDeque<byte[]> pending = new ArrayDeque<>();
  private long backlog;
  private @Nullable ByteArrayOutputStream collected;
  private @Nullable ScheduledFuture<?> idleTimer;
  private @Nullable ScheduledFuture<?> resourceTimer;

  RealTask(
      RealSession session,
      long taskIdentifier,
      Request request,
      @Nullable CompletionHandler<byte[]> completionHandler,
      @Nullable TaskDelegate taskDelegate) {
    this.session = session;
    this.taskIdentifier = taskIdentifier;
    this.originalRequest = request;
    this.currentRequest = request;
    this.completionHandler = completionHandler;
    this.taskDelegate = taskDelegate;
    this.bytesExpectedToSend = Math.max(0, request.bodyLength());
    if (completionHandler != null) {
      collected = new ByteArrayOutputStream();
    }
  }

  /** Posts {@code didCreateTask}; called once by the session after registering the task. */
  void announceCreated() {
    synchronized (this) {
      TaskDelegate d = pick(TaskDelegate.class, "didCreateTask");
      if (d != null) {
        session.queue.offer(guarded("didCreateTask", () -> d.didCreateTask(session, this)));
      }
    }
    session.queue.kick();
  }

  // --- SessionTask ---

  @Override
  public long taskIdentifier() {
    return taskIdentifier;
  }

  @Override
  public synchronized State state() {
    return state;
  }

  @Override
  public void resume() {
    boolean start = false;
    synchronized (this) {
      if (state == State.COMPLETED || state == State.CANCELING || completing) {
        return;
      }
      if (suspendCount > 0) {
        suspendCount--;
      }
      if (suspendCount > 0 || state == State.RUNNING) {
        return;
      }
      if (!started && session.isInvalidated()) {
        suspendCount = 1;
        return; // a task never resumed before invalidation does not start
      }
      state = State.RUNNING;
      touch();
      if (!started) {
        started = true;
        intervalStart = Instant.now();
        Duration resource = session.configuration().timeoutIntervalForResource();
        resourceTimer = Scheduler.schedule(this::resourceTimeout, resource);
        start = true;
      } else {
        pump();
      }
      scheduleIdleTimer(idleTimeoutNanos());
    }
    session.queue.kick();
    if (start) {
      startLoad(originalRequest);
    } else {
      fireDemand();
    }
  }

  @Override
  public void suspend() {
    synchronized (this) {
      if (state == State.COMPLETED || state == State.CANCELING || completing) {
        return;
      }
      suspendCount++;
      state = State.SUSPENDED;
      cancelIdleTimer();
    }
  }

  @Override
  public void cancel() {
    Runnable after;
    synchronized (this) {
      if (state == State.COMPLETED || state == State.CANCELING || completing) {
        return;
      }
      state = State.CANCELING;
      progress.markCancelled();
      after = complete(new SessionException(Code.CANCELLED, currentRequest.url()));
    }
    finish(after);
  }

  @Override
  public Request originalRequest() {
    return originalRequest;
  }

  @Override
  public synchronized Request currentRequest() {
    return currentRequest;
  }

  @Override
  public synchronized @Nullable Response response() {
    return response;
  }

  @Override
  public synchronized @Nullable SessionException error() {
    return error;
  }

  @Override
  public synchronized @Nullable String taskDescription() {
    return taskDescription;
  }

  @Override
  public synchronized void taskDescription(@Nullable String description) {
    this.taskDescription = description;
  }

  @Override
  public synchronized float priority() {
    return priority;
  }

  @Override
  public synchronized void priority(float priority) {
    if (!(priority >= 0f && priority <= 1f)) {
      throw new IllegalArgumentException("priority must be between 0 and 1 but was " + priority);
    }
    this.priority = priority;
  }

  @Override
  public synchronized long countOfBytesSent() {
    return bytesSent;
  }

  @Override
  public long countOfBytesExpectedToSend() {
    return bytesExpectedToSend;
  }

  @Override
  public synchronized long countOfBytesReceived() {
    return bytesReceived;
  }

  @Override
  public synchronized long countOfBytesExpectedToReceive() {
    return bytesExpectedToReceive;
  }

  @Override
  public TaskProgress progress() {
    return progress;
  }

  @Override
  public synchronized @Nullable Instant earliestBeginDate() {
    return earliestBeginDate;
  }

  @Override
  public synchronized void earliestBeginDate(@Nullable Instant when) {
    this.earliestBeginDate = when;
  }

  @Override
  public synchronized @Nullable TaskDelegate delegate() {
    return taskDelegate;
  }

  @Override
  public synchronized void delegate(@Nullable TaskDelegate delegate) {
    if (started) {
      throw new IllegalStateException("a task's delegate must be set before resume()");
    }
    this.taskDelegate = delegate;
  }

  @Override
  public CompletableFuture<SessionTask> completion() {
    return completion;
  }

  synchronized boolean isStarted() {
    return started;
  }

  synchronized boolean isCompleting() {
    return completing;
  }

  @Override
  public String toString() {
    return "DataTask{" + taskIdentifier + ", " + originalRequest.method() + " "
        + SessionException.redact(originalRequest.url()) + "}";
  }

  // --- loading ---

  /** Starts a load of {@code request}. Called without the lock. */
  private void startLoad(Request request) {
    Runnable after = null;
    RealLoad newLoad = null;
    ProtocolHandler handler = null;
    synchronized (this) {
      if (completing) {
        return;
      }
      String scheme = request.url().getScheme();
      if ("http".equalsIgnoreCase(scheme) && request.url().getHost() != null
          && !session.configuration().transportSecurity().allowsInsecureLoad(request.url().getHost())) {
        after = complete(new SessionException(
            Code.APP_TRANSPORT_SECURITY_REQUIRES_SECURE_CONNECTION, request.url()));
      } else {
        handler = session.handlerFor(request);
        if (handler == null) {
          after = complete(new SessionException(Code.UNSUPPORTED_URL, request.url(),
              "unsupported URL: no protocol handler for scheme \"" + scheme + "\"", null));
        }
      }
    }
    if (handler != null) {
      Request canonical;
      try {
        canonical = handler.canonicalRequest(request);
      } catch (RuntimeException e) {
        log.error("ProtocolHandler.canonicalRequest threw for {}", this, e);
        canonical = request;
      }
      synchronized (this) {
        if (completing) {
          return;
        }
        newLoad = new RealLoad(this, canonical, handler);
        load = newLoad;
        loadFinished = false;
        phase = Phase.WAITING_RESPONSE;
        transactions.add(newLoad.recorder);
      }
      try {
        handler.startLoading(newLoad);
      } catch (RuntimeException e) {
        log.error("ProtocolHandler.startLoading threw for {}", this, e);
        newLoad.didFail(ErrorMapper.map(e, canonical.url()));
      }
    }
    finish(after);
  }

  /** Runs what an event left to do outside the lock. */
  private void finish(@Nullable Runnable after) {
    session.queue.kick();
    if (after != null) {
      after.run();
    }
  }

  private synchronized boolean isCurrent(RealLoad l) {
    return load == l && !completing;
  }

  void onResponse(RealLoad l, Response r) {
    synchronized (this) {
      if (load != l || completing || phase != Phase.WAITING_RESPONSE) {
        return;
      }
      touch();
      deliverResponse(r);
    }
    session.queue.kick();
  }

  /** Makes {@code r} the task's response and asks for a disposition if a delegate wants to. */
  private void deliverResponse(Response r) {
    response = r;
    String encoding = r.header("Content-Encoding");
    bytesExpectedToReceive =
        encoding == null || encoding.equalsIgnoreCase("identity") ? r.expectedContentLength() : -1;
    DataDelegate d = completionHandler == null ? pick(DataDelegate.class, "didReceiveResponse") : null;
    if (d == null) {
      phase = Phase.RECEIVING;
      pump();
      return;
    }
    phase = Phase.AWAITING_DISPOSITION;
    Consumer<ResponseDisposition> handler = once("didReceiveResponse", this::dispositionDecided);
    session.queue.offer(guarded("didReceiveResponse", () -> d.didReceiveResponse(session, this, r, handler)));
  }

  private void dispositionDecided(ResponseDisposition disposition) {
    if (disposition == null || disposition == ResponseDisposition.CANCEL) {
      cancel();
      return;
    }
    Runnable after;
    synchronized (this) {
      if (completing || phase != Phase.AWAITING_DISPOSITION) {
        return;
      }
      touch();
      phase = Phase.RECEIVING;
      after = pump();
    }
    finish(after);
    fireDemand();
  }

  void onData(RealLoad l, byte[] data) {
    Runnable after;
    synchronized (this) {
      if (load != l || completing) {
        return;
      }
      touch();
      if (phase == Phase.AWAITING_REDIRECT_DECISION || phase == Phase.WAITING_RESPONSE) {
        // A redirect's body: kept until the delegate decides, not counted as received.
        pending.add(data);
        backlog += data.length;
        return;
      }
      bytesReceived += data.length;
      progress.update();
      pending.add(data);
      backlog += data.length;
      after = pump();
    }
    finish(after);
  }

  void onFinish(RealLoad l) {
    Runnable after;
    synchronized (this) {
      if (load != l || completing) {
        return;
      }
      touch();
      loadFinished = true;
      after = pump();
    }
    finish(after);
  }

  void onFail(RealLoad l, SessionException e) {
    Runnable after;
    synchronized (this) {
      if (load != l || completing) {
        return;
      }
      after = complete(e);
    }
    finish(after);
  }

  void onRedirect(RealLoad l, Request newRequest, Response redirect) {
    Runnable after = null;
    synchronized (this) {
      if (load != l || completing || phase != Phase.WAITING_RESPONSE) {
        return;
      }
      touch();
      if (redirectCount >= MAX_REDIRECTS) {
        after = complete(new SessionException(Code.HTTP_TOO_MANY_REDIRECTS, newRequest.url(),
            "too many HTTP redirects (more than " + MAX_REDIRECTS + ")", null));
      } else {
        phase = Phase.AWAITING_REDIRECT_DECISION;
        redirectResponse = redirect;
        proposedRedirect = newRequest;
        TaskDelegate d = pick(TaskDelegate.class, "willPerformHttpRedirection");
        if (d != null) {
          Consumer<@Nullable Request> handler = once("willPerformHttpRedirection", this::redirectDecided);
          session.queue.offer(guarded("willPerformHttpRedirection",
              () -> d.willPerformHttpRedirection(session, this, redirect, newRequest, handler)));
        } else {
          after = () -> redirectDecided(newRequest);
        }
      }
    }
    finish(after);
  }

  private void redirectDecided(@Nullable Request next) {
    Runnable after = null;
    RealLoad old;
    synchronized (this) {
      if (completing || phase != Phase.AWAITING_REDIRECT_DECISION) {
        return;
      }
      touch();
      old = load;
      if (next != null) {
        redirectCount++;
        currentRequest = next;
        pending.clear();
        backlog = 0;
        load = null;
        redirectResponse = null;
        phase = Phase.WAITING_RESPONSE;
      } else {
        // Not followed: the redirect response is the final one, its body the task's data.
        Response r = redirectResponse;
        redirectResponse = null;
        for (byte[] chunk : pending) {
          bytesReceived += chunk.length;
        }
        deliverResponse(r);
        after = pump();
        old = null;
      }
    }
    session.queue.kick();
    if (next == null) {
      finish(after);
      fireDemand();
      return;
    }
    if (old != null && !old.isFinished()) {
      old.stop();
    }
    startLoad(next);
  }

  void onBodyDataSent(RealLoad l, long n) {
    synchronized (this) {
      if (load != l || completing) {
        return;
      }
      touch();
      bytesSent += n;
      long total = bytesSent;
      TaskDelegate d = pick(TaskDelegate.class, "didSendBodyData");
      if (d != null) {
        long expected = bytesExpectedToSend;
        session.queue.offer(guarded("didSendBodyData",
            () -> d.didSendBodyData(session, this, n, total, expected)));
      }
    }
    session.queue.kick();
  }

  /**
   * Moves pending data to the delegate (or the collected body) while the task may deliver, and
   * completes the task once the load finished and everything was handed over. Caller holds the
   * lock; returns what to run after releasing it.
   */
  private @Nullable Runnable pump() {
    if (phase != Phase.RECEIVING || state != State.RUNNING || completing) {
      return null;
    }
    DataDelegate d = completionHandler == null ? pick(DataDelegate.class, "didReceiveData") : null;
    while (!pending.isEmpty()) {
      byte[] chunk = pending.poll();
      if (collected != null) {
        collected.write(chunk, 0, chunk.length);
        backlog -= chunk.length;
      } else if (d != null) {
        session.queue.offer(guarded("didReceiveData", () -> {
          try {
            d.didReceiveData(session, this, chunk);
          } finally {
            delivered(chunk.length);
          }
        }));
      } else {
        backlog -= chunk.length;
      }
    }
    if (loadFinished) {
      return complete(null);
    }
    return null;
  }

  /** A posted data chunk was handed to the delegate. */
  private void delivered(int n) {
    boolean demand;
    synchronized (this) {
      backlog -= n;
      touch();
      demand = backlog < BACKLOG_LIMIT / 2;
    }
    if (demand) {
      fireDemand();
    }
  }

  synchronized boolean wantsData(RealLoad l) {
    return load == l && !completing && state == State.RUNNING
        && phase != Phase.AWAITING_DISPOSITION && backlog < BACKLOG_LIMIT;
  }

  private void fireDemand() {
    RealLoad l;
    synchronized (this) {
      l = load;
    }
    if (l != null) {
      l.demand();
    }
  }

  /**
   * Completes the task with {@code e} (null for success): stops timers, posts metrics and the
   * completion. Caller holds the lock; returns what to run after releasing it.
   */
  private @Nullable Runnable complete(@Nullable SessionException e) {
    if (completing) {
      return null;
    }
    completing = true;
    error = e;
    cancelIdleTimer();
    if (resourceTimer != null) {
      resourceTimer.cancel(false);
      resourceTimer = null;
    }
    RealLoad old = load;
    load = null;
    pending.clear();
    backlog = 0;
    progress.update();

    TaskMetrics metrics = null;
    TaskDelegate metricsDelegate = pick(TaskDelegate.class, "didFinishCollectingMetrics");
    if (metricsDelegate != null && started) {
      List<TransactionMetrics> list = new ArrayList<>(transactions.size());
      for (TransactionRecorder t : transactions) {
        list.add(t.toMetrics());
      }
      metrics = new TaskMetrics(list, intervalStart, Instant.now(), redirectCount);
    }
    TaskMetrics m = metrics;
    CompletionHandler<byte[]> handler = completionHandler;
    TaskDelegate completeDelegate = handler == null ? pick(TaskDelegate.class, "didComplete") : null;
    Response r = response;
    byte[] body = collected != null && e == null ? collected.toByteArray() : null;
    collected = null;
    session.queue.offer(() -> {
      synchronized (this) {
        state = State.COMPLETED;
      }
      if (m != null) {
        guarded("didFinishCollectingMetrics",
            () -> metricsDelegate.didFinishCollectingMetrics(session, this, m)).run();
      }
      if (handler != null) {
        guarded("completion handler",
            () -> handler.complete(body, e == null ? r : null, e)).run();
      } else if (completeDelegate != null) {
        guarded("didComplete", () -> completeDelegate.didComplete(session, this, e)).run();
      }
      completion.complete(this);
    });
    return () -> {
      if (old != null && !old.isFinished()) {
        old.stop();
      }
      session.taskFinished(this);
    };
  }

  // --- timers ---

  private void touch() {
    lastActivityNanos = System.nanoTime();
  }

  private long idleTimeoutNanos() {
    Request r = currentRequest;
    Duration d = r.isTimeoutIntervalSet()
        ? r.timeoutInterval()
        : session.configuration().timeoutIntervalForRequest();
    try {
      return d.toNanos();
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE / 4;
    }
  }

  private void scheduleIdleTimer(long delayNanos) {
    cancelIdleTimer();
    idleTimer = Scheduler.schedule(this::idleCheck, delayNanos);
  }

  private void cancelIdleTimer() {
    if (idleTimer != null) {
      idleTimer.cancel(false);
      idleTimer = null;
    }
  }

  private void idleCheck() {
    Runnable after;
    synchronized (this) {
      if (completing || state != State.RUNNING) {
        return;
      }
      long timeout = idleTimeoutNanos();
      long idle = System.nanoTime() - lastActivityNanos;
      if (idle < timeout) {
        scheduleIdleTimer(timeout - idle);
        return;
      }
      after = complete(new SessionException(Code.TIMED_OUT, currentRequest.url(),
          "The request timed out (no data for " + Duration.ofNanos(timeout) + ")", null));
    }
    finish(after);
  }

  private void resourceTimeout() {
    Runnable after;
    synchronized (this) {
      if (completing) {
        return;
      }
      after = complete(new SessionException(Code.TIMED_OUT, currentRequest.url(),
          "The request timed out (timeoutIntervalForResource "
              + session.configuration().timeoutIntervalForResource() + " elapsed)", null));
    }
    finish(after);
  }

  // --- delegate helpers ---

  private <T> @Nullable T pick(Class<T> type, String method) {
    return Delegates.pick(taskDelegate, session.delegate(), type, method);
  }

  private Runnable guarded(String what, Runnable call) {
    return () -> {
      try {
        call.run();
      } catch (RuntimeException e) {
        log.error("{} threw for task {}; the task goes on", what, taskIdentifier, e);
      }
    };
  }

  /** A handler that must be called exactly once. */
  private <T> Consumer<T> once(String what, Consumer<T> target) {
    AtomicBoolean called = new AtomicBoolean();
    return value -> {
      if (!called.compareAndSet(false, true)) {
        throw new IllegalStateException("the completion handler of " + what + " was already called");
      }
      target.accept(value);
    };
  }

  /** One load of the task's current request by a protocol handler. */
  static final class RealLoad implements ProtocolLoad, ProtocolClient, LoadSupport {
    private final RealTask task;
    private final Request request;
    private final ProtocolHandler handler;
    final TransactionRecorder recorder;
    private final AtomicBoolean finished = new AtomicBoolean();
    private volatile @Nullable Object attachment;
    private volatile @Nullable Runnable demandAction;

    RealLoad(RealTask task, Request request, ProtocolHandler handler) {
      this.task = task;
      this.request = request;
      this.handler = handler;
      this.recorder = new TransactionRecorder(request);
    }

    boolean isFinished() {
      return finished.get();
    }

    void stop() {
      if (finished.compareAndSet(false, true)) {
        try {
          handler.stopLoading(this);
        } catch (RuntimeException e) {
          log.error("ProtocolHandler.stopLoading threw", e);
        }
      }
    }

    void demand() {
      Runnable r = demandAction;
      if (r != null) {
        r.run();
      }
    }

    @Override
    public Request request() {
      return request;
    }

    @Override
    public ProtocolClient client() {
      return this;
    }

    @Override
    public SessionTask task() {
      return task;
    }

    @Override
    public @Nullable Object attachment() {
      return attachment;
    }

    @Override
    public void attachment(@Nullable Object attachment) {
      this.attachment = attachment;
    }

    @Override
    public void didReceiveResponse(Response response, CacheStoragePolicy storagePolicy) {
      if (!finished.get()) {
        if (recorder.response == null) {
          recorder.response = response;
        }
        task.onResponse(this, response);
      }
    }

    @Override
    public void didLoadData(byte[] data) {
      if (!finished.get()) {
        task.onData(this, data);
      }
    }

    @Override
    public void didFinishLoading() {
      if (finished.compareAndSet(false, true)) {
        task.onFinish(this);
      }
    }

    @Override
    public void didFail(SessionException error) {
      if (finished.compareAndSet(false, true)) {
        task.onFail(this, error);
      }
    }

    @Override
    public void wasRedirectedTo(Request request, Response redirectResponse) {
      if (!finished.get()) {
        if (recorder.response == null) {
          recorder.response = redirectResponse;
        }
        task.onRedirect(this, request, redirectResponse);
      }
    }

    @Override
    public boolean wantsData() {
      return task.wantsData(this);
    }

    @Override
    public void onDemand(Runnable action) {
      this.demandAction = action;
    }

    @Override
    public void didSendBodyData(long bytes) {
      task.onBodyDataSent(this, bytes);
    }

    @Override
    public TransactionRecorder transaction() {
      return recorder;
    }
  }
}
