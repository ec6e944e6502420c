package dev.urlsession;

import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * One load of a URL (Apple's {@code URLSessionTask}).
 *
 * <p>A new task is {@link State#SUSPENDED}: nothing happens until {@link #resume()}.
 * {@code suspend()} and {@code resume()} nest. {@link #cancel()} works in every state and
 * completes the task with {@code CANCELLED}. A completed task cannot be restarted. A task
 * completes exactly once: its delegate's {@code didComplete} or its completion handler is called
 * once, never both.
 *
 * <table>
 *   <caption>State machine</caption>
 *   <tr><th>state</th><th>resume()</th><th>suspend()</th><th>cancel()</th></tr>
 *   <tr><td>SUSPENDED</td><td>RUNNING once every suspend is undone</td><td>nests</td><td>CANCELING, then COMPLETED</td></tr>
 *   <tr><td>RUNNING</td><td>no-op</td><td>SUSPENDED: no more data delivered, timers stopped</td><td>CANCELING, then COMPLETED</td></tr>
 *   <tr><td>CANCELING</td><td>no-op</td><td>no-op</td><td>no-op</td></tr>
 *   <tr><td>COMPLETED</td><td>no-op</td><td>no-op</td><td>no-op</td></tr>
 * </table>
 *
 * <p>All methods are thread-safe and return at once; delegate calls happen on the session's
 * delegate queue.
 *
 * @since 0.1.0
 */
public interface SessionTask {
  /** Priority hint: low. */
  float LOW_PRIORITY = 0.25f;
  /** Priority hint: the default. */
  float DEFAULT_PRIORITY = 0.5f;
  /** Priority hint: high. */
  float HIGH_PRIORITY = 0.75f;

  /** Apple's task states. */
  enum State {
    RUNNING,
    SUSPENDED,
    CANCELING,
    COMPLETED
  }

  /** An identifier unique within the session, from 1. */
  long taskIdentifier();

  /** The current state. */
  State state();

  /** Starts or continues the task; undoes one {@link #suspend()}. */
  void resume();

  /** Pauses the task: no more data is delivered and its timers stop until {@link #resume()}. */
  void suspend();

  /** Cancels the task: it completes with {@code CANCELLED} unless it already completed. */
  void cancel();

  /** The request the task was created with, or {@code null} for stream tasks. */
  @Nullable Request originalRequest();

  /** The request being loaded: after a followed redirect, the redirected one. */
  @Nullable Request currentRequest();

  /** The response, once its headers arrived; after redirects, the final one. */
  @Nullable Response response();

  /** The error the task completed with, or {@code null}. */
  @Nullable SessionException error();

  /** A free-form label of the application's. */
  @Nullable String taskDescription();

  /** Sets the free-form label. */
  void taskDescription(@Nullable String description);

  /** The priority, 0 to 1. */
  float priority();

  /**
   * Sets the priority hint.
   *
   * @throws IllegalArgumentException outside 0 to 1
   */
  void priority(float priority);

  /** Body bytes sent so far. */
  long countOfBytesSent();

  /** Body bytes to send: the body length, or 0 without a body, -1 when unknown. */
  long countOfBytesExpectedToSend();

  /** Body bytes received so far, after content decoding. */
  long countOfBytesReceived();

  /** The expected body length ({@code Content-Length}), or -1 when unknown. */
  long countOfBytesExpectedToReceive();

  /** The task's progress; cancelling it cancels the task. */
  TaskProgress progress();

  /** The earliest time a background task may begin, or {@code null}. */
  @Nullable Instant earliestBeginDate();

  /** Sets the earliest begin date (honoured by background sessions only). */
  void earliestBeginDate(@Nullable Instant when);

  /** The task's own delegate, or {@code null} when the session delegate serves it. */
  @Nullable TaskDelegate delegate();

  /**
   * Sets the task's own delegate; methods it does not implement fall back to the session
   * delegate.
   *
   * @throws IllegalStateException after {@link #resume()}
   */
  void delegate(@Nullable TaskDelegate delegate);

  /** Completes (normally, with this task) when the task completes, after its completion callback. */
  CompletableFuture<SessionTask> completion();
}
