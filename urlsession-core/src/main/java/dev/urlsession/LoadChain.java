package dev.urlsession;

import dev.urlsession.SessionException.Code;
import dev.urlsession.internal.BuiltInHandler;
import dev.urlsession.internal.CacheReplay;
import dev.urlsession.internal.CacheRules;
import dev.urlsession.internal.ClientIdentities;
import dev.urlsession.internal.ErrorMapper;
import dev.urlsession.internal.HttpChallenge;
import dev.urlsession.internal.RequestBody;
import dev.urlsession.internal.TransactionRecorder;
import dev.urlsession.spi.ProtocolHandler;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The loads that answer a task's request, up to its final response (URLSESSION-BEHAVIOUR.md 3.3
 * to 3.5): the first load, each redirect the delegate lets it follow ({@link RedirectPolicy}),
 * each challenge answered ({@link Authenticator}), each retry after waiting for connectivity
 * ({@link TaskTimers}), each with what the cache says ({@link CacheStage}) and what the handler
 * and cookies make of the request ({@link RequestPreparer}). The final response goes to the task
 * ({@link Host#deliver}), whose body follows. One chain per task; its fields are guarded by the
 * task's lock.
 */
final class LoadChain implements Authenticator.Answers {
  private static final Logger log = LoggerFactory.getLogger(LoadChain.class);

  /** The task, seen by its chain; every method is called with the task's lock held. */
  interface Host {
    boolean completing();

    /** Completes the task; returns what to run after releasing the lock. */
    @Nullable Runnable complete(SessionException failure);

    /** {@code r} is the task's final response: its body follows. Returns what to run after. */
    @Nullable Runnable deliver(Response r);

    /** The body that arrived with the last response belongs to the response now delivered: count it. */
    void countPendingBody();

    /** The body that arrived with the last response was not the task's: drop it. */
    void dropBody();

    /** Whether the task runs (is not suspended). */
    boolean running();
  }

  private enum Phase {
    /** Waiting for the current load's response. */
    WAITING_RESPONSE,
    /** A redirect response arrived; waiting for the delegate to decide. */
    AWAITING_REDIRECT_DECISION,
    /** A 401 or 407 arrived; waiting for a challenge to be answered. */
    AWAITING_CHALLENGE,
    /** The final response was delivered. */
    DELIVERED
  }

  private final RealSession session;
  private final RealTask task;
  private final Host host;
  private final TaskEvents events;
  private final TaskTimers timers;
  private final Authenticator auth;
  private final CacheStage cache;
  private final BodySink sink;
  private final TaskKind kind;
  // --- guarded by the task's lock ---
  private Phase phase = Phase.WAITING_RESPONSE;
  private @Nullable RealLoad load;
  private boolean loadFinished;
  /** Whether the current load carries the upload body (so a retry sends it again). */
  private boolean loadWithUploadBody = true;
  /** Whether no load has started yet: a request body stream is opened once, then asked for. */
  private boolean firstLoad = true;
  private @Nullable Response redirectResponse;
  private int redirectCount;
  private final List<TransactionRecorder> transactions = new ArrayList<>(1);

  LoadChain(RealSession session, RealTask task, Host host, TaskEvents events, TaskTimers timers,
      CacheStage cache, BodySink sink, TaskKind kind) {
    this.session = session;
    this.task = task;
    this.host = host;
    this.events = events;
    this.timers = timers;
    this.auth = new Authenticator(session, task, events, this);
    this.cache = cache;
    this.sink = sink;
    this.kind = kind;
  }

  // --- what the task asks (its lock held) ---

  /** Whether {@code l} is the current load (reports of an older one are ignored). */
  boolean isCurrent(RealLoad l) {
    return load == l;
  }

  @Nullable RealLoad current() {
    return load;
  }

  /** Whether the final response was delivered (the body that arrives now is the task's). */
  boolean delivered() {
    return phase == Phase.DELIVERED;
  }

  boolean loadFinished() {
    return loadFinished;
  }

  /** The current load finished sending its body. */
  void finished() {
    loadFinished = true;
  }

  /** Lets go of the current load (the task completes or hands over); returns it to stop. */
  @Nullable RealLoad detach() {
    RealLoad l = load;
    load = null;
    return l;
  }

  int redirectCount() {
    return redirectCount;
  }

  List<TransactionRecorder> transactions() {
    return transactions;
  }

  /** Takes over the loads of a data task that became this download task: its final response was delivered. */
  void adopt(@Nullable RealLoad l, boolean finished, List<TransactionRecorder> previous, int redirects) {
    phase = Phase.DELIVERED;
    load = l;
    loadFinished = finished;
    transactions.addAll(previous);
    redirectCount = redirects;
  }

  /** {@code r} is the final response: the credential in use worked unless it is a challenge; the task takes the body. */
  private @Nullable Runnable deliver(Response r) {
    phase = Phase.DELIVERED;
    auth.responded(r);
    return host.deliver(r);
  }

  // --- loading (called without the lock) ---

  /** The first load: checks what the body starts from and what it sends, then proceeds. */
  void begin(Request original) {
    SessionException invalid;
    synchronized (task) {
      if (host.completing()) {
        return;
      }
      invalid = sink.prepare();
    }
    if (invalid == null) {
      invalid = kind.checkBeforeStart(original.url());
    }
    if (invalid != null) {
      fail(invalid);
      return;
    }
    proceedTo(original, true);
  }

  private void fail(SessionException failure) {
    Runnable after;
    synchronized (task) {
      after = host.complete(failure);
    }
    finish(after);
  }

  private void finish(@Nullable Runnable after) {
    events.kick();
    if (after != null) {
      after.run();
    }
  }

  /** Loads {@code request}, with the upload body when {@code withUploadBody}. */
  private void proceedTo(Request request, boolean withUploadBody) {
    boolean resend;
    synchronized (task) {
      loadWithUploadBody = withUploadBody;
      resend = !firstLoad;
      firstLoad = false;
    }
    if (kind.streamsBody(request, withUploadBody, resend)) {
      askForBodyStream(request);
      return;
    }
    RequestBody body;
    try {
      body = kind.body(request, withUploadBody);
    } catch (RuntimeException e) {
      fail(new SessionException(Code.REQUEST_BODY_STREAM_EXHAUSTED, request.url(),
          "The request body stream could not be opened: " + e, e));
      return;
    }
    startLoad(request, body);
  }

  /** Asks the delegate for a new body stream, then loads. */
  private void askForBodyStream(Request request) {
    Runnable after = null;
    synchronized (task) {
      if (host.completing()) {
        return;
      }
      TaskDelegate d = events.pick(TaskDelegate.class, "needNewBodyStream");
      if (d == null) {
        after = host.complete(new SessionException(Code.REQUEST_BODY_STREAM_EXHAUSTED, request.url(),
            "The request body stream is exhausted: no delegate implements needNewBodyStream", null));
      } else {
        Consumer<@Nullable InputStream> handler = events.once("needNewBodyStream", stream -> {
          if (stream == null) {
            fail(new SessionException(Code.REQUEST_BODY_STREAM_EXHAUSTED, request.url(),
                "The request body stream is exhausted: needNewBodyStream gave none", null));
          } else {
            startLoad(request, RequestBody.of(stream, request.declaredContentLength()));
          }
        });
        events.post("needNewBodyStream", () -> d.needNewBodyStream(session, task, handler));
      }
    }
    finish(after);
  }

  /** Starts a load of {@code request} sending {@code body}. */
  void startLoad(Request request, @Nullable RequestBody body) {
    RequestPreparer.Choice choice;
    synchronized (task) {
      if (host.completing()) {
        discard(body);
        return;
      }
      choice = RequestPreparer.handler(session, request);
    }
    ProtocolHandler handler = choice.handler();
    if (handler == null) {
      discard(body);
      fail(choice.failure());
      return;
    }
    Request canonical = RequestPreparer.canonical(handler, request, task);
    CacheRules.Decision decision = cache.decide(canonical);
    if (decision != null && decision.action() == CacheRules.Action.FAIL) {
      discard(body);
      fail(new SessionException(Code.CANNOT_LOAD_FROM_NETWORK, canonical.url(),
          "The resource is not in the cache and the cache policy forbids the network", null));
      return;
    }
    Request keyRequest = canonical;
    if (decision != null && decision.action() == CacheRules.Action.USE_CACHED) {
      handler = new CacheReplay(decision.entry());
      events.notify("cacheHit", l -> l.cacheHit(task));
    } else if (decision != null) {
      canonical = decision.applyTo(canonical);
      if (decision.action() == CacheRules.Action.LOAD) {
        events.notify("cacheMiss", l -> l.cacheMiss(task));
      }
    }
    if (events.observed() && !(handler instanceof CacheReplay)) {
      canonical = events.requestWillBeSent(canonical);
    }
    RealLoad newLoad;
    synchronized (task) {
      if (host.completing()) {
        discard(body);
        return;
      }
      cache.begin(decision, keyRequest);
      if (auth.untouched() && redirectCount == 0) {
        auth.preempt(canonical);
      }
      Request sent = RequestPreparer.withCookies(session.configuration(), sink.decorate(canonical), handler);
      newLoad = new RealLoad(task, sent, handler, body, auth.headers());
      load = newLoad;
      loadFinished = false;
      phase = Phase.WAITING_RESPONSE;
      transactions.add(newLoad.recorder);
    }
    try {
      if (handler instanceof BuiltInHandler) {
        ((BuiltInHandler) handler).startLoading(newLoad, newLoad); // the engine's support as well
      } else {
        handler.startLoading(newLoad);
      }
    } catch (RuntimeException e) {
      log.error("ProtocolHandler.startLoading threw for {}", task, e);
      newLoad.didFail(ErrorMapper.map(e, canonical.url()));
    }
  }

  /** Closes a body stream that will not be sent. */
  private static void discard(@Nullable RequestBody body) {
    if (body != null) {
      body.discard();
    }
  }

  /** Loads the current request again after waiting for connectivity. */
  void retryConnecting() {
    Request request;
    boolean withBody;
    synchronized (task) {
      if (host.completing()) {
        return;
      }
      timers.touch();
      request = task.currentRequest;
      withBody = loadWithUploadBody;
    }
    proceedTo(request, withBody);
  }

  // --- what the current load reports (called without the lock) ---

  void onResponse(RealLoad l, Response r) {
    Runnable after;
    CacheStage.NotModified notModified;
    boolean revalidated;
    synchronized (task) {
      if (load != l || host.completing() || phase != Phase.WAITING_RESPONSE) {
        return;
      }
      timers.touch();
      timers.connected();
      revalidated = cache.revalidates();
      notModified = cache.onResponse(r, l.recorder);
      after = deliver(notModified == null ? r : notModified.response());
      if (notModified != null && notModified.body().length > 0) {
        Runnable more = task.take(notModified.body()); // still valid: the body comes from the cache
        after = after == null ? more : after;
      }
    }
    finish(after);
    if (notModified != null && notModified.refresh() != null) {
      notModified.refresh().run();
    }
    if (revalidated) {
      if (notModified != null) {
        events.notify("cacheConditionalHit", x -> x.cacheConditionalHit(task));
      } else {
        events.notify("cacheMiss", x -> x.cacheMiss(task));
      }
    }
  }

  /** Returns false when {@code l} is not the task's load (any more). */
  boolean onFail(RealLoad l, SessionException e) {
    Runnable after;
    synchronized (task) {
      if (load != l || host.completing()) {
        return load == l;
      }
      after = waitsForConnectivity(e) ? waitForConnectivity() : host.complete(e);
    }
    finish(after);
    return true;
  }

  /** Whether {@code e} means no connection could be made and the configuration waits for one. */
  private boolean waitsForConnectivity(SessionException e) {
    Code code = e.code();
    return session.configuration().waitsForConnectivity() && phase == Phase.WAITING_RESPONSE
        && task.response == null && (code == Code.CANNOT_FIND_HOST || code == Code.CANNOT_CONNECT_TO_HOST
            || code == Code.NOT_CONNECTED_TO_INTERNET || code == Code.DNS_LOOKUP_FAILED);
  }

  /** Waits for connectivity, telling the delegate the first time. */
  private @Nullable Runnable waitForConnectivity() {
    RealLoad old = load;
    load = null;
    if (timers.waitForConnectivity()) {
      TaskDelegate d = events.pick(TaskDelegate.class, "taskIsWaitingForConnectivity");
      if (d != null) {
        events.post("taskIsWaitingForConnectivity", () -> d.taskIsWaitingForConnectivity(session, task));
      }
    }
    return old != null && !old.isFinished() ? old::stop : null;
  }

  void onRedirect(RealLoad l, Request newRequest, Response redirect) {
    Runnable after = null;
    synchronized (task) {
      if (load != l || host.completing() || phase != Phase.WAITING_RESPONSE) {
        return;
      }
      timers.touch();
      RedirectPolicy.Proposal proposal = RedirectPolicy.onRedirect(task.currentRequest, newRequest, redirectCount,
          session.configuration().transportSecurity());
      switch (proposal) {
        case DELIVER:
          after = deliver(redirect);
          break;
        case TOO_MANY:
        case INSECURE:
          after = host.complete(RedirectPolicy.failure(proposal, task.currentRequest, newRequest));
          break;
        default:
          phase = Phase.AWAITING_REDIRECT_DECISION;
          redirectResponse = redirect;
          TaskDelegate d = events.pick(TaskDelegate.class, "willPerformHttpRedirection");
          if (d != null) {
            Consumer<@Nullable Request> handler = events.once("willPerformHttpRedirection", this::redirectDecided);
            events.post("willPerformHttpRedirection",
                () -> d.willPerformHttpRedirection(session, task, redirect, newRequest, handler));
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
    synchronized (task) {
      if (host.completing() || phase != Phase.AWAITING_REDIRECT_DECISION) {
        return;
      }
      followed = redirectResponse;
      redirectResponse = null;
      decision = RedirectPolicy.decided(task.currentRequest, followed, next, session.configuration().transportSecurity());
      if (decision.failure() != null) {
        after = host.complete(decision.failure());
      } else if (decision.follows()) {
        timers.touch();
        if (decision.crossOrigin()) {
          auth.leftOrigin(); // credentials never follow another origin
        }
        old = load;
        load = null;
        redirectCount++;
        task.currentRequest = decision.next();
        host.dropBody();
        phase = Phase.WAITING_RESPONSE;
      } else {
        // Not followed: the redirect response is the final one, its body the task's data.
        timers.touch();
        host.countPendingBody();
        after = deliver(followed);
      }
    }
    if (!decision.follows()) {
      finish(after);
      if (decision.delivers()) {
        task.fireDemand();
      }
      return;
    }
    events.kick();
    if (old != null && !old.isFinished()) {
      old.stop();
    }
    Request to = decision.next();
    events.notify("redirected", x -> x.redirected(task, followed, to));
    proceedTo(to, decision.keepsBody());
  }

  void onChallenge(RealLoad l, List<HttpChallenge> offered, Response r) {
    Runnable after;
    synchronized (task) {
      if (load != l || host.completing() || phase != Phase.WAITING_RESPONSE) {
        return;
      }
      timers.touch();
      phase = Phase.AWAITING_CHALLENGE;
      after = authStep(auth.challenged(offered, r, task.currentRequest));
    }
    if (!offered.isEmpty()) {
      ProtectionSpace space = offered.get(0).protectionSpace();
      events.notify("challengeReceived", x -> x.challengeReceived(task, space, r));
    }
    finish(after);
  }

  @Override
  public void challengeAnswered(HttpChallenge c, Authenticator.Answer answer, @Nullable Credential credential) {
    if (answer == Authenticator.Answer.CANCEL) {
      task.cancel();
      return;
    }
    Runnable after = null;
    RealLoad old = null;
    Request retry = null;
    synchronized (task) {
      if (host.completing() || phase != Phase.AWAITING_CHALLENGE || !auth.isCurrent(c)) {
        return;
      }
      timers.touch();
      Authenticator.Step step = auth.answered(c, answer, credential, task.currentRequest);
      if (step == Authenticator.Step.RETRY) {
        old = load;
        load = null;
        host.dropBody();
        phase = Phase.WAITING_RESPONSE;
        retry = task.currentRequest;
      } else {
        after = authStep(step);
      }
    }
    if (retry == null) {
      finish(after);
      task.fireDemand();
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
        host.countPendingBody();
        return deliver(auth.takeChallengeResponse());
      default:
        return null; // asked: the answer comes back to challengeAnswered
    }
  }

  /** A new TLS connection of {@code l} presented {@code trust}: see {@link Authenticator#serverTrust}. */
  void evaluateServerTrust(RealLoad l, ServerTrust trust, Consumer<Boolean> decision) {
    Boolean now;
    synchronized (task) {
      now = load != l || host.completing() ? Boolean.FALSE // the load is no longer wanted
          : auth.serverTrust(l.request().url(), trust, decision, task::cancel);
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
    synchronized (task) {
      now = load != l || host.completing() ? ClientIdentities.Answer.CANCEL
          : auth.clientCertificate(space, decision, task::cancel);
    }
    if (now != null) {
      decision.accept(now);
    } else {
      events.kick();
    }
  }
}
