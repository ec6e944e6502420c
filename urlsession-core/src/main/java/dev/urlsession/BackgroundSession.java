package dev.urlsession;

import dev.urlsession.SessionException.BackgroundTaskCancelledReason;
import dev.urlsession.SessionException.Code;
import dev.urlsession.background.BackgroundStatistics;
import dev.urlsession.background.BackgroundStore;
import dev.urlsession.internal.Checks;
import dev.urlsession.internal.SerialQueue;
import dev.urlsession.internal.background.Transfer;
import dev.urlsession.internal.background.TransferFiles;
import dev.urlsession.internal.background.TransferResult;
import dev.urlsession.internal.background.TransferStore;
import dev.urlsession.spi.SessionStatistics;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A background session: hands downloads and uploads from files to a durable store and reports
 * their events to the session delegate, including those of transfers that ended while no session
 * was attached. The session is the facade; the work is done by its parts:
 *
 * <ul>
 *   <li>{@link TransferStore} (internal): the db-scheduler executions, one per transfer, in the
 *       embedded HSQLDB or the application's database, and the identifier lock;
 *   <li>{@link TransferFiles} (internal): records, checkpoints, results and finished files under
 *       {@code <storageDirectory>/background/<identifier>/};
 *   <li>{@link BackgroundRunner}: runs due transfers as tasks of an internal session and decides
 *       what becomes of each run;
 *   <li>{@link BackgroundTransfers}: the tasks the application sees and what they ask of the store;
 *   <li>{@link BackgroundDelivery}: results to the delegate, at least once.
 * </ul>
 */
final class BackgroundSession implements Session {
  private static final Logger log = LoggerFactory.getLogger(BackgroundSession.class);
  /** Added to the priority of a transfer with data on disk (task priorities are 1 to 1001). */
  private static final int RESUMING_PRIORITY = 2000;

  private final SessionConfiguration configuration;
  private final BackgroundStore storeConfig;
  private volatile @Nullable SessionDelegate delegate;
  private final Executor delegateQueue;
  private final SerialQueue queue;
  private volatile @Nullable String sessionDescription;
  private final String identifier;
  private final TransferFiles files;
  private final BackgroundRunner runner;
  private final TransferStore store;
  private final BackgroundTransfers transfers;
  private final BackgroundDelivery delivery;
  private final AtomicBoolean invalidated = new AtomicBoolean();
  private final CompletableFuture<Void> invalid = new CompletableFuture<>();
  /** Keeps the JVM running while transfers wait, retry or run ({@link BackgroundStore#keepsProcessAlive()}). */
  private final @Nullable ProcessKeepAlive keepAlive;
  /** The last count of the store, reused for a second: gauges read statistics many times per scrape. */
  private volatile @Nullable StoreCount storeCount;

  private record StoreCount(long queued, @Nullable String error, long atNanos) {}

  private BackgroundSession(SessionConfiguration configuration, SessionDelegate delegate,
      @Nullable Executor delegateQueue) {
    this.configuration = configuration;
    this.storeConfig = configuration.backgroundStore() != null ? configuration.backgroundStore() : BackgroundStore.embedded();
    this.delegate = delegate;
    this.queue = delegateQueue == null ? SerialQueue.onDefaultPool() : new SerialQueue(delegateQueue);
    this.delegateQueue = delegateQueue == null ? queue : delegateQueue;
    this.identifier = configuration.identifier();
    Path storage = configuration.storageDirectory() != null
        ? configuration.storageDirectory() : SessionConfiguration.defaultStorageDirectory();
    Path root = storage.resolve("background").resolve(identifier);
    try {
      this.files = new TransferFiles(root);
    } catch (IOException e) {
      throw new IllegalStateException("cannot open the background store of \"" + identifier + "\" in " + root
          + ": " + e.getMessage(), e);
    }
    this.runner = new BackgroundRunner(this, configuration, storeConfig, files);
    int threads = configuration.discretionary() ? 1 : storeConfig.maxConcurrentTransfers();
    try {
      this.store = TransferStore.open(storeConfig, identifier, root, threads, runner);
    } catch (RuntimeException e) {
      runner.shutdown();
      throw e;
    }
    this.transfers = new BackgroundTransfers(this, store, files, runner);
    this.delivery = new BackgroundDelivery(this, files);
    this.keepAlive = storeConfig.keepsProcessAlive()
        ? new ProcessKeepAlive("urlsession-background-keepalive-" + identifier,
            () -> store.countPending() + delivery.inFlight(), invalidated::get, 1000)
        : null;
  }

