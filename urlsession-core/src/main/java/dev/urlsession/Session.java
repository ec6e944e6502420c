package dev.urlsession;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.jspecify.annotations.Nullable;

/**
 * A session: a configuration, a connection pool, a delegate, and the tasks that load URLs
 * (Apple's {@code URLSession}).
 *
 * <pre>{@code
 * try (Session session = Session.create(SessionConfiguration.defaultConfiguration())) {
 *   DataResponse r = session.data(Request.get(URI.create("https://example.org/"))).get(10, SECONDS);
 *   System.out.println(r.response().statusCode() + " " + r.body().length + " bytes");
 * }
 * }</pre>
 *
 * <p><b>Share sessions; do not create one per request.</b> Each session owns a connection pool
 * and I/O threads; reusing it reuses connections. A session keeps its delegate until
 * {@link SessionDelegate#didBecomeInvalid} has been delivered, so invalidate (or
 * {@link #close()}) every session you create.
 *
 * <p>Thread-safe: tasks may be created, resumed and cancelled from any thread. Delegate methods
 * and completion handlers run on the {@link #delegateQueue()}, one at a time and in order for
 * each task, never on an I/O thread.
 *
 * @since 0.1.0
 */
public interface Session extends AutoCloseable {
  /**
   * The shared session: default configuration, no delegate, globally registered protocol
   * handlers. {@link #finishTasksAndInvalidate()} and {@link #invalidateAndCancel()} do nothing to
   * it.
   */
  static Session shared() {
    return RealSession.shared();
  }

  /** A session with {@code configuration}, no delegate and a serial delegate queue of its own. */
  static Session create(SessionConfiguration configuration) {
    return create(configuration, null, null);
  }

  /**
   * A session with {@code configuration}, {@code delegate} and {@code delegateQueue}.
   *
   * <p>For a {@link SessionConfiguration#background(String) background} configuration the
   * session opens (creating it if needed) the durable store of its identifier, re-attaches to the
   * transfers found there, and delivers the events that were waiting; see
   * {@link dev.urlsession.background.BackgroundStore}. Its {@code close()} and
   * {@code finishTasksAndInvalidate()} detach (transfers stay stored and continue with the next
   * session of that identifier); {@code invalidateAndCancel()} cancels them.
   *
   * @param delegateQueue where delegate calls and completion handlers run; null for a serial
   *     queue of the session's own. Calls are always delivered one at a time, in order.
   * @throws IllegalArgumentException if {@code configuration} is null, or it is a background
   *     configuration and {@code delegate} is null
   * @throws IllegalStateException for a background configuration whose identifier is open in
   *     another process or session (its cause is a {@link SessionException} with code
   *     {@code BACKGROUND_SESSION_IN_USE_BY_ANOTHER_PROCESS}), or whose store cannot be opened
   */
  static Session create(
      SessionConfiguration configuration,
      @Nullable SessionDelegate delegate,
      @Nullable Executor delegateQueue) {
    return RealSession.create(configuration, delegate, delegateQueue);
  }

  /** The configuration the session was created with. */
  SessionConfiguration configuration();

  /** The delegate; null after {@link SessionDelegate#didBecomeInvalid} has been delivered. */
  @Nullable SessionDelegate delegate();

  /** Where delegate calls and completion handlers run. */
  Executor delegateQueue();

  /** A free-form label of the application's. */
  @Nullable String sessionDescription();

  /** Sets the free-form label. */
  void sessionDescription(@Nullable String description);

  /** A suspended data task for a {@code GET} of {@code url}, reporting to the delegate. */
  DataTask dataTask(URI url);

  /**
   * A suspended data task for {@code request}, reporting to the delegate.
   *
   * @throws IllegalStateException if the session was invalidated
   */
  DataTask dataTask(Request request);

  /** A suspended data task whose result goes to {@code completionHandler} instead of the delegate. */
  DataTask dataTask(URI url, CompletionHandler<byte[]> completionHandler);

  /** A suspended data task whose result goes to {@code completionHandler} instead of the delegate. */
  DataTask dataTask(Request request, CompletionHandler<byte[]> completionHandler);

  /**
   * A suspended upload task sending {@code body} (copied); the request's own body is ignored.
   * Reports to the delegate.
   */
  UploadTask uploadTask(Request request, byte[] body);

