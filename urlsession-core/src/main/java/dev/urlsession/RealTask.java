package dev.urlsession;

import dev.urlsession.SessionException.Code;
import dev.urlsession.internal.BodyBuffer;
import dev.urlsession.internal.CacheEntry;
import dev.urlsession.internal.CacheReplay;
import dev.urlsession.internal.CacheRules;
import dev.urlsession.internal.Checks;
import dev.urlsession.internal.ClientIdentities;
import dev.urlsession.internal.ErrorMapper;
import dev.urlsession.internal.HttpChallenge;
import dev.urlsession.internal.LoadSupport;
import dev.urlsession.internal.RequestBody;
import dev.urlsession.internal.Deadlines;
import dev.urlsession.internal.ResumePoint;
import dev.urlsession.internal.Scheduler;
import dev.urlsession.internal.TransactionRecorder;
import dev.urlsession.spi.ProtocolClient;
import dev.urlsession.spi.ProtocolHandler;
import dev.urlsession.spi.ProtocolLoad;
import dev.urlsession.spi.SessionListener;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state machine of every task kind (URLSESSION-BEHAVIOUR.md 2.2, 3.3 to 3.8). Data, upload
 * and download tasks share it; subclasses only add their interfaces.
 *
 * <p>Concurrency: every field below {@code lock} is guarded by {@code this}. Events arrive from
 * user threads (resume, suspend, cancel, delegate answers), I/O threads (the current load) and
 * the timer thread. Each event takes the lock, updates state and <em>offers</em> delegate calls to
 * the session's serial queue while still holding it, so that the calls of one task are queued in
 * the order of its state changes. User code, handler code and queue kicks run only after the lock
 * is released.
 */
abstract class RealTask implements SessionTask {
  /** What the task does with the body. */
  enum Kind {
    DATA,
    UPLOAD,
    DOWNLOAD
  }

  private static final Logger log = LoggerFactory.getLogger(RealTask.class);
  /** Undelivered body bytes above which the task stops asking the connection for more. */
  static final long BACKLOG_LIMIT = 1024 * 1024;
  private static final int MAX_REDIRECTS = 20;

  private enum Phase {
    /** Waiting for the current load's response. */
    WAITING_RESPONSE,
    /** A redirect response arrived; waiting for the delegate to decide. */
    AWAITING_REDIRECT_DECISION,
    /** A 401 or 407 arrived; waiting for a challenge to be answered. */
    AWAITING_CHALLENGE,
    /** The final response arrived; waiting for the delegate's disposition. */
    AWAITING_DISPOSITION,
    /** Delivering the body. */
    RECEIVING
  }

  final RealSession session;
  final Kind kind;
  private final long taskIdentifier;
  /**
   * The identifier boxed once, as the key of the session's task map: the thread that removes the
   * task finds its entry by identity, without boxing again or reading another thread's Long.
   */
  final Long registryKey;
  private final Request originalRequest;
  /** A completion handler of a data or upload task, or the future behind {@code data()}. */
  private final @Nullable CompletionHandler<byte[]> completionHandler;
  /** A completion handler of a download task, or the future behind {@code download()}. */
  private final @Nullable CompletionHandler<Path> fileHandler;
  /** Whether the caller keeps the downloaded file ({@code download()}), so it is not deleted. */
  private final boolean callerOwnsFile;
  /** Whether the task was created by a future API ({@code data()}, {@code download()}). */
  private final boolean future;
  /** An upload task's body, re-sendable; null for streamed uploads and other tasks. */
  private final @Nullable RequestBody uploadBody;
  private final boolean streamedUpload;
  /** An upload task's file, checked when the task starts. */
  private final @Nullable Path uploadFile;
  private final @Nullable ResumeData resumeFrom;
  /** Makes a download crash-safe (background sessions): fsync, then record progress. */
  private final @Nullable Checkpointer checkpointer;
  private final QueueFuture<SessionTask> completion;
  /**
   * Whether the completion handler only completes a library future ({@code data()},
   * {@code upload()}), so that it may run on the thread that finishes the task: see
   * {@link QueueFuture}. Set before the task is resumed.
   */
  private boolean directCompletion;
  /** Delegate events created for the queue and not yet run (see {@link #guarded}). */
  private final AtomicInteger queuedEvents = new AtomicInteger();
  private final RealProgress progress = new RealProgress(this);
  private volatile long lastActivityNanos;
  /** Observes this task (metrics, tracing); NONE unless the configuration has a listener factory. */
  private volatile SessionListener listener = SessionListener.NONE;
  /** Orders taskStarted before taskCompleted; set (before {@code listener}) only with a listener. */
  private @Nullable ListenerOrder listenerOrder;

  /**
   * Whether taskStarted was delivered and taskCompleted is due, guarded by itself: a cancel() on
   * another thread may post the completion while the resuming thread is still in taskStarted.
   */
  private static final class ListenerOrder {
    boolean started;
    boolean done;
  }

  // --- guarded by this ---
  private State state = State.SUSPENDED;
  private int suspendCount = 1;
  private boolean started;
  private boolean completing;
  private Phase phase = Phase.WAITING_RESPONSE;
  private Request currentRequest;
  private @Nullable Response response;
  private @Nullable Response redirectResponse;
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
  /** The body of the current load, if any. */
  private @Nullable RequestBody currentBody;
  private final ArrayDeque<byte[]> pending = new ArrayDeque<>(4); // most bodies: one chunk
  // --- download state, guarded by this ---
  private @Nullable Path file;
  private @Nullable FileChannel channel;
  private long written;
  private long unreported;
  private boolean progressPosted;
  private long checkpointedBytes;
  private long checkpointNanos = System.nanoTime();
  /** Bytes of the resume data's partial file requested with Range for the current load. */
  private long rangeOffset;
  private boolean produceResumeData;
  /** An ftp: download's validators (MDTM, SIZE) and whether its load continues at rangeOffset. */
  private @Nullable String ftpModified;
  private long ftpSize = -1;
  private boolean ftpContinues;
  /** CLIENT_CERTIFICATE challenges asked so far (their previousFailureCount). */
  private int clientCertificateAsks;
  private static final int MAX_CLIENT_CERTIFICATE_ASKS = 5;
  private @Nullable CompletableFuture<@Nullable ResumeData> resumeDataFuture;
  // --- cache, guarded by this ---
  /** The entry a conditional request is revalidating. */
  private @Nullable CacheEntry revalidating;
  /** Whether the body being delivered came from the cache (so it is not stored again). */
  private boolean fromCache;
  /** The request the cache entry is keyed by (without conditional headers). */
  private @Nullable Request cacheRequest;
  /**
   * The body for the cache, while it stays under the cache's entry size limit. Its chunks may be
   * those of {@link #collected}: the cache takes a copy when the task completes.
   */
  private @Nullable BodyBuffer cacheBuffer;
  private long cacheLimit;
  // --- authentication, guarded by this ---
  private List<HttpChallenge> challenges = List.of();
  private int challengeIndex;
  private @Nullable Response challengeResponse;
  /** Failed attempts per protection space; created by the first failure. */
  private @Nullable Map<ProtectionSpace, Integer> failures;
  /** The credential sent with the current load and the space it answers, saved once it works. */
  private @Nullable Credential credentialInUse;
  private @Nullable ProtectionSpace spaceInUse;
  private Map<String, String> authorizationHeaders = Map.of();
  private int authenticationAttempts;
  private long backlog;
  private @Nullable BodyBuffer collected;
  /** When the resource deadline started ({@link System#nanoTime()}), while the task runs. */
  private long resourceStartNanos;
  private long resourceTimeoutNanos;
  /**
   * Whether the task's deadlines run: its session's {@link Deadlines} sweep checks them. Written
   * under the lock, volatile so that the sweep passes over other tasks without taking theirs.
   */
  private volatile boolean watched;
  /** A one-shot timer for a deadline that falls before the next sweep. */
  private @Nullable ScheduledFuture<?> preciseTimer;
  // --- waiting for connectivity, guarded by this ---
  /** Whether the task waits for connectivity: the idle deadline does not run meanwhile. */
  private boolean waitingForConnectivity;
  private boolean announcedWaiting;
  private int connectivityRetries;
  private @Nullable ScheduledFuture<?> connectivityRetry;
  /** A retry that came due while the task was suspended: run on resume. */
  private boolean retryOnResume;
  /** Whether the current load carries the upload body (so a retry sends it again). */
  private boolean loadWithUploadBody = true;

  RealTask(TaskSpec spec) {
    this.session = spec.session;
    this.kind = spec.kind;
    this.taskIdentifier = spec.taskIdentifier;
    this.registryKey = spec.taskIdentifier;
    this.originalRequest = spec.request;
    this.currentRequest = spec.request;
    this.completion = new QueueFuture<>(spec.session.queue);
    this.completionHandler = spec.dataHandler;
    this.fileHandler = spec.fileHandler;
    this.callerOwnsFile = spec.callerOwnsFile;
    this.future = spec.future;
    this.taskDelegate = spec.taskDelegate;
    this.uploadBody = spec.uploadBody;
    this.streamedUpload = spec.streamedUpload;
    this.uploadFile = spec.uploadFile;
    this.resumeFrom = spec.resumeFrom;
    this.checkpointer = spec.checkpointer;
    if (kind == Kind.UPLOAD) {
      this.bytesExpectedToSend = streamedUpload ? -1 : uploadBody.length();
    } else {
      this.bytesExpectedToSend = Math.max(0, spec.request.bodyLength());
    }
    if (completionHandler != null) {
      collected = new BodyBuffer();
    }
  }