  static Session open(SessionConfiguration configuration, @Nullable SessionDelegate delegate,
      @Nullable Executor delegateQueue) {
    if (delegate == null) {
      throw new IllegalArgumentException("a background session needs a delegate: its events (also those of "
          + "transfers that ended while the application was down) can only go to a session delegate");
    }
    BackgroundSession s = new BackgroundSession(configuration, delegate, delegateQueue);
    try {
      s.attach();
    } catch (RuntimeException e) {
      s.store.close();
      throw e;
    }
    return s;
  }

  // --- for the session's parts ---

  String identifier() {
    return identifier;
  }

  boolean isInvalidated() {
    return invalidated.get();
  }

  BackgroundTransfers transfers() {
    return transfers;
  }

  BackgroundDelivery delivery() {
    return delivery;
  }

  /** Runs {@code work} on the delegate queue. */
  void execute(Runnable work) {
    queue.execute(work);
  }

  /** Runs a delegate call on the delegate queue; if it throws, that is logged and the session goes on. */
  void post(String what, Runnable call) {
    queue.execute(guarded(what, call));
  }

  Runnable guarded(String what, Runnable call) {
    return () -> {
      try {
        call.run();
      } catch (RuntimeException e) {
        log.error("Delegate method {} threw; the background session goes on", what, e);
      }
    };
  }

  /** Work was added: the process stays up while there is some. */
  void keepAlive() {
    if (keepAlive != null) {
      keepAlive.arm();
    }
  }

  // --- attaching ---

  /**
   * Re-attaches: frees the executions a crashed process of this node left picked (single node:
   * the lock proves nobody else runs them), shows the stored transfers, cleans up after a crash,
   * delivers the events of transfers that ended while no session was attached, then starts
   * running transfers, those with data on disk first.
   */
  private void attach() {
    if (!storeConfig.clustered()) {
      store.releaseOwnPicked();
    }
    Set<Long> stored = new HashSet<>();
    store.forEach(t -> {
      stored.add(t.id());
      transfers.show(t);
    });
    if (!storeConfig.clustered()) {
      files.recoverInterruptedDeliveries();
      giveUpUnstored(stored); // their results are delivered below
      int removed = files.removeOrphans(stored, bytes -> ResumeData.from(bytes).partialFile());
      if (removed > 0) {
        log.info("Background session {}: removed {} file(s) that no transfer owns (left by a crash)", identifier,
            removed);
      }
      List<Long> withData = new ArrayList<>();
      for (long id : stored) {
        if (Files.exists(files.checkpoint(id))) {
          withData.add(id);
        }
      }
      store.prefer(withData, RESUMING_PRIORITY);
    }
    int pending = 0;
    for (long id : files.results()) {
      if (delivery.deliver(id)) {
        pending++;
      }
    }
    if (pending > 0) {
      delivery.finishedEvents();
    }
    store.start();
    keepAlive();
    if (storeConfig.clustered()) {
      delivery.watchForOrphanedResults(storeConfig.takeoverWindow(), runner);
    }
  }

