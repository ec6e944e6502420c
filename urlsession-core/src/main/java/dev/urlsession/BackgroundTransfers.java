package dev.urlsession;

import dev.urlsession.SessionException.BackgroundTaskCancelledReason;
import dev.urlsession.SessionException.Code;
import dev.urlsession.internal.Scheduler;
import dev.urlsession.internal.background.DurableFiles;
import dev.urlsession.internal.background.Transfer;
import dev.urlsession.internal.background.TransferFiles;
import dev.urlsession.internal.background.TransferResult;
import dev.urlsession.internal.background.TransferStore;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The transfers of a background session that the application can see, and what its tasks ask of
 * them: storing a resumed task, suspending, resuming and cancelling a stored transfer wherever it
 * runs, and giving transfers up. A {@link BackgroundTask} is a view of one; this keeps the views,
 * created here or found in the store.
 */
final class BackgroundTransfers {
  private static final Logger log = LoggerFactory.getLogger(BackgroundTransfers.class);

  private final BackgroundSession session;
  private final TransferStore store;
  private final TransferFiles files;
  private final BackgroundRunner runner;
  /** Tasks the application can see: created here, or found in the store. */
  private final Map<Long, BackgroundTask> tasks = new ConcurrentHashMap<>();
  /**
   * Transfers whose result was claimed for delivery while their row may still be in the store (a
   * reset delivers a result the runner recorded before the runner's completion removes the row):
   * {@link #known()} must not bring them back. Pruned once the row is gone.
   */
  private final Set<Long> delivered = ConcurrentHashMap.newKeySet();

  BackgroundTransfers(BackgroundSession session, TransferStore store, TransferFiles files, BackgroundRunner runner) {
    this.session = session;
    this.store = store;
    this.files = files;
    this.runner = runner;
  }

  /** A new task, not stored until its first {@code resume()}. */
  BackgroundTask create(Request request, java.nio.file.@Nullable Path file, @Nullable ResumeData resumeFrom) {
    BackgroundTask task = BackgroundTask.create(this, store.nextIdentifier(), request, file, resumeFrom, false);
    tasks.put(task.taskIdentifier(), task);
    return task;
  }

  /** The view of a stored transfer, made on first sight. */
  BackgroundTask facadeFor(Transfer t) {
    return tasks.computeIfAbsent(t.id(), id -> {
      BackgroundTask task = BackgroundTask.create(this, id, t.request(), t.uploadFile(), null, true);
      task.taskDescription(t.description());
      if (t.earliestBeginMillis() >= 0) {
        task.earliestBeginDate(Instant.ofEpochMilli(t.earliestBeginMillis()));
      }
      return task;
    });
  }

  /** Makes the view of a stored transfer, with its suspension and the progress of its checkpoint. */
  void show(Transfer t) {
    BackgroundTask task = facadeFor(t);
    if (t.suspended()) {
      task.markSuspended();
    }
    java.nio.file.Path checkpoint = files.checkpoint(t.id());
    try {
      if (Files.exists(checkpoint)) {
        ResumeData rd = ResumeData.from(Files.readAllBytes(checkpoint));
        task.received(rd.bytesReceived(), rd.expectedLength());
      }
    } catch (IOException | RuntimeException e) {
      log.warn("Ignoring an unreadable checkpoint {} of {}", checkpoint, session.identifier(), e);
    }
  }

  /** The view of a transfer whose result is being delivered. */
  BackgroundTask delivering(Transfer t) {
    BackgroundTask task = facadeFor(t);
    delivered.add(t.id());
    return task;
  }

  /** A delivered transfer leaves the views. */
  void delivered(long id, BackgroundTask task) {
    tasks.remove(id, task);
  }

  /** The transfer's execution is gone: nothing can show it again. */
  void rowRemoved(long id) {
    delivered.remove(id);
  }

  /** Tasks by kind and state, for statistics. */
  Map<String, Map<SessionTask.State, Integer>> countByKindAndState() {
    Map<String, Map<SessionTask.State, Integer>> counts = new java.util.HashMap<>();
    for (BackgroundTask t : tasks.values()) {
      counts.computeIfAbsent(t.isUpload() ? "upload" : "download",
          k -> new java.util.EnumMap<>(SessionTask.State.class)).merge(t.state(), 1, Integer::sum);
    }
    return counts;
  }

  // --- what tasks ask (called without their lock) ---

