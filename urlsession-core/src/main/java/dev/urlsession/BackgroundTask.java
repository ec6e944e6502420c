package dev.urlsession;

import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * What the application holds of a background transfer: a view whose state and counters mirror
 * the durable transfer, which runs in the store (on this node or, clustered, another one).
 * Thread-safe: one monitor per task; delegate calls go to the session's delegate queue.
 */
abstract class BackgroundTask extends BaseTask {
  final BackgroundTransfers transfers;
  final java.nio.file.@Nullable Path uploadFile;
  final @Nullable ResumeData resumeFrom;
  private final RealProgress progress;
  /** Whether the transfer's execution was written to the store. */
  volatile boolean stored;

  // --- guarded by this ---
  /** Whether the transfer is in the store (resumed at least once). */
  private boolean enqueued;

  BackgroundTask(BackgroundTransfers transfers, long taskIdentifier, Request request,
      java.nio.file.@Nullable Path uploadFile, @Nullable ResumeData resumeFrom, boolean enqueued) {
    super(taskIdentifier, request, enqueued ? State.RUNNING : State.SUSPENDED, new CompletableFuture<>());
    this.transfers = transfers;
    this.uploadFile = uploadFile;
    this.progress = new RealProgress(this, uploadFile != null);
    this.resumeFrom = resumeFrom;
    this.enqueued = enqueued;
    this.stored = enqueued;
    if (uploadFile != null) {
      try {
        bytesExpectedToSend = java.nio.file.Files.size(uploadFile);
      } catch (java.io.IOException e) {
        bytesExpectedToSend = -1;
      }
    }
    if (resumeFrom != null) {
      bytesReceived = resumeFrom.bytesReceived();
    }
  }

  static BackgroundTask create(BackgroundTransfers session, long id, Request request,
      java.nio.file.@Nullable Path uploadFile, @Nullable ResumeData resumeFrom, boolean enqueued) {
    return uploadFile != null
        ? new Upload(session, id, request, uploadFile, enqueued)
        : new Download(session, id, request, resumeFrom, enqueued);
  }

  boolean isUpload() {
    return uploadFile != null;
  }

  @Override
  public void resume() {
    boolean enqueue;
    boolean wake;
    synchronized (this) {
      if (state != State.SUSPENDED) {
        return;
      }
      enqueue = !enqueued;
      wake = enqueued;
      enqueued = true;
      state = State.RUNNING;
    }
    if (enqueue) {
      transfers.enqueue(this);
    } else if (wake) {
      transfers.resume(this);
    }
  }

  @Override
  public void suspend() {
    boolean suspendStored;
    synchronized (this) {
      if (state != State.RUNNING) {
        return;
      }
      state = State.SUSPENDED;
      suspendStored = enqueued;
    }
    if (suspendStored) {
      transfers.suspend(this);
    }
  }

  @Override
  public void cancel() {
    cancel(null);
  }

  /**
   * Cancels the transfer; {@code wanted}, when given, gets its resume data (null when there is
   * none, or the task already ended).
   */
  void cancel(@Nullable CompletableFuture<@Nullable ResumeData> wanted) {
    boolean stored;
    synchronized (this) {
      if (state == State.COMPLETED || state == State.CANCELING) {
        if (wanted != null) {
          transfers.answer(wanted, null);
        }
        return;
      }
      state = State.CANCELING;
      progress.markCancelled();
      stored = enqueued;
    }
    transfers.cancel(this, stored, wanted);
  }

  synchronized boolean isEnqueued() {
    return enqueued;
  }

  /** The transfer ended: called on the delegate queue before the completion events. */
  synchronized void completed(@Nullable Response r, @Nullable SessionException e, long received, long expected,
      long sent) {
    if (r != null) {
      response = r;
    }
    error = e;
    if (received > bytesReceived) {
      bytesReceived = received;
    }
    if (expected >= 0) {
      bytesExpectedToReceive = expected;
    }
    if (sent > bytesSent) {
      bytesSent = sent;
    }
    if (e != null && e.code() == SessionException.Code.CANCELLED) {
      progress.markCancelled();
    }
    state = State.COMPLETED;
  }

  void finishCompletion() {
    completion().complete(this);
  }

  synchronized void received(long total, long expected) {
    bytesReceived = total;
    bytesExpectedToReceive = expected;
  }

  synchronized void sent(long total, long expected) {
    bytesSent = total;
    bytesExpectedToSend = expected;
  }

  synchronized void responded(Response r) {
    response = r;
    currentRequest = currentRequest.url().equals(r.url()) ? currentRequest
        : currentRequest.toBuilder().url(r.url()).build();
  }

  /** A stored transfer found suspended when the session attached. */
  synchronized void markSuspended() {
    if (state == State.RUNNING) {
      state = State.SUSPENDED;
    }
  }

  @Override
  public TaskProgress progress() {
    return progress;
  }

  @Override
  public @Nullable TaskDelegate delegate() {
    return null;
  }

  /**
   * Background tasks report to the session delegate only (it is there again after a restart).
   *
   * @throws IllegalArgumentException for any non-null delegate
   */
  @Override
  public void delegate(@Nullable TaskDelegate delegate) {
    if (delegate != null) {
      throw new IllegalArgumentException(
          "background tasks report to the session delegate; task delegates are not supported");
    }
  }

  @Override
  public String toString() {
    return (isUpload() ? "BackgroundUploadTask{" : "BackgroundDownloadTask{") + taskIdentifier() + ", "
        + originalRequest().method() + " " + SessionException.redact(originalRequest().url()) + "}";
  }

  static final class Download extends BackgroundTask implements DownloadTask {
    Download(BackgroundTransfers s, long id, Request r, @Nullable ResumeData from, boolean enqueued) {
      super(s, id, r, null, from, enqueued);
    }

    @Override
    public CompletableFuture<@Nullable ResumeData> cancelByProducingResumeData() {
      return transfers.cancelProducingResumeData(this);
    }
  }

  static final class Upload extends BackgroundTask implements UploadTask {
    Upload(BackgroundTransfers s, long id, Request r, java.nio.file.Path file, boolean enqueued) {
      super(s, id, r, file, null, enqueued);
    }
  }
}
