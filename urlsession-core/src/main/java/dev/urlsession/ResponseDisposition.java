package dev.urlsession;

/**
 * What a data task does after {@link DataDelegate#didReceiveResponse}.
 *
 * @since 0.1.0
 */
public enum ResponseDisposition {
  /** Cancel the task, as {@link SessionTask#cancel()}. */
  CANCEL,
  /** Continue loading. */
  ALLOW,
  /**
   * Turn the data task into a download task: {@link DataDelegate#didBecomeDownloadTask} gets the
   * new task, which writes the rest of the body to a file and reports to the
   * {@link DownloadDelegate}; the data task gets no more messages.
   */
  BECOME_DOWNLOAD,
  /**
   * Turn the data task's connection into a stream task ({@link DataDelegate#didBecomeStreamTask}).
   * Not supported for loads by the built-in HTTP handler: HttpClient 5 does not hand over the
   * connection of an exchange (it may be pooled, or an HTTP/2 stream among others), and it answers
   * a {@code 101 Switching Protocols} other than to TLS with an error before any response reaches
   * the delegate. The task then completes with {@link SessionException.Code#UNKNOWN} and a message
   * that says so; it never hangs. Open a {@link Session#streamTask(String, int)} and speak the
   * protocol over it instead (README, "Stream tasks").
   */
  BECOME_STREAM
}
