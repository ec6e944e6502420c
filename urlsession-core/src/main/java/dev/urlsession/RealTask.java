package dev.urlsession;

import dev.urlsession.SessionException.Code;
import dev.urlsession.internal.CacheReplay;
import dev.urlsession.internal.CacheRules;
import dev.urlsession.internal.ClientIdentities;
import dev.urlsession.internal.ErrorMapper;
import dev.urlsession.internal.HttpChallenge;
import dev.urlsession.internal.RequestBody;
import dev.urlsession.internal.ResumePoint;
import dev.urlsession.internal.TransactionRecorder;
import dev.urlsession.spi.ProtocolHandler;
import dev.urlsession.spi.SessionListener;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state machine of a task loaded in this process (URLSESSION-BEHAVIOUR.md 2.2, 3.3 to 3.8):
 * its state and suspensions, the phase of its current load, the flow of its body, and its one
 * completion. The decisions are its collaborators': {@link RequestPreparer} (transport security,
 * handler, cookies), {@link CacheStage}, {@link RedirectPolicy}, {@link Authenticator},
 * {@link TaskTimers}, the {@link BodySink} of its {@link TaskKind}, and {@link TaskCompletion};
 * it applies their answers. A load reports through its {@link RealLoad}.
 *
 * <p>Concurrency: its fields, and its collaborators', are guarded by {@code this}. Events arrive
 * from user threads (resume, suspend, cancel, delegate answers), I/O threads (the current load)
 * and timers. Each event takes the lock, updates state and <em>posts</em> delegate calls to the
 * session's serial queue while still holding it, so that the calls of one task are queued in the
 * order of its state changes. User code, handler code and queue kicks run only after the lock is
 * released: methods that change state return what is left to run then.
 */
abstract class RealTask extends BaseTask implements TaskTimers.Owner, Authenticator.Answers {
  private static final Logger log = LoggerFactory.getLogger(RealTask.class);
  /** Undelivered body bytes above which the task stops asking the connection for more. */
  static final long BACKLOG_LIMIT = 1024 * 1024;

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
  final TaskKind kind;
  /**
   * The identifier boxed once, as the key of the session's task map: the thread that removes the
   * task finds its entry by identity, without boxing again or reading another thread's Long.
   */
  final Long registryKey;
  final TaskEvents events;
  final ResultRoute route;
  final BodySink sink;
  private final RealProgress progress = new RealProgress(this);
  private final TaskTimers timers;
  private final Authenticator auth;
  private final CacheStage cache;

  // --- guarded by this ---
  private int suspendCount = 1;
  private boolean started;
  private boolean completing;
  private Phase phase = Phase.WAITING_RESPONSE;
  private @Nullable Response redirectResponse;
  private @Nullable RealLoad load;
  private boolean loadFinished;
  /** Whether the current load carries the upload body (so a retry sends it again). */
  private boolean loadWithUploadBody = true;
  private int redirectCount;
  private final List<TransactionRecorder> transactions = new ArrayList<>(1);
  private @Nullable Instant intervalStart;
  /** Body chunks not yet handed to the sink, and the bytes the sink or its delegate still hold. */
  private final ArrayDeque<byte[]> pending = new ArrayDeque<>(4); // most bodies: one chunk
  private long backlog;
  private @Nullable CompletableFuture<@Nullable ResumeData> resumeDataFuture;

  RealTask(TaskSpec spec) {
    super(spec.taskIdentifier, spec.request, State.SUSPENDED, new QueueFuture<>(spec.session.queue));
    SessionConfiguration configuration = spec.session.configuration();
    this.session = spec.session;
    this.kind = spec.kind;
    this.registryKey = spec.taskIdentifier;
    this.route = new ResultRoute(spec.dataHandler, spec.fileHandler, spec.callerOwnsFile, spec.future);
    this.events = new TaskEvents(session, this, spec.taskDelegate);
    this.timers = new TaskTimers(this, configuration.timeoutIntervalForResource());
    this.auth = new Authenticator(session, this, events, this);
    this.cache = new CacheStage(kind.usesCache() ? configuration.httpCache() : null, configuration.requestCachePolicy());
    this.sink = kind.newSink(session, this, events, route);
    this.bytesExpectedToSend = kind.bytesExpectedToSend(spec.request);
  }

