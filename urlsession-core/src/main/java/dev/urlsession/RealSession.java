package dev.urlsession;

import dev.urlsession.internal.Checks;
import dev.urlsession.internal.HttpEngine;
import dev.urlsession.internal.HttpProtocolHandler;
import dev.urlsession.internal.SerialQueue;
import dev.urlsession.spi.ProtocolHandler;
import dev.urlsession.spi.ProtocolHandlers;
import java.net.URI;
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
  /** Created tasks that have not completed. */
  private final Map<Long, RealTask> tasks = new ConcurrentHashMap<>();
  private final AtomicBoolean invalidated = new AtomicBoolean();
  private final AtomicBoolean invalidationDelivered = new AtomicBoolean();
  private final CompletableFuture<Void> invalid = new CompletableFuture<>();

  private final Object engineLock = new Object();
  private @Nullable HttpEngine engine;
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
  }

  static Session create(
      SessionConfiguration configuration,
      @Nullable SessionDelegate delegate,
      @Nullable Executor delegateQueue) {
    Checks.notNull(configuration, "configuration");
    if (configuration.kind() == SessionConfiguration.Kind.BACKGROUND) {
      throw new IllegalArgumentException(
          "background sessions are not available in this version of urlsession");
    }
    return new RealSession(configuration, delegate, delegateQueue, false);
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
    return null;
  }

  private HttpProtocolHandler httpHandler() {
    synchronized (engineLock) {
      if (httpHandler == null) {
        engine = new HttpEngine(configuration);
        httpHandler = new HttpProtocolHandler(engine, configuration);
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
    tasks.put(task.taskIdentifier(), task);
    task.announceCreated();
    return task;
  }

  private RealTask newDataTask(Request request, @Nullable CompletionHandler<byte[]> handler,
      @Nullable TaskDelegate taskDelegate) {
    Checks.notNull(request, "request");
    checkValid();
    return register(new RealTask(this, taskIds.incrementAndGet(), request, handler, taskDelegate));
  }

  @Override
  public DataTask dataTask(URI url) {
    return dataTask(Request.get(Checks.notNull(url, "url")));
  }

  @Override
  public DataTask dataTask(Request request) {
    return newDataTask(request, null, null);
  }

  @Override
  public DataTask dataTask(URI url, CompletionHandler<byte[]> completionHandler) {
    return dataTask(Request.get(Checks.notNull(url, "url")), completionHandler);
  }

  @Override
  public DataTask dataTask(Request request, CompletionHandler<byte[]> completionHandler) {
    return newDataTask(request, Checks.notNull(completionHandler, "completionHandler"), null);
  }

  @Override
  public CompletableFuture<DataResponse> data(Request request) {
    return data(request, null);
  }

  @Override
  public CompletableFuture<DataResponse> data(Request request, @Nullable TaskDelegate delegate) {
    CompletableFuture<DataResponse> future = new CompletableFuture<>();
    RealTask task =
        newDataTask(
            request,
            (body, response, error) -> {
              if (error != null) {
                future.completeExceptionally(error);
              } else {
                future.complete(new DataResponse(body, response));
              }
            },
            delegate);
    future.whenComplete(
        (r, t) -> {
          if (future.isCancelled()) {
            task.cancel();
          }
        });
    task.resume();
    return future;
  }

  /** Called by a task once its completion has been posted to the queue. */
  void taskFinished(RealTask task) {
    tasks.remove(task.taskIdentifier());
    if (invalidated.get()) {
      maybeDeliverInvalidation();
    }
  }

  // --- session management ---

  @Override
  public void finishTasksAndInvalidate() {
    if (isShared || !invalidated.compareAndSet(false, true)) {
      return;
    }
    maybeDeliverInvalidation();
  }

  @Override
  public void invalidateAndCancel() {
    if (isShared) {
      return;
    }
    invalidated.set(true);
    for (RealTask task : new ArrayList<>(tasks.values())) {
      task.cancel();
    }
    maybeDeliverInvalidation();
  }

  private void maybeDeliverInvalidation() {
    for (RealTask task : tasks.values()) {
      if (task.isStarted() && !task.isCompleting()) {
        return; // a running task still has to finish
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
    HttpEngine e;
    synchronized (engineLock) {
      e = engine;
    }
    if (e != null) {
      // Shutting the reactor down joins its threads: never do it on a queue or I/O thread.
      Thread t = new Thread(e::close, "urlsession-close");
      t.setDaemon(true);
      t.start();
    }
  }

  /** Connections leased from the pool right now (0 when the HTTP engine was never used). */
  int leasedConnections() {
    HttpEngine e;
    synchronized (engineLock) {
      e = engine;
    }
    return e == null ? 0 : e.connectionManager().getTotalStats().getLeased();
  }

  boolean isInvalidated() {
    return invalidated.get();
  }

  @Override
  public CompletableFuture<Void> flush() {
    return closeIdleThenComplete();
  }

  @Override
  public CompletableFuture<Void> reset() {
    return closeIdleThenComplete();
  }

  private CompletableFuture<Void> closeIdleThenComplete() {
    CompletableFuture<Void> f = new CompletableFuture<>();
    HttpEngine e;
    synchronized (engineLock) {
      e = engine;
    }
    if (e != null) {
      e.closeIdleConnections();
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
    for (RealTask t : tasks.values()) {
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
  }

  @Override
  public String toString() {
    return "Session{" + (isShared ? "shared" : configuration.kind())
        + (sessionDescription != null ? ", " + sessionDescription : "") + "}";
  }
}
