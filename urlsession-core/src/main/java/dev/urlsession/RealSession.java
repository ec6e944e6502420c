package dev.urlsession;

import dev.urlsession.internal.BuiltInProtocols;
import dev.urlsession.internal.Checks;
import dev.urlsession.internal.Deadlines;
import dev.urlsession.internal.EngineSlot;
import dev.urlsession.internal.HttpEngine;
import dev.urlsession.internal.HttpProtocolHandler;
import dev.urlsession.internal.RequestBody;
import dev.urlsession.internal.SerialQueue;
import dev.urlsession.spi.ProtocolHandler;
import dev.urlsession.spi.ProtocolHandlers;
import dev.urlsession.spi.SessionListener;
import dev.urlsession.spi.SessionStatistics;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The session: owns the HTTP engine, the delegate queue and the set of live tasks.
 *
 * <p>Threading: {@code tasks} is a concurrent map; invalidation is a one-way flag. The delegate is
 * read by any thread and cleared on the delegate queue after {@code didBecomeInvalid}.
 */
final class RealSession implements Session {
  private static final Logger log = LoggerFactory.getLogger(RealSession.class);
  private static volatile @Nullable RealSession shared;

  private final SessionConfiguration configuration;
  private volatile @Nullable SessionDelegate delegate;
  private final Executor delegateQueue;
  final SerialQueue queue;
  private final boolean isShared;
  private volatile @Nullable String sessionDescription;

  private final AtomicLong taskIds = new AtomicLong();
  final HostQueue hosts;
  /** Created tasks that have not completed. */
  private final Map<Long, LiveTask> tasks = new ConcurrentHashMap<>();
  /** The stream tasks' I/O thread and TLS, created with the first stream task. */
  private final StreamTasks streams;
  /** The WebSocket client, created with the first WebSocket task. */
  final WebSocketTasks webSockets;
  /** Download files and the key of their resume data. */
  final DownloadFiles downloads;
  /** Whether {@link Deadlines} sweeps {@code tasks}: while there is any. */
  private volatile boolean sweeping;
  private final Deadlines.Watched deadlineSweep = this::checkDeadlines;
  /**
   * Makes creating a task atomic with invalidation: a task passes the validity check and enters
   * {@code tasks} (its {@code didCreateTask} posted) under this lock, and invalidation sets its
   * flags under it. So {@link #invalidateAndCancel}'s snapshot, taken after, holds every task that
   * was not refused (issue 18 item 8). Held for a map put; never while user code runs.
   */
  private final Object creationLock = new Object();
  private final AtomicBoolean invalidated = new AtomicBoolean();
  /** Set by {@link #invalidateAndCancel}: every task in {@code tasks} is being cancelled. */
  private volatile boolean cancellingAll;
  private final AtomicBoolean invalidationDelivered = new AtomicBoolean();
  private final CompletableFuture<Void> invalid = new CompletableFuture<>();

  /** data:, file:, ftp: and whatever else is built in besides HTTP. */
  private final List<ProtocolHandler> builtIns;
  /**
   * The HTTP engine, made on first use; closed, with the stream and WebSocket machinery, by
   * invalidation, or by the GC for a forgotten session.
   */
  private final EngineSlot engine;
  private final Object engineLock = new Object();
  private @Nullable HttpProtocolHandler httpHandler;

  private RealSession(
      SessionConfiguration configuration,
      @Nullable SessionDelegate delegate,
      @Nullable Executor delegateQueue,
      boolean isShared) {
    this.configuration = configuration;
    this.delegate = delegate;
    this.queue = delegateQueue == null ? SerialQueue.onDefaultPool() : new SerialQueue(delegateQueue);
    this.delegateQueue = delegateQueue == null ? queue : delegateQueue;
    this.isShared = isShared;
    this.builtIns = BuiltInProtocols.create(configuration);
    StreamTasks streamTasks = new StreamTasks(configuration);
    WebSocketTasks webSocketTasks = new WebSocketTasks(configuration);
    this.streams = streamTasks;
    this.webSockets = webSocketTasks;
    this.downloads = new DownloadFiles(configuration.storageDirectory());
    this.hosts = new HostQueue(configuration.httpMaximumConnectionsPerHost());
    // What the slot lets go of with the engine must not reach this session (the GC waits for it).
    this.engine = new EngineSlot(isShared ? null : this, "Session ("
        + (isShared ? "shared" : configuration.kind().name().toLowerCase(java.util.Locale.ROOT)) + ")",
        () -> {
          streamTasks.shutdown();
          webSocketTasks.shutdown();
        });
  }

