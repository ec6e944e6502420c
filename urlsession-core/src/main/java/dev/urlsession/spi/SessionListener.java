package dev.urlsession.spi;

import dev.urlsession.ProtectionSpace;
import dev.urlsession.Request;
import dev.urlsession.Response;
import dev.urlsession.SessionException;
import dev.urlsession.SessionTask;
import dev.urlsession.TaskMetrics;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Observes the tasks of a session for metrics and tracing, separately from delegates (OkHttp's
 * {@code EventListener}). A {@link Factory} set with
 * {@link dev.urlsession.SessionConfiguration.Builder#sessionListenerFactory} creates one listener
 * per task when the task is created, so a listener may keep per-task state (a timer sample, an
 * observation) in its fields.
 *
 * <p>Events of one task, in order:
 * <pre>
 * taskStarted
 *   ( [cacheHit | cacheMiss]     when the session's cache was consulted for the request
 *     requestWillBeSent          for every request handed to a protocol handler other than the
 *                                cache: the first one, each followed redirect, each retry after
 *                                an authentication challenge
 *     [cacheConditionalHit | cacheMiss]   the answer to a revalidation
 *     [redirected | challengeReceived] )*
 * taskCompleted                  exactly once, after taskStarted
 * </pre>
 * A task that is cancelled before it was ever resumed produces no event. A data task that becomes
 * a download task ({@code ResponseDisposition.BECOME_DOWNLOAD}) hands its listener to the download
 * task, which then reports {@code taskCompleted} (with itself as the task).
 *
 * <p><b>Threading.</b> Methods run on the thread where the event happens: the thread that called
 * {@code resume()}, an HttpClient I/O thread, the timer thread; {@link #taskCompleted} runs just
 * before the task's completion is delivered, so that whatever it records is visible to code that
 * waits for the completion: on the session's delegate queue, or, for a {@code data()} future
 * completed directly by the thread that finished the task, on that thread. No method runs while a task's lock is
 * held. The events of one task may come from different threads, never at once for
 * {@code taskStarted} and {@code taskCompleted}: a task cancelled from another thread while
 * {@code taskStarted} runs gets its {@code taskCompleted} after {@code taskStarted} returned.
 * Implementations must be thread-safe, fast, and must not block, since they delay the session's
 * I/O. A listener that
 * throws is logged and the task goes on; a {@link #requestWillBeSent} that throws, or changes the
 * URL or method, leaves the request unchanged.
 *
 * <p>Every method has an empty default, so new events can be added compatibly. When no factory is
 * configured, the session calls nothing.
 *
 * @since 0.1.0
 */
public interface SessionListener {
  /** A listener that ignores every event. */
  SessionListener NONE = new SessionListener() {};

  /**
   * The {@link Request#property(String) request property} that names a request's URI template,
   * such as {@code /users/{id}}: metrics listeners tag requests with it instead of their path,
   * whose values are unbounded. A {@code String}; set with
   * {@code Request.builder(url).property(SessionListener.URI_TEMPLATE_PROPERTY, "/users/{id}")}.
   */
  String URI_TEMPLATE_PROPERTY = "dev.urlsession.uriTemplate";

  /** The task was resumed for the first time. Called on the thread that called {@code resume()}. */
  default void taskStarted(SessionTask task) {}

  /**
   * {@code request} is about to be handed to its protocol handler; returns the request to send
   * instead, typically with headers added (a {@code traceparent}). Called for every request of the
   * task that is not answered from the cache, including each redirect hop and each retry with
   * credentials, before the session adds cookies and a download's {@code Range}. The returned
   * request must have the same URL and method.
   *
   * @param request the request, never null
   * @return the request to send, never null ({@code request} itself to change nothing)
   */
  default Request requestWillBeSent(SessionTask task, Request request) {
    return request;
  }

  /** The response to the current request will come from the session's cache, without the network. */
  default void cacheHit(SessionTask task) {}

  /** The cache had nothing usable: the current request goes to the network. */
  default void cacheMiss(SessionTask task) {}

  /** A revalidation of a cached response was answered 304 Not Modified: the cached body is used. */
  default void cacheConditionalHit(SessionTask task) {}

  /**
   * A redirect is being followed to {@code next} (after the delegate agreed, if it was asked); a
   * redirect that is not followed becomes the task's response and produces no event.
   */
  default void redirected(SessionTask task, Response redirect, Request next) {}

  /** A response challenged the request for credentials (401, 407). */
  default void challengeReceived(SessionTask task, ProtectionSpace space, Response response) {}

  /**
   * The task completed: with {@code error == null} it succeeded and {@code task.response()} is
   * its final response; otherwise it failed (it may still have a response, for a failure during
   * the body). Called exactly once per started task, before its completion is delivered to its
   * delegate or completion handler.
   *
   * @param metrics the task's timings and transactions
   * @param error the failure, or null
   */
  default void taskCompleted(SessionTask task, TaskMetrics metrics, @Nullable SessionException error) {}

  /**
   * Creates the listener of each task. Called on the thread that creates the task, once per task.
   *
   * @since 0.1.0
   */
  @FunctionalInterface
  interface Factory {
    /**
     * The listener of {@code task}, or {@link SessionListener#NONE} to ignore it.
     *
     * @param task the new task, not yet resumed
     */
    SessionListener create(SessionTask task);

    /**
     * A factory whose listeners forward every event to this factory's listener, then to
     * {@code next}'s. A listener that throws does not keep the next one from being called.
     */
    default Factory andThen(Factory next) {
      Objects.requireNonNull(next, "next");
      Factory first = this;
      return task -> CompositeSessionListener.of(java.util.Arrays.asList(first.create(task), next.create(task)));
    }
  }
}
