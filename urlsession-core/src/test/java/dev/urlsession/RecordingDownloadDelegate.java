package dev.urlsession;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/** A {@link RecordingDelegate} that also records download events and keeps a copy of the file. */
class RecordingDownloadDelegate extends RecordingDelegate implements DownloadDelegate {
  volatile byte @Nullable [] fileContent;
  volatile @Nullable Path location;
  final AtomicLong lastTotalWritten = new AtomicLong(-1);
  final AtomicLong sumOfBytesWritten = new AtomicLong();

  @Override
  public void didWriteData(Session session, DownloadTask task, long bytesWritten, long totalBytesWritten,
      long totalBytesExpectedToWrite) {
    recordEvent(task, "didWriteData");
    sumOfBytesWritten.addAndGet(bytesWritten);
    lastTotalWritten.set(totalBytesWritten);
  }

  @Override
  public void didResumeAtOffset(Session session, DownloadTask task, long fileOffset, long expectedTotalBytes) {
    recordEvent(task, "didResumeAtOffset " + fileOffset + " " + expectedTotalBytes);
  }

  @Override
  public void didFinishDownloadingTo(Session session, DownloadTask task, Path location) {
    recordEvent(task, "didFinishDownloadingTo");
    this.location = location;
    try {
      fileContent = Files.readAllBytes(location);
    } catch (java.io.IOException e) {
      violations.add("file unreadable in didFinishDownloadingTo: " + e);
    }
  }
}