  /** As {@link #uploadTask(Request, byte[])}, with a completion handler instead of data events. */
  UploadTask uploadTask(Request request, byte[] body, CompletionHandler<byte[]> completionHandler);

  /**
   * A suspended upload task sending {@code file}, streamed from disk (never loaded into memory).
   * A missing file fails the task with {@code FILE_DOES_NOT_EXIST}, a directory with
   * {@code FILE_IS_DIRECTORY}, an unreadable one with {@code NO_PERMISSIONS_TO_READ_FILE}.
   */
  UploadTask uploadTask(Request request, Path file);

  /** As {@link #uploadTask(Request, Path)}, with a completion handler instead of data events. */
  UploadTask uploadTask(Request request, Path file, CompletionHandler<byte[]> completionHandler);

  /**
   * A suspended upload task whose body comes from {@link TaskDelegate#needNewBodyStream}, sent
   * chunked unless the request declares a {@code Content-Length} (then the stream must give
   * exactly that many bytes); without a stream the task fails with
   * {@code REQUEST_BODY_STREAM_EXHAUSTED}. The request's own body or body stream is ignored.
   */
  UploadTask uploadTask(Request streamedRequest);

  /** A suspended download task for a {@code GET} of {@code url}, reporting to the delegate. */
  DownloadTask downloadTask(URI url);

  /** A suspended download task for {@code request}, reporting to the {@link DownloadDelegate}. */
  DownloadTask downloadTask(Request request);

  /**
   * A suspended download task that continues from {@code resumeData}.
   *
   * @throws IllegalArgumentException if {@code resumeData} is null; data that was altered or
   *     belongs to another store fails the task with {@code CANNOT_WRITE_TO_FILE}
   */
  DownloadTask downloadTask(ResumeData resumeData);

  /**
   * Deletes the partial file of resume data the application will not resume. Nothing else deletes
   * it: a session keeps the partial file of resume data it handed out, so that resuming works after
   * any delay. Only data this session's storage produced, naming a file the session wrote in its
   * download directory, is discarded; anything else is left alone.
   *
   * @return whether a partial file was deleted
   * @throws IllegalArgumentException if {@code resumeData} is null
   */
  boolean discardResumeData(ResumeData resumeData);

  /**
   * A suspended download task whose file goes to {@code completionHandler}: the file exists while
   * the handler runs and is deleted when it returns.
   */
  DownloadTask downloadTask(URI url, CompletionHandler<Path> completionHandler);

  /** As {@link #downloadTask(URI, CompletionHandler)} for a request. */
  DownloadTask downloadTask(Request request, CompletionHandler<Path> completionHandler);

  /** As {@link #downloadTask(ResumeData)}, with a completion handler. */
  DownloadTask downloadTask(ResumeData resumeData, CompletionHandler<Path> completionHandler);

  /**
   * A suspended stream task: a TCP connection to {@code host:port}, made on {@code resume()}
   * through the session's proxy (SOCKS5, or an HTTP proxy's {@code CONNECT} tunnel); see
   * {@link StreamTask}.
   *
   * @throws IllegalArgumentException if {@code host} is null or blank, or {@code port} is not
   *     1..65535, or the session is a background session (stream tasks are not supported there)
   * @throws IllegalStateException if the session was invalidated
   */
  StreamTask streamTask(String host, int port);

  /**
   * A suspended stream task to a service instance found by DNS-based service discovery: on
   * {@code resume()} the task looks up the instance's SRV and TXT records
   * ({@link StreamTask#resolvedService()}) and connects to the SRV targets in priority and weight
   * order, the first that answers; the counterpart of Apple's {@code streamTask(with: NetService)}.
   * A service that is not found fails the task with {@code CANNOT_FIND_HOST}, DNS servers that do
   * not answer within {@code timeoutIntervalForRequest} with {@code DNS_LOOKUP_FAILED}.
   *
   * @throws IllegalArgumentException if {@code service} is null, or the session is a background
   *     session
   * @throws IllegalStateException if the session was invalidated
   */
  StreamTask streamTask(NetService service);

