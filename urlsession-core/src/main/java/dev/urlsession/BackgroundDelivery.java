package dev.urlsession;

import dev.urlsession.internal.Scheduler;
import dev.urlsession.internal.background.DurableFiles;
import dev.urlsession.internal.background.TransferFiles;
import dev.urlsession.internal.background.TransferResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers how background transfers ended to the application's delegate, at least once: a result
 * is claimed (an atomic rename, so that one node delivers it), its events are posted to the
 * delegate queue, and its records and file are deleted only after the delegate returned. A
 * delegate that throws from {@code didFinishDownloadingTo} leaves the file and the result for the
 * next attach. Counts deliveries in flight, which keep the process alive.
 */
final class BackgroundDelivery {
  private static final Logger log = LoggerFactory.getLogger(BackgroundDelivery.class);

  private final BackgroundSession session;
  private final TransferFiles files;
  /** Results claimed for delivery whose events have not run yet (the delegate queue may be held). */
  private final AtomicInteger inFlight = new AtomicInteger();
  private volatile @Nullable ScheduledFuture<?> janitor;

  BackgroundDelivery(BackgroundSession session, TransferFiles files) {
    this.session = session;
    this.files = files;
  }

  /**
   * Clustered stores: a node that died between recording a result and delivering it leaves the
   * result (or its claim) behind with no execution to revive. Any live node delivers those once
   * they are older than the takeover window; this looks for them every quarter window.
   */
  void watchForOrphanedResults(Duration takeoverWindow, BackgroundRunner runner) {
    long window = takeoverWindow.toMillis();
    janitor = Scheduler.schedule(() -> {
      if (session.isInvalidated()) {
        return;
      }
      try {
        for (long id : files.staleResults(10 * window, window)) {
          if (runner.attempt(id) == null) {
            deliver(id);
          }
        }
      } catch (IOException | RuntimeException e) {
        log.debug("Looking for orphaned results of {} failed", session.identifier(), e);
      } finally {
        if (!session.isInvalidated()) {
          watchForOrphanedResults(takeoverWindow, runner);
        }
      }
    }, Duration.ofMillis(Math.max(500, window / 4)));
  }

  void stopWatching() {
    ScheduledFuture<?> j = janitor;
    if (j != null) {
      j.cancel(false);
    }
  }

  /** A delivery is coming: the process stays up until {@link #releaseProcess()}. */
  void holdProcess() {
    inFlight.incrementAndGet();
  }

  void releaseProcess() {
    inFlight.decrementAndGet();
  }

  /** Deliveries whose events have not run yet. */
  int inFlight() {
    return inFlight.get();
  }

  /** Claims the result of transfer {@code id} and posts its events; false when another node claimed it. */
  boolean deliver(long id) {
    TransferResult r = files.claim(id);
    if (r == null) {
      return false;
    }
    BackgroundTask task = session.transfers().delivering(r.transfer());
    holdProcess();
    session.execute(() -> {
      try {
        postEvents(id, r, task);
      } finally {
        releaseProcess();
      }
    });
    return true;
  }

  /** Posts the events of a claimed result (on the delegate queue). */
  private void postEvents(long id, TransferResult r, BackgroundTask task) {
    SessionException error = r.error();
    task.completed(r.response(), error, r.bytesReceived(), r.bytesExpected(), r.bytesSent());
    SessionDelegate d = session.delegate();
    Path file = r.file();
    if (file != null && error == null && d instanceof DownloadDelegate && task instanceof DownloadTask
        && !Files.exists(files.fileDelivered(id))) {
      if (!acknowledged(() -> ((DownloadDelegate) d).didFinishDownloadingTo(session, (DownloadTask) task, file))) {
        keepForRedelivery(id, file);
        return;
      }
      TransferFiles.deleteQuietly(file);
      try {
        // A crash from here on redelivers didComplete only.
        DurableFiles.write(files.fileDelivered(id), new byte[0]);
      } catch (IOException e) {
        log.warn("Could not record the delivery of {}", file, e);
      }
    }
    if (d instanceof TaskDelegate) {
      session.guarded("didComplete", () -> ((TaskDelegate) d).didComplete(session, task, error)).run();
    }
    if (file != null) {
      TransferFiles.deleteQuietly(file);
    }
    files.forget(id);
    session.transfers().delivered(id, task);
    task.finishCompletion();
  }

  /** Announces that the events of transfers that ended while no session was attached were delivered. */
  void finishedEvents() {
    session.execute(() -> {
      SessionDelegate d = session.delegate();
      if (d != null) {
        session.guarded("didFinishEventsForBackgroundSession", () -> d.didFinishEventsForBackgroundSession(session))
            .run();
      }
    });
  }

  /**
   * Runs a delegate call that takes over a file; false when it threw: the file was not taken,
   * so it must not be deleted.
   */
  private static boolean acknowledged(Runnable call) {
    try {
      call.run();
      return true;
    } catch (RuntimeException e) {
      log.error("DownloadDelegate.didFinishDownloadingTo threw; the downloaded file is kept", e);
      return false;
    }
  }

  /**
   * A delegate did not take a finished file: the file and the result stay, and are delivered
   * again (at least once) when a session with this identifier is next created, or, clustered, by
   * any node after the takeover window. No {@code didComplete} is delivered now.
   */
  private void keepForRedelivery(long id, Path file) {
    log.warn("Background transfer {} of {}: {} is kept and delivered again when the session is next created",
        id, session.identifier(), file);
    try {
      files.unclaim(id);
    } catch (IOException e) {
      log.warn("Could not keep the result of background transfer {} for redelivery; it is delivered again at "
          + "the next start", id, e); // a claimed result is recovered then
    }
  }
}
