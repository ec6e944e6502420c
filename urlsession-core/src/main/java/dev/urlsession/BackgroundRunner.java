package dev.urlsession;

import dev.urlsession.SessionException.BackgroundTaskCancelledReason;
import dev.urlsession.SessionException.Code;
import dev.urlsession.background.BackgroundStore;
import dev.urlsession.internal.PrivateFiles;
import dev.urlsession.internal.background.DurableFiles;
import dev.urlsession.internal.background.RetryPolicy;
import dev.urlsession.internal.background.Transfer;
import dev.urlsession.internal.background.TransferFiles;
import dev.urlsession.internal.background.TransferResult;
import dev.urlsession.internal.background.TransferStore;
import dev.urlsession.internal.background.TransferStore.Outcome;
import dev.urlsession.spi.SessionStatistics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the transfers of a background session that are due on this node, each as an ordinary task
 * of an internal default-kind session (all the HTTP, redirect, authentication and Range/If-Range
 * resume code), checkpointing downloads; decides what becomes of a run (done, retried, stopped at
 * a checkpoint); and forwards the worker's progress to the application's delegate. Runs on the
 * store's threads.
 */
final class BackgroundRunner implements TransferStore.Runner {
  private static final Logger log = LoggerFactory.getLogger(BackgroundRunner.class);
  private static final Duration DELAY_ANSWER_TIMEOUT = Duration.ofMinutes(5);

  /** How a run was asked to stop. */
  enum Stop {
    NONE,
    DETACH,
    CANCEL,
    SUSPEND
  }

  /** One run of a transfer on this node. */
  static final class Attempt {
    final Transfer transfer;
    final BackgroundTask task;
    final CompletableFuture<Void> done = new CompletableFuture<>();
    volatile Stop stop = Stop.NONE;
    volatile boolean resumeAfterSuspend;
    /** Set (under the attempt's lock) once its outcome is being decided. */
    boolean closed;
    volatile @Nullable BackgroundTaskCancelledReason cancelReason;
    volatile @Nullable RealTask workerTask;
    volatile @Nullable CompletableFuture<@Nullable ResumeData> resumeDataWanted;
    volatile @Nullable Path finishedFile;
    volatile @Nullable Response response;
    volatile @Nullable SessionException error;
    volatile long received;
    volatile long expected = -1;
    volatile long sent;

    Attempt(Transfer transfer, BackgroundTask task) {
      this.transfer = transfer;
      this.task = task;
    }

    synchronized void stop(Stop how) {
      if (stop != Stop.NONE && how != Stop.CANCEL) {
        return;
      }
      stop = how;
      RealTask w = workerTask;
      if (w == null) {
        return;
      }
      if (w instanceof RealDownloadTask) {
        ((RealDownloadTask) w).cancelByProducingResumeData();
      } else {
        w.cancel();
      }
    }

    /** Resumes after a suspension unless the run is being decided: then false. */
    synchronized boolean resumeUnlessClosed() {
      if (closed) {
        return false;
      }
      resumeAfterSuspend = true; // runs on, or is rescheduled at once when it stops
      return true;
    }
  }

  private final BackgroundSession session;
  private final BackgroundStore store;
  private final TransferFiles files;
  private final RetryPolicy retryPolicy;
  private final RealSession worker;
  /** Transfers running on this node. */
  private final Map<Long, Attempt> attempts = new ConcurrentHashMap<>();
  private final Map<SessionTask, Attempt> byWorkerTask = new ConcurrentHashMap<>();
  private final AtomicLong retries = new AtomicLong();

  BackgroundRunner(BackgroundSession session, SessionConfiguration configuration, BackgroundStore store,
      TransferFiles files) {
    this.session = session;
    this.store = store;
    this.files = files;
    this.retryPolicy = new RetryPolicy(store);
    SessionConfiguration.Builder workerConfig = configuration.toBuilder()
        .kind(SessionConfiguration.Kind.DEFAULT)
        .storageDirectory(files.root())
        .httpCache(null)
        .httpCookieStorage(configuration.httpCookieStorage())
        .backgroundStore(null);
    this.worker = RealSession.internal(workerConfig.build(), new BackgroundWorkerEvents(session, this));
  }

  /** The run of transfer {@code id} on this node, or null. */
  @Nullable Attempt attempt(long id) {
    return attempts.get(id);
  }

  @Nullable Attempt attemptOf(SessionTask workerTask) {
    return byWorkerTask.get(workerTask);
  }

  int running() {
    return attempts.size();
  }

  long retries() {
    return retries.get();
  }

  /** The worker's connection pool totals, for the session's statistics. */
  SessionStatistics.ConnectionPool pool() {
    return worker.statistics().connectionPool();
  }