  /** Everything a task is created with. */
  static final class TaskSpec {
    final RealSession session;
    final Kind kind;
    final long taskIdentifier;
    final Request request;
    @Nullable CompletionHandler<byte[]> dataHandler;
    @Nullable CompletionHandler<Path> fileHandler;
    boolean callerOwnsFile;
    boolean future;
    @Nullable TaskDelegate taskDelegate;
    @Nullable RequestBody uploadBody;
    boolean streamedUpload;
    @Nullable Path uploadFile;
    @Nullable ResumeData resumeFrom;
    @Nullable Checkpointer checkpointer;

    TaskSpec(RealSession session, Kind kind, long taskIdentifier, Request request) {
      this.session = session;
      this.kind = kind;
      this.taskIdentifier = taskIdentifier;
      this.request = request;
    }
  }

  /** Marks the task as one whose completion handler only completes a {@link QueueFuture}. */
  void completeDirectly() {
    directCompletion = true;
  }

  /** Whether results go to a completion handler or future instead of delegate data events. */
  private boolean handlerMode() {
    return completionHandler != null || fileHandler != null;
  }

  /** Creates this task's listener; called once by the session before the task is registered. */
  void listenTo(SessionListener.Factory factory) {
    try {
      SessionListener l = factory.create(this);
      if (l != null && l != SessionListener.NONE) {
        listenerOrder = new ListenerOrder();
        listener = l;
      }
    } catch (RuntimeException e) {
      log.error("SessionListener.Factory threw for task {}; the task is not observed", taskIdentifier, e);
    }
  }

  /** Delivers taskStarted, unless the task already completed. */
  private void listenerStarted() {
    SessionListener l = listener;
    ListenerOrder order = listenerOrder;
    if (l == SessionListener.NONE || order == null) {
      return;
    }
    synchronized (order) {
      if (!order.done) {
        notifyListener("taskStarted", x -> x.taskStarted(this));
        order.started = true;
      }
    }
  }

  /** Delivers taskCompleted if taskStarted was delivered; either way no event follows. */
  private void listenerCompleted(@Nullable TaskMetrics metrics, @Nullable SessionException error) {
    ListenerOrder order = listenerOrder;
    if (order == null || metrics == null) {
      return;
    }
    synchronized (order) {
      if (order.started && !order.done) {
        notifyListener("taskCompleted", x -> x.taskCompleted(this, metrics, error));
      }
      order.done = true;
    }
  }

  /** Calls the listener unless there is none; a throwing listener is logged. */
  private void notifyListener(String event, Consumer<SessionListener> call) {
    SessionListener l = listener;
    if (l == SessionListener.NONE) {
      return;
    }
    try {
      call.accept(l);
    } catch (RuntimeException e) {
      log.error("SessionListener.{} threw for task {}; the task goes on", event, taskIdentifier, e);
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
    boolean retry;
    Runnable after = null;
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
        startDeadlines();
        start = true;
      } else {
        // What arrived while suspended, up to the end of the load: completing here returns what
        // must run once the lock is released (the session lets go of the task).
        after = pump();
        armPreciseTimerIfDue(System.nanoTime());
      }
      retry = retryOnResume;
      retryOnResume = false;
    }
    session.queue.kick();
    if (after != null) {
      after.run();
      return;
    }
    if (start) {
      listenerStarted();
      begin();
    } else if (retry) {
      retryConnecting();
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
      state = State.SUSPENDED; // the idle deadline is not checked while suspended
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
    this.priority = Checks.priority(priority);
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
    return (kind == Kind.DOWNLOAD ? "DownloadTask{" : kind == Kind.UPLOAD ? "UploadTask{" : "DataTask{")
        + taskIdentifier + ", " + originalRequest.method() + " "
        + SessionException.redact(originalRequest.url()) + "}";
  }

  // --- loading ---

  /** The first load: checks an upload file or resume data, then proceeds. Called without the lock. */
  private void begin() {
    Runnable after = null;
    synchronized (this) {
      if (completing) {
        return;
      }
      if (resumeFrom != null) {
        SessionException invalid = openResumeData(resumeFrom);
        if (invalid != null) {
          after = complete(invalid);
        }
      }
    }
    if (after != null) {
      finish(after);
      return;
    }
    if (uploadFile != null) {
      SessionException bad = RealSession.checkReadableFile(uploadFile, originalRequest.url());
      if (bad != null) {
        Runnable fail;
        synchronized (this) {
          fail = complete(bad);
        }
        finish(fail);
        return;
      }
    }
    proceedTo(originalRequest, true);
  }

  /** Loads {@code request}, with the upload body when {@code withUploadBody}. Called without the lock. */
  private void proceedTo(Request request, boolean withUploadBody) {
    synchronized (this) {
      loadWithUploadBody = withUploadBody;
    }
    if (kind == Kind.UPLOAD && withUploadBody && streamedUpload) {
      askForBodyStream(request);
      return;
    }
    RequestBody body;
    if (kind == Kind.UPLOAD) {
      body = withUploadBody ? uploadBody : null;
    } else {
      body = request.bodyLength() > 0 ? RequestBody.of(request.body()) : null;
    }
    startLoad(request, body);
  }

  /** Asks the delegate for a new body stream, then loads. */
  private void askForBodyStream(Request request) {
    Runnable after = null;
    synchronized (this) {
      if (completing) {
        return;
      }
      TaskDelegate d = pick(TaskDelegate.class, "needNewBodyStream");
      if (d == null) {
        after = complete(new SessionException(Code.REQUEST_BODY_STREAM_EXHAUSTED, request.url(),
            "The request body stream is exhausted: no delegate implements needNewBodyStream", null));
      } else {
        Consumer<@Nullable InputStream> handler = once("needNewBodyStream", stream -> {
          if (stream == null) {
            Runnable fail;
            synchronized (this) {
              fail = complete(new SessionException(Code.REQUEST_BODY_STREAM_EXHAUSTED, request.url(),
                  "The request body stream is exhausted: needNewBodyStream gave none", null));
            }
            finish(fail);
          } else {
            startLoad(request, RequestBody.of(stream));
          }
        });
        session.queue.offer(guarded("needNewBodyStream", () -> d.needNewBodyStream(session, this, handler)));
      }
    }
    finish(after);
  }