  /**
   * Transfers recorded on disk whose execution is gone and that have no result: the store was
   * wiped or reset. They complete with {@code CANCELLED} and {@code USER_FORCE_QUIT_APPLICATION}.
   */
  private void giveUpUnstored(Set<Long> stored) {
    for (Transfer t : files.unstored(stored)) {
      try {
        files.writeResult(TransferResult.failure(t, Code.CANCELLED,
            BackgroundTaskCancelledReason.USER_FORCE_QUIT_APPLICATION,
            "The transfer's record was removed from the background store (store wiped or session reset)"));
      } catch (IOException e) {
        log.warn("Could not record that background transfer {} of {} was lost", t.id(), identifier, e);
      }
    }
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

  // --- creating tasks ---

  private BackgroundTask newTask(Request request, @Nullable Path file, @Nullable ResumeData resumeFrom) {
    Checks.notNull(request, "request");
    if (invalidated.get()) {
      throw new IllegalStateException("Task created in a session that has been invalidated");
    }
    String scheme = request.url().getScheme();
    if (!"http".equalsIgnoreCase(scheme) && !"https".equalsIgnoreCase(scheme)) {
      throw new IllegalArgumentException("background sessions transfer only http and https URLs, not " + scheme
          + ": " + SessionException.redact(request.url()));
    }
    if (file == null && (request.bodyLength() > 0 || request.bodyStream() != null)) {
      throw unsupported("Download requests with a body");
    }
    BackgroundTask task = transfers.create(request, file == null ? null : file.toAbsolutePath(), resumeFrom);
    SessionDelegate d = delegate;
    if (d instanceof TaskDelegate && Delegates.implementsMethod(d, "didCreateTask")) {
      post("didCreateTask", () -> ((TaskDelegate) d).didCreateTask(this, task));
    }
    return task;
  }

  private static IllegalArgumentException unsupported(String what) {
    return new IllegalArgumentException(what + " are not supported in background sessions: only download tasks"
        + " and upload tasks from a file, reporting to the session delegate, can outlive the process");
  }

  @Override
  public DownloadTask downloadTask(URI url) {
    return downloadTask(Request.get(Checks.notNull(url, "url")));
  }

  @Override
  public DownloadTask downloadTask(Request request) {
    return (DownloadTask) newTask(request, null, null);
  }

  @Override
  public DownloadTask downloadTask(ResumeData resumeData) {
    Checks.notNull(resumeData, "resumeData");
    return (DownloadTask) newTask(resumeData.request(), null, resumeData);
  }

  /** The worker session wrote the partial files and signs their resume data. */
  @Override
  public boolean discardResumeData(ResumeData resumeData) {
    return runner.worker().discardResumeData(resumeData);
  }

  @Override
  public UploadTask uploadTask(Request request, Path file) {
    Checks.notNull(file, "file");
    return (UploadTask) newTask(request, file, null);
  }

  @Override
  public WebSocketTask webSocketTask(Request request) {
    throw unsupported("WebSocket tasks"); // Apple's rule; the URL forms come here too
  }

  @Override
  public DataTask dataTask(URI url) {
    throw unsupported("Data tasks");
  }

  @Override
  public DataTask dataTask(Request request) {
    throw unsupported("Data tasks");
  }

  @Override
  public DataTask dataTask(URI url, CompletionHandler<byte[]> completionHandler) {
    throw unsupported("Completion handlers");
  }

  @Override
  public DataTask dataTask(Request request, CompletionHandler<byte[]> completionHandler) {
    throw unsupported("Completion handlers");
  }

  @Override
  public UploadTask uploadTask(Request request, byte[] body) {
    throw unsupported("Uploads from bytes in memory");
  }

  @Override
  public UploadTask uploadTask(Request request, byte[] body, CompletionHandler<byte[]> completionHandler) {
    throw unsupported("Uploads from bytes in memory");
  }

  @Override
  public UploadTask uploadTask(Request request, Path file, CompletionHandler<byte[]> completionHandler) {
    throw unsupported("Completion handlers");
  }

  @Override
  public UploadTask uploadTask(Request streamedRequest) {
    throw unsupported("Uploads from a stream");
  }

  @Override
  public StreamTask streamTask(String host, int port) {
    throw unsupported("Stream tasks");
  }

  @Override
  public StreamTask streamTask(NetService service) {
    throw unsupported("Stream tasks");
  }

  @Override
  public DownloadTask downloadTask(URI url, CompletionHandler<Path> completionHandler) {
    throw unsupported("Completion handlers");
  }

  @Override
  public DownloadTask downloadTask(Request request, CompletionHandler<Path> completionHandler) {
    throw unsupported("Completion handlers");
  }

  @Override
  public DownloadTask downloadTask(ResumeData resumeData, CompletionHandler<Path> completionHandler) {
    throw unsupported("Completion handlers");
  }

  @Override
  public CompletableFuture<DataResponse> upload(Request request, byte[] body) {
    throw unsupported("Futures (completion handlers)");
  }

  @Override
  public CompletableFuture<DataResponse> upload(Request request, Path file) {
    throw unsupported("Futures (completion handlers)");
  }

  @Override
  public CompletableFuture<DownloadResponse> download(Request request) {
    throw unsupported("Futures (completion handlers)");
  }

  @Override
  public CompletableFuture<DownloadResponse> download(Request request, @Nullable TaskDelegate delegate) {
    throw unsupported("Futures (completion handlers)");
  }

  @Override
  public CompletableFuture<DownloadResponse> download(ResumeData resumeData) {
    throw unsupported("Futures (completion handlers)");
  }

  @Override
  public CompletableFuture<DataResponse> data(Request request) {
    throw unsupported("Futures (completion handlers)");
  }

  @Override
  public CompletableFuture<DataResponse> data(Request request, @Nullable TaskDelegate delegate) {
    throw unsupported("Futures (completion handlers)");
  }

  // --- session management ---

  /**
   * Detaches: running transfers stop at a checkpoint and stay in the store, to continue when a
   * session with this identifier is created again (or, clustered, on another node). New tasks are
   * refused. Returns at once; {@link SessionDelegate#didBecomeInvalid} follows.
   */
  @Override
  public void finishTasksAndInvalidate() {
    if (!invalidated.compareAndSet(false, true)) {
      return;
    }
    daemon("urlsession-background-close-" + identifier, this::detach);
  }

  /** Cancels every transfer of this identifier (they complete with {@code CANCELLED}), then invalidates. */
  @Override
  public void invalidateAndCancel() {
    if (invalidated.get()) {
      return;
    }
    List<BackgroundTask> cancelled = transfers.cancelAll(null);
    if (!invalidated.compareAndSet(false, true)) {
      return;
    }
    daemon("urlsession-background-cancel-" + identifier, () -> {
      awaitCompletion(cancelled);
      detach();
    });
  }

  private static void daemon(String name, Runnable work) {
    Thread t = new Thread(work, name);
    t.setDaemon(true);
    t.start();
  }

  private static void awaitCompletion(List<BackgroundTask> list) {
    for (BackgroundTask t : list) {
      try {
        t.completion().get(15, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (ExecutionException | TimeoutException e) {
        log.warn("Background task {} did not complete after cancellation", t);
      }
    }
  }

  private void detach() {
    if (keepAlive != null) {
      keepAlive.wake(); // it sees the session invalidated and ends
    }
    delivery.stopWatching();
    store.stop();
    runner.shutdown();
    store.close();
    queue.execute(() -> {
      SessionDelegate d = delegate;
      try {
        if (d != null) {
          d.didBecomeInvalid(this, null);
        }
      } catch (RuntimeException e) {
        log.error("SessionDelegate.didBecomeInvalid threw", e);
      } finally {
        delegate = null;
        invalid.complete(null);
      }
    });
  }

  @Override
  public CompletableFuture<Void> flush() {
    CompletableFuture<Void> f = new CompletableFuture<>();
    queue.execute(() -> f.complete(null));
    return f;
  }

  /**
   * Gives every transfer of this identifier up: each completes with {@code CANCELLED} and reason
   * {@code USER_FORCE_QUIT_APPLICATION}, and its files are deleted. The future completes on the
   * delegate queue once the events were delivered.
   */
  @Override
  public CompletableFuture<Void> reset() {
    CompletableFuture<Void> f = new CompletableFuture<>();
    daemon("urlsession-background-reset-" + identifier, () -> {
      List<BackgroundTask> all = transfers.cancelAll(BackgroundTaskCancelledReason.USER_FORCE_QUIT_APPLICATION);
      for (long id : files.results()) {
        delivery.deliver(id);
      }
      awaitCompletion(all);
      queue.execute(() -> f.complete(null));
    });
    return f;
  }

  /**
   * The transfers not yet completed. The list is read from the store when this is called, so the
   * future is already complete: it does not wait for the delegate queue, which may be held (the
   * Spring layer holds it until the application is ready to receive events).
   */
  @Override
  public CompletableFuture<List<SessionTask>> allTasks() {
    return CompletableFuture.completedFuture(List.copyOf(transfers.known()));
  }

  /** As {@link #allTasks()}, by kind. */
  @Override
  public CompletableFuture<TaskLists> tasks() {
    List<UploadTask> upload = new ArrayList<>();
    List<DownloadTask> download = new ArrayList<>();
    for (BackgroundTask t : transfers.known()) {
      if (t instanceof UploadTask) {
        upload.add((UploadTask) t);
      } else {
        download.add((DownloadTask) t);
      }
    }
    return CompletableFuture.completedFuture(new TaskLists(List.of(), upload, download));
  }

  /**
   * Tasks of this session's transfers by kind and state, the worker's connection pool, and the
   * store's figures (queued transfers, running, retries, takeovers, whether it answers).
   */
  @Override
  public SessionStatistics statistics() {
    StoreCount count = countStore();
    return new SessionStatistics(transfers.countByKindAndState(), runner.pool(), new BackgroundStatistics(
        count.queued, runner.running(), runner.retries(), store.takeovers(), count.error));
  }

  /** The session's rows in the store, counted at most once a second. */
  private StoreCount countStore() {
    StoreCount last = storeCount;
    long now = System.nanoTime();
    if (last != null && now - last.atNanos < 1_000_000_000L) {
      return last;
    }
    StoreCount count;
    if (invalidated.get()) {
      count = new StoreCount(-1, "the session is invalidated", now);
    } else {
      try {
        count = new StoreCount(store.countAll(), null, now);
      } catch (RuntimeException e) {
        count = new StoreCount(-1, String.valueOf(e.getMessage()), now);
      }
    }
    storeCount = count;
    return count;
  }

  /** Detaches (see {@link #finishTasksAndInvalidate()}) and waits up to 30 s for it. */
  @Override
  public void close() {
    finishTasksAndInvalidate();
    if (queue.isCurrentThread()) {
      return;
    }
    try {
      invalid.get(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (TimeoutException e) {
      log.warn("Background session {} did not become invalid within 30 s of close()", identifier);
    } catch (ExecutionException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public String toString() {
    return "Session{BACKGROUND, " + identifier + (sessionDescription != null ? ", " + sessionDescription : "") + "}";
  }
}