  static Session create(
      SessionConfiguration configuration,
      @Nullable SessionDelegate delegate,
      @Nullable Executor delegateQueue) {
    Checks.notNull(configuration, "configuration");
    if (configuration.kind() == SessionConfiguration.Kind.BACKGROUND) {
      return BackgroundSession.open(configuration, delegate, delegateQueue);
    }
    return new RealSession(configuration, delegate, delegateQueue, false);
  }

  /** The default-kind session a background session runs its transfers in. */
  static RealSession internal(SessionConfiguration configuration, SessionDelegate delegate) {
    return new RealSession(configuration, delegate, null, false);
  }

  static Session shared() {
    RealSession s = shared;
    if (s == null) {
      synchronized (RealSession.class) {
        s = shared;
        if (s == null) {
          s = new RealSession(SessionConfiguration.defaultConfiguration(), null, null, true);
          shared = s;
        }
      }
    }
    return s;
  }

  // --- configuration and identity ---

  @Override
  public SessionConfiguration configuration() {
    return configuration;
  }

  @Override
  public @Nullable SessionDelegate delegate() {
    return delegate;
  }

  @Override
  public Executor delegateQueue() {
    return delegateQueue;
  }

  @Override
  public @Nullable String sessionDescription() {
    return sessionDescription;
  }

  @Override
  public void sessionDescription(@Nullable String description) {
    this.sessionDescription = description;
  }

  // --- protocol handlers ---

  /** The handler for {@code request}: configured ones, global ones (shared session), built-ins. */
  @Nullable ProtocolHandler handlerFor(Request request) {
    for (ProtocolHandler h : configuration.protocolHandlers()) {
      if (h.canHandle(request)) {
        return h;
      }
    }
    if (isShared) {
      for (ProtocolHandler h : ProtocolHandlers.registered()) {
        if (h.canHandle(request)) {
          return h;
        }
      }
    }
    String scheme = request.url().getScheme();
    if ("http".equalsIgnoreCase(scheme) || "https".equalsIgnoreCase(scheme)) {
      return httpHandler();
    }
    for (ProtocolHandler h : builtIns) {
      if (h.canHandle(request)) {
        return h;
      }
    }
    return null;
  }

  private HttpProtocolHandler httpHandler() {
    synchronized (engineLock) {
      if (httpHandler == null) {
        HttpEngine e = engine.getOrCreate(() -> {
          HttpEngine created = new HttpEngine(configuration);
          created.onHttp2(hosts::learnedHttp2); // its tasks are streams: more of them load at once
          return created;
        });
        httpHandler = new HttpProtocolHandler(e, configuration);
      }
      return httpHandler;
    }
  }

  // --- tasks ---

  private void checkValid() {
    if (invalidated.get()) {
      throw new IllegalStateException(
          "Task created in a session that has been invalidated"
              + (sessionDescription != null ? " (" + sessionDescription + ")" : ""));
    }
  }

  private RealTask register(RealTask task) {
    SessionListener.Factory factory = configuration.sessionListenerFactory();
    if (factory != null) {
      task.events.listenTo(factory);
    }
    admit(task, task.registryKey, task.events);
    return task;
  }

  /**
   * Puts a new task in the session and posts its {@code didCreateTask}, unless the session has
   * been invalidated meanwhile (IllegalStateException, as for a task created after it): the check,
   * the put and the post happen under the creation lock, the queue is kicked after it.
   */
  private void admit(LiveTask task, long key, TaskEvents events) {
    synchronized (creationLock) {
      checkValid(); // again: the session may have been invalidated since the caller looked
      tasks.put(key, task);
      events.postCreated(); // before invalidateAndCancel can reach the task
    }
    events.kick();
    sweepDeadlines();
  }

  /**
   * Has {@link Deadlines} sweep this session's tasks, unless it does already. One watch per
   * session instead of one per task: the tasks' own map is what the sweep walks. Called after a
   * task is put in {@code tasks}.
   */
  private void sweepDeadlines() {
    if (!sweeping) {
      startSweeping();
    }
  }

  /** Whether {@link Deadlines} sweeps this session's tasks now (for tests). */
  boolean sweepingDeadlines() {
    return sweeping;
  }

  private synchronized void startSweeping() {
    if (!sweeping) {
      sweeping = true;
      Deadlines.watch(deadlineSweep);
    }
  }

