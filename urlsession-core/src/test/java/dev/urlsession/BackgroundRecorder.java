package dev.urlsession;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * A background session delegate that records its calls as lines ({@code <event> <task id> ...}),
 * in memory and, when given a journal file, appended and forced to disk before the call returns
 * (so a parent process can read what a killed child saw). Downloaded files are hashed.
 */
class BackgroundRecorder implements DownloadDelegate, DataDelegate {
  final List<String> events = new CopyOnWriteArrayList<>();
  final Map<Long, AtomicLong> written = new ConcurrentHashMap<>();
  /** Every totalBytesExpectedToWrite reported, per task. */
  final Map<Long, java.util.Set<Long>> expectedToWrite = new ConcurrentHashMap<>();
  final Map<Long, Long> resumedAt = new ConcurrentHashMap<>();
  final Map<Long, Long> resumedAtNanos = new ConcurrentHashMap<>();
  final List<String> violations = new CopyOnWriteArrayList<>();
  private final @Nullable Path journal;
  volatile @Nullable Runnable onFinishDownloading;

  BackgroundRecorder(@Nullable Path journal) {
    this.journal = journal;
  }

  private void record(String line) {
    if (Thread.currentThread().getName().startsWith("urlsession-io-")) {
      violations.add(line + " on an I/O thread");
    }
    events.add(line);
    if (journal != null) {
      try (FileChannel c = FileChannel.open(journal, StandardOpenOption.CREATE, StandardOpenOption.APPEND,
          StandardOpenOption.WRITE)) {
        c.write(java.nio.ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8)));
        c.force(true);
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  List<String> eventsOf(long taskId) {
    return events.stream().filter(e -> e.split(" ").length > 1 && e.split(" ")[1].equals(String.valueOf(taskId)))
        .map(e -> e.split(" ")[0]).toList();
  }

  long count(String prefix) {
    return events.stream().filter(e -> e.startsWith(prefix)).count();
  }

  @Override
  public void didFinishDownloadingTo(Session s, DownloadTask t, Path location) {
    String sha;
    try {
      sha = TransferServer.sha256(Files.readAllBytes(location));
    } catch (IOException e) {
      sha = "unreadable:" + e;
    }
    Runnable hook = onFinishDownloading;
    if (hook != null) {
      hook.run();
    }
    record("didFinishDownloadingTo " + t.taskIdentifier() + " " + sha + " " + t.taskDescription());
  }

  @Override
  public void didWriteData(Session s, DownloadTask t, long bytesWritten, long totalBytesWritten,
      long totalBytesExpectedToWrite) {
    written.computeIfAbsent(t.taskIdentifier(), k -> new AtomicLong()).set(totalBytesWritten);
    expectedToWrite.computeIfAbsent(t.taskIdentifier(), k -> ConcurrentHashMap.newKeySet())
        .add(totalBytesExpectedToWrite);
  }

  @Override
  public void didResumeAtOffset(Session s, DownloadTask t, long fileOffset, long expectedTotalBytes) {
    resumedAt.put(t.taskIdentifier(), fileOffset);
    resumedAtNanos.putIfAbsent(t.taskIdentifier(), System.nanoTime());
  }

  @Override
  public void didReceiveData(Session s, DataTask t, byte[] data) {
    record("didReceiveData " + t.taskIdentifier() + " " + new String(data, StandardCharsets.UTF_8));
  }

  @Override
  public void didComplete(Session s, SessionTask t, @Nullable SessionException error) {
    record("didComplete " + t.taskIdentifier() + " " + (error == null ? "ok"
        : error.code() + " " + error.backgroundTaskCancelledReason().map(Enum::name).orElse("-")));
  }

  @Override
  public void didFinishEventsForBackgroundSession(Session s) {
    record("didFinishEventsForBackgroundSession -");
  }

  @Override
  public void didBecomeInvalid(Session s, @Nullable SessionException error) {
    record("didBecomeInvalid -");
  }
}
