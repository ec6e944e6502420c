package dev.urlsession;

import java.io.InputStream;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Events common to every task (Apple's {@code URLSessionTaskDelegate}). Set it on a session, or
 * on one task with {@link SessionTask#delegate(TaskDelegate)}; a task delegate that does not
 * implement a method falls back to the session delegate's.
 *
 * <p>Order for a plain task: {@code didCreateTask}, then (for a body) {@code didSendBodyData}
 * calls, then response and data events of the sub-interface, then
 * {@code didFinishCollectingMetrics}, then {@code didComplete}, exactly once and last.
 *
 * <p>A method taking a {@link Consumer} must call it exactly once, from any thread; the task
 * waits until it does. Calling it twice throws {@link IllegalStateException}.
 *
 * @since 0.1.0
 */
public interface TaskDelegate extends SessionDelegate {
  /** A task was created (called before anything else for it). */
  default void didCreateTask(Session session, SessionTask task) {}

  /**
   * The task could not connect and waits for connectivity, because the configuration
   * {@linkplain SessionConfiguration#waitsForConnectivity() waits for it}. Called at most once per
   * task; informational.
   */
  default void taskIsWaitingForConnectivity(Session session, SessionTask task) {}

  /**
   * A background task whose {@link SessionTask#earliestBeginDate()} has come is about to begin
   * (background sessions only). Answer with {@link DelayedRequestDisposition#continueLoading()},
   * {@link DelayedRequestDisposition#useNewRequest(Request)} or
   * {@link DelayedRequestDisposition#cancel()}; the default continues.
   */
  default void willBeginDelayedRequest(Session session, SessionTask task, Request request,
      Consumer<DelayedRequestDisposition> handler) {
    handler.accept(DelayedRequestDisposition.continueLoading());
  }

  /**
   * The server redirected the task. Pass {@code newRequest} (or another request) to follow, or
   * {@code null} to stop: the redirect response is then delivered as the final response. Also
   * called for tasks with completion handlers.
   */
  default void willPerformHttpRedirection(
      Session session,
      SessionTask task,
      Response redirect,
      Request newRequest,
      Consumer<@Nullable Request> completionHandler) {
    completionHandler.accept(newRequest);
  }

  /**
   * A server or proxy asks this task for credentials (HTTP Basic and Digest, proxies). Also called
   * for tasks with completion handlers. The default performs default handling: the storage's
   * credential or the URL's {@code user:password@} is tried once, else the 401 or 407 is the
   * response.
   */
  default void didReceiveChallenge(
      Session session, SessionTask task, AuthenticationChallenge challenge, ChallengeHandler handler) {
    handler.performDefaultHandling();
  }

  /**
   * A streamed upload task needs its body: pass a new stream positioned at the start, or
   * {@code null} to fail the task with {@code REQUEST_BODY_STREAM_EXHAUSTED}. Called before the
   * first request and again whenever the body must be re-sent (a 307 or 308 redirect). The
   * session reads the stream on a thread of its own and closes it.
   */
  default void needNewBodyStream(
      Session session, SessionTask task, Consumer<@Nullable InputStream> completionHandler) {
    completionHandler.accept(null);
  }

  /** Body bytes were sent: in this call, in total, and expected in total (-1 when unknown). */
  default void didSendBodyData(
      Session session,
      SessionTask task,
      long bytesSent,
      long totalBytesSent,
      long totalBytesExpectedToSend) {}

  /** Metrics of the task, just before {@link #didComplete}. */
  default void didFinishCollectingMetrics(Session session, SessionTask task, TaskMetrics metrics) {}

  /**
   * The task completed: the last message for it, exactly once. {@code error} is null on success
   * (including HTTP 4xx and 5xx).
   */
  default void didComplete(Session session, SessionTask task, @Nullable SessionException error) {}
}