  /**
   * The sweep: checks the deadlines of every task (those not running return at once), and stops
   * watching once the session has no task. A task put meanwhile either sees {@code sweeping} false
   * and watches again, or is seen here by the second look.
   */
  private void checkDeadlines(long now) {
    for (LiveTask task : tasks.values()) {
      task.checkDeadlines(now);
    }
    if (tasks.isEmpty()) {
      synchronized (this) {
        sweeping = false;
        Deadlines.unwatch(deadlineSweep);
      }
      if (!tasks.isEmpty()) {
        startSweeping();
      }
    }
  }

  private TaskSpec spec(TaskKind kind, Request request) {
    Checks.notNull(request, "request");
    checkValid();
    return new TaskSpec(this, kind, taskIds.incrementAndGet(), request);
  }

  private RealTask newDataTask(Request request, @Nullable CompletionHandler<byte[]> handler,
      @Nullable TaskDelegate taskDelegate) {
    TaskSpec spec = spec(TaskKind.data(), request);
    spec.dataHandler = handler;
    spec.future = handler != null && taskDelegate != null;
    spec.taskDelegate = taskDelegate;
    return register(new RealDataTask(spec));
  }

  private RealTask newUploadTask(Request request, @Nullable byte[] bytes, @Nullable Path file,
      @Nullable CompletionHandler<byte[]> handler, boolean future) {
    RequestBody body = null;
    if (bytes != null) {
      body = RequestBody.of(bytes.clone());
    } else if (file != null) {
      long length;
      try {
        length = Files.isRegularFile(file) ? Files.size(file) : 0;
      } catch (IOException e) {
        length = 0;
      }
      body = RequestBody.of(file, length);
    }
    TaskSpec spec = spec(TaskKind.upload(body, file), request);
    spec.dataHandler = handler;
    spec.future = future;
    return register(new RealUploadTask(spec));
  }

  private RealTask newDownloadTask(Request request, @Nullable ResumeData resumeData,
      @Nullable CompletionHandler<Path> handler, @Nullable TaskDelegate taskDelegate, boolean future) {
    TaskSpec spec = spec(TaskKind.download(resumeData, null), request);
    spec.fileHandler = handler;
    spec.callerOwnsFile = future;
    spec.future = future;
    spec.taskDelegate = taskDelegate;
    return register(new RealDownloadTask(spec));
  }

  /** A suspended download task of a background transfer, checkpointed as it writes. */
  RealTask newCheckpointedDownload(Request request, @Nullable ResumeData resumeData, Checkpointer checkpointer) {
    return register(new RealDownloadTask(spec(TaskKind.download(resumeData, checkpointer), request)));
  }

  /** A suspended upload task of a background transfer. */
  RealTask newFileUpload(Request request, Path file) {
    return newUploadTask(request, null, file, null, false);
  }

  /** The download task a data task becomes (BECOME_DOWNLOAD); it starts running at once. */
  RealTask newHandedOverDownloadTask(RealTask from, @Nullable TaskDelegate taskDelegate) {
    TaskSpec spec = new TaskSpec(this, TaskKind.download(null, null), taskIds.incrementAndGet(),
        from.originalRequest());
    spec.taskDelegate = taskDelegate;
    RealTask task = new RealDownloadTask(spec);
    tasks.put(task.registryKey, task);
    sweepDeadlines();
    return task;
  }

  /** The read-only stream task a data task becomes (BECOME_STREAM); {@code begin()} runs it. */
  RealStreamTask newReadOnlyStreamTask(RealTask from, @Nullable RealLoad load, List<byte[]> body, boolean ended) {
    RealStreamTask task = streams.newReadOnlyTask(this, taskIds.incrementAndGet(), from, load, body, ended);
    tasks.put(task.registryKey(), task);
    sweepDeadlines();
    return task;
  }

  @Override
  public DataTask dataTask(URI url) {
    return dataTask(Request.get(Checks.notNull(url, "url")));
  }

  @Override
  public DataTask dataTask(Request request) {
    return (DataTask) newDataTask(request, null, null);
  }

  @Override
  public DataTask dataTask(URI url, CompletionHandler<byte[]> completionHandler) {
    return dataTask(Request.get(Checks.notNull(url, "url")), completionHandler);
  }

  @Override
  public DataTask dataTask(Request request, CompletionHandler<byte[]> completionHandler) {
    return (DataTask) newDataTask(request, Checks.notNull(completionHandler, "completionHandler"), null);
  }

