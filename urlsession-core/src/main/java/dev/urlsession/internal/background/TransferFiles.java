package dev.urlsession.internal.background;

import dev.urlsession.internal.PrivateFiles;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The files of one background session under {@code <storageDirectory>/background/<identifier>/}:
 * {@code transfers/} holds per transfer {@code <id>.task} (the record, to tell a wiped store),
 * {@code <id>.checkpoint} (resume data of the durable part of a download), {@code <id>.result}
 * (how it ended, until delivered; {@code <id>.delivering} once claimed for delivery),
 * {@code <id>.cancel} and {@code <id>.file-delivered} markers; {@code finished/} holds finished
 * downloads until delivered; {@code downloads/} the partial files. Thread-safe: every operation
 * is a single file-system call, and claims are atomic renames.
 */
public final class TransferFiles {
  private static final Logger log = LoggerFactory.getLogger(TransferFiles.class);

  private final Path root;
  private final Path transfers;
  private final Path finished;

  /** The files under {@code root}, whose {@code transfers/} and {@code finished/} are created. */
  public TransferFiles(Path root) throws IOException {
    this.root = root;
    this.transfers = root.resolve("transfers");
    this.finished = root.resolve("finished");
    PrivateFiles.createDirectories(transfers); // owner-only: other local users list nothing
    PrivateFiles.createDirectories(finished);
  }

  /** The session's store directory. */
  public Path root() {
    return root;
  }

  /** Where the worker session writes partial downloads. */
  public Path downloads() {
    return root.resolve("downloads");
  }

  public Path task(long id) {
    return transfers.resolve(id + ".task");
  }

  public Path checkpoint(long id) {
    return transfers.resolve(id + ".checkpoint");
  }

  public Path result(long id) {
    return transfers.resolve(id + ".result");
  }

  public Path delivering(long id) {
    return transfers.resolve(id + ".delivering");
  }

  public Path cancelMarker(long id) {
    return transfers.resolve(id + ".cancel");
  }

  /** Written once a finished file was taken by the delegate: a crash after it redelivers didComplete only. */
  public Path fileDelivered(long id) {
    return transfers.resolve(id + ".file-delivered");
  }

  /** Where a finished download waits for its delivery. */
  public Path finished(long id) {
    return finished.resolve(id + ".download");
  }

  /** Whether the transfer has a result waiting for delivery or being delivered. */
  public boolean hasResult(long id) {
    return Files.exists(result(id)) || Files.exists(delivering(id));
  }

  /** Records how a transfer ended, durably. */
  public void writeResult(TransferResult r) throws IOException {
    DurableFiles.write(result(r.transfer().id()), r.encode());
  }

  /**
   * Claims a result for delivery (an atomic rename, so one node delivers it) and reads it; null
   * when there is none (another node claimed it) or it cannot be read.
   */
  public @Nullable TransferResult claim(long id) {
    Path claimed = delivering(id);
    try {
      Files.move(result(id), claimed, StandardCopyOption.ATOMIC_MOVE);
      return TransferResult.decode(Files.readAllBytes(claimed));
    } catch (NoSuchFileException e) {
      return null;
    } catch (IOException | RuntimeException e) {
      log.error("Unreadable result of background transfer {} in {}", id, root, e);
      return null;
    }
  }

  /** Gives a claimed result back, to be delivered again. */
  public void unclaim(long id) throws IOException {
    Files.move(delivering(id), result(id), StandardCopyOption.ATOMIC_MOVE);
  }

  /** A crash during delivery: claimed results go back to be delivered again (at least once). */
  public void recoverInterruptedDeliveries() {
    for (Path p : list(transfers, "*.delivering")) {
      try {
        unclaim(idOf(p));
      } catch (IOException e) {
        log.warn("Could not recover {}", p, e);
      }
    }
  }

  /** The transfers with a result to deliver, in order. */
  public List<Long> results() {
    List<Long> ids = new ArrayList<>();
    for (Path p : list(transfers, "*.result")) {
      long id = idOf(p);
      if (id >= 0) {
        ids.add(id);
      }
    }
    ids.sort(null);
    return ids;
  }

