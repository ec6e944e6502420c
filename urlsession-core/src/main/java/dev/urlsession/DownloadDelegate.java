package dev.urlsession;

import java.nio.file.Path;

/**
 * Events of download tasks (Apple's {@code URLSessionDownloadDelegate}).
 *
 * <p>Order: (for a task created from resume data) {@code didResumeAtOffset}, then
 * {@code didWriteData} calls (coalesced: each reports what was written since the previous one),
 * then {@code didFinishDownloadingTo}, then {@code didFinishCollectingMetrics} and
 * {@code didComplete}. A download task gets no {@code didReceiveResponse}: read
 * {@link SessionTask#response()}. Any HTTP status is downloaded, a 404 page too.
 *
 * @since 0.1.0
 */
public interface DownloadDelegate extends TaskDelegate {
  /**
   * The whole body is in the file at {@code location}. Move or open it before returning: <b>the
   * file is deleted when this method returns</b>. Not called when the task fails.
   */
  void didFinishDownloadingTo(Session session, DownloadTask task, Path location);

  /**
   * Bytes were written to the file: since the previous call, in total, and expected in total
   * (-1 when unknown). The last call's {@code totalBytesWritten} is the file's size.
   */
  default void didWriteData(
      Session session,
      DownloadTask task,
      long bytesWritten,
      long totalBytesWritten,
      long totalBytesExpectedToWrite) {}

  /**
   * A task created from resume data started: {@code fileOffset} bytes already on disk are kept
   * (0 when the server's answer did not allow reusing them), of {@code expectedTotalBytes} (-1
   * when unknown).
   */
  default void didResumeAtOffset(
      Session session, DownloadTask task, long fileOffset, long expectedTotalBytes) {}
}