  @Override
  public UploadTask uploadTask(Request request, byte[] body) {
    return (UploadTask) newUploadTask(request, Checks.notNull(body, "body"), null, null, false);
  }

  @Override
  public UploadTask uploadTask(Request request, byte[] body, CompletionHandler<byte[]> completionHandler) {
    return (UploadTask) newUploadTask(request, Checks.notNull(body, "body"), null,
        Checks.notNull(completionHandler, "completionHandler"), false);
  }

  @Override
  public UploadTask uploadTask(Request request, Path file) {
    return (UploadTask) newUploadTask(request, null, Checks.notNull(file, "file"), null, false);
  }

  @Override
  public UploadTask uploadTask(Request request, Path file, CompletionHandler<byte[]> completionHandler) {
    return (UploadTask) newUploadTask(request, null, Checks.notNull(file, "file"),
        Checks.notNull(completionHandler, "completionHandler"), false);
  }

  @Override
  public UploadTask uploadTask(Request streamedRequest) {
    return (UploadTask) newUploadTask(streamedRequest, null, null, null, false);
  }

  @Override
  public CompletableFuture<DataResponse> upload(Request request, byte[] body) {
    Checks.notNull(body, "body");
    return dataFuture(handler -> newUploadTask(request, body, null, handler, true));
  }

  @Override
  public CompletableFuture<DataResponse> upload(Request request, Path file) {
    Checks.notNull(file, "file");
    return dataFuture(handler -> newUploadTask(request, null, file, handler, true));
  }

  @Override
  public DownloadTask downloadTask(URI url) {
    return downloadTask(Request.get(Checks.notNull(url, "url")));
  }

  @Override
  public DownloadTask downloadTask(Request request) {
    return (DownloadTask) newDownloadTask(request, null, null, null, false);
  }

  @Override
  public DownloadTask downloadTask(ResumeData resumeData) {
    Checks.notNull(resumeData, "resumeData");
    return (DownloadTask) newDownloadTask(resumeData.request(), resumeData, null, null, false);
  }

  @Override
  public boolean discardResumeData(ResumeData resumeData) {
    return downloads.discard(Checks.notNull(resumeData, "resumeData"));
  }

  @Override
  public DownloadTask downloadTask(URI url, CompletionHandler<Path> completionHandler) {
    return downloadTask(Request.get(Checks.notNull(url, "url")), completionHandler);
  }

  @Override
  public DownloadTask downloadTask(Request request, CompletionHandler<Path> completionHandler) {
    return (DownloadTask) newDownloadTask(request, null,
        Checks.notNull(completionHandler, "completionHandler"), null, false);
  }

  @Override
  public DownloadTask downloadTask(ResumeData resumeData, CompletionHandler<Path> completionHandler) {
    Checks.notNull(resumeData, "resumeData");
    return (DownloadTask) newDownloadTask(resumeData.request(), resumeData,
        Checks.notNull(completionHandler, "completionHandler"), null, false);
  }

  @Override
  public CompletableFuture<DownloadResponse> download(Request request) {
    return download(request, null);
  }

  @Override
  public CompletableFuture<DownloadResponse> download(Request request, @Nullable TaskDelegate delegate) {
    Checks.notNull(request, "request");
    return downloadFuture(handler -> newDownloadTask(request, null, handler, delegate, true));
  }

  @Override
  public CompletableFuture<DownloadResponse> download(ResumeData resumeData) {
    Checks.notNull(resumeData, "resumeData");
    return downloadFuture(handler -> newDownloadTask(resumeData.request(), resumeData, handler, null, true));
  }

  private CompletableFuture<DataResponse> dataFuture(
      java.util.function.Function<CompletionHandler<byte[]>, RealTask> create) {
    QueueFuture<DataResponse> future = new QueueFuture<>(queue);
    RealTask task = create.apply((body, response, error) -> {
      if (error != null) {
        future.completeExceptionally(error);
      } else {
        future.complete(new DataResponse(body, response));
      }
    });
    task.route.completeDirectly();
    return startFuture(task, future);
  }

  private CompletableFuture<DownloadResponse> downloadFuture(
      java.util.function.Function<CompletionHandler<Path>, RealTask> create) {
    QueueFuture<DownloadResponse> future = new QueueFuture<>(queue);
    RealTask task = create.apply((location, response, error) -> {
      if (error != null) {
        future.completeExceptionally(error);
      } else if (!future.complete(new DownloadResponse(location, response))) {
        // The caller cancelled the future: nobody owns the file.
        try {
          Files.deleteIfExists(location);
        } catch (IOException e) {
          log.warn("Could not delete download file {}", location, e);
        }
      }
    });
    return startFuture(task, future);
  }