  /**
   * Clustered stores: results claimed more than {@code claimedMillis} ago go back (their node
   * died while delivering them); returns the results waiting for more than {@code waitingMillis}.
   */
  public List<Long> staleResults(long claimedMillis, long waitingMillis) throws IOException {
    long now = System.currentTimeMillis();
    for (Path p : list(transfers, "*.delivering")) {
      if (now - Files.getLastModifiedTime(p).toMillis() > claimedMillis) {
        try {
          unclaim(idOf(p));
        } catch (IOException e) {
          // another node took it
        }
      }
    }
    List<Long> stale = new ArrayList<>();
    for (Path p : list(transfers, "*.result")) {
      long id = idOf(p);
      if (id >= 0 && now - Files.getLastModifiedTime(p).toMillis() > waitingMillis) {
        stale.add(id);
      }
    }
    return stale;
  }

  /**
   * Transfers recorded on disk whose execution is not in {@code stored} and that have no result:
   * the store was wiped or reset.
   */
  public List<Transfer> unstored(Set<Long> stored) {
    List<Transfer> lost = new ArrayList<>();
    for (Path p : list(transfers, "*.task")) {
      long id = idOf(p);
      if (id < 0 || stored.contains(id) || Files.exists(result(id))) {
        continue;
      }
      try {
        lost.add(Transfer.decode(Files.readAllBytes(p)));
      } catch (IOException | RuntimeException e) {
        log.warn("Ignoring unreadable background transfer record {}", p, e);
      }
    }
    return lost;
  }

  /**
   * Deletes files no transfer owns: partial downloads ({@code .tmp}) that no checkpoint names
   * (their transfer crashed before its first checkpoint), and finished files whose transfer has
   * neither an execution in {@code stored} nor a result. Only while nothing writes (single node,
   * before transfers run). Partial files of resume data handed to the application
   * ({@code .resume}) stay. Returns how many were deleted.
   */
  public int removeOrphans(Set<Long> stored, Function<byte[], Path> partialFileOf) {
    Set<Path> owned = new HashSet<>();
    for (Path cp : list(transfers, "*.checkpoint")) {
      try {
        owned.add(partialFileOf.apply(Files.readAllBytes(cp)).toAbsolutePath().normalize());
      } catch (IOException | RuntimeException e) {
        log.debug("Unreadable checkpoint {}", cp, e);
      }
    }
    int removed = 0;
    for (Path partial : list(downloads(), "urlsession-download-*.tmp")) {
      if (!owned.contains(partial.toAbsolutePath().normalize()) && deleteQuietly(partial)) {
        removed++;
      }
    }
    for (Path done : list(finished, "*.download")) {
      long id = idOf(done);
      if (id >= 0 && !stored.contains(id) && !hasResult(id) && deleteQuietly(done)) {
        removed++;
      }
    }
    return removed;
  }

  /**
   * Sets a partial file aside for the application, renamed from {@code .tmp} to {@code .resume},
   * so that {@link #removeOrphans} never deletes it; returns where it is now.
   */
  public Path setAside(Path partial) throws IOException {
    String name = partial.getFileName().toString();
    if (!name.endsWith(".tmp")) {
      return partial;
    }
    Path kept = partial.resolveSibling(name.substring(0, name.length() - 4) + ".resume");
    Files.move(partial, kept, StandardCopyOption.ATOMIC_MOVE);
    return kept;
  }

  /** Deletes the records of a delivered transfer (its checkpoint, record, claim and markers). */
  public void forget(long id) {
    deleteQuietly(checkpoint(id));
    deleteQuietly(task(id));
    deleteQuietly(delivering(id));
    deleteQuietly(fileDelivered(id));
  }

  /** Deletes {@code p} if it exists; false when it did not or could not be deleted (logged). */
  public static boolean deleteQuietly(Path p) {
    try {
      return Files.deleteIfExists(p);
    } catch (IOException e) {
      log.warn("Could not delete {}", p, e);
      return false;
    }
  }

  private static List<Path> list(Path dir, String glob) {
    List<Path> out = new ArrayList<>();
    try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, glob)) {
      for (Path p : s) {
        out.add(p);
      }
    } catch (NoSuchFileException e) {
      // nothing there yet
    } catch (IOException e) {
      log.warn("Could not list {}", dir, e);
    }
    return out;
  }

  private static long idOf(Path p) {
    String name = p.getFileName().toString();
    int dot = name.indexOf('.');
    try {
      return Long.parseLong(dot < 0 ? name : name.substring(0, dot));
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
