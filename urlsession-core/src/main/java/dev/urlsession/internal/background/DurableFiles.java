package dev.urlsession.internal.background;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/** Crash-safe file writes and renames (RELIABILITY.md: write a temporary file, force, rename, force the directory). */
public final class DurableFiles {
  private DurableFiles() {}

  /**
   * Writes {@code data} to {@code target} crash-safely: a temporary file in the same directory,
   * forced to disk, renamed over the target, then the directory forced.
   */
  public static void write(Path target, byte[] data) throws IOException {
    Path dir = target.getParent();
    Path temp = dir.resolve(target.getFileName() + ".tmp-" + Long.toHexString(System.nanoTime()));
    try (FileChannel c = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      ByteBuffer b = ByteBuffer.wrap(data);
      while (b.hasRemaining()) {
        c.write(b);
      }
      c.force(true);
    } catch (IOException e) {
      Files.deleteIfExists(temp);
      throw e;
    }
    move(temp, target);
  }

  /** Renames {@code from} to {@code to} atomically (same directory or file system), then forces the directory. */
  public static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
    forceDirectory(to.getParent());
  }

  private static void forceDirectory(Path dir) {
    try (FileChannel c = FileChannel.open(dir, StandardOpenOption.READ)) {
      c.force(true);
    } catch (IOException | RuntimeException e) {
      // not every platform can force a directory: the rename itself is still atomic
    }
  }
}