  private static <T> CompletableFuture<T> startFuture(RealTask task, QueueFuture<T> future) {
    future.onCancel(task::cancel);
    task.resume();
    return future;
  }

  @Override
  public StreamTask streamTask(String host, int port) {
    Checks.notNull(host, "host");
    Checks.argument(!host.isBlank(), "host must not be blank");
    Checks.argument(port > 0 && port <= 65535, "port must be 1..65535 but was " + port);
    return newStreamTask(StreamTarget.of(host, port));
  }

  @Override
  public StreamTask streamTask(NetService service) {
    return newStreamTask(StreamTarget.of(Checks.notNull(service, "service")));
  }

  @Override
  public WebSocketTask webSocketTask(Request request) {
    checkValid();
    RealWebSocketTask task = webSockets.newTask(this, taskIds.incrementAndGet(), Checks.notNull(request, "request"));
    admit(task, task.registryKey(), task.events);
    return task;
  }

  private StreamTask newStreamTask(StreamTarget target) {
    checkValid();
    RealStreamTask task = streams.newTask(this, taskIds.incrementAndGet(), target, null);
    admit(task, task.registryKey(), task.events);
    return task;
  }

  @Override
  public CompletableFuture<DataResponse> data(Request request) {
    return data(request, null);
  }

  @Override
  public CompletableFuture<DataResponse> data(Request request, @Nullable TaskDelegate delegate) {
    return dataFuture(handler -> newDataTask(request, handler, delegate));
  }

  /** Called by a task once its completion has been posted to the queue. */
  void taskFinished(LiveTask task) {
    tasks.remove(task.registryKey());
    hosts.finished(task);
    if (invalidated.get()) {
      maybeDeliverInvalidation();
    }
  }

  // --- session management ---

  @Override
  public void finishTasksAndInvalidate() {
    if (isShared) {
      return;
    }
    synchronized (creationLock) {
      if (!invalidated.compareAndSet(false, true)) {
        return;
      }
    }
    maybeDeliverInvalidation();
  }

  @Override
  public void invalidateAndCancel() {
    if (isShared) {
      return;
    }
    synchronized (creationLock) {
      cancellingAll = true;
      invalidated.set(true);
    }
    // Every task not refused by now is in the map: a creation that passed its check is complete.
    for (LiveTask task : new ArrayList<>(tasks.values())) {
      task.cancel();
    }
    maybeDeliverInvalidation();
  }

  private void maybeDeliverInvalidation() {
    boolean cancelling = cancellingAll;
    for (LiveTask task : tasks.values()) {
      // A running task still has to finish; after invalidateAndCancel, so does every task being
      // cancelled, started or not, so that its didComplete comes before didBecomeInvalid.
      if ((cancelling || task.isStarted()) && !task.isCompleting()) {
        return;
      }
    }
    if (!invalidationDelivered.compareAndSet(false, true)) {
      return;
    }
    queue.execute(
        () -> {
          SessionDelegate d = delegate;
          try {
            if (d != null) {
              d.didBecomeInvalid(this, null);
            }
          } catch (RuntimeException e) {
            log.error("SessionDelegate.didBecomeInvalid threw", e);
          } finally {
            delegate = null;
            closeEngine();
            invalid.complete(null);
          }
        });
  }

  private void closeEngine() {
    engine.close(); // the stream and WebSocket machinery too; the engine on a thread of its own
  }

  /** Makes HttpClient answer the proxy of {@code space} with {@code credential}. */
  void useProxyCredential(ProtectionSpace space, Credential credential) {
    HttpEngine e = engine.current();
    if (e != null) {
      e.proxyCredentials().set(space.host(), space.port(), credential.user(), credential.password());
      if (space.authenticationMethod() == AuthenticationMethod.HTTP_BASIC) {
        // The retry carries them at once, instead of meeting the proxy's 407 again.
        e.answerProxyPreemptively(space.host(), space.port(), credential.user(), credential.password());
      }
    }
  }

  /** Connections leased from the pool right now (0 when the HTTP engine was never used). */
  int leasedConnections() {
    HttpEngine e = engine.current();
    return e == null ? 0 : e.poolStatistics().leased();
  }

