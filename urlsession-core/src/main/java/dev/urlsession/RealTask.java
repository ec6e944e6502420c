package dev.urlsession;

import dev.urlsession.SessionException.Code;
import dev.urlsession.internal.TransactionRecorder;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The state machine of a task loaded in this process (URLSESSION-BEHAVIOUR.md 2.2, 3.3 to 3.8):
 * its state and suspensions, the flow of its body to its {@link BodySink}, and its one completion.
 * The loads up to the final response are its {@link LoadChain}'s, its clocks its
 * {@link TaskTimers}, what its completion delivers a {@link TaskCompletion}; its {@link TaskKind}
 * decides what it sends and where its body goes. Loads report through {@link RealLoad}.
 *
 * <p>Concurrency: its fields, and its collaborators', are guarded by {@code this}. Events arrive
 * from user threads (resume, suspend, cancel, delegate answers), I/O threads (the current load)
 * and timers. Each event takes the lock, updates state and <em>posts</em> delegate calls to the
 * session's serial queue while still holding it, so that the calls of one task are queued in the
 * order of its state changes. User code, handler code and queue kicks run only after the lock is
 * released: methods that change state return what is left to run then.
 */
abstract class RealTask extends LocalTask implements TaskTimers.Owner, LoadChain.Host {
  /** Undelivered body bytes above which the task stops asking the connection for more. */
  static final long BACKLOG_LIMIT = 1024 * 1024;

  /** Where the body of the final response stands: none yet, waiting for the delegate's disposition, flowing. */
  private enum BodyPhase { NONE, AWAITING_DISPOSITION, RECEIVING }

  final TaskKind kind;
  final ResultRoute route;
  private final TaskTimers timers;
  BodySink sink; // sink, chain, cache and pending: created by prepare() before any load (a queued task has none)
  LoadChain chain;
  private CacheStage cache;
  HostQueue.@Nullable Host host; // the host this task counts for (HostQueue's lock)

  // --- guarded by this ---
  private BodyPhase bodyPhase = BodyPhase.NONE;
  private @Nullable Instant intervalStart;
  /** Body chunks not yet handed to the sink, and the bytes the sink or its delegate still hold. */
  private ArrayDeque<byte[]> pending; // most bodies: one chunk; created by prepare()
  private long backlog;
  private @Nullable CompletableFuture<@Nullable ResumeData> resumeDataFuture;

  RealTask(TaskSpec spec) {
    super(spec.session, spec.taskIdentifier, spec.request, spec.taskDelegate);
    this.kind = spec.kind;
    this.route = new ResultRoute(spec.dataHandler, spec.fileHandler, spec.callerOwnsFile, spec.future);
    this.timers = new TaskTimers(this, spec.session.configuration().timeoutIntervalForResource());
    this.bytesExpectedToSend = kind.bytesExpectedToSend(spec.request);
  }

  /** Creates what loading needs, once; caller holds the lock. */
  private void prepare() {
    if (chain == null) {
      cache = new CacheStage(kind.usesCache() ? session.configuration().httpCache() : null,
          session.configuration().requestCachePolicy());
      sink = kind.newSink(session, this, events, route);
      pending = new ArrayDeque<>(4);
      chain = new LoadChain(session, this, this, events, timers, cache, sink, kind);
    }
  }

  /** Starts loading: at resume, or when the session's {@link HostQueue} lets the task through. */
  void begin() {
    synchronized (this) {
      prepare(); // a task completed meanwhile has what it needs; chain.begin then does nothing
    }
    chain.begin(originalRequest());
  }

  // --- SessionTask ---