  /** The internal session that runs the transfers and writes their files. */
  RealSession worker() {
    return worker;
  }

  /** Stops the worker session (its tasks were stopped by the store). */
  void shutdown() {
    worker.finishTasksAndInvalidate();
  }

  @Override
  public Outcome run(Transfer t, TransferStore.RunContext ctx) {
    if (files.hasResult(t.id())) {
      return removeThenDeliver(t.id()); // ended before a crash removed the execution
    }
    TransferResult given = preflight(t);
    if (given != null) {
      return finish(given);
    }
    if (t.suspended()) {
      return Outcome.reschedule(TransferStore.FAR_FUTURE, null);
    }
    BackgroundTask task = session.transfers().facadeFor(t);
    if (t.earliestBeginMillis() >= 0 && !t.delayAnswered()) {
      Transfer answered = askDelayedRequest(t, task);
      if (answered == null) {
        return finish(TransferResult.failure(t, Code.CANCELLED, null, "willBeginDelayedRequest cancelled it"));
      }
      t = answered;
    }
    Attempt a = new Attempt(t, task);
    attempts.put(t.id(), a);
    try {
      start(a);
      while (!a.done.isDone()) {
        try {
          a.done.get(200, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
          if (ctx.shuttingDown() || session.isInvalidated()) {
            a.stop(Stop.DETACH);
          } else if (Files.exists(files.cancelMarker(t.id()))) {
            a.stop(Stop.CANCEL);
          }
        } catch (InterruptedException e) {
          a.stop(Stop.DETACH);
          Thread.currentThread().interrupt();
          a.done.get(10, TimeUnit.SECONDS);
        }
      }
      return decide(a, ctx);
    } catch (IOException | ExecutionException | InterruptedException | TimeoutException | RuntimeException e) {
      log.warn("Background transfer {} of {} failed to run; retrying", t.id(), session.identifier(), e);
      return retryLater(t, ctx);
    } finally {
      attempts.remove(t.id());
      RealTask w = a.workerTask;
      if (w != null) {
        byWorkerTask.remove(w);
      }
    }
  }

  /** A reason to give the transfer up before running it, or null. */
  private @Nullable TransferResult preflight(Transfer t) {
    if (Files.exists(files.cancelMarker(t.id()))) {
      return TransferResult.failure(t, Code.CANCELLED, null, null);
    }
    if (!store.transfersEnabled()) {
      return TransferResult.failure(t, Code.CANCELLED, BackgroundTaskCancelledReason.BACKGROUND_UPDATES_DISABLED,
          "Background transfers are switched off by configuration");
    }
    if (System.currentTimeMillis() >= t.deadlineMillis()) {
      return TransferResult.failure(t, Code.TIMED_OUT, null,
          "The transfer did not complete within timeoutIntervalForResource");
    }
    if (!t.upload() && lacksSpace(t)) {
      return TransferResult.failure(t, Code.CANCELLED, BackgroundTaskCancelledReason.INSUFFICIENT_SYSTEM_RESOURCES,
          "Not enough free space under " + files.root());
    }
    return null;
  }

  private boolean lacksSpace(Transfer t) {
    if (store.minimumFreeSpace() == 0) {
      return false;
    }
    try {
      long usable = Files.getFileStore(files.root()).getUsableSpace();
      long needed = store.minimumFreeSpace();
      Path cp = files.checkpoint(t.id());
      if (Files.exists(cp)) {
        ResumeData rd = ResumeData.from(Files.readAllBytes(cp));
        if (rd.expectedLength() > 0) {
          needed += rd.expectedLength() - rd.bytesReceived();
        }
      }
      return usable < needed;
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /** Asks willBeginDelayedRequest; the transfer to run, or null to cancel it. */
  private @Nullable Transfer askDelayedRequest(Transfer t, BackgroundTask task) {
    SessionDelegate d = session.delegate();
    if (!(d instanceof TaskDelegate) || !Delegates.implementsMethod(d, "willBeginDelayedRequest")) {
      return t.withDelayAnswered();
    }
    CompletableFuture<DelayedRequestDisposition> answer = new CompletableFuture<>();
    session.post("willBeginDelayedRequest",
        () -> ((TaskDelegate) d).willBeginDelayedRequest(session, task, t.request(), answer::complete));
    try {
      DelayedRequestDisposition disposition = answer.get(DELAY_ANSWER_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      if (disposition.isCancel()) {
        return null;
      }
      Request replacement = disposition.newRequest();
      return replacement != null ? t.withRequest(replacement) : t.withDelayAnswered();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return t.withDelayAnswered();
    } catch (ExecutionException | TimeoutException e) {
      log.warn("willBeginDelayedRequest did not answer for {}; continuing", task);
      return t.withDelayAnswered();
    }
  }

  private void start(Attempt a) throws IOException {
    Transfer t = a.transfer;
    RealTask w;
    if (t.upload()) {
      w = worker.newFileUpload(t.request(), t.uploadFile());
    } else {
      ResumeData from = usableCheckpoint(t);
      Checkpointer cp = new Checkpointer() {
        @Override
        public long intervalBytes() {
          return store.checkpointBytes();
        }

        @Override
        public long intervalNanos() {
          return store.checkpointInterval().toNanos();
        }

        @Override
        public void checkpoint(ResumeData data) throws IOException {
          DurableFiles.write(files.checkpoint(t.id()), data.toByteArray());
        }
      };
      w = worker.newCheckpointedDownload(from != null ? from.request() : t.request(), from, cp);
    }
    synchronized (a) {
      a.workerTask = w;
      byWorkerTask.put(w, a);
      if (a.stop != Stop.NONE) {
        Stop how = a.stop;
        a.stop = Stop.NONE;
        a.stop(how);
      }
    }
    w.resume();
  }

  /** The checkpoint (or the resume data the task was created with) when its partial file is still there. */
  private @Nullable ResumeData usableCheckpoint(Transfer t) {
    byte[] bytes = null;
    Path cp = files.checkpoint(t.id());
    try {
      if (Files.exists(cp)) {
        bytes = Files.readAllBytes(cp);
      }
    } catch (IOException e) {
      log.warn("Unreadable checkpoint {}; starting over", cp, e);
    }
    if (bytes == null) {
      bytes = t.resumeData();
    }
    if (bytes == null) {
      return null;
    }
    try {
      ResumeData rd = ResumeData.from(bytes);
      if (Files.isRegularFile(rd.partialFile()) && Files.size(rd.partialFile()) >= rd.bytesReceived()) {
        // Still the file the session wrote (a file put in its place while detached is never
        // written to): otherwise the transfer starts over in a new file.
        PrivateFiles.openOwnFile(rd.partialFile(), rd.partialFileKey(), rd.bytesReceived()).close();
        return rd;
      }
    } catch (IOException | RuntimeException e) {
      log.warn("Unusable checkpoint of background transfer {}; starting over", t.id(), e);
    }
    TransferFiles.deleteQuietly(cp);
    return null;
  }

  private Outcome decide(Attempt a, TransferStore.RunContext ctx) {
    Transfer t = a.transfer;
    SessionException e = a.error;
    Stop stop = a.stop;
    ResumeData produced = e != null ? e.resumeData().orElse(null) : null;
    if (!t.upload()) {
      try {
        if (produced != null) {
          DurableFiles.write(files.checkpoint(t.id()), produced.toByteArray());
        } else if (e != null && e.code() != Code.CANCELLED) {
          TransferFiles.deleteQuietly(files.checkpoint(t.id())); // the partial file is gone
        }
      } catch (IOException io) {
        log.warn("Could not save the checkpoint of background transfer {}", t.id(), io);
      }
    }
    switch (stop) {
      case CANCEL:
        return cancelled(a, produced);
      case DETACH:
        deleteFinished(a);
        return Outcome.reschedule(Instant.now(), t);
      case SUSPEND:
        deleteFinished(a);
        boolean resumeNow;
        synchronized (a) {
          a.closed = true;
          resumeNow = a.resumeAfterSuspend;
        }
        return resumeNow ? Outcome.reschedule(Instant.now(), t)
            : Outcome.reschedule(TransferStore.FAR_FUTURE, t.withSuspended(true));
      default:
        break;
    }
    if (e == null) {
      Response r = a.response;
      if (r != null && r.statusCode() >= 500) {
        deleteFinished(a);
        TransferFiles.deleteQuietly(files.checkpoint(t.id()));
        return retryLater(t, ctx);
      }
      return finish(new TransferResult(t, r, null, null, null, a.finishedFile, a.received, a.expected, a.sent));
    }
    if (RetryPolicy.isNoSpace(e)) {
      TransferFiles.deleteQuietly(files.checkpoint(t.id()));
      if (produced != null) {
        TransferFiles.deleteQuietly(produced.partialFile());
      }
      return finish(TransferResult.failure(t, Code.CANCELLED, BackgroundTaskCancelledReason.INSUFFICIENT_SYSTEM_RESOURCES,
          "Not enough free space under " + files.root() + ": " + e.getMessage()));
    }
    if (RetryPolicy.isTransient(e)) {
      return retryLater(t, ctx);
    }
    return finish(new TransferResult(t, a.response, e.code(), null, e.getMessage(), null, a.received, a.expected, a.sent));
  }

  /** A cancelled run: hands resume data out if it was asked for, else deletes the partial file. */
  private Outcome cancelled(Attempt a, @Nullable ResumeData produced) {
    Transfer t = a.transfer;
    deleteFinished(a);
    CompletableFuture<@Nullable ResumeData> wanted = a.resumeDataWanted;
    if (wanted != null) {
      ResumeData handedOut = handOut(produced);
      session.post("cancelByProducingResumeData", () -> wanted.complete(handedOut));
    } else if (produced != null) {
      TransferFiles.deleteQuietly(produced.partialFile());
    }
    TransferFiles.deleteQuietly(files.checkpoint(t.id()));
    BackgroundTaskCancelledReason reason = a.cancelReason;
    return finish(new TransferResult(t, a.response, Code.CANCELLED, reason,
        reason == null ? null : "The background session was reset", null, a.received, a.expected, a.sent));
  }

  /**
   * The resume data of the last checkpoint of transfer {@code id}, which no node runs now (a
   * suspended transfer, or one waiting to retry), handed out as a cancelled run's would be; null
   * when it has none.
   */
  @Nullable ResumeData handOutCheckpoint(long id) {
    Path checkpoint = files.checkpoint(id);
    try {
      if (!Files.exists(checkpoint)) {
        return null;
      }
      return handOut(ResumeData.from(Files.readAllBytes(checkpoint)));
    } catch (IOException | RuntimeException e) {
      log.warn("Could not hand out the checkpoint {} of background transfer {}", checkpoint, id, e);
      return null;
    }
  }

  /**
   * Resume data for the application, its partial file set aside ({@code .resume}) so that the
   * clean-up after a crash never deletes data the application holds.
   */
  private @Nullable ResumeData handOut(@Nullable ResumeData produced) {
    if (produced == null) {
      return null;
    }
    try {
      Path kept = files.setAside(produced.partialFile());
      return ResumeData.create(produced.request(), kept, produced.bytesReceived(), produced.entityTag(),
          produced.lastModified(), produced.expectedLength(), produced.partialFileKey(), worker.downloads.resumeKey());
    } catch (IOException e) {
      log.warn("Could not set the partial file {} aside; the resume data keeps it where it is",
          produced.partialFile(), e);
      return produced;
    }
  }

  private static void deleteFinished(Attempt a) {
    Path f = a.finishedFile;
    if (f != null) {
      TransferFiles.deleteQuietly(f);
    }
  }

  private Outcome retryLater(Transfer t, TransferStore.RunContext ctx) {
    retries.incrementAndGet();
    Instant when = retryPolicy.nextAttempt(ctx.consecutiveFailures(), t.deadlineMillis());
    if (when == null) {
      return finish(TransferResult.failure(t, Code.TIMED_OUT, null,
          "The transfer did not complete within timeoutIntervalForResource"));
    }
    return Outcome.retry(when, t);
  }

  /** Records the result durably; the execution is then removed and the events delivered. */
  Outcome finish(TransferResult result) {
    try {
      files.writeResult(result);
    } catch (IOException e) {
      log.error("Could not record the result of background transfer {}; it will run again",
          result.transfer().id(), e);
      return Outcome.reschedule(Instant.now().plus(store.retryInitialDelay()), null);
    }
    return removeThenDeliver(result.transfer().id());
  }

  private Outcome removeThenDeliver(long id) {
    BackgroundDelivery delivery = session.delivery();
    delivery.holdProcess(); // from the row's removal on, the delivery keeps the process alive
    return Outcome.remove(() -> {
      try {
        TransferFiles.deleteQuietly(files.cancelMarker(id));
        delivery.deliver(id);
        session.transfers().rowRemoved(id);
      } finally {
        delivery.releaseProcess();
      }
    });
  }

  /** Moves a worker's finished download into the store directory until it is delivered. */
  void keepFinished(Attempt a, Path location, SessionTask workerTask) {
    Path target = files.finished(a.transfer.id());
    try {
      DurableFiles.move(location, target);
      a.finishedFile = target;
    } catch (IOException e) {
      log.error("Could not keep the downloaded file of background transfer {}", a.transfer.id(), e);
      a.error = new SessionException(Code.CANNOT_MOVE_FILE, workerTask.originalRequest().url(),
          "The downloaded file could not be kept: " + e, e);
    }
  }

  /** A worker task's completion: its run is over. */
  void completed(Attempt a, SessionTask t, @Nullable SessionException error) {
    Response r = t.response();
    if (r != null) {
      a.response = r;
      a.task.responded(r);
    }
    if (a.error == null) {
      a.error = error;
    }
    a.received = Math.max(a.received, t.countOfBytesReceived());
    a.sent = Math.max(a.sent, t.countOfBytesSent());
    if (a.expected < 0) {
      a.expected = t.countOfBytesExpectedToReceive();
    }
    a.done.complete(null);
  }
}
