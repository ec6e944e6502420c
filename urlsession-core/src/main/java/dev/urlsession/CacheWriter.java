package dev.urlsession;

import dev.urlsession.internal.SerialQueue;
import java.io.IOException;
import java.lang.ref.WeakReference;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The thread that writes the entry files of every {@link HttpCache} (one daemon thread, started on
 * first use), so that a store never waits for the disk; and the caches open on each directory, so
 * that a new cache of a directory starts after the files the previous one queued, and so that files
 * still queued are written when the JVM exits.
 */
final class CacheWriter {
  private static final Logger LOG = LoggerFactory.getLogger(CacheWriter.class);

  /** How long the JVM's exit waits for queued files, in all. */
  private static final long EXIT_WAIT_MILLIS = 5_000;

  private static final ExecutorService WRITER =
      Executors.newSingleThreadExecutor(SerialQueue.daemonThreads("urlsession-cache-writer-"));

  /** The last cache opened on each directory; guarded by the class. */
  private static final Map<Path, WeakReference<HttpCache>> OPEN = new HashMap<>();
  private static boolean hookAdded;

  private CacheWriter() {}

  /** Runs {@code work} on the writer thread. */
  static void schedule(Runnable work) {
    WRITER.execute(work);
  }

  /**
   * {@code cache} is now the cache of {@code directory}: waits (up to 10 s) for the files the
   * previous cache of it queued, so that the new one's index sees them.
   */
  static void opened(Path directory, HttpCache cache) {
    HttpCache previous;
    synchronized (CacheWriter.class) {
      WeakReference<HttpCache> ref = OPEN.put(directory.toAbsolutePath().normalize(), new WeakReference<>(cache));
      previous = ref == null ? null : ref.get();
      if (!hookAdded) {
        hookAdded = true;
        Runtime.getRuntime().addShutdownHook(new Thread(CacheWriter::finishAll, "urlsession-cache-flush"));
      }
    }
    if (previous != null) {
      await(previous, 10_000);
    }
  }

  /**
   * Writes {@code bytes} to a temporary file next to {@code target} (named after it, ending in
   * {@code tempSuffix}), then moves it into place atomically; the temporary file goes on failure.
   */
  static void writeAtomically(Path target, byte[] bytes, String tempSuffix) throws IOException {
    Path temp = Files.createTempFile(target.getParent(), target.getFileName().toString() + ".", tempSuffix);
    try {
      try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.WRITE)) {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
          ch.write(buffer);
        }
      }
      try {
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(temp);
      throw e;
    }
  }

  private static void finishAll() {
    List<HttpCache> caches = new ArrayList<>();
    synchronized (CacheWriter.class) {
      for (WeakReference<HttpCache> ref : OPEN.values()) {
        HttpCache c = ref.get();
        if (c != null) {
          caches.add(c);
        }
      }
    }
    long deadline = System.currentTimeMillis() + EXIT_WAIT_MILLIS;
    for (HttpCache c : caches) {
      await(c, Math.max(1, deadline - System.currentTimeMillis()));
    }
  }

  /** Waits (up to 10 s) until the files {@code cache} queued so far are written; nothing for null. */
  static void awaitWrites(@org.jspecify.annotations.Nullable HttpCache cache) {
    if (cache != null) {
      await(cache, 10_000);
    }
  }

  private static void await(HttpCache cache, long millis) {
    try {
      if (!cache.awaitWrites(millis)) {
        LOG.warn("HTTP cache files were still being written after {} ms; going on", millis);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