  /** Posts {@code didCreateTask}; called once by the session after registering the task. */
  void announceCreated() {
    synchronized (this) {
      TaskDelegate d = events.pick(TaskDelegate.class, "didCreateTask");
      if (d != null) {
        events.post("didCreateTask", () -> d.didCreateTask(session, this));
      }
    }
    events.kick();
  }

  // --- SessionTask ---

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
      timers.touch();
      if (!started) {
        started = true;
        intervalStart = Instant.now();
        timers.start(idleNanos(), true);
        start = true;
      } else {
        // What arrived while suspended, up to the end of the load: completing here returns what
        // must run once the lock is released (the session lets go of the task).
        after = pump();
        timers.rearm(System.nanoTime(), idleNanos(), true);
      }
      retry = timers.takeRetryOnResume();
    }
    events.kick();
    if (after != null) {
      after.run();
    } else if (start) {
      events.started();
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

  /** Cancels, producing resume data when possible. */
  CompletableFuture<@Nullable ResumeData> cancelProducingResumeData() {
    CompletableFuture<@Nullable ResumeData> f = new CompletableFuture<>();
    Runnable after = null;
    synchronized (this) {
      if (state == State.COMPLETED || state == State.CANCELING || completing) {
        events.postPlain(() -> f.complete(null));
      } else {
        sink.produceResumeData();
        resumeDataFuture = f;
        state = State.CANCELING;
        progress.markCancelled();
        after = complete(new SessionException(Code.CANCELLED, currentRequest.url()));
      }
    }
    finish(after);
    return f;
  }

  @Override
  public TaskProgress progress() {
    return progress;
  }

  @Override
  public synchronized @Nullable TaskDelegate delegate() {
    return events.taskDelegate();
  }

  @Override
  public synchronized void delegate(@Nullable TaskDelegate delegate) {
    if (started) {
      throw new IllegalStateException("a task's delegate must be set before resume()");
    }
    events.taskDelegate(delegate);
  }

  synchronized boolean isStarted() {
    return started;
  }

  synchronized boolean isCompleting() {
    return completing;
  }

  synchronized void markCompleted() {
    state = State.COMPLETED;
  }

  @Override
  public String toString() {
    String name = kind.name();
    return name.substring(0, 1).toUpperCase(Locale.ROOT) + name.substring(1) + "Task{" + taskIdentifier() + ", "
        + originalRequest().method() + " " + SessionException.redact(originalRequest().url()) + "}";
  }

  // --- loading ---

  /** The first load: checks what the body starts from and what it sends, then proceeds. Called without the lock. */
  private void begin() {
    SessionException invalid;
    synchronized (this) {
      if (completing) {
        return;
      }
      invalid = sink.prepare();
    }
    if (invalid == null) {
      invalid = kind.checkBeforeStart(originalRequest().url());
    }
    if (invalid != null) {
      fail(invalid);
      return;
    }
    proceedTo(originalRequest(), true);
  }

  /** Completes the task with {@code failure}. Called without the lock. */
  private void fail(SessionException failure) {
    Runnable after;
    synchronized (this) {
      after = complete(failure);
    }
    finish(after);
  }

  /** Loads {@code request}, with the upload body when {@code withUploadBody}. Called without the lock. */
  private void proceedTo(Request request, boolean withUploadBody) {
    synchronized (this) {
      loadWithUploadBody = withUploadBody;
    }
    if (kind.streamsBody(withUploadBody)) {
      askForBodyStream(request);
    } else {
      startLoad(request, kind.body(request, withUploadBody));
    }
  }

  /** Asks the delegate for a new body stream, then loads. */
  private void askForBodyStream(Request request) {
    Runnable after = null;
    synchronized (this) {
      if (completing) {
        return;
      }
      TaskDelegate d = events.pick(TaskDelegate.class, "needNewBodyStream");
      if (d == null) {
        after = complete(new SessionException(Code.REQUEST_BODY_STREAM_EXHAUSTED, request.url(),
            "The request body stream is exhausted: no delegate implements needNewBodyStream", null));
      } else {
        Consumer<@Nullable InputStream> handler = events.once("needNewBodyStream", stream -> {
          if (stream == null) {
            fail(new SessionException(Code.REQUEST_BODY_STREAM_EXHAUSTED, request.url(),
                "The request body stream is exhausted: needNewBodyStream gave none", null));
          } else {
            startLoad(request, RequestBody.of(stream));
          }
        });
        events.post("needNewBodyStream", () -> d.needNewBodyStream(session, this, handler));
      }
    }
    finish(after);
  }

  /** Starts a load of {@code request} sending {@code body}. Called without the lock. */
  private void startLoad(Request request, @Nullable RequestBody body) {
    RequestPreparer.Choice choice;
    synchronized (this) {
      if (completing) {
        return;
      }
      choice = RequestPreparer.handler(session, request);
    }
    ProtocolHandler handler = choice.handler();
    if (handler == null) {
      fail(choice.failure());
      return;
    }
    Request canonical = RequestPreparer.canonical(handler, request, this);
    CacheRules.Decision decision = cache.decide(canonical);
    if (decision != null && decision.action() == CacheRules.Action.FAIL) {
      fail(new SessionException(Code.CANNOT_LOAD_FROM_NETWORK, canonical.url(),
          "The resource is not in the cache and the cache policy forbids the network", null));
      return;
    }
    Request keyRequest = canonical;
    if (decision != null && decision.action() == CacheRules.Action.USE_CACHED) {
      handler = new CacheReplay(decision.entry());
      events.notify("cacheHit", l -> l.cacheHit(this));
    } else if (decision != null) {
      canonical = decision.applyTo(canonical);
      if (decision.action() == CacheRules.Action.LOAD) {
        events.notify("cacheMiss", l -> l.cacheMiss(this));
      }
    }
    if (events.observed() && !(handler instanceof CacheReplay)) {
      canonical = events.requestWillBeSent(canonical);
    }
    RealLoad newLoad;
    synchronized (this) {
      if (completing) {
        return;
      }
      cache.begin(decision, keyRequest);
      if (auth.untouched() && redirectCount == 0) {
        auth.preempt(canonical);
      }
      Request sent = RequestPreparer.withCookies(session.configuration(), sink.decorate(canonical), handler);
      newLoad = new RealLoad(this, sent, handler, body, auth.headers());
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

  /** Runs what an event left to do outside the lock. */
  private void finish(@Nullable Runnable after) {
    events.kick();
    if (after != null) {
      after.run();
    }
  }

  // --- what the current load reports (RealLoad) ---

  void onResponse(RealLoad l, Response r) {
    Runnable after;
    CacheStage.NotModified notModified;
    boolean revalidated;
    synchronized (this) {
      if (load != l || completing || phase != Phase.WAITING_RESPONSE) {
        return;
      }
      timers.touch();
      timers.connected();
      revalidated = cache.revalidates();
      notModified = cache.onResponse(r, l.recorder);
      if (notModified == null) {
        after = deliverResponse(r);
      } else {
        after = deliverResponse(notModified.response()); // still valid: answered from the cache
        byte[] body = notModified.body();
        if (body.length > 0) {
          bytesReceived += body.length;
          pending.add(body);
          backlog += body.length;
          Runnable more = pump();
          after = after == null ? more : after;
        }
      }
    }
    finish(after);
    if (notModified != null && notModified.refresh() != null) {
      notModified.refresh().run();
    }
    if (revalidated) {
      if (notModified != null) {
        events.notify("cacheConditionalHit", x -> x.cacheConditionalHit(this));
      } else {
        events.notify("cacheMiss", x -> x.cacheMiss(this));
      }
    }
  }

  /**
   * Makes {@code r} the task's final response and starts its body as the sink says: receive it,
   * ask the delegate's disposition first, load again, or fail. Caller holds the lock; returns
   * what to run after.
   */
  private @Nullable Runnable deliverResponse(Response r) {
    response = r;
    auth.responded(r);
    cache.bodyFollows(r);
    bytesExpectedToReceive = FileSink.isIdentity(r) ? r.expectedContentLength() : -1;
    BodySink.Counts counts = new BodySink.Counts();
    counts.received = bytesReceived;
    counts.expected = bytesExpectedToReceive;
    BodySink.Start start = sink.start(r, currentRequest, counts);
    bytesReceived = counts.received;
    bytesExpectedToReceive = counts.expected;
    if (start.failure != null) {
      return complete(start.failure);
    }
    if (start.reload) {
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
    DataDelegate d = start.askDisposition;
    if (d != null) {
      phase = Phase.AWAITING_DISPOSITION;
      Consumer<ResponseDisposition> handler = events.once("didReceiveResponse", this::dispositionDecided);
      events.post("didReceiveResponse", () -> d.didReceiveResponse(session, (DataTask) this, r, handler));
      return null;
    }
    phase = Phase.RECEIVING;
    return pump();
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
      timers.touch();
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
      timers.touch();
      pending.add(data);
      backlog += data.length;
      if (phase != Phase.RECEIVING && phase != Phase.AWAITING_DISPOSITION) {
        return; // a redirect's or challenge's body: kept until decided, not counted as received
      }
      bytesReceived += data.length;
      after = pump();
    }
    finish(after);
  }

  /** The sink takes the bytes straight from the load's buffer when nothing is queued before them. */
  boolean onDataDirect(RealLoad l, ByteBuffer src) {
    Runnable after = null;
    synchronized (this) {
      if (load != l || completing || phase != Phase.RECEIVING || state != State.RUNNING || !pending.isEmpty()) {
        return false;
      }
      int n = src.remaining();
      try {
        if (!sink.takeDirect(src)) {
          return false;
        }
      } catch (SessionException e) {
        after = complete(e);
      }
      timers.touch();
      bytesReceived += n;
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
      timers.touch();
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

  void onBodyDataSent(RealLoad l, long n) {
    synchronized (this) {
      if (load != l || completing) {
        return;
      }
      timers.touch();
      bytesSent += n;
      long total = bytesSent;
      TaskDelegate d = events.pick(TaskDelegate.class, "didSendBodyData");
      if (d != null) {
        long expected = bytesExpectedToSend;
        events.post("didSendBodyData", () -> d.didSendBodyData(session, this, n, total, expected));
      }
    }
    events.kick();
  }

  /** Whether {@code e} means no connection could be made and the configuration waits for one. Caller holds the lock. */
  private boolean waitsForConnectivity(SessionException e) {
    Code code = e.code();
    return session.configuration().waitsForConnectivity() && response == null && phase == Phase.WAITING_RESPONSE
        && (code == Code.CANNOT_FIND_HOST || code == Code.CANNOT_CONNECT_TO_HOST
            || code == Code.NOT_CONNECTED_TO_INTERNET || code == Code.DNS_LOOKUP_FAILED);
  }

  /** Waits for connectivity, telling the delegate the first time. Caller holds the lock. */
  private @Nullable Runnable waitForConnectivity() {
    RealLoad old = load;
    load = null;
    if (timers.waitForConnectivity()) {
      TaskDelegate d = events.pick(TaskDelegate.class, "taskIsWaitingForConnectivity");
      if (d != null) {
        events.post("taskIsWaitingForConnectivity", () -> d.taskIsWaitingForConnectivity(session, this));
      }
    }
    return old != null && !old.isFinished() ? old::stop : null;
  }

  @Override
  public void connectivityRetryDue() {
    synchronized (this) {
      timers.connectivityRetryFired(state == State.RUNNING);
      if (completing || state != State.RUNNING) {
        return;
      }
    }
    retryConnecting();
  }

  /** Loads the current request again after waiting for connectivity. Called without the lock. */
  private void retryConnecting() {
    Request request;
    boolean withBody;
    synchronized (this) {
      if (completing) {
        return;
      }
      timers.touch();
      request = currentRequest;
      withBody = loadWithUploadBody;
    }
    proceedTo(request, withBody);
  }

  // --- redirects and challenges ---

  void onRedirect(RealLoad l, Request newRequest, Response redirect) {
    Runnable after = null;
    synchronized (this) {
      if (load != l || completing || phase != Phase.WAITING_RESPONSE) {
        return;
      }
      timers.touch();
      switch (RedirectPolicy.onRedirect(newRequest, redirectCount)) {
        case DELIVER:
          after = deliverResponse(redirect);
          break;
        case FAIL:
          after = complete(RedirectPolicy.tooManyRedirects(newRequest));
          break;
        default:
          phase = Phase.AWAITING_REDIRECT_DECISION;
          redirectResponse = redirect;
          TaskDelegate d = events.pick(TaskDelegate.class, "willPerformHttpRedirection");
          if (d != null) {
            Consumer<@Nullable Request> handler = events.once("willPerformHttpRedirection", this::redirectDecided);
            events.post("willPerformHttpRedirection",
                () -> d.willPerformHttpRedirection(session, this, redirect, newRequest, handler));
          } else {
            after = () -> redirectDecided(newRequest);
          }
      }
    }
    finish(after);
  }

  private void redirectDecided(@Nullable Request next) {
    Runnable after = null;
    RealLoad old = null;
    RedirectPolicy.Decision decision;
    Response followed;
    synchronized (this) {
      if (completing || phase != Phase.AWAITING_REDIRECT_DECISION) {
        return;
      }
      followed = redirectResponse;
      redirectResponse = null;
      decision = RedirectPolicy.decided(currentRequest, followed, next);
      if (decision.failure() != null) {
        after = complete(decision.failure());
      } else if (decision.follows()) {
        timers.touch();
        if (decision.crossOrigin()) {
          auth.leftOrigin(); // credentials never follow another origin
        }
        old = load;
        load = null;
        redirectCount++;
        currentRequest = decision.next();
        pending.clear();
        backlog = 0;
        phase = Phase.WAITING_RESPONSE;
      } else {
        // Not followed: the redirect response is the final one, its body the task's data.
        timers.touch();
        for (byte[] chunk : pending) {
          bytesReceived += chunk.length;
        }
        after = deliverResponse(followed);
      }
    }
    if (!decision.follows()) {
      finish(after);
      if (decision.delivers()) {
        fireDemand();
      }
      return;
    }
    events.kick();
    if (old != null && !old.isFinished()) {
      old.stop();
    }
    Request to = decision.next();
    events.notify("redirected", x -> x.redirected(this, followed, to));
    proceedTo(to, decision.keepsBody());
  }

  void onChallenge(RealLoad l, List<HttpChallenge> offered, Response r) {
    Runnable after;
    synchronized (this) {
      if (load != l || completing || phase != Phase.WAITING_RESPONSE) {
        return;
      }
      timers.touch();
      phase = Phase.AWAITING_CHALLENGE;
      after = authStep(auth.challenged(offered, r, currentRequest));
    }
    if (!offered.isEmpty()) {
      ProtectionSpace space = offered.get(0).protectionSpace();
      events.notify("challengeReceived", x -> x.challengeReceived(this, space, r));
    }
    finish(after);
  }

  @Override
  public void challengeAnswered(HttpChallenge c, Authenticator.Answer answer, @Nullable Credential credential) {
    if (answer == Authenticator.Answer.CANCEL) {
      cancel();
      return;
    }
    Runnable after = null;
    RealLoad old = null;
    Request retry = null;
    synchronized (this) {
      if (completing || phase != Phase.AWAITING_CHALLENGE || !auth.isCurrent(c)) {
        return;
      }
      timers.touch();
      Authenticator.Step step = auth.answered(c, answer, credential, currentRequest);
      if (step == Authenticator.Step.RETRY) {
        old = load;
        load = null;
        pending.clear();
        backlog = 0;
        phase = Phase.WAITING_RESPONSE;
        retry = currentRequest;
      } else {
        after = authStep(step);
      }
    }
    if (retry == null) {
      finish(after);
      fireDemand();
      return;
    }
    events.kick();
    if (old != null && !old.isFinished()) {
      old.stop();
    }
    proceedTo(retry, true);
  }

  /** What an authenticator's step leaves to run. Caller holds the lock. */
  private @Nullable Runnable authStep(Authenticator.Step step) {
    switch (step) {
      case ANSWER_BY_DEFAULT:
        HttpChallenge c = auth.current();
        return () -> challengeAnswered(c, Authenticator.Answer.DEFAULT, null);
      case GIVE_UP:
        // No credential: the 401 or 407 is the response, its body the data.
        for (byte[] chunk : pending) {
          bytesReceived += chunk.length;
        }
        return deliverResponse(auth.takeChallengeResponse());
      default:
        return null; // asked: the answer comes back to challengeAnswered
    }
  }

  /** A new TLS connection of {@code l} presented {@code trust}: see {@link Authenticator#serverTrust}. */
  void evaluateServerTrust(RealLoad l, ServerTrust trust, Consumer<Boolean> decision) {
    Boolean now;
    synchronized (this) {
      now = load != l || completing ? Boolean.FALSE // the load is no longer wanted
          : auth.serverTrust(l.request().url(), trust, decision, this::cancel);
    }
    if (now != null) {
      decision.accept(now);
    } else {
      events.kick();
    }
  }

  /** The server of {@code l} asked for a client certificate: see {@link Authenticator#clientCertificate}. */
  void clientCertificateRequested(RealLoad l, ProtectionSpace space, Consumer<ClientIdentities.Answer> decision) {
    ClientIdentities.Answer now;
    synchronized (this) {
      now = load != l || completing ? ClientIdentities.Answer.CANCEL
          : auth.clientCertificate(space, decision, this::cancel);
    }
    if (now != null) {
      decision.accept(now);
    } else {
      events.kick();
    }
  }

  /** Where the current load of a resuming download starts, for handlers other than HTTP. */
  synchronized @Nullable ResumePoint resumePoint(RealLoad l) {
    return load == l ? sink.resumePoint() : null;
  }

  /** A handler other than HTTP told the resource's validators, before its response. */
  synchronized void onResourceValidated(RealLoad l, @Nullable String lastModified, long size,
      boolean continuesAtOffset) {
    if (load == l && !completing) {
      sink.validated(lastModified, size, continuesAtOffset);
    }
  }

  // --- the body ---

  /**
   * Moves pending data to the sink while the task may deliver, and completes the task once the
   * load finished and everything was handed over. Caller holds the lock; returns what to run
   * after releasing it.
   */
  private @Nullable Runnable pump() {
    if (phase != Phase.RECEIVING || state != State.RUNNING || completing) {
      return null;
    }
    boolean copy = sink.handsOver();
    while (!pending.isEmpty()) {
      byte[] chunk = pending.poll();
      cache.keep(chunk, copy);
      try {
        if (sink.take(chunk)) {
          backlog -= chunk.length;
        }
      } catch (SessionException e) {
        return complete(e);
      }
    }
    return loadFinished ? complete(null) : null;
  }

  /** A chunk handed to the delegate was taken. */
  void delivered(int n) {
    boolean demand;
    synchronized (this) {
      backlog -= n;
      timers.touch();
      demand = backlog < BACKLOG_LIMIT / 2;
    }
    if (demand) {
      fireDemand();
    }
  }

  synchronized boolean wantsData(RealLoad l) {
    return load == l && !completing && state == State.RUNNING && phase != Phase.AWAITING_DISPOSITION
        && backlog < BACKLOG_LIMIT;
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

  /** Turns this data task into a download task that continues the same load. */
  private void becomeDownload() {
    RealTask download;
    Runnable after;
    synchronized (this) {
      if (completing || phase != Phase.AWAITING_DISPOSITION) {
        return;
      }
      DataDelegate d = events.pick(DataDelegate.class, "didBecomeDownloadTask");
      download = session.newHandedOverDownloadTask(this, events.taskDelegate());
      events.shareListener(download.events); // one observation for the whole transfer
      if (d != null) {
        RealTask dl = download;
        events.post("didBecomeDownloadTask", () -> d.didBecomeDownloadTask(session, (DataTask) this, (DownloadTask) dl));
      }
      // This data task ends here, silently: no more messages (URLSESSION-BEHAVIOUR.md 3.8).
      completing = true;
      timers.stop();
      RealLoad l = load;
      load = null;
      List<byte[]> data = new ArrayList<>(pending);
      pending.clear();
      backlog = 0;
      after = download.adopt(l, response, data, loadFinished, transactions, intervalStart, redirectCount,
          currentRequest);
      events.postPlain(() -> {
        markCompleted();
        completion().complete(this);
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
    timers.touch();
    timers.start(idleNanos(), true);
    for (byte[] chunk : data) {
      pending.add(chunk);
      backlog += chunk.length;
    }
    long carried = backlog;
    Runnable after = deliverResponse(r);
    bytesReceived = carried;
    return after;
  }

  // --- completion and deadlines ---

  /**
   * Completes the task with {@code failure} (null for success): stops its clocks and load, lets
   * the sink settle the body and posts the completion. Caller holds the lock; returns what to run
   * after releasing it.
   */
  private @Nullable Runnable complete(@Nullable SessionException failure) {
    if (completing) {
      return null;
    }
    completing = true;
    timers.stop();
    RealLoad old = load;
    load = null;
    pending.clear();
    backlog = 0;
    Runnable storeInCache = failure == null ? proposeForCache() : null;
    cache.drop();
    BodySink.Finished body = sink.finish(failure, currentRequest);
    error = body.error();
    TaskMetrics metrics = null;
    if (started && TaskCompletion.metricsWanted(events)) {
      List<TransactionMetrics> list = new ArrayList<>(transactions.size());
      for (TransactionRecorder t : transactions) {
        list.add(t.toMetrics());
      }
      metrics = new TaskMetrics(list, intervalStart, Instant.now(), redirectCount);
    }
    TaskCompletion completion = new TaskCompletion(session, this, events, route, new TaskCompletion.Outcome(
        response, error, body.body(), body.location(), body.resumeData(), metrics, storeInCache,
        cache.storesToDisk()), resumeDataFuture);
    boolean direct = completion.direct();
    if (!direct) {
      events.postPlain(completion::run);
    }
    java.nio.file.Path delete = body.toDelete();
    return () -> {
      if (old != null && !old.isFinished()) {
        old.stop();
      }
      if (delete != null) {
        FileSink.deleteQuietly(delete);
      }
      session.taskFinished(this);
      if (direct) {
        completion.run();
      }
    };
  }

  /**
   * A body from the network that may be cached: offers it to {@code willCacheResponse} (queued
   * before the completion) or returns the store, which the completion runs first. Caller holds
   * the lock.
   */
  private @Nullable Runnable proposeForCache() {
    CachedResponse proposed = cache.proposal(response);
    if (proposed == null || transactions.isEmpty()) {
      return null;
    }
    TransactionRecorder t = transactions.get(transactions.size() - 1);
    Instant requested = t.requestStart != null ? t.requestStart : t.fetchStart;
    Instant received = t.responseStart != null ? t.responseStart : Instant.now();
    DataDelegate d = route.handlerMode() ? null : events.pick(DataDelegate.class, "willCacheResponse");
    if (d == null) {
      return () -> cache.store(proposed, requested, received);
    }
    Consumer<@Nullable CachedResponse> handler = events.once("willCacheResponse", chosen -> {
      if (chosen != null) {
        cache.store(chosen, requested, received);
      }
    });
    events.post("willCacheResponse", () -> d.willCacheResponse(session, (DataTask) this, proposed, handler));
    return null;
  }

  private long idleNanos() {
    Request r = currentRequest;
    return TaskTimers.nanos(r.isTimeoutIntervalSet() ? r.timeoutInterval()
        : session.configuration().timeoutIntervalForRequest());
  }

  /** Called by the session's deadline sweep and the task's precise timer. */
  @Override
  public void checkDeadlines(long now) {
    if (!timers.watched()) {
      return; // not started, or completing: no lock taken
    }
    Runnable after;
    synchronized (this) {
      if (completing || !timers.watched()) {
        return;
      }
      String expired = timers.expired(now, idleNanos(), state == State.RUNNING);
      if (expired == null) {
        return;
      }
      after = complete(new SessionException(Code.TIMED_OUT, currentRequest.url(), expired, null));
    }
    finish(after);
  }
}
