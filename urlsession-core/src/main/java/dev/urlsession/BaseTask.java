package dev.urlsession;

import dev.urlsession.internal.Checks;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * What every task is, whatever runs it: its identity, its state, its requests and response, its
 * label and hints, and its byte counts (URLSESSION-BEHAVIOUR.md 2.2 to 2.4). {@link RealTask}
 * (the state machine of a task loaded in this process) and {@link BackgroundTask} (a view of a
 * durable transfer) add what changes them. Every field below is guarded by {@code this}, the
 * task's lock.
 */
abstract class BaseTask implements SessionTask {
  private final long taskIdentifier;
  /**
   * The identifier boxed once, as the key of the session's task map: the thread that removes the
   * task finds its entry by identity, without boxing again or reading another thread's Long.
   */
  final Long registryKey;
  private final Request originalRequest;
  private final CompletableFuture<SessionTask> completion;
  // --- guarded by this ---
  State state;
  Request currentRequest;
  @Nullable Response response;
  @Nullable SessionException error;
  private @Nullable String taskDescription;
  private float priority = DEFAULT_PRIORITY;
  private @Nullable Instant earliestBeginDate;
  long bytesReceived;
  long bytesExpectedToReceive = -1;
  long bytesSent;
  long bytesExpectedToSend;

  BaseTask(long taskIdentifier, Request request, State state, CompletableFuture<SessionTask> completion) {
    this.taskIdentifier = taskIdentifier;
    this.registryKey = taskIdentifier;
    this.originalRequest = request;
    this.currentRequest = request;
    this.state = state;
    this.completion = completion;
  }

  @Override
  public long taskIdentifier() {
    return taskIdentifier;
  }

  /** The key of the task in its session's map (see {@link #registryKey}). */
  public Long registryKey() {
    return registryKey;
  }

  @Override
  public synchronized State state() {
    return state;
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
  public synchronized @Nullable Instant earliestBeginDate() {
    return earliestBeginDate;
  }

  @Override
  public synchronized void earliestBeginDate(@Nullable Instant when) {
    this.earliestBeginDate = when;
  }

  @Override
  public CompletableFuture<SessionTask> completion() {
    return completion;
  }

  /** Whether the task completed. */
  synchronized boolean isCompleted() {
    return state == State.COMPLETED;
  }
}