  /** Starts a load of {@code request} sending {@code body}. Called without the lock. */
  private void startLoad(Request request, @Nullable RequestBody body) {
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
      CacheRules.Decision decision = cacheDecision(canonical);
      if (decision != null && decision.action() == CacheRules.Action.FAIL) {
        Runnable fail;
        synchronized (this) {
          fail = complete(new SessionException(Code.CANNOT_LOAD_FROM_NETWORK, canonical.url(),
              "The resource is not in the cache and the cache policy forbids the network", null));
        }
        finish(fail);
        return;
      }
      Request keyRequest = canonical;
      if (decision != null && decision.action() == CacheRules.Action.USE_CACHED) {
        handler = new CacheReplay(decision.entry());
        notifyListener("cacheHit", l -> l.cacheHit(this));
      } else if (decision != null) {
        canonical = decision.applyTo(canonical);
        if (decision.action() == CacheRules.Action.LOAD) {
          notifyListener("cacheMiss", l -> l.cacheMiss(this));
        }
      }
      if (listener != SessionListener.NONE && !(handler instanceof CacheReplay)) {
        canonical = observed(canonical);
      }
      synchronized (this) {
        if (completing) {
          return;
        }
        cacheRequest = decision == null ? null : keyRequest;
        fromCache = decision != null && decision.action() == CacheRules.Action.USE_CACHED;
        revalidating = decision != null && decision.action() == CacheRules.Action.REVALIDATE
            ? decision.entry() : null;
        cacheBuffer = null;
        if (authorizationHeaders.isEmpty() && credentialInUse == null && redirectCount == 0
            && authenticationAttempts == 0) {
          authorizationHeaders = preemptiveAuthorization(canonical);
        }
        newLoad = new RealLoad(this, withCookies(decorate(canonical), handler), handler, body,
            authorizationHeaders);
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

  /** The request the listener wants sent instead of {@code request} (same URL and method). */
  private Request observed(Request request) {
    try {
      Request r = listener.requestWillBeSent(this, request);
      if (r != null && r.url().equals(request.url()) && r.method().equals(request.method())) {
        return r;
      }
      log.error("SessionListener.requestWillBeSent changed the URL or method of task {}; ignored", taskIdentifier);
    } catch (RuntimeException e) {
      log.error("SessionListener.requestWillBeSent threw for task {}; the request is sent unchanged",
          taskIdentifier, e);
    }
    return request;
  }

  /** Runs what an event left to do outside the lock. */
  private void finish(@Nullable Runnable after) {
    session.queue.kick();
    if (after != null) {
      after.run();
    }
  }

  void onResponse(RealLoad l, Response r) {
    Runnable after;
    Runnable refresh = null;
    CacheEntry stale;
    synchronized (this) {
      if (load != l || completing || phase != Phase.WAITING_RESPONSE) {
        return;
      }
      touch();
      waitingForConnectivity = false;
      stale = revalidating;
      revalidating = null;
      if (stale != null && r.statusCode() == 304) {
        // Still valid: answer from the cache with the refreshed headers (RFC 9111 4.3.4).
        CachedResponse old = stale.cachedResponse();
        Response merged = CacheRules.mergeNotModified(old.response(), r);
        CachedResponse updated = new CachedResponse(merged, old.data(), old.userInfo(), old.storagePolicy());
        HttpCache cache = session.configuration().httpCache();
        Request key = cacheRequest;
        Instant requested = l.recorder.requestStart != null ? l.recorder.requestStart : l.recorder.fetchStart;
        Instant received = Instant.now();
        if (cache != null && key != null) {
          refresh = () -> cache.store(updated, key, requested, received);
        }
        fromCache = true;
        after = deliverResponse(merged);
        byte[] body = old.data();
        if (body.length > 0) {
          bytesReceived += body.length;
          pending.add(body);
          backlog += body.length;
          Runnable more = pump();
          after = after == null ? more : after;
        }
      } else {
        after = deliverResponse(r);
      }
    }
    finish(after);
    if (refresh != null) {
      refresh.run();
    }
    if (stale != null) {
      if (r.statusCode() == 304) {
        notifyListener("cacheConditionalHit", x -> x.cacheConditionalHit(this));
      } else {
        notifyListener("cacheMiss", x -> x.cacheMiss(this));
      }
    }
  }

  /** What the cache says about loading {@code request}, or null when the cache is not involved. */
  private CacheRules.@Nullable Decision cacheDecision(Request request) {
    HttpCache cache = session.configuration().httpCache();
    String scheme = request.url().getScheme();
    if (cache == null || kind != Kind.DATA || !"GET".equals(request.method())
        || !("http".equalsIgnoreCase(scheme) || "https".equalsIgnoreCase(scheme))) {
      return null;
    }
    CachePolicy policy = request.cachePolicy() != CachePolicy.USE_PROTOCOL_CACHE_POLICY
        ? request.cachePolicy() : session.configuration().requestCachePolicy();
    try {
      return CacheRules.decide(policy, request, cache.entry(request), Instant.now());
    } catch (RuntimeException e) {
      log.warn("Cache lookup failed for {}; loading from the network", this, e);
      return null;
    }
  }

  /**
   * Makes {@code r} the task's response and asks for a disposition if a delegate wants to; a
   * download task opens its file instead. Caller holds the lock; returns what to run after.
   */
  private @Nullable Runnable deliverResponse(Response r) {
    response = r;
    saveWorkingCredential(r);
    HttpCache cache = session.configuration().httpCache();
    if (cache != null && cacheRequest != null && !fromCache && kind == Kind.DATA
        && CacheRules.isStorable(cacheRequest, r)) {
      cacheLimit = cache.entryLimit();
      cacheBuffer = cacheLimit > 0 ? new BodyBuffer() : null;
    }
    bytesExpectedToReceive = isIdentity(r) ? r.expectedContentLength() : -1;
    if (kind == Kind.DOWNLOAD) {
      return openDownload(r);
    }
    DataDelegate d = handlerMode() ? null : pick(DataDelegate.class, "didReceiveResponse");
    if (d == null) {
      phase = Phase.RECEIVING;
      return pump();
    }
    phase = Phase.AWAITING_DISPOSITION;
    Consumer<ResponseDisposition> handler = once("didReceiveResponse", this::dispositionDecided);
    session.queue.offer(guarded("didReceiveResponse", () -> d.didReceiveResponse(session, (DataTask) this, r, handler)));
    return null;
  }

  private static boolean isIdentity(Response r) {
    String encoding = r.header("Content-Encoding");
    return encoding == null || encoding.equalsIgnoreCase("identity");
  }

  private void dispositionDecided(ResponseDisposition disposition) {
    if (disposition == null || disposition == ResponseDisposition.CANCEL) {
      cancel();
      return;
    }
    if (disposition == ResponseDisposition.BECOME_DOWNLOAD) {
      becomeDownload();
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
      if (phase == Phase.AWAITING_REDIRECT_DECISION || phase == Phase.AWAITING_CHALLENGE
          || phase == Phase.WAITING_RESPONSE) {
        // A redirect's body: kept until the delegate decides, not counted as received.
        pending.add(data);
        backlog += data.length;
        return;
      }
      bytesReceived += data.length;
      pending.add(data);
      backlog += data.length;
      after = pump();
    }
    finish(after);
  }

  /** See {@link LoadSupport#writeDirectly}: the download fast path, without a copy or the queue. */
  boolean onDataDirect(RealLoad l, ByteBuffer src) {
    Runnable after = null;
    synchronized (this) {
      if (load != l || completing || kind != Kind.DOWNLOAD || phase != Phase.RECEIVING
          || state != State.RUNNING || !pending.isEmpty() || channel == null) {
        return false;
      }
      touch();
      int n = src.remaining();
      bytesReceived += n;
      try {
        while (src.hasRemaining()) {
          channel.write(src);
        }
        wrote(n);
      } catch (IOException | RuntimeException e) {
        after = complete(new SessionException(Code.CANNOT_WRITE_TO_FILE, currentRequest.url(),
            "The file could not be written: " + e, e));
      }
    }
    finish(after);
    return true;
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
      after = waitsForConnectivity(e) ? waitForConnectivity() : complete(e);
    }
    finish(after);
  }

  /** Whether {@code e} means no connection could be made and the configuration waits for one. Caller holds the lock. */
  private boolean waitsForConnectivity(SessionException e) {
    return session.configuration().waitsForConnectivity() && response == null
        && phase == Phase.WAITING_RESPONSE
        && (e.code() == Code.CANNOT_FIND_HOST || e.code() == Code.CANNOT_CONNECT_TO_HOST
            || e.code() == Code.NOT_CONNECTED_TO_INTERNET || e.code() == Code.DNS_LOOKUP_FAILED);
  }

  /**
   * Waits for connectivity: tells the delegate once, then tries again after a delay growing from
   * 0.5 s to 10 s; the resource deadline ends the wait. Caller holds the lock.
   */
  private @Nullable Runnable waitForConnectivity() {
    RealLoad old = load;
    load = null;
    waitingForConnectivity = true;
    if (!announcedWaiting) {
      announcedWaiting = true;
      TaskDelegate d = pick(TaskDelegate.class, "taskIsWaitingForConnectivity");
      if (d != null) {
        session.queue.offer(guarded("taskIsWaitingForConnectivity",
            () -> d.taskIsWaitingForConnectivity(session, this)));
      }
    }
    long delayMillis = Math.min(10_000L, 500L << Math.min(connectivityRetries, 5));
    connectivityRetries++;
    connectivityRetry = Scheduler.schedule(() -> {
      synchronized (this) {
        connectivityRetry = null;
        if (completing) {
          return;
        }
        if (state != State.RUNNING) {
          retryOnResume = true;
          return;
        }
      }
      retryConnecting();
    }, Duration.ofMillis(delayMillis));
    return old != null && !old.isFinished() ? old::stop : null;
  }

  /** Loads the current request again after waiting for connectivity. Called without the lock. */
  private void retryConnecting() {
    Request request;
    boolean withBody;
    synchronized (this) {
      if (completing) {
        return;
      }
      touch();
      request = currentRequest;
      withBody = loadWithUploadBody;
    }
    proceedTo(request, withBody);
  }

  void onRedirect(RealLoad l, Request newRequest, Response redirect) {
    Runnable after = null;
    synchronized (this) {
      if (load != l || completing || phase != Phase.WAITING_RESPONSE) {
        return;
      }
      touch();
      if ("file".equalsIgnoreCase(newRequest.url().getScheme())) {
        // A redirect never leads to a local file: as for a Location of file:, the redirect
        // response is the final one and the delegate is not asked.
        after = deliverResponse(redirect);
      } else if (redirectCount >= MAX_REDIRECTS) {
        after = complete(new SessionException(Code.HTTP_TOO_MANY_REDIRECTS, newRequest.url(),
            "too many HTTP redirects (more than " + MAX_REDIRECTS + ")", null));
      } else {
        phase = Phase.AWAITING_REDIRECT_DECISION;
        redirectResponse = redirect;
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
    if (next != null && "file".equalsIgnoreCase(next.url().getScheme())) {
      // A redirect never leads to a local file, even one a delegate substitutes.
      Runnable fail;
      synchronized (this) {
        if (completing || phase != Phase.AWAITING_REDIRECT_DECISION) {
          return;
        }
        fail = complete(new SessionException(Code.UNSUPPORTED_URL, next.url(),
            "unsupported URL: a redirect never leads to a file: URL", null));
      }
      finish(fail);
      return;
    }
    Runnable after = null;
    RealLoad old;
    boolean keepsBody = false;
    Response followed = null;
    synchronized (this) {
      if (completing || phase != Phase.AWAITING_REDIRECT_DECISION) {
        return;
      }
      touch();
      old = load;
      if (next != null) {
        if (!sameOrigin(currentRequest.url(), next.url())) {
          authorizationHeaders = Map.of(); // credentials never follow another origin
          credentialInUse = null;
          spaceInUse = null;
        }
        followed = redirectResponse;
        int status = redirectResponse.statusCode();
        keepsBody = status == 307 || status == 308;
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
        after = deliverResponse(r);
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
    Response redirect = followed;
    notifyListener("redirected", x -> x.redirected(this, redirect, next));
    proceedTo(next, keepsBody);
  }

  // --- authentication (URLSESSION-BEHAVIOUR.md 3.5) ---

  private static final int MAX_AUTHENTICATION_ATTEMPTS = 10;

  void onChallenge(RealLoad l, List<HttpChallenge> offered, Response r) {
    Runnable after;
    synchronized (this) {
      if (load != l || completing || phase != Phase.WAITING_RESPONSE) {
        return;
      }
      touch();
      if (spaceInUse != null) {
        if (failures == null) {
          failures = new HashMap<>();
        }
        failures.merge(spaceInUse, 1, Integer::sum); // the credential just sent did not work
      }
      credentialInUse = null;
      spaceInUse = null;
      challenges = offered;
      challengeIndex = 0;
      challengeResponse = r;
      phase = Phase.AWAITING_CHALLENGE;
      if (++authenticationAttempts > MAX_AUTHENTICATION_ATTEMPTS) {
        log.warn("Task {}: giving up after {} authentication attempts", taskIdentifier,
            MAX_AUTHENTICATION_ATTEMPTS);
        after = giveUpChallenge();
      } else {
        after = askChallenge();
      }
    }
    if (!offered.isEmpty()) {
      ProtectionSpace space = offered.get(0).protectionSpace();
      notifyListener("challengeReceived", x -> x.challengeReceived(this, space, r));
    }
    finish(after);
  }

  /** Asks the delegate about the current challenge, or handles it by default. Caller holds the lock. */
  private @Nullable Runnable askChallenge() {
    HttpChallenge c = challenges.get(challengeIndex);
    ProtectionSpace space = c.protectionSpace();
    AuthenticationChallenge challenge = new AuthenticationChallenge(space, proposedCredential(space),
        failures(space), challengeResponse, null);
    SessionDelegate sessionLevel = space.authenticationMethod().isSessionLevel()
        && Delegates.implementsMethod(session.delegate(), "didReceiveChallenge/3") ? session.delegate() : null;
    TaskDelegate taskLevel = sessionLevel != null ? null
        : pick(TaskDelegate.class, "didReceiveChallenge/4");
    if (sessionLevel == null && taskLevel == null) {
      return () -> challengeAnswered(c, Answer.DEFAULT, null);
    }
    ChallengeHandler handler = new OnceChallengeHandler() {

      @Override
      public void useCredential(@Nullable Credential credential) {
        once();
        challengeAnswered(c, Answer.USE, credential);
      }

      @Override
      public void performDefaultHandling() {
        once();
        challengeAnswered(c, Answer.DEFAULT, null);
      }

      @Override
      public void cancelAuthenticationChallenge() {
        once();
        challengeAnswered(c, Answer.CANCEL, null);
      }

      @Override
      public void rejectProtectionSpace() {
        once();
        challengeAnswered(c, Answer.REJECT, null);
      }
    };
    session.queue.offer(guarded("didReceiveChallenge", sessionLevel != null
        ? () -> sessionLevel.didReceiveChallenge(session, challenge, handler)
        : () -> taskLevel.didReceiveChallenge(session, this, challenge, handler)));
    return null;
  }

  private enum Answer { USE, DEFAULT, CANCEL, REJECT }

  private void challengeAnswered(HttpChallenge c, Answer answer, @Nullable Credential given) {
    if (answer == Answer.CANCEL) {
      cancel();
      return;
    }
    Runnable after;
    RealLoad old = null;
    boolean retry = false;
    synchronized (this) {
      if (completing || phase != Phase.AWAITING_CHALLENGE || challenges.get(challengeIndex) != c) {
        return;
      }
      touch();
      ProtectionSpace space = c.protectionSpace();
      Credential credential = given;
      boolean askNext = false;
      if (answer == Answer.REJECT) {
        if (++challengeIndex < challenges.size()) {
          askNext = true;
        } else {
          answer = Answer.DEFAULT;
        }
      }
      if (askNext) {
        credential = null;
      } else if (answer == Answer.DEFAULT) {
        Credential proposed = proposedCredential(space);
        credential = proposed != null && failures(space) == 0 ? proposed : null;
      }
      String value;
      if (credential != null && space.isProxy()) {
        // Proxy credentials go to HttpClient, which answers the proxy (the CONNECT of a tunnel
        // too): a header on the request would travel through the tunnel to the origin.
        session.useProxyCredential(space, credential);
        value = "";
      } else {
        value = credential == null ? null : c.authorization(currentRequest, credential);
      }
      if (askNext) {
        after = askChallenge();
      } else if (value == null) {
        after = giveUpChallenge();
      } else {
        credentialInUse = credential;
        spaceInUse = space;
        if (!space.isProxy()) {
          Map<String, String> headers = new LinkedHashMap<>(authorizationHeaders);
          headers.put(c.headerName(), value);
          authorizationHeaders = Map.copyOf(headers);
        }
        old = load;
        load = null;
        pending.clear();
        backlog = 0;
        challengeResponse = null;
        phase = Phase.WAITING_RESPONSE;
        retry = true;
        after = null;
      }
    }
    session.queue.kick();
    if (!retry) {
      finish(after);
      fireDemand();
      return;
    }
    if (old != null && !old.isFinished()) {
      old.stop();
    }
    Request request;
    synchronized (this) {
      request = currentRequest;
    }
    proceedTo(request, true);
  }

  /**
   * A new TLS connection of this task's load presented {@code trust}: the session delegate (or,
   * without one, the task delegate) decides through a SERVER_TRUST challenge; without either the
   * default evaluation does. Called on an I/O thread; the decision may come from any thread.
   */
  void evaluateServerTrust(RealLoad l, ServerTrust trust, Consumer<Boolean> decision) {
    SessionDelegate sessionLevel;
    TaskDelegate taskLevel;
    AuthenticationChallenge challenge;
    synchronized (this) {
      if (load != l || completing) {
        sessionLevel = null;
        taskLevel = null;
        challenge = null;
      } else {
        URI url = l.request().url();
        ProtectionSpace space = ProtectionSpace.forServerTrust(trust.host(), HttpChallenge.port(url), trust);
        challenge = new AuthenticationChallenge(space, null, 0, null, null);
        sessionLevel = Delegates.implementsMethod(session.delegate(), "didReceiveChallenge/3")
            ? session.delegate() : null;
        taskLevel = sessionLevel != null ? null : pick(TaskDelegate.class, "didReceiveChallenge/4");
      }
    }
    if (challenge == null) {
      decision.accept(false); // the load is no longer wanted
      return;
    }
    if (sessionLevel == null && taskLevel == null) {
      decision.accept(trust.isTrustedByDefault());
      return;
    }
    ChallengeHandler handler = new OnceChallengeHandler() {

      @Override
      public void useCredential(@Nullable Credential credential) {
        once();
        // Only an explicit trust credential for this very chain overrides the evaluation.
        decision.accept(credential != null && trust.equals(credential.serverTrust())
            || (credential == null && trust.isTrustedByDefault()));
      }

      @Override
      public void performDefaultHandling() {
        once();
        decision.accept(trust.isTrustedByDefault());
      }

      @Override
      public void cancelAuthenticationChallenge() {
        once();
        cancel();
        decision.accept(false);
      }

      @Override
      public void rejectProtectionSpace() {
        once();
        decision.accept(trust.isTrustedByDefault());
      }
    };
    synchronized (this) {
      session.queue.offer(guarded("didReceiveChallenge", sessionLevel != null
          ? () -> sessionLevel.didReceiveChallenge(session, challenge, handler)
          : () -> taskLevel.didReceiveChallenge(session, this, challenge, handler)));
    }
    session.queue.kick();
  }

  /**
   * The server of a new TLS connection of this task's load asked for a client certificate and got
   * none: the session delegate (or, without one, the task delegate) answers a CLIENT_CERTIFICATE
   * challenge; without either, default handling uses the storage's default identity for the
   * space, if any, else none. Called on an I/O thread; the answer may come from any thread.
   */
  void clientCertificateRequested(RealLoad l, ProtectionSpace space, Consumer<ClientIdentities.Answer> decision) {
    SessionDelegate sessionLevel;
    TaskDelegate taskLevel;
    AuthenticationChallenge challenge;
    Credential proposed;
    boolean stale;
    synchronized (this) {
      stale = load != l || completing;
      if (stale || clientCertificateAsks >= MAX_CLIENT_CERTIFICATE_ASKS) {
        sessionLevel = null;
        taskLevel = null;
        challenge = null;
        proposed = null;
      } else {
        CredentialStorage storage = session.configuration().credentialStorage();
        Credential stored = storage == null ? null : storage.defaultCredential(space);
        proposed = stored != null && stored.hasIdentity() ? stored : null;
        challenge = new AuthenticationChallenge(space, proposed, clientCertificateAsks++, null, null);
        sessionLevel = Delegates.implementsMethod(session.delegate(), "didReceiveChallenge/3")
            ? session.delegate() : null;
        taskLevel = sessionLevel != null ? null : pick(TaskDelegate.class, "didReceiveChallenge/4");
      }
    }
    if (challenge == null) {
      // The load is no longer wanted; or identities were chosen again and again and never
      // presented (a key the server's handshake cannot use): go on without, the server decides.
      decision.accept(stale ? ClientIdentities.Answer.CANCEL : ClientIdentities.Answer.NONE);
      return;
    }
    ClientIdentities.Answer byDefault = proposed != null
        ? new ClientIdentities.Answer(proposed, false) : ClientIdentities.Answer.NONE;
    if (sessionLevel == null && taskLevel == null) {
      decision.accept(byDefault);
      return;
    }
    ChallengeHandler handler = new OnceChallengeHandler() {

      @Override
      public void useCredential(@Nullable Credential credential) {
        once();
        if (credential == null || !credential.hasIdentity()) {
          decision.accept(ClientIdentities.Answer.NONE); // go on without a certificate
          return;
        }
        CredentialStorage storage = session.configuration().credentialStorage();
        if (storage != null && credential.persistence() != Credential.Persistence.NONE) {
          storage.set(credential, space); // in memory only: CredentialStorage never writes identities
        }
        decision.accept(new ClientIdentities.Answer(credential, false));
      }

      @Override
      public void performDefaultHandling() {
        once();
        decision.accept(byDefault);
      }

      @Override
      public void cancelAuthenticationChallenge() {
        once();
        cancel();
        decision.accept(ClientIdentities.Answer.CANCEL);
      }

      @Override
      public void rejectProtectionSpace() {
        once();
        decision.accept(ClientIdentities.Answer.NONE);
      }
    };
    synchronized (this) {
      session.queue.offer(guarded("didReceiveChallenge", sessionLevel != null
          ? () -> sessionLevel.didReceiveChallenge(session, challenge, handler)
          : () -> taskLevel.didReceiveChallenge(session, this, challenge, handler)));
    }
    session.queue.kick();
  }

  /** No credential: the 401 or 407 is the response, its body the data. Caller holds the lock. */
  private @Nullable Runnable giveUpChallenge() {
    Response r = challengeResponse;
    challengeResponse = null;
    for (byte[] chunk : pending) {
      bytesReceived += chunk.length;
    }
    return deliverResponse(r);
  }

  /** The storage's default credential for {@code space}, or the URL's {@code user:password@}. */
  private @Nullable Credential proposedCredential(ProtectionSpace space) {
    CredentialStorage storage = session.configuration().credentialStorage();
    Credential stored = storage == null ? null : storage.defaultCredential(space);
    return stored != null ? stored : urlCredential(currentRequest.url());
  }

  private static @Nullable Credential urlCredential(URI url) {
    String info = url.getUserInfo();
    if (info == null) {
      return null;
    }
    int colon = info.indexOf(':');
    try {
      return Credential.of(colon < 0 ? info : info.substring(0, colon),
          colon < 0 ? "" : info.substring(colon + 1), Credential.Persistence.NONE);
    } catch (IllegalArgumentException e) {
      return null; // control characters: not a usable credential
    }
  }

  /**
   * Basic credentials sent without waiting for a challenge: the URL's {@code user:password@}, or
   * a Basic credential the storage already holds for this host.
   */
  private Map<String, String> preemptiveAuthorization(Request request) {
    URI url = request.url();
    if (!"http".equalsIgnoreCase(url.getScheme()) && !"https".equalsIgnoreCase(url.getScheme())
        || request.header("Authorization") != null) {
      return Map.of();
    }
    Credential fromUrl = urlCredential(url);
    if (fromUrl != null) {
      return Map.of("Authorization", HttpChallenge.basic(fromUrl));
    }
    CredentialStorage storage = session.configuration().credentialStorage();
    if (storage == null || url.getHost() == null) {
      return Map.of();
    }
    Map.Entry<ProtectionSpace, Credential> basic =
        storage.defaultBasicCredential(url.getScheme(), url.getHost(), HttpChallenge.port(url));
    if (basic == null) {
      return Map.of();
    }
    credentialInUse = basic.getValue(); // a 401 now counts as this credential's failure
    spaceInUse = basic.getKey();
    return Map.of("Authorization", HttpChallenge.basic(basic.getValue()));
  }

  /** A response that is not a challenge means the credential in use worked: keep it as asked. */
  private void saveWorkingCredential(Response r) {
    Credential c = credentialInUse;
    ProtectionSpace space = spaceInUse;
    CredentialStorage storage = session.configuration().credentialStorage();
    if (c != null && space != null && storage != null && r.statusCode() != 401 && r.statusCode() != 407
        && c.persistence() != Credential.Persistence.NONE) {
      if (storage.defaultCredential(space) == null) {
        storage.setDefaultCredential(c, space);
      } else {
        storage.set(c, space);
      }
    }
    credentialInUse = null;
    spaceInUse = null;
  }

  private static boolean sameOrigin(URI a, URI b) {
    return String.valueOf(a.getScheme()).equalsIgnoreCase(String.valueOf(b.getScheme()))
        && String.valueOf(a.getHost()).equalsIgnoreCase(String.valueOf(b.getHost()))
        && HttpChallenge.port(a) == HttpChallenge.port(b);
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
    DataDelegate d = kind == Kind.DOWNLOAD || handlerMode() ? null : pick(DataDelegate.class, "didReceiveData");
    while (!pending.isEmpty()) {
      byte[] chunk = pending.poll();
      if (kind == Kind.DOWNLOAD) {
        backlog -= chunk.length;
        SessionException failure = writeChunk(chunk);
        if (failure != null) {
          return complete(failure);
        }
        continue;
      }
      keepForCache(chunk, collected == null && d != null);
      if (collected != null) {
        collected.add(chunk);
        backlog -= chunk.length;
      } else if (d != null) {
        session.queue.offer(guarded("didReceiveData", () -> {
          try {
            d.didReceiveData(session, (DataTask) this, chunk);
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

  /**
   * Keeps a chunk for the cache while the body stays small enough to be stored. A chunk handed to
   * didReceiveData belongs to the delegate, which may write to it, so the cache keeps a copy; the
   * collected body is handed over only after the cache copied it (at completion).
   */
  private void keepForCache(byte[] chunk, boolean toDelegate) {
    if (cacheBuffer == null) {
      return;
    }
    if ((long) cacheBuffer.size() + chunk.length > cacheLimit) {
      cacheBuffer = null; // too large to cache
    } else {
      cacheBuffer.add(toDelegate ? chunk.clone() : chunk);
    }
  }

  // --- downloads ---

  /** Writes a chunk to the download file; returns the failure, if any. Caller holds the lock. */
  private @Nullable SessionException writeChunk(byte[] chunk) {
    try {
      ByteBuffer buffer = ByteBuffer.wrap(chunk);
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
    } catch (IOException | RuntimeException e) {
      return new SessionException(Code.CANNOT_WRITE_TO_FILE, currentRequest.url(),
          "The file could not be written: " + e, e);
    }
    wrote(chunk.length);
    return null;
  }

  /** Counts {@code n} bytes written to the file: progress, and a checkpoint when due. Caller holds the lock. */
  private void wrote(int n) {
    written += n;
    unreported += n;
    postProgress();
    if (checkpointer != null) {
      maybeCheckpoint(checkpointer);
    }
  }

  /**
   * Every {@link Checkpointer#intervalBytes()} or {@link Checkpointer#intervalNanos()}: forces
   * the data to disk, then hands the checkpointer resume data that counts exactly the forced
   * bytes, so a recorded checkpoint never claims more than the durable data. Caller holds the lock.
   */
  private void maybeCheckpoint(Checkpointer c) {
    long now = System.nanoTime();
    if (written - checkpointedBytes < c.intervalBytes() && now - checkpointNanos < c.intervalNanos()) {
      return;
    }
    checkpointNanos = now;
    if (!resumableResponse()) {
      return;
    }
    try {
      channel.force(false);
      c.checkpoint(resumeData());
      checkpointedBytes = written;
    } catch (IOException | RuntimeException e) {
      log.warn("Could not checkpoint {}", this, e);
    }
  }

  /** Whether the response being written could be resumed with Range/If-Range. Caller holds the lock. */
  private boolean resumableResponse() {
    Response r = response;
    if (kind != Kind.DOWNLOAD || r == null || file == null || channel == null || written <= 0
        || !currentRequest.method().equals("GET") || !isIdentity(r)) {
      return false;
    }
    int status = r.statusCode();
    boolean ranges = status == 206 || "bytes".equalsIgnoreCase(String.valueOf(r.header("Accept-Ranges")).trim());
    String etag = strongEtag(r.header("ETag"));
    String lastModified = r.header("Last-Modified");
    if (status == 206 && resumeFrom != null && etag == null && lastModified == null) {
      etag = strongEtag(resumeFrom.entityTag());
      lastModified = resumeFrom.lastModified();
    }
    return (status == 200 || status == 206) && ranges && (etag != null || lastModified != null);
  }

  /**
   * Posts one {@code didWriteData} unless one is already queued: the queued call reports
   * everything written until it runs, so progress is coalesced under load.
   */
  private void postProgress() {
    if (progressPosted) {
      return;
    }
    DownloadDelegate d = progressDelegate();
    if (d == null) {
      return;
    }
    progressPosted = true;
    session.queue.offer(guarded("didWriteData", () -> {
      long bytes;
      long total;
      long expected;
      synchronized (this) {
        bytes = unreported;
        total = written;
        expected = bytesExpectedToReceive;
        unreported = 0;
        progressPosted = false;
      }
      if (bytes > 0) {
        d.didWriteData(session, (DownloadTask) this, bytes, total, expected);
      }
    }));
  }

  /** Who gets didWriteData: the delegate of a delegate task; the task's own for futures. */
  private @Nullable DownloadDelegate progressDelegate() {
    if (future) {
      return taskDelegate instanceof DownloadDelegate
          && Delegates.implementsMethod(taskDelegate, "didWriteData") ? (DownloadDelegate) taskDelegate : null;
    }
    return handlerMode() ? null : pick(DownloadDelegate.class, "didWriteData");
  }

  /** Who gets didResumeAtOffset: as for progress. */
  private void postResumedAt(long offset, long total) {
    DownloadDelegate d = future
        ? (taskDelegate instanceof DownloadDelegate ? (DownloadDelegate) taskDelegate : null)
        : handlerMode() ? null : pick(DownloadDelegate.class, "didResumeAtOffset");
    if (d != null) {
      session.queue.offer(guarded("didResumeAtOffset",
          () -> d.didResumeAtOffset(session, (DownloadTask) this, offset, total)));
    }
  }

  /**
   * Validates resume data and opens its partial file (truncated to the recorded length). Caller
   * holds the lock; returns the failure when the data cannot be used.
   */
  private @Nullable SessionException openResumeData(ResumeData data) {
    URI url = data.url();
    String problem = null;
    if (!data.isSignedWith(session.resumeKey())) {
      problem = "it was not produced by this session's storage or it was altered";
    } else if (!"http".equalsIgnoreCase(url.getScheme()) && !"https".equalsIgnoreCase(url.getScheme())
        && !isFtp(url)) {
      problem = "only http, https and ftp downloads can be resumed";
    } else if (!session.isInDownloadDirectory(data.partialFile())) {
      problem = "its partial file is not in the session's download directory";
    }
    if (problem == null) {
      try {
        FileChannel c = FileChannel.open(data.partialFile(), StandardOpenOption.WRITE,
            LinkOption.NOFOLLOW_LINKS);
        if (c.size() < data.bytesReceived()) {
          c.close();
          problem = "its partial file is shorter than the resume data says";
        } else {
          c.truncate(data.bytesReceived());
          c.position(data.bytesReceived());
          channel = c;
          file = data.partialFile();
          rangeOffset = data.bytesReceived();
          written = rangeOffset;
        }
      } catch (IOException e) {
        problem = "its partial file cannot be opened (" + e.getMessage() + ")";
      }
    }
    return problem == null ? null : new SessionException(Code.CANNOT_WRITE_TO_FILE, url,
        "Invalid resume data: " + problem, null);
  }

  /**
   * The request with the stored cookies for its URL, unless the session or the request says not
   * to send them, the request sets its own {@code Cookie}, or the answer comes from the cache.
   */
  private Request withCookies(Request request, ProtocolHandler handler) {
    CookieStorage storage = session.configuration().httpCookieStorage();
    if (storage == null || handler instanceof CacheReplay || !session.configuration().httpShouldSetCookies()
        || !request.shouldHandleCookies() || request.header("Cookie") != null) {
      return request;
    }
    String scheme = request.url().getScheme();
    if (!"http".equalsIgnoreCase(scheme) && !"https".equalsIgnoreCase(scheme)) {
      return request;
    }
    Map<String, String> fields = Cookie.requestHeaderFields(storage.cookies(request.url()));
    String value = fields.get("Cookie");
    return value == null ? request : request.toBuilder().header("Cookie", value).build();
  }

  /**
   * Stores the cookies a network response of {@code l} sets: every hop's, redirects and
   * challenges included. Called without the lock.
   */
  void storeCookies(RealLoad l, Response r) {
    CookieStorage storage = session.configuration().httpCookieStorage();
    if (storage == null || l.handler instanceof CacheReplay || !l.request().shouldHandleCookies()) {
      return;
    }
    List<String> values = r.headers().all("Set-Cookie");
    if (values.isEmpty()) {
      return;
    }
    URI url = l.request().url();
    try {
      storage.setCookies(Cookie.cookies(values, url), url, l.request().mainDocumentUrl(),
          session.configuration().httpCookieAcceptPolicy());
    } catch (RuntimeException e) {
      log.warn("Could not store the cookies of {}: {}", url, e.toString());
    }
  }

  /** The request a load sends: downloads resuming from an offset ask for the rest. */
  private Request decorate(Request request) {
    if (kind != Kind.DOWNLOAD || rangeOffset <= 0 || resumeFrom == null || isFtp(request.url())) {
      return request; // ftp: the handler asks for the rest itself (resumePoint)
    }
    String validator = strongEtag(resumeFrom.entityTag()) != null
        ? resumeFrom.entityTag() : resumeFrom.lastModified();
    Request.Builder b = request.toBuilder().header("Range", "bytes=" + rangeOffset + "-");
    if (validator != null) {
      b.header("If-Range", validator);
    }
    return b.build();
  }

  private static @Nullable String strongEtag(@Nullable String etag) {
    return etag == null || etag.startsWith("W/") ? null : etag;
  }

  /**
   * A download's response arrived: append to the partial file when it is the rest asked for,
   * else start the file over. Caller holds the lock; returns what to run after.
   */
  private @Nullable Runnable openDownload(Response r) {
    boolean resumed = resumeFrom != null;
    if (rangeOffset > 0 && ftpContinues) {
      // ftp: the handler checked MDTM and SIZE and the server accepted REST.
      bytesReceived = rangeOffset;
      bytesExpectedToReceive = ftpSize;
      postResumedAt(rangeOffset, ftpSize);
      phase = Phase.RECEIVING;
      return pump();
    }
    if (rangeOffset > 0) {
      long total = contentRangeTotal(r, rangeOffset, resumeFrom.expectedLength());
      if (r.statusCode() == 206 && total != -2) {
        bytesReceived = rangeOffset;
        bytesExpectedToReceive = total;
        postResumedAt(rangeOffset, total);
        phase = Phase.RECEIVING;
        return pump();
      }
      if (checkpointer != null && r.statusCode() >= 500) {
        // A durable transfer keeps its partial file through a server error (it is retried): the
        // error page is not the resource.
        return complete(new SessionException(Code.BAD_SERVER_RESPONSE, r.url(), "The server answered "
            + r.statusCode() + " to the resumed request; the partial file is kept for the next attempt", null));
      }
      if (r.statusCode() == 206 || r.statusCode() == 416) {
        // A range that does not fit the partial file: never append it; load everything anew.
        rangeOffset = 0;
        SessionException failure = truncateFile();
        if (failure != null) {
          return complete(failure);
        }
        RealLoad old = load;
        load = null;
        pending.clear();
        backlog = 0;
        Request request = currentRequest;
        return () -> {
          if (old != null) {
            old.stop();
          }
          startLoad(request, null);
        };
      }
      rangeOffset = 0; // 200 or another status: the resource is sent whole
    }
    SessionException failure = file == null ? createFile() : truncateFile();
    if (failure != null) {
      return complete(failure);
    }
    bytesReceived = 0;
    if (resumed) {
      postResumedAt(0, bytesExpectedToReceive);
    }
    phase = Phase.RECEIVING;
    return pump();
  }

  /**
   * The complete length from a 206's Content-Range when it starts at {@code offset} and agrees
   * with {@code recorded} (-1 when the complete length is unknown); -2 when it does not fit.
   */
  static long contentRangeTotal(Response r, long offset, long recorded) {
    String value = r.header("Content-Range");
    if (value == null || !value.startsWith("bytes ")) {
      return -2;
    }
    try {
      String spec = value.substring(6).trim();
      int dash = spec.indexOf('-');
      int slash = spec.indexOf('/');
      if (dash < 0 || slash < dash) {
        return -2;
      }
      long first = Long.parseLong(spec.substring(0, dash).trim());
      long last = Long.parseLong(spec.substring(dash + 1, slash).trim());
      String completeText = spec.substring(slash + 1).trim();
      if (completeText.equals("*")) {
        return -2;
      }
      long complete = Long.parseLong(completeText);
      if (first != offset || last < first || last >= complete || (recorded >= 0 && complete != recorded)) {
        return -2;
      }
      return complete;
    } catch (NumberFormatException e) {
      return -2;
    }
  }

  private @Nullable SessionException createFile() {
    try {
      Path f = session.newDownloadFile();
      file = f;
      channel = FileChannel.open(f, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
      written = 0;
      return null;
    } catch (IOException | RuntimeException e) {
      return new SessionException(Code.CANNOT_CREATE_FILE, currentRequest.url(),
          "The download file could not be created: " + e, e);
    }
  }

  private @Nullable SessionException truncateFile() {
    try {
      channel.truncate(0);
      channel.position(0);
      written = 0;
      unreported = 0;
      return null;
    } catch (IOException e) {
      return new SessionException(Code.CANNOT_WRITE_TO_FILE, currentRequest.url(),
          "The download file could not be truncated: " + e, e);
    }
  }

  /** Whether a failed or cancelled download can be resumed (URLSESSION-BEHAVIOUR.md 4.2). */
  private boolean resumable(SessionException e) {
    Code code = e.code();
    boolean resumableFailure = code == Code.TIMED_OUT || code == Code.NETWORK_CONNECTION_LOST
        || (code == Code.CANCELLED && produceResumeData);
    if (partialUntouched() && (resumableFailure || keepsUntouchedPartial(code))) {
      // The resume data this task started from is as good as before: never throw its data away
      // because the server could not be reached this time.
      return true;
    }
    if (resumableFailure && isFtp(currentRequest.url())) {
      // ftp: resumable when the server told the file's identity (MDTM and SIZE, binary only).
      return kind == Kind.DOWNLOAD && response != null && file != null && channel != null && written > 0
          && ftpModified != null && ftpSize >= 0;
    }
    return resumableFailure && resumableResponse();
  }

  /**
   * Whether this download resumes a partial file that is still exactly as its resume data
   * describes: no response has truncated it or added to it yet. Caller holds the lock.
   */
  private boolean partialUntouched() {
    return kind == Kind.DOWNLOAD && resumeFrom != null && file != null && rangeOffset > 0
        && written == rangeOffset && phase != Phase.RECEIVING;
  }

  /**
   * Failures that say nothing about the resource: the server could not be reached or answered
   * badly. A partial file the task started from survives them (with its validators).
   */
  private static boolean keepsUntouchedPartial(Code code) {
    switch (code) {
      case CANNOT_CONNECT_TO_HOST:
      case CANNOT_FIND_HOST:
      case DNS_LOOKUP_FAILED:
      case NOT_CONNECTED_TO_INTERNET:
      case SECURE_CONNECTION_FAILED:
      case BAD_SERVER_RESPONSE:
        return true;
      default:
        return false;
    }
  }

  private ResumeData resumeData() {
    if (partialUntouched()) {
      return ResumeData.create(resumeFrom.request(), file, written, resumeFrom.entityTag(),
          resumeFrom.lastModified(), resumeFrom.expectedLength(), session.resumeKey());
    }
    if (isFtp(currentRequest.url())) {
      return ResumeData.create(currentRequest, file, written, null, ftpModified, ftpSize,
          session.resumeKey());
    }
    Response r = response;
    String etag = strongEtag(r.header("ETag"));
    String lastModified = r.header("Last-Modified");
    if (etag == null && lastModified == null && resumeFrom != null) {
      etag = strongEtag(resumeFrom.entityTag());
      lastModified = resumeFrom.lastModified();
    }
    return ResumeData.create(currentRequest, file, written, etag, lastModified,
        bytesExpectedToReceive, session.resumeKey());
  }

  private static boolean isFtp(URI url) {
    return "ftp".equalsIgnoreCase(url.getScheme());
  }

  /** Where the current load of a resuming download starts, for handlers other than HTTP. */
  synchronized @Nullable ResumePoint resumePoint(RealLoad l) {
    if (load != l || kind != Kind.DOWNLOAD || rangeOffset <= 0 || resumeFrom == null) {
      return null;
    }
    return new ResumePoint(rangeOffset, resumeFrom.lastModified(), resumeFrom.expectedLength());
  }

  /** A handler other than HTTP told the resource's validators, before its response. */
  synchronized void onResourceValidated(RealLoad l, @Nullable String lastModified, long size,
      boolean continuesAtOffset) {
    if (load == l && !completing) {
      ftpModified = lastModified;
      ftpSize = size;
      ftpContinues = continuesAtOffset && rangeOffset > 0;
    }
  }

  /** Turns this data task into a download task that continues the same load. */
  private void becomeDownload() {
    RealTask download;
    Runnable after;
    synchronized (this) {
      if (completing || phase != Phase.AWAITING_DISPOSITION) {
        return;
      }
      DataDelegate d = pick(DataDelegate.class, "didBecomeDownloadTask");
      download = session.newHandedOverDownloadTask(this, taskDelegate);
      download.listenerOrder = listenerOrder; // one observation for the whole transfer
      download.listener = listener;
      if (d != null) {
        RealTask dl = download;
        session.queue.offer(guarded("didBecomeDownloadTask",
            () -> d.didBecomeDownloadTask(session, (DataTask) this, (DownloadTask) dl)));
      }
      // This data task ends here, silently: no more messages (URLSESSION-BEHAVIOUR.md 3.8).
      completing = true;
      stopDeadlines();
      RealLoad l = load;
      load = null;
      List<byte[]> data = new ArrayList<>(pending);
      pending.clear();
      backlog = 0;
      after = download.adopt(l, response, data, loadFinished, transactions, intervalStart, redirectCount,
          currentRequest);
      session.queue.offer(() -> {
        synchronized (this) {
          state = State.COMPLETED;
        }
        completion.complete(this);
      });
    }
    session.taskFinished(this);
    finish(after);
    download.fireDemand();
  }

  /** Takes over a load from a data task that became this download task. */
  private synchronized @Nullable Runnable adopt(@Nullable RealLoad l, Response r, List<byte[]> data,
      boolean finished, List<TransactionRecorder> previous, @Nullable Instant start, int redirects,
      Request request) {
    started = true;
    state = State.RUNNING;
    suspendCount = 0;
    intervalStart = start;
    redirectCount = redirects;
    currentRequest = request;
    transactions.addAll(previous);
    load = l;
    loadFinished = finished;
    if (l != null) {
      l.task = this;
    }
    touch();
    startDeadlines();
    for (byte[] chunk : data) {
      pending.add(chunk);
      backlog += chunk.length;
    }
    long carried = backlog;
    Runnable after = deliverResponse(r);
    bytesReceived = carried;
    return after;
  }

  /** Cancels, producing resume data when possible. */
  CompletableFuture<@Nullable ResumeData> cancelProducingResumeData() {
    CompletableFuture<@Nullable ResumeData> f = new CompletableFuture<>();
    Runnable after;
    synchronized (this) {
      if (state == State.COMPLETED || state == State.CANCELING || completing) {
        session.queue.offer(() -> f.complete(null));
        after = null;
      } else {
        produceResumeData = true;
        resumeDataFuture = f;
        state = State.CANCELING;
        progress.markCancelled();
        after = complete(new SessionException(Code.CANCELLED, currentRequest.url()));
      }
    }
    finish(after);
    return f;
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
  private @Nullable Runnable complete(@Nullable SessionException failure) {
    if (completing) {
      return null;
    }
    completing = true;
    stopDeadlines();
    RealLoad old = load;
    load = null;
    pending.clear();
    backlog = 0;

    // A download keeps its file: to deliver it, to resume from it, or not at all.
    Path downloaded = null;
    Path toDelete = null;
    ResumeData resumeData = null;
    SessionException e = failure;
    if (kind == Kind.DOWNLOAD && file != null) {
      if (e == null) {
        SessionException closeFailure = closeChannel(true);
        if (closeFailure == null) {
          downloaded = file;
        } else {
          e = closeFailure;
          toDelete = file;
        }
      } else if (resumable(e)) {
        closeChannel(true);
        resumeData = resumeData();
        e = e.withResumeData(resumeData);
      } else {
        closeChannel(false);
        toDelete = file;
      }
    }
    SessionException error = e;
    this.error = error;
    Runnable storeInCache = error == null ? proposeForCache() : null;
    cacheBuffer = null;

    TaskMetrics metrics = null;
    TaskDelegate metricsDelegate = pick(TaskDelegate.class, "didFinishCollectingMetrics");
    SessionListener observer = started ? listener : SessionListener.NONE;
    if ((metricsDelegate != null || observer != SessionListener.NONE) && started) {
      List<TransactionMetrics> list = new ArrayList<>(transactions.size());
      for (TransactionRecorder t : transactions) {
        list.add(t.toMetrics());
      }
      metrics = new TaskMetrics(list, intervalStart, Instant.now(), redirectCount);
    }
    TaskMetrics m = metrics;
    CompletionHandler<byte[]> handler = completionHandler;
    CompletionHandler<Path> fileResult = fileHandler;
    TaskDelegate completeDelegate = handlerMode() ? null : pick(TaskDelegate.class, "didComplete");
    DownloadDelegate fileDelegate = kind == Kind.DOWNLOAD && !handlerMode()
        ? pick(DownloadDelegate.class, "didFinishDownloadingTo") : null;
    Response r = response;
    byte[] body = collected != null && error == null ? collected.toByteArray() : null;
    collected = null;
    CompletableFuture<@Nullable ResumeData> resumeFuture = resumeDataFuture;
    ResumeData produced = resumeData;
    Path location = downloaded;
    HttpCache cache = session.configuration().httpCache();
    // The common case of data(): nothing for the delegate queue to run before the future, so the
    // finishing thread completes it and wakes the caller without a hop (QueueFuture keeps user
    // stages on the queue). A cache store that may write a file still goes through the queue.
    boolean direct = directCompletion && kind != Kind.DOWNLOAD && metricsDelegate == null && resumeFuture == null
        && queuedEvents.get() == 0 && (storeInCache == null || cache == null || !cache.writesToDisk());
    Runnable event = () -> {
      if (observer != SessionListener.NONE) {
        listenerCompleted(m, error);
      }
      if (storeInCache != null) {
        // Stored before anyone hears of the completion, so a next request finds the entry.
        guarded("storing in the cache", storeInCache).run();
      }
      synchronized (this) {
        state = State.COMPLETED;
      }
      if (resumeFuture != null) {
        resumeFuture.complete(produced);
      }
      if (location != null && fileDelegate != null) {
        guarded("didFinishDownloadingTo",
            () -> fileDelegate.didFinishDownloadingTo(session, (DownloadTask) this, location)).run();
        deleteQuietly(location);
      }
      if (m != null && metricsDelegate != null) {
        guarded("didFinishCollectingMetrics",
            () -> metricsDelegate.didFinishCollectingMetrics(session, this, m)).run();
      }
      if (handler != null) {
        guarded("completion handler",
            () -> handler.complete(body, error == null ? r : null, error)).run();
      } else if (fileResult != null) {
        guarded("completion handler",
            () -> fileResult.complete(location, error == null ? r : null, error)).run();
        if (location != null && !callerOwnsFile) {
          deleteQuietly(location);
        }
      } else if (completeDelegate != null) {
        guarded("didComplete", () -> completeDelegate.didComplete(session, this, error)).run();
      }
      if (location != null && fileDelegate == null && fileResult == null) {
        deleteQuietly(location); // nobody took the file
      }
      completion.complete(this);
    };
    if (!direct) {
      session.queue.offer(event);
    }
    Path delete = toDelete;
    return () -> {
      if (old != null && !old.isFinished()) {
        old.stop();
      }
      if (delete != null) {
        deleteQuietly(delete);
      }
      session.taskFinished(this);
      if (direct) {
        event.run();
      }
    };
  }

  /**
   * A body from the network that may be cached: offers it to {@code willCacheResponse} (queued
   * before the completion) or returns the store, which the completion event runs first. Caller
   * holds the lock.
   */
  private @Nullable Runnable proposeForCache() {
    HttpCache cache = session.configuration().httpCache();
    Request key = cacheRequest;
    Response r = response;
    if (cache == null || key == null || cacheBuffer == null || fromCache || r == null
        || transactions.isEmpty()) {
      return null;
    }
    TransactionRecorder t = transactions.get(transactions.size() - 1);
    Instant requested = t.requestStart != null ? t.requestStart : t.fetchStart;
    Instant received = t.responseStart != null ? t.responseStart : Instant.now();
    CachedResponse proposed = new CachedResponse(r, cacheBuffer.toByteArray());
    DataDelegate d = handlerMode() ? null : pick(DataDelegate.class, "willCacheResponse");
    if (d == null) {
      return () -> cache.store(proposed, key, requested, received);
    }
    Consumer<@Nullable CachedResponse> handler = once("willCacheResponse", chosen -> {
      if (chosen != null) {
        cache.store(chosen, key, requested, received);
      }
    });
    session.queue.offer(guarded("willCacheResponse",
        () -> d.willCacheResponse(session, (DataTask) this, proposed, handler)));
    return null;
  }

  /** Closes the download file, forcing it to disk first when asked. Caller holds the lock. */
  private @Nullable SessionException closeChannel(boolean force) {
    FileChannel c = channel;
    channel = null;
    if (c == null) {
      return null;
    }
    try {
      if (force) {
        c.force(false);
      }
      c.close();
      return null;
    } catch (IOException ex) {
      RequestBody.closeQuietly(c);
      return new SessionException(Code.CANNOT_CLOSE_FILE, currentRequest.url(),
          "The download file could not be closed: " + ex, ex);
    }
  }

  private static void deleteQuietly(Path path) {
    try {
      Files.deleteIfExists(path);
    } catch (IOException ex) {
      log.warn("Could not delete download file {}", path, ex);
    }
  }

  // --- timers ---

  private void touch() {
    lastActivityNanos = System.nanoTime();
  }

  private long idleTimeoutNanos() {
    Request r = currentRequest;
    return nanos(r.isTimeoutIntervalSet() ? r.timeoutInterval()
        : session.configuration().timeoutIntervalForRequest());
  }

  /** {@code d} in nanoseconds, capped far from overflow. */
  private static long nanos(Duration d) {
    try {
      return Math.min(d.toNanos(), Long.MAX_VALUE / 4);
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE / 4;
    }
  }

  /**
   * Starts the resource deadline now; the session's sweep checks the task's deadlines from now on
   * (the task is among the session's tasks from creation to completion). Caller holds the lock.
   */
  private void startDeadlines() {
    long now = System.nanoTime();
    resourceStartNanos = now;
    resourceTimeoutNanos = nanos(session.configuration().timeoutIntervalForResource());
    watched = true;
    armPreciseTimerIfDue(now);
  }

  /** Caller holds the lock. */
  private void stopDeadlines() {
    watched = false;
    if (preciseTimer != null) {
      preciseTimer.cancel(false);
      preciseTimer = null;
    }
    if (connectivityRetry != null) {
      connectivityRetry.cancel(false);
      connectivityRetry = null;
    }
  }

  /**
   * The nanoseconds until the nearest deadline at {@code now} (at most 0 when one has passed):
   * the resource deadline always, the idle one while running. Caller holds the lock.
   */
  private long untilNextDeadline(long now) {
    long next = resourceTimeoutNanos - (now - resourceStartNanos);
    if (state == State.RUNNING && !waitingForConnectivity) {
      next = Math.min(next, idleTimeoutNanos() - (now - lastActivityNanos));
    }
    return next;
  }

  /** Arms a precise timer when a deadline comes before the next sweep. Caller holds the lock. */
  private void armPreciseTimerIfDue(long now) {
    long next = untilNextDeadline(now);
    if (preciseTimer == null && watched && next < 2 * Deadlines.TICK_NANOS) {
      preciseTimer = Scheduler.schedule(() -> {
        synchronized (this) {
          preciseTimer = null;
        }
        checkDeadlines(System.nanoTime());
      }, next);
    }
  }

  /**
   * Called by the session's {@link Deadlines} sweep and the precise timer: times the task out when a
   * deadline has passed.
   */
  void checkDeadlines(long now) {
    if (!watched) {
      return; // not started, suspended or completing: no lock taken
    }
    Runnable after;
    synchronized (this) {
      if (completing || !watched) {
        return;
      }
      long sinceStart = now - resourceStartNanos;
      long idle = now - lastActivityNanos;
      if (sinceStart >= resourceTimeoutNanos) {
        after = complete(new SessionException(Code.TIMED_OUT, currentRequest.url(),
            "The request timed out (timeoutIntervalForResource "
                + session.configuration().timeoutIntervalForResource() + " elapsed)", null));
      } else if (state == State.RUNNING && !waitingForConnectivity && idle >= idleTimeoutNanos()) {
        after = complete(new SessionException(Code.TIMED_OUT, currentRequest.url(),
            "The request timed out (no data for " + Duration.ofNanos(idleTimeoutNanos()) + ")", null));
      } else {
        armPreciseTimerIfDue(now);
        return;
      }
    }
    finish(after);
  }

  // --- delegate helpers ---

  /** Failed attempts for {@code space}. Caller holds the lock. */
  private int failures(ProtectionSpace space) {
    return failures == null ? 0 : failures.getOrDefault(space, 0);
  }

  private <T> @Nullable T pick(Class<T> type, String method) {
    return Delegates.pick(taskDelegate, session.delegate(), type, method);
  }

  private Runnable guarded(String what, Runnable call) {
    queuedEvents.incrementAndGet();
    return () -> {
      try {
        call.run();
      } catch (RuntimeException e) {
        log.error("{} threw for task {}; the task goes on", what, taskIdentifier, e);
      } finally {
        queuedEvents.decrementAndGet();
      }
    };
  }

  /** A challenge handler whose methods call {@link #once()} first: a second answer throws. */
  private abstract static class OnceChallengeHandler implements ChallengeHandler {
    private final AtomicBoolean answered = new AtomicBoolean();

    final void once() {
      if (!answered.compareAndSet(false, true)) {
        throw new IllegalStateException("the challenge handler was already called");
      }
    }
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
    /** The task served; changes once when a data task becomes a download task. */
    volatile RealTask task;
    private final Request request;
    final ProtocolHandler handler;
    private final @Nullable RequestBody body;
    private final Map<String, String> authorization;
    final TransactionRecorder recorder;
    private final AtomicBoolean finished = new AtomicBoolean();
    private volatile @Nullable Object attachment;
    private volatile @Nullable Runnable demandAction;

    RealLoad(RealTask task, Request request, ProtocolHandler handler, @Nullable RequestBody body,
        Map<String, String> authorization) {
      this.task = task;
      this.request = request;
      this.handler = handler;
      this.body = body;
      this.authorization = authorization;
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
        task.storeCookies(this, response);
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
        task.storeCookies(this, redirectResponse);
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
    public boolean writeDirectly(ByteBuffer src) {
      return task.onDataDirect(this, src);
    }

    @Override
    public void didSendBodyData(long bytes) {
      task.onBodyDataSent(this, bytes);
    }

    @Override
    public TransactionRecorder transaction() {
      return recorder;
    }

    @Override
    public @Nullable RequestBody requestBody() {
      return body;
    }

    @Override
    public void challenged(List<HttpChallenge> challenges, Response response) {
      if (!finished.get()) {
        task.storeCookies(this, response);
        if (recorder.response == null) {
          recorder.response = response;
        }
        task.onChallenge(this, challenges, response);
      }
    }

    @Override
    public Map<String, String> authorizationHeaders() {
      return authorization;
    }

    @Override
    public void evaluateServerTrust(ServerTrust trust, Consumer<Boolean> decision) {
      task.evaluateServerTrust(this, trust, decision);
    }

    @Override
    public @Nullable String acceptEncoding() {
      return task.kind == Kind.DOWNLOAD ? "identity" : null;
    }

    @Override
    public void clientCertificateRequested(ProtectionSpace space, Consumer<ClientIdentities.Answer> decision) {
      task.clientCertificateRequested(this, space, decision);
    }

    @Override
    public boolean mayResume() {
      return task.kind == Kind.DOWNLOAD;
    }

    @Override
    public @Nullable ResumePoint resumePoint() {
      return task.resumePoint(this);
    }

    @Override
    public void resourceValidated(@Nullable String lastModified, long size, boolean continuesAtOffset) {
      task.onResourceValidated(this, lastModified, size, continuesAtOffset);
    }
  }
}