  /** Records the transfer durably ({@code <id>.task}, then the execution) and returns. */
  void enqueue(BackgroundTask task) {
    SessionConfiguration configuration = session.configuration();
    long now = System.currentTimeMillis();
    Instant earliest = task.earliestBeginDate();
    long deadline = saturatedAdd(now, configuration.timeoutIntervalForResource().toMillis());
    Transfer t = new Transfer(task.taskIdentifier(), task.isUpload(), task.originalRequest(), task.uploadFile,
        task.taskDescription(), now, deadline, earliest == null ? -1 : earliest.toEpochMilli(), false, false,
        task.resumeFrom == null ? null : task.resumeFrom.toByteArray());
    try {
      if (session.isInvalidated()) {
        throw new IllegalStateException("the session was invalidated");
      }
      // Not forced: the execution row is the durable record; this copy only lets a later attach
      // tell that the store lost a transfer (USER_FORCE_QUIT_APPLICATION).
      Files.write(files.task(t.id()), t.encode());
      Instant when = earliest != null && earliest.isAfter(Instant.now()) ? earliest : Instant.now();
      int priority = configuration.discretionary() ? 0 : 1 + Math.round(task.priority() * 1000);
      store.schedule(t, when, priority);
      task.stored = true;
      session.keepAlive();
    } catch (IOException | RuntimeException e) {
      log.error("Could not store background transfer {}", task, e);
      completeLocally(task, new SessionException(Code.CANNOT_WRITE_TO_FILE, task.originalRequest().url(),
          "The transfer could not be stored in the background store: " + e.getMessage(), e));
    }
  }

  private static long saturatedAdd(long a, long b) {
    long r = a + b;
    return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
  }

  void suspend(BackgroundTask task) {
    retrying(task, 0, () -> {
      if (task.state() != SessionTask.State.SUSPENDED) {
        return true; // resumed meanwhile
      }
      BackgroundRunner.Attempt a = runner.attempt(task.taskIdentifier());
      if (a != null) {
        a.resumeAfterSuspend = false;
        a.stop(BackgroundRunner.Stop.SUSPEND);
        return true;
      }
      return store.rewrite(task.taskIdentifier(), TransferStore.FAR_FUTURE, t -> t.withSuspended(true));
    });
  }

  void resume(BackgroundTask task) {
    retrying(task, 0, () -> {
      if (task.state() != SessionTask.State.RUNNING) {
        return true; // suspended again meanwhile
      }
      BackgroundRunner.Attempt a = runner.attempt(task.taskIdentifier());
      if (a != null && a.resumeUnlessClosed()) {
        return true;
      }
      boolean done = store.rewrite(task.taskIdentifier(), Instant.now(), t -> t.withSuspended(false));
      if (done) {
        session.keepAlive();
      }
      return done;
    });
  }

  /**
   * Runs {@code op} until it succeeds: an execution being picked or completed (here, or on
   * another node) cannot be rewritten for a moment. Tries for about 30 s.
   */
  private void retrying(BackgroundTask task, int attempt, BooleanSupplier op) {
    if (session.isInvalidated() || op.getAsBoolean()) {
      return;
    }
    if (attempt >= 300) {
      log.warn("Could not change background transfer {} of {}: it stays as it was", task, session.identifier());
      return;
    }
    Scheduler.schedule(() -> retrying(task, attempt + 1, op), Duration.ofMillis(100));
  }

  /** Cancels {@code task}; {@code wanted}, when given, gets its resume data (or null). */
  void cancel(BackgroundTask task, boolean stored,
      @Nullable CompletableFuture<@Nullable ResumeData> wanted) {
    if (!stored) {
      completeLocally(task, new SessionException(Code.CANCELLED, task.originalRequest().url()));
      if (wanted != null) {
        answer(wanted, null);
      }
      return;
    }
    cancelStored(task.taskIdentifier(), wanted);
  }

  /**
   * Cancels a stored transfer wherever it is. With {@code wanted}: a run of this node hands its
   * resume data out as it stops; a transfer no node runs (suspended, or waiting to retry) hands
   * out the partial file of its last checkpoint; one running on another node gives none.
   */
  private void cancelStored(long id, @Nullable CompletableFuture<@Nullable ResumeData> wanted) {
    markCancelled(id);
    BackgroundRunner.Attempt a = runner.attempt(id);
    if (a != null) {
      if (wanted != null) {
        a.resumeDataWanted = wanted;
      }
      a.stop(BackgroundRunner.Stop.CANCEL);
      return;
    }
    ResumeData handedOut = null;
    try {
      var e = store.find(id);
      if (e.isPresent() && !e.get().picked()) {
        store.cancel(id); // throws when a node picked it meanwhile: nothing runs it after this
        if (wanted != null) {
          handedOut = runner.handOutCheckpoint(id);
        }
        files.writeResult(TransferResult.failure(e.get().transfer(), Code.CANCELLED, null, null));
        TransferFiles.deleteQuietly(files.checkpoint(id));
        session.delivery().deliver(id);
      }
    } catch (IOException | RuntimeException e) {
      // picked meanwhile (here or on another node): the runner sees the marker and stops
      log.debug("Background transfer {} is being picked; its runner will see the cancellation", id, e);
    }
    if (wanted != null) {
      answer(wanted, handedOut);
    }
  }

