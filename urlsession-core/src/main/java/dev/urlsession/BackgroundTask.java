package dev.urlsession;

import dev.urlsession.internal.Checks;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * What the application holds of a background transfer: a view whose state and counters mirror
 * the durable transfer, which runs in the store (on this node or, clustered, another one).
 * Thread-safe: one monitor per task; delegate calls go to the session's delegate queue.
 */
abstract class BackgroundTask implements SessionTask {
  final BackgroundTransfers transfers;
  private final long taskIdentifier;
  private final Request originalRequest;
  final java.nio.file.@Nullable Path uploadFile;
  final @Nullable ResumeData resumeFrom;
  private final CompletableFuture<SessionTask> completion = new CompletableFuture<>();
  private final TaskProgress progress = new Progress();
  /** Whether the transfer's execution was written to the store. */
  volatile boolean stored;

  // --- guarded by this ---
  private State state;
  /** Whether the transfer is in the store (resumed at least once). */
  private boolean enqueued;
  private Request currentRequest;
  private @Nullable Response response;
  private @Nullable SessionException error;
  private @Nullable String taskDescription;
  private float priority = DEFAULT_PRIORITY;
  private @Nullable Instant earliestBeginDate;
  private long bytesReceived;
  private long bytesExpectedToReceive = -1;
  private long bytesSent;
  private long bytesExpectedToSend;
  private boolean cancelled;

  BackgroundTask(BackgroundTransfers transfers, long taskIdentifier, Request request,
      java.nio.file.@Nullable Path uploadFile, @Nullable ResumeData resumeFrom, boolean enqueued) {
    this.transfers = transfers;
    this.taskIdentifier = taskIdentifier;
    this.originalRequest = request;
    this.currentRequest = request;
    this.uploadFile = uploadFile;
    this.resumeFrom = resumeFrom;
    this.enqueued = enqueued;
    this.stored = enqueued;
    this.state = enqueued ? State.RUNNING : State.SUSPENDED;
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
  public long taskIdentifier() {
    return taskIdentifier;
  }

  @Override
  public synchronized State state() {
    return state;
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
    boolean stored;
    synchronized (this) {
      if (state == State.COMPLETED || state == State.CANCELING) {
        return;
      }
      state = State.CANCELING;
      cancelled = true;
      stored = enqueued;
    }
    transfers.cancel(this, stored);
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
      cancelled = true;
    }
    state = State.COMPLETED;
  }

  void finishCompletion() {
    completion.complete(this);
  }

  synchronized boolean isCompleted() {
    return state == State.COMPLETED;
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
  public Request originalRequest() {
    return originalRequest;
  }

  @Override
  public synchronized Request currentRequest() {
    return currentRequest;
  }

  @Override
  public synchronized @Nullable Response response() {
    return response;
  }

  @Override
  public synchronized @Nullable SessionException error() {
    return error;
  }

  @Override
  public synchronized @Nullable String taskDescription() {
    return taskDescription;
  }

  /** Sets the label; it is stored with the transfer when the task is first resumed. */
  @Override
  public synchronized void taskDescription(@Nullable String description) {
    this.taskDescription = description;
  }

  @Override
  public synchronized float priority() {
    return priority;
  }

  @Override
  public synchronized void priority(float priority) {
    this.priority = Checks.priority(priority);
  }

  @Override
  public synchronized long countOfBytesSent() {
    return bytesSent;
  }

  @Override
  public synchronized long countOfBytesExpectedToSend() {
    return bytesExpectedToSend;
  }

  @Override
  public synchronized long countOfBytesReceived() {
    return bytesReceived;
  }

  @Override
  public synchronized long countOfBytesExpectedToReceive() {
    return bytesExpectedToReceive;
  }

  @Override
  public TaskProgress progress() {
    return progress;
  }

  @Override
  public synchronized @Nullable Instant earliestBeginDate() {
    return earliestBeginDate;
  }

  /** Sets the earliest begin date; it is stored with the transfer when the task is first resumed. */
  @Override
  public synchronized void earliestBeginDate(@Nullable Instant when) {
    this.earliestBeginDate = when;
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
  public CompletableFuture<SessionTask> completion() {
    return completion;
  }

  @Override
  public String toString() {
    return (isUpload() ? "BackgroundUploadTask{" : "BackgroundDownloadTask{") + taskIdentifier + ", "
        + originalRequest.method() + " " + SessionException.redact(originalRequest.url()) + "}";
  }

  private final class Progress implements TaskProgress {
    @Override
    public long totalUnitCount() {
      return isUpload() ? countOfBytesExpectedToSend() : countOfBytesExpectedToReceive();
    }

    @Override
    public long completedUnitCount() {
      return isUpload() ? countOfBytesSent() : countOfBytesReceived();
    }

    @Override
    public double fractionCompleted() {
      if (state() == State.COMPLETED && error() == null) {
        return 1.0;
      }
      long total = totalUnitCount();
      return total <= 0 ? 0.0 : Math.min(1.0, (double) completedUnitCount() / total);
    }

    @Override
    public boolean isCancelled() {
      synchronized (BackgroundTask.this) {
        return cancelled;
      }
    }

    @Override
    public void cancel() {
      BackgroundTask.this.cancel();
    }
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
