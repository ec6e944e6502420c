package dev.urlsession;

import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/** A download task. */
final class RealDownloadTask extends RealTask implements DownloadTask {
  RealDownloadTask(TaskSpec spec) {
    super(spec);
  }

  @Override
  public CompletableFuture<@Nullable ResumeData> cancelByProducingResumeData() {
    return cancelProducingResumeData();
  }
}