  @Override
  public void resume() {
    boolean start = false;
    boolean retry;
    Runnable after = null;
    synchronized (this) {
      Resume resumed = resumeLocked();
      if (resumed == Resume.NONE) {
        return;
      }
      timers.touch();
      if (resumed == Resume.FIRST) {
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
      session.hosts.admit(this);
    } else if (retry) {
      chain.retryConnecting();
    } else {
      fireDemand();
    }
  }

  @Override
  public void suspend() {
    synchronized (this) {
      suspendLocked(); // the idle deadline is not checked while suspended
    }
  }

  @Override
  public void cancel() {
    cancel(null);
  }

  /** Cancels, producing resume data when possible. */
  CompletableFuture<@Nullable ResumeData> cancelProducingResumeData() {
    CompletableFuture<@Nullable ResumeData> f = new CompletableFuture<>();
    cancel(f);
    return f;
  }

  /** Cancels; {@code resumeData}, when given, gets resume data (or null when there is none). */
  private void cancel(@Nullable CompletableFuture<@Nullable ResumeData> resumeData) {
    Runnable after = null;
    synchronized (this) {
      if (state == State.COMPLETED || state == State.CANCELING || completing) {
        if (resumeData != null) {
          events.postPlain(() -> resumeData.complete(null));
        }
      } else {
        prepare();
        if (resumeData != null) {
          sink.produceResumeData();
          resumeDataFuture = resumeData;
        }
        state = State.CANCELING;
        progress.markCancelled();
        after = complete(new SessionException(Code.CANCELLED, currentRequest.url()));
      }
    }
    finish(after);
  }

  @Override
  public String toString() {
    return kind.describe(this);
  }

  private void finish(@Nullable Runnable after) { // what an event left to do outside the lock
    events.kick();
    if (after != null) {
      after.run();
    }
  }

  // --- LoadChain.Host (the lock held) ---

  @Override
  public boolean completing() {
    return completing;
  }

  @Override
  public boolean running() {
    return state == State.RUNNING;
  }

  @Override
  public void countPendingBody() {
    for (byte[] chunk : pending) {
      bytesReceived += chunk.length;
    }
  }

  @Override
  public void dropBody() {
    pending.clear();
    backlog = 0;
  }

  /**
   * Makes {@code r} the task's final response and starts its body as the sink says: receive it,
   * ask the delegate's disposition first, load again, or fail. Returns what to run after.
   */
  @Override
  public @Nullable Runnable deliver(Response r) {
    response = r;
    cache.bodyFollows(r);
    bytesExpectedToReceive = FileSink.isIdentity(r) ? r.expectedContentLength() : -1;
    BodySink.Counts counts = new BodySink.Counts(bytesReceived, bytesExpectedToReceive);
    BodySink.Start start = sink.start(r, currentRequest, counts);
    bytesReceived = counts.received;
    bytesExpectedToReceive = counts.expected;
    if (start.failure != null) {
      return complete(start.failure);
    }
    if (start.reload) {
      RealLoad old = chain.detach();
      dropBody();
      Request request = currentRequest;
      return () -> {
        if (old != null) {
          old.stop();
        }
        chain.startLoad(request, null);
      };
    }
    DataDelegate d = start.askDisposition;
    if (d != null) {
      bodyPhase = BodyPhase.AWAITING_DISPOSITION;
      Consumer<ResponseDisposition> handler = events.once("didReceiveResponse", this::dispositionDecided);
      events.post("didReceiveResponse", () -> d.didReceiveResponse(session, (DataTask) this, r, handler));
      return null;
    }
    bodyPhase = BodyPhase.RECEIVING;
    return pump();
  }

  private void dispositionDecided(ResponseDisposition disposition) {
    if (disposition == null || disposition == ResponseDisposition.CANCEL) {
      cancel();
      return;
    }
    if (disposition == ResponseDisposition.BECOME_DOWNLOAD || disposition == ResponseDisposition.BECOME_STREAM) {
      handOver(disposition == ResponseDisposition.BECOME_STREAM);
      return;
    }
    Runnable after;
    synchronized (this) {
      if (completing || bodyPhase != BodyPhase.AWAITING_DISPOSITION) {
        return;
      }
      timers.touch();
      bodyPhase = BodyPhase.RECEIVING;
      after = pump();
    }
    finish(after);
    fireDemand();
  }

  // --- the body: what the current load reports ---

  /** Returns false when {@code l} is not the task's load (any more). */
  boolean onData(RealLoad l, byte[] data) {
    Runnable after;
    synchronized (this) {
      if (!chain.isCurrent(l) || completing) {
        return chain.isCurrent(l);
      }
      timers.touch();
      if (!chain.delivered()) {
        pending.add(data); // a redirect's or challenge's body: kept until decided, not counted
        backlog += data.length;
        return true;
      }
      after = take(data);
    }
    finish(after);
    return true;
  }

  /** A piece of the final response's body arrived. Caller holds the lock; returns what to run after. */
  @Nullable Runnable take(byte[] data) {
    bytesReceived += data.length;
    pending.add(data);
    backlog += data.length;
    return pump();
  }

  /** The sink takes the bytes straight from the load's buffer when nothing is queued before them. */
  boolean onDataDirect(RealLoad l, ByteBuffer src) {
    Runnable after = null;
    synchronized (this) {
      if (!chain.isCurrent(l) || completing || bodyPhase != BodyPhase.RECEIVING || state != State.RUNNING
          || !pending.isEmpty()) {
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

  boolean onFinish(RealLoad l) { // false when l is not the task's load (any more)
    Runnable after;
    synchronized (this) {
      if (!chain.isCurrent(l) || completing) {
        return chain.isCurrent(l);
      }
      timers.touch();
      chain.finished();
      after = pump();
    }
    finish(after);
    return true;
  }

  void onBodyDataSent(RealLoad l, long n) {
    synchronized (this) {
      if (!chain.isCurrent(l) || completing) {
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

  /**
   * Moves pending data to the sink while the task may deliver, and completes the task once the
   * load finished and everything was handed over. Caller holds the lock; returns what to run
   * after releasing it.
   */
  private @Nullable Runnable pump() {
    if (bodyPhase != BodyPhase.RECEIVING || state != State.RUNNING || completing) {
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
    return chain.loadFinished() ? complete(null) : null;
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
    return chain.isCurrent(l) && !completing && state == State.RUNNING
        && bodyPhase != BodyPhase.AWAITING_DISPOSITION && backlog < BACKLOG_LIMIT;
  }

  void fireDemand() {
    RealLoad l;
    synchronized (this) {
      l = chain == null ? null : chain.current();
    }
    if (l != null) {
      l.demand();
    }
  }

  // --- a data task becoming a download task or a read-only stream task (URLSESSION-BEHAVIOUR.md 3.8) ---

  private void handOver(boolean toStream) {
    RealTask download = null;
    Runnable after = null;
    synchronized (this) {
      if (completing || bodyPhase != BodyPhase.AWAITING_DISPOSITION) {
        return;
      }
      // This data task ends here, silently: no more messages.
      completing = true;
      timers.stop();
      RealLoad l = chain.detach();
      List<byte[]> data = new ArrayList<>(pending);
      dropBody();
      // A stream task is not observed: the data task's observation ends with the hand-over.
      TaskMetrics m = toStream && events.observed()
          ? TaskCompletion.metrics(chain.transactions(), intervalStart, chain.redirectCount()) : null;
      if (toStream) {
        StreamTasks.handOver(this, l, data, chain.loadFinished());
      } else {
        DataDelegate d = events.pick(DataDelegate.class, "didBecomeDownloadTask");
        RealTask dl = session.newHandedOverDownloadTask(this, events.taskDelegate());
        session.hosts.handOver(this, dl); // before the download can complete
        events.shareListener(dl.events); // one observation for the whole transfer
        if (d != null) {
          events.post("didBecomeDownloadTask", () -> d.didBecomeDownloadTask(session, (DataTask) this, (DownloadTask) dl));
        }
        after = dl.adopt(l, response, data, chain.loadFinished(), chain.transactions(), intervalStart,
            chain.redirectCount(), currentRequest);
        download = dl;
      }
      events.postPlain(() -> {
        events.completed(m, null);
        markCompleted();
        completion().complete(this);
      });
    }
    session.taskFinished(this);
    finish(after);
    if (download != null) {
      download.fireDemand();
    }
  }

  /** Takes over a load from a data task that became this download task. */
  private synchronized @Nullable Runnable adopt(@Nullable RealLoad l, Response r, List<byte[]> data,
      boolean finished, List<TransactionRecorder> previous, @Nullable Instant start, int redirects,
      Request request) {
    prepare();
    started = true;
    state = State.RUNNING;
    suspendCount = 0;
    intervalStart = start;
    currentRequest = request;
    chain.adopt(l, finished, previous, redirects);
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
    Runnable after = deliver(r);
    bytesReceived = carried;
    return after;
  }

  // --- completion and deadlines ---

  /**
   * Completes the task with {@code failure} (null for success): stops its clocks and load, lets
   * the sink settle the body and posts the completion. Caller holds the lock; returns what to run
   * after releasing it.
   */
  @Override
  public @Nullable Runnable complete(@Nullable SessionException failure) {
    if (completing) {
      return null;
    }
    prepare(); // cancelled or timed out before it started loading
    completing = true;
    timers.stop();
    RealLoad old = chain.detach();
    dropBody();
    DataDelegate cacheDelegate = route.handlerMode() ? null : events.pick(DataDelegate.class, "willCacheResponse");
    Runnable storeInCache = failure == null ? cache.propose(response, chain.transactions(), cacheDelegate,
        call -> events.post("willCacheResponse", call), d -> (p, h) -> d.willCacheResponse(session, (DataTask) this, p, h))
        : null;
    cache.drop();
    BodySink.Finished body = sink.finish(failure, currentRequest);
    error = body.error();
    TaskMetrics metrics = started && TaskCompletion.metricsWanted(events)
        ? TaskCompletion.metrics(chain.transactions(), intervalStart, chain.redirectCount()) : null;
    TaskCompletion completion = new TaskCompletion(session, this, events, route, new TaskCompletion.Outcome(
        response, error, body.body(), body.location(), body.resumeData(), metrics, storeInCache),
        resumeDataFuture);
    boolean direct = completion.direct();
    if (!direct) {
      events.postPlain(completion::run);
    }
    Path delete = body.toDelete();
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

  @Override
  public void connectivityRetryDue() {
    synchronized (this) {
      timers.connectivityRetryFired(state == State.RUNNING);
      if (completing || state != State.RUNNING) {
        return;
      }
    }
    chain.retryConnecting();
  }
}
