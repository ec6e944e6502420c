package dev.urlsession;

import java.util.function.Consumer;

/**
 * Events of data and upload tasks (Apple's {@code URLSessionDataDelegate}).
 *
 * <p>Order: {@code didReceiveResponse} (the task waits for the disposition), then
 * {@code didReceiveData} zero or more times with consecutive pieces of the decoded body, then
 * {@code didFinishCollectingMetrics} and {@code didComplete}. Tasks with completion handlers get
 * none of these data events.
 *
 * @since 0.1.0
 */
public interface DataDelegate extends TaskDelegate {
  /**
   * The final response's headers arrived; no data is delivered until {@code completionHandler}
   * gets a disposition. Not called for followed redirects.
   */
  default void didReceiveResponse(
      Session session,
      DataTask task,
      Response response,
      Consumer<ResponseDisposition> completionHandler) {
    completionHandler.accept(ResponseDisposition.ALLOW);
  }

  /**
   * After {@link ResponseDisposition#BECOME_DOWNLOAD}: {@code downloadTask} continues the
   * transfer; the data task gets no more messages.
   */
  default void didBecomeDownloadTask(Session session, DataTask task, DownloadTask downloadTask) {}

  /**
   * After {@link ResponseDisposition#BECOME_STREAM}: {@code streamTask}, already running, reads the
   * rest of the response's body; it is read-only (its {@code writeClosed} follows at once) and
   * carries the data task's requests and response. The data task gets no more messages (no
   * {@code didReceiveData}, no {@code didComplete}); it is completed.
   */
  default void didBecomeStreamTask(Session session, DataTask task, StreamTask streamTask) {}

  /**
   * The response is about to be stored in the session's cache (after all its data, before
   * {@code didComplete}; only for cacheable responses of data tasks that came from the network).
   * Pass {@code proposed}, a changed response, or {@code null} to store nothing.
   */
  default void willCacheResponse(
      Session session,
      DataTask task,
      CachedResponse proposed,
      Consumer<@org.jspecify.annotations.Nullable CachedResponse> completionHandler) {
    completionHandler.accept(proposed);
  }

  /** The next piece of the body (after content decoding). The array is the delegate's to keep. */
  default void didReceiveData(Session session, DataTask task, byte[] data) {}
}
