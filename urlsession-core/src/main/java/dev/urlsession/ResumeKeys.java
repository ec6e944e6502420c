package dev.urlsession;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * The keys that sign resume data: one per storage directory, kept in a file only the owner can
 * read ({@code resume-data.key}), so resume data survives a restart; one per JVM, in memory, for
 * ephemeral sessions, which keep nothing on disk.
 */
final class ResumeKeys {
  private static final int LENGTH = 32;
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final byte[] EPHEMERAL = random();
  private static final Map<Path, byte[]> KEYS = new ConcurrentHashMap<>();

  private ResumeKeys() {}

  static byte[] keyFor(@Nullable Path storageDirectory) {
    if (storageDirectory == null) {
      return EPHEMERAL;
    }
    return KEYS.computeIfAbsent(storageDirectory, ResumeKeys::load);
  }

  private static byte[] random() {
    byte[] key = new byte[LENGTH];
    RANDOM.nextBytes(key);
    return key;
  }

  private static byte[] load(Path directory) {
    Path keyFile = directory.resolve("resume-data.key");
    try {
      dev.urlsession.internal.PrivateFiles.createDirectories(directory);
      if (!Files.exists(keyFile)) {
        Path temp = Files.createTempFile(directory, "resume-data", ".key.tmp");
        try {
          restrict(temp);
          Files.write(temp, random());
          try {
            Files.move(temp, keyFile, StandardCopyOption.ATOMIC_MOVE);
          } catch (FileAlreadyExistsException | AtomicMoveNotSupportedException e) {
            // another process made one first, or no atomic rename: keep the existing key
          }
        } finally {
          Files.deleteIfExists(temp);
        }
      }
      byte[] key = Files.readAllBytes(keyFile);
      if (key.length != LENGTH) {
        throw new IllegalStateException("corrupt resume data key " + keyFile);
      }
      return key;
    } catch (IOException e) {
      throw new IllegalStateException("cannot read or create the resume data key in " + directory, e);
    }
  }

  private static void restrict(Path file) throws IOException {
    try {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException e) {
      // not a POSIX file system: the directory's own permissions apply
    }
  }
}
