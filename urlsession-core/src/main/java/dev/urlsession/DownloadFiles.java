package dev.urlsession;

import dev.urlsession.internal.PrivateFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A session's download files and the key that signs their resume data: the directory they go to
 * (the storage directory's {@code downloads}, or the system temp directory without one), new
 * partial files only the owner can read, whether a file is one of them, and giving up the partial
 * file of resume data. Stateless but for the storage directory; thread-safe.
 */
final class DownloadFiles {
  private static final Logger log = LoggerFactory.getLogger(DownloadFiles.class);
  private static final String PREFIX = "urlsession-download-";

  private final @Nullable Path storage;

  DownloadFiles(@Nullable Path storageDirectory) {
    this.storage = storageDirectory;
  }

  /** Where download files go, created (owner-only) if missing. */
  Path directory() throws IOException {
    if (storage == null) {
      return Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath();
    }
    return PrivateFiles.createDirectories(storage.resolve("downloads"));
  }

  /** A new, empty download file only the owner can read. */
  Path newFile() throws IOException {
    return Files.createTempFile(directory(), PREFIX, ".tmp");
  }

  /** Whether {@code file} is a regular file (no link) of this session in its download directory. */
  boolean contains(Path file) {
    try {
      Path dir = directory().toRealPath();
      if (Files.isSymbolicLink(file) || !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
        return false;
      }
      Path real = file.toRealPath(LinkOption.NOFOLLOW_LINKS);
      return real.getParent() != null && real.getParent().equals(dir)
          && real.getFileName().toString().startsWith(PREFIX);
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /** The key that signs this session's resume data. */
  byte[] resumeKey() {
    return ResumeKeys.keyFor(storage);
  }

  /**
   * Deletes the partial file of {@code resumeData} when this session's storage signed it and it
   * names a file the session wrote (one link, the same file key) in its download directory.
   */
  boolean discard(ResumeData resumeData) {
    Path partial = resumeData.partialFile();
    if (!resumeData.isSignedWith(resumeKey()) || !contains(partial)) {
      return false;
    }
    try {
      PrivateFiles.openOwnFile(partial, resumeData.partialFileKey(), 0).close();
      return Files.deleteIfExists(partial);
    } catch (IOException e) {
      log.debug("Not discarding {}: {}", partial, e.getMessage());
      return false;
    }
  }
}