  /**
   * A suspended WebSocket task for {@code url} ({@code ws:} or {@code wss:}), reporting to the
   * delegate (a {@link WebSocketDelegate} for the open and close events); see
   * {@link WebSocketTask}.
   *
   * @throws IllegalArgumentException if {@code url} is null or not a {@code ws:}/{@code wss:}
   *     URL with a host, or the session is a background session (Apple: not supported there)
   * @throws IllegalStateException if the session was invalidated
   */
  default WebSocketTask webSocketTask(URI url) {
    return webSocketTask(Request.get(dev.urlsession.internal.Checks.notNull(url, "url")));
  }

  /**
   * As {@link #webSocketTask(URI)}, offering {@code protocols} as subprotocols
   * ({@code Sec-WebSocket-Protocol: a, b}) in order of preference.
   *
   * @throws IllegalArgumentException also if a protocol is null, empty or not an HTTP token
   */
  default WebSocketTask webSocketTask(URI url, List<String> protocols) {
    return webSocketTask(WebSocketHandshakes.withProtocols(dev.urlsession.internal.Checks.notNull(url, "url"),
        protocols));
  }

  /**
   * As {@link #webSocketTask(URI)} for {@code request}: its headers are sent with the handshake
   * (a {@code Sec-WebSocket-Protocol} header offers subprotocols), its timeout interval bounds the
   * handshake. Its method must be {@code GET} and it must have no body.
   *
   * @throws IllegalArgumentException also for another method or a body
   */
  WebSocketTask webSocketTask(Request request);

  /** Creates and resumes an upload task of {@code body}; see {@link #data(Request)}. */
  CompletableFuture<DataResponse> upload(Request request, byte[] body);

  /** Creates and resumes an upload task of {@code file}; see {@link #data(Request)}. */
  CompletableFuture<DataResponse> upload(Request request, Path file);

  /**
   * Creates and resumes a download task; the future completes with the file, which the caller
   * now owns and deletes, and the response. Cancelling the future cancels the task.
   */
  CompletableFuture<DownloadResponse> download(Request request);

  /**
   * As {@link #download(Request)}, with a delegate of the task's own, which gets
   * {@code didWriteData} (not {@code didFinishDownloadingTo}).
   */
  CompletableFuture<DownloadResponse> download(Request request, @Nullable TaskDelegate delegate);

  /** As {@link #download(Request)}, continuing from {@code resumeData}. */
  CompletableFuture<DownloadResponse> download(ResumeData resumeData);

  /**
   * Creates and resumes a data task; the future completes with the body and response, or fails
   * with the {@link SessionException}. Cancelling the future cancels the task.
   */
  CompletableFuture<DataResponse> data(Request request);

  /** As {@link #data(Request)}, with a delegate of the task's own. */
  CompletableFuture<DataResponse> data(Request request, @Nullable TaskDelegate delegate);

  /**
   * Lets running tasks complete, refuses new ones, then sends
   * {@link SessionDelegate#didBecomeInvalid} and drops the delegate. Returns at once. No effect on
   * the shared session.
   */
  void finishTasksAndInvalidate();

  /** Cancels every task, then invalidates as {@link #finishTasksAndInvalidate()}. */
  void invalidateAndCancel();

  /**
   * Writes stores to disk (cookies, credentials, and the cache files still queued after stores)
   * and makes future requests use new connections. The future completes on the delegate queue.
   */
  CompletableFuture<Void> flush();

  /**
   * Empties the session's stores and makes future requests use new connections. The future
   * completes on the delegate queue.
   */
  CompletableFuture<Void> reset();

  /**
   * Tasks that were resumed and have not completed (running, or suspended after running),
   * completed on the delegate queue.
   */
  CompletableFuture<List<SessionTask>> allTasks();

  /** {@link #allTasks()} by kind. */
  CompletableFuture<TaskLists> tasks();

  /**
   * A snapshot of the session's uncompleted tasks and HTTP connection pool, for gauges and
   * management endpoints (see {@link dev.urlsession.spi.SessionStatistics}). Returns at once, on
   * the calling thread, without blocking on I/O; any thread may call it.
   *
   * @throws UnsupportedOperationException if this implementation keeps no statistics (the
   *     library's own sessions always do)
   * @since 0.1.0
   */
  default dev.urlsession.spi.SessionStatistics statistics() {
    throw new UnsupportedOperationException(getClass().getName() + " keeps no statistics");
  }

  /**
   * {@link #finishTasksAndInvalidate()}, then waits (up to 30 s) for the session to become invalid
   * and (up to 10 s) for its HTTP cache's queued files to be written.
   */
  @Override
  void close();
}
