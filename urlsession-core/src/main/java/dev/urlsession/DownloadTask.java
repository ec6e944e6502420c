package dev.urlsession;

import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * A task that loads a URL into a file (Apple's {@code URLSessionDownloadTask}). The file is
 * streamed to disk as it arrives: memory use does not grow with its size.
 *
 * @since 0.1.0
 */
public interface DownloadTask extends SessionTask {
  /**
   * Cancels the task and produces resume data when the download can be resumed: a {@code GET}
   * whose response had a strong {@code ETag} or a {@code Last-Modified} date, accepted byte
   * ranges, was not content-encoded, and of which some bytes are on disk. The future completes
   * on the delegate queue with the data, or with {@code null} when the download cannot be
   * resumed (then the partial file is deleted). The task completes with {@code CANCELLED}.
   */
  CompletableFuture<@Nullable ResumeData> cancelByProducingResumeData();
}
