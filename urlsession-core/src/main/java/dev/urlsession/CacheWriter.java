package dev.urlsession;

import dev.urlsession.internal.CacheFileFormat;
import dev.urlsession.internal.CacheRules;
import dev.urlsession.internal.PrivateFiles;
import dev.urlsession.internal.SerialQueue;
import java.io.IOException;
import java.lang.ref.WeakReference;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The disk side of {@link HttpCache}: the thread that writes the entry files of every cache (one
 * daemon thread, started on first use), so that a store never waits for the disk; the caches open
 * on each directory, so that a new cache of a directory starts after the files the previous one
 * queued, and so that files still queued are written when the JVM exits; and the directory's
 * opening and scan.
 */
final class CacheWriter {
  private static final Logger LOG = LoggerFactory.getLogger(CacheWriter.class);

  /** How long the JVM's exit waits for queued files, in all. */
  private static final long EXIT_WAIT_MILLIS = 5_000;

  private static final ScheduledExecutorService WRITER =
      Executors.newSingleThreadScheduledExecutor(SerialQueue.daemonThreads("urlsession-cache-writer-"));

  /** The last cache opened on each directory; guarded by the class. */
  private static final Map<Path, WeakReference<HttpCache>> OPEN = new HashMap<>();
  private static boolean hookAdded;

  private CacheWriter() {}

  /** Runs {@code work} on the writer thread after {@code delayMillis}. */
  static void schedule(Runnable work, long delayMillis) {
    WRITER.schedule(work, delayMillis, TimeUnit.MILLISECONDS);
  }

  /**
   * {@code cache} is now the cache of {@code directory}: the files the previous cache of it queued
   * are written first, so that the new one's index sees them. On the writer thread.
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
      previous.writePending(); // this is the writer thread: its passes cannot run meanwhile
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

  /** The directory if it can be created and written to, else null (logged). */
  static @Nullable Path openDirectory(Path directory, String tempSuffix, String probePrefix) {
    try {
      PrivateFiles.createDirectories(directory); // owner-only when new
      Path probe = Files.createTempFile(directory, probePrefix, tempSuffix);
      Files.delete(probe);
      return directory;
    } catch (IOException | SecurityException | UnsupportedOperationException e) {
      LOG.warn("HTTP cache directory {} cannot be used ({}); caching in memory only", directory, e.toString());
      return null;
    }
  }

  /** An entry file found in a cache directory. */
  record Found(String key, Path file, Instant storedTime, long size, FileTime lastUsed, List<String> vary) {}

  /**
   * The entry files of {@code dir}, least recently used first; temporary files left by an
   * interrupted write and unreadable entry files are deleted (the latter logged).
   */
  static List<Found> scan(Path dir, String tempSuffix, String probePrefix) {
    List<Found> found = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
      for (Path file : files) {
        String name = file.getFileName().toString();
        if (isOwnTempFile(name, tempSuffix, probePrefix)) {
          deleteQuietly(file);
          continue;
        }
        if (!CacheFileFormat.isEntryFileName(name) || !Files.isRegularFile(file)) {
          continue;
        }
        try {
          CacheFileFormat.Decoded d = CacheFileFormat.readMeta(file);
          found.add(new Found(d.key(), file, d.entry().storedTime(), d.fileSize(), Files.getLastModifiedTime(file),
              CacheRules.varyNames(d.entry().cachedResponse().response())));
        } catch (IOException | RuntimeException e) {
          LOG.warn("Ignoring and deleting unreadable HTTP cache file {}: {}", file, e.getMessage());
          deleteQuietly(file);
        }
      }
    } catch (IOException | RuntimeException e) {
      LOG.warn("Cannot list HTTP cache directory {}: {}", dir, e.toString());
    }
    found.sort(Comparator.comparing(Found::lastUsed).thenComparing(Found::storedTime));
    return found;
  }

  /** Whether {@code name} is a temporary file of {@link #writeAtomically} or {@link #openDirectory}. */
  private static boolean isOwnTempFile(String name, String tempSuffix, String probePrefix) {
    return name.endsWith(tempSuffix)
        && (name.startsWith(probePrefix)
            || name.length() > 65 && name.charAt(64) == '.' && CacheFileFormat.isEntryFileName(name.substring(0, 64)));
  }

  private static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException | RuntimeException e) {
      LOG.debug("cannot delete {}: {}", file, e.toString());
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