  /** Completes {@code wanted} on the delegate queue, as every answer of the session. */
  void answer(CompletableFuture<@Nullable ResumeData> wanted, @Nullable ResumeData resumeData) {
    session.execute(() -> wanted.complete(resumeData));
  }

  private void markCancelled(long id) {
    try {
      DurableFiles.write(files.cancelMarker(id), new byte[0]);
    } catch (IOException e) {
      log.warn("Could not write the cancellation marker of background transfer {}", id, e);
    }
  }

  CompletableFuture<@Nullable ResumeData> cancelProducingResumeData(BackgroundTask task) {
    CompletableFuture<@Nullable ResumeData> f = new CompletableFuture<>();
    task.cancel(f);
    return f;
  }

  /** Completes a task that never reached the store (or could not be stored). */
  void completeLocally(BackgroundTask task, SessionException error) {
    tasks.remove(task.taskIdentifier());
    session.execute(() -> {
      task.completed(null, error, 0, -1, 0);
      SessionDelegate d = session.delegate();
      if (d instanceof TaskDelegate) {
        session.guarded("didComplete", () -> ((TaskDelegate) d).didComplete(session, task, error)).run();
      }
      task.finishCompletion();
    });
  }

  /** Cancels every known transfer; with a reason, gives it up as the library (a reset). */
  List<BackgroundTask> cancelAll(@Nullable BackgroundTaskCancelledReason reason) {
    List<BackgroundTask> all = new ArrayList<>(known());
    for (BackgroundTask task : all) {
      if (reason == null) {
        task.cancel();
      } else {
        forceQuit(task.taskIdentifier(), reason);
      }
    }
    return all;
  }

  private void forceQuit(long id, BackgroundTaskCancelledReason reason) {
    BackgroundRunner.Attempt a = runner.attempt(id);
    BackgroundTask task = tasks.get(id);
    if (task != null && !task.isEnqueued()) {
      completeLocally(task, new SessionException(Code.CANCELLED, task.originalRequest().url(), null, null, reason));
      return;
    }
    try {
      markCancelled(id);
      var e = store.find(id);
      if (a != null) {
        a.cancelReason = reason;
        a.stop(BackgroundRunner.Stop.CANCEL); // its runner records the result and delivers it
        return;
      }
      if (e.isPresent() && !e.get().picked()) {
        store.cancel(id);
      }
      if (e.isPresent()) {
        files.writeResult(TransferResult.failure(e.get().transfer(), Code.CANCELLED, reason,
            "The background session was reset"));
        TransferFiles.deleteQuietly(files.checkpoint(id));
      }
    } catch (IOException | RuntimeException e) {
      log.warn("Could not reset background transfer {} of {}", id, session.identifier(), e);
    }
  }

  /** Every transfer of the identifier not yet completed: this node's and, clustered, the others'. */
  List<BackgroundTask> known() {
    if (!session.isInvalidated()) {
      try {
        Set<Long> inStore = new HashSet<>();
        store.forEach(t -> {
          inStore.add(t.id());
          if (!delivered.contains(t.id())) {
            facadeFor(t);
          }
        });
        delivered.retainAll(inStore);
        // Clustered: transfers another node completed (and reported to its own delegate).
        tasks.values().removeIf(t -> t.stored && !inStore.contains(t.taskIdentifier()) && !t.isCompleted()
            && runner.attempt(t.taskIdentifier()) == null && !files.hasResult(t.taskIdentifier()));
      } catch (RuntimeException e) {
        log.warn("Could not list the transfers of {}", session.identifier(), e);
      }
    }
    List<BackgroundTask> live = new ArrayList<>();
    for (BackgroundTask t : tasks.values()) {
      if (t.isEnqueued() && !t.isCompleted()) {
        live.add(t);
      }
    }
    live.sort((a, b) -> Long.compare(a.taskIdentifier(), b.taskIdentifier()));
    return live;
  }
}
