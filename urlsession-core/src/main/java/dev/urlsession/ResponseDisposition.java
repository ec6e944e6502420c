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
   * Turn the data task into a read-only stream task that reads the rest of the body
   * ({@link DataDelegate#didBecomeStreamTask} gets it): Apple's variant for pipelined requests,
   * for every load (HTTP/1.1, HTTP/2, {@code data:}, {@code file:}, {@code ftp:}), since
   * HttpClient 5 never hands over a connection (it pools HTTP/1.1 connections and multiplexes
   * HTTP/2). The stream task runs at once; its reads return the body as the data task would have
   * received it (after transfer and content decoding), then the end of the stream; its write side
   * is closed from the start ({@link StreamDelegate#writeClosed} is called at once, writes fail as
   * after {@link StreamTask#closeWrite()}). Its {@code originalRequest()}, {@code currentRequest()}
   * and {@code response()} are the data task's. The data task gets no more messages: it completes
   * without {@code didComplete}. To speak another protocol over a connection of your own, open a
   * {@link Session#streamTask(String, int)}.
   */
  BECOME_STREAM
}
