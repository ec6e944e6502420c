package dev.urlsession.internal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The session's own files and directories (issue 18 item 6): directories it creates are
 * owner-only ({@code rwx------}) like the credential file, so other local users cannot list
 * downloads or cache keys; and a partial download is written again only when it is still the file
 * the session wrote (one name, the same file key, at least the recorded size), never a hard link
 * or symbolic link planted in its place.
 */
public final class PrivateFiles {
  private static final FileAttribute<?> OWNER_ONLY =
      PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));

  private PrivateFiles() {}

  /**
   * Creates {@code dir} and its missing parents, each new one owner-only where the file system
   * has POSIX permissions (elsewhere with its defaults); directories that exist are left as they
   * are. Returns {@code dir}.
   *
   * @throws IOException if a directory cannot be created, or {@code dir} exists as another kind of file
   */
  public static Path createDirectories(Path dir) throws IOException {
    Path absolute = dir.toAbsolutePath();
    if (Files.isDirectory(absolute)) {
      return dir;
    }
    boolean posix = absolute.getFileSystem().supportedFileAttributeViews().contains("posix");
    if (!posix) {
      Files.createDirectories(absolute);
      return dir;
    }
    Path parent = absolute.getParent();
    if (parent != null && !Files.isDirectory(parent)) {
      createDirectories(parent);
    }
    try {
      Files.createDirectory(absolute, OWNER_ONLY); // the umask can only take bits away
    } catch (FileAlreadyExistsException e) {
      if (!Files.isDirectory(absolute)) {
        throw e;
      }
    }
    return dir;
  }

  /**
   * The identity of {@code file} as text (device and inode on Unix), not following a link, or
   * null when the file system has none.
   */
  public static @Nullable String fileKey(Path file) throws IOException {
    Object key = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
    return key == null ? null : key.toString();
  }

  /**
   * Opens a file the session wrote earlier, to write to it again (a partial download resumed):
   * only if it is a regular file, not a symbolic link, with one name (a link count of 1 where the
   * file system tells it), the file key {@code expectedKey} (when one was recorded) and at least
   * {@code minimumSize} bytes; checked before and after opening, so the channel is the file checked.
   *
   * @throws IOException naming what is wrong, when the file is not the session's any more
   */
  public static FileChannel openOwnFile(Path file, @Nullable String expectedKey, long minimumSize)
      throws IOException {
    String before = check(file, expectedKey, minimumSize);
    FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
    try {
      String after = check(file, before, minimumSize);
      if (!Objects.equals(before, after)) {
        throw new IOException("the file was replaced while it was opened");
      }
      return channel;
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  /** Checks the file and returns its key. */
  private static @Nullable String check(Path file, @Nullable String expectedKey, long minimumSize)
      throws IOException {
    BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    if (!a.isRegularFile()) {
      throw new IOException("it is not a regular file (a link or a directory was put in its place)");
    }
    Integer links = linkCount(file);
    if (links != null && links != 1) {
      throw new IOException("it has " + links + " names (a hard link to it, or to another file, was made)");
    }
    String key = a.fileKey() == null ? null : a.fileKey().toString();
    if (expectedKey != null && !expectedKey.equals(key)) {
      throw new IOException("it is not the file the session wrote (another file was put in its place)");
    }
    if (a.size() < minimumSize) {
      throw new IOException("it is shorter (" + a.size() + " bytes) than the " + minimumSize + " bytes written");
    }
    return key;
  }

  /** The number of names of {@code file}, or null when the file system does not tell. */
  static @Nullable Integer linkCount(Path file) throws IOException {
    if (!file.getFileSystem().supportedFileAttributeViews().contains("unix")) {
      return null;
    }
    Map<String, Object> attributes = Files.readAttributes(file, "unix:nlink", LinkOption.NOFOLLOW_LINKS);
    Object n = attributes.get("nlink");
    return n instanceof Integer ? (Integer) n : null;
  }
}