  @Override
  public SessionStatistics statistics() {
    Map<String, Map<SessionTask.State, Integer>> counts = new java.util.HashMap<>();
    for (LiveTask t : tasks.values()) {
      String kind = t instanceof RealTask r ? r.kind.name() : t instanceof RealWebSocketTask ? "websocket" : "stream";
      counts.computeIfAbsent(kind,
          k -> new java.util.EnumMap<>(SessionTask.State.class)).merge(t.state(), 1, Integer::sum);
    }
    HttpEngine e = engine.current();
    SessionStatistics.ConnectionPool pool = SessionStatistics.ConnectionPool.NONE;
    if (e != null) {
      try {
        pool = e.poolStatistics();
      } catch (RuntimeException closed) {
        // the pool was shut down with the session: nothing is pooled any more
      }
    }
    return new SessionStatistics(counts, pool);
  }

  boolean isInvalidated() {
    return invalidated.get();
  }

  /** Writes the stores to disk (the cache's queued files too), then uses new connections (Apple's {@code flush}). */
  @Override
  public CompletableFuture<Void> flush() {
    CredentialStorage credentials = configuration.credentialStorage();
    if (credentials != null) {
      credentials.flush();
    }
    CookieStorage cookies = configuration.httpCookieStorage();
    if (cookies != null) {
      cookies.flush();
    }
    CacheWriter.awaitWrites(configuration.httpCache());
    return retireConnectionsThenComplete();
  }

  /**
   * Empties the session's cookies, cache and credentials (for default sessions the storages they
   * share with other sessions of the same directory), then makes future requests use new
   * connections (Apple's {@code reset}).
   */
  @Override
  public CompletableFuture<Void> reset() {
    CredentialStorage credentials = configuration.credentialStorage();
    if (credentials != null) {
      credentials.removeAll();
    }
    CookieStorage cookies = configuration.httpCookieStorage();
    if (cookies != null) {
      cookies.removeAll();
    }
    HttpCache cache = configuration.httpCache();
    if (cache != null) {
      cache.removeAllCachedResponses();
    }
    return retireConnectionsThenComplete();
  }

  private CompletableFuture<Void> retireConnectionsThenComplete() {
    CompletableFuture<Void> f = new CompletableFuture<>();
    HttpEngine e = engine.current();
    if (e != null) {
      e.retireConnections();
    }
    queue.execute(() -> f.complete(null));
    return f;
  }

  @Override
  public CompletableFuture<List<SessionTask>> allTasks() {
    CompletableFuture<List<SessionTask>> f = new CompletableFuture<>();
    List<SessionTask> live = liveTasks();
    queue.execute(() -> f.complete(live));
    return f;
  }

  private List<SessionTask> liveTasks() {
    List<SessionTask> live = new ArrayList<>();
    for (LiveTask t : tasks.values()) {
      if (t.isStarted() && !t.isCompleting()) {
        live.add(t);
      }
    }
    live.sort((a, b) -> Long.compare(a.taskIdentifier(), b.taskIdentifier()));
    return List.copyOf(live);
  }

  @Override
  public CompletableFuture<TaskLists> tasks() {
    CompletableFuture<TaskLists> f = new CompletableFuture<>();
    List<DataTask> data = new ArrayList<>();
    List<UploadTask> upload = new ArrayList<>();
    List<DownloadTask> download = new ArrayList<>();
    for (SessionTask t : liveTasks()) {
      if (t instanceof UploadTask) {
        upload.add((UploadTask) t);
      } else if (t instanceof DataTask) {
        data.add((DataTask) t);
      } else if (t instanceof DownloadTask) {
        download.add((DownloadTask) t);
      }
    }
    TaskLists lists = new TaskLists(data, upload, download);
    queue.execute(() -> f.complete(lists));
    return f;
  }

  @Override
  public void close() {
    if (isShared) {
      return;
    }
    finishTasksAndInvalidate();
    if (queue.isCurrentThread()) {
      return; // waiting here would deadlock: the invalidation runs on this very queue
    }
    try {
      invalid.get(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (TimeoutException e) {
      log.warn("Session {} did not become invalid within 30 s of close()", this);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException(e);
    }
    CacheWriter.awaitWrites(configuration.httpCache()); // what its tasks stored is on disk once close() returns
  }

  @Override
  public String toString() {
    return "Session{" + (isShared ? "shared" : configuration.kind())
        + (sessionDescription != null ? ", " + sessionDescription : "") + "}";
  }
}
