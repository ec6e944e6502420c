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
  BECOME_DOWNLOAD
}
