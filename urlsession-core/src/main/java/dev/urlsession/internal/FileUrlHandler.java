package dev.urlsession.internal;

import dev.urlsession.Request;
import dev.urlsession.Response;
import dev.urlsession.SessionException;
import dev.urlsession.SessionException.Code;
import dev.urlsession.SessionTask;
import dev.urlsession.spi.ProtocolLoad;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystemNotFoundException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.concurrent.Executor;
import org.jspecify.annotations.Nullable;

/**
 * The built-in {@code file:} handler (URLSESSION-BEHAVIOUR.md 8.1): streams a local regular file
 * in chunks, with flow control, on a small pool of its own. The response has status 0, a MIME type
 * guessed from the extension and the file's size as expected length; it is never cached.
 *
 * <p>Failures: a missing file is {@code FILE_DOES_NOT_EXIST}, a directory
 * {@code FILE_IS_DIRECTORY}, an unreadable file or anything but a regular file (a device, a FIFO,
 * a socket) {@code NO_PERMISSIONS_TO_READ_FILE}; a symbolic link is followed and judged by what it
 * leads to. A URL with a host other than {@code localhost}, or one that is no absolute path, is a
 * {@code BAD_URL} (RELIABILITY.md, Security row 13).
 *
 * <p>A {@code file:} load is refused ({@code UNSUPPORTED_URL}) when its URL is not the task's
 * original URL: a redirect (or a delegate's substitute request) never leads to a local file.
 */
public final class FileUrlHandler implements BuiltInHandler {
  /** File reads are short; two threads serve every session of the JVM. */
  private static final Executor POOL = FileStreamPump.pool("urlsession-file-", 2);

  @Override
  public boolean canHandle(Request request) {
    return "file".equalsIgnoreCase(request.url().getScheme());
  }

  @Override
  public void startLoading(ProtocolLoad load, @Nullable LoadSupport support) {
    URI url = load.request().url();
    SessionTask task = load.task();
    if (task != null) {
      Request original = task.originalRequest();
      if (original == null || !url.equals(original.url())) {
        load.client().didFail(new SessionException(Code.UNSUPPORTED_URL, url,
            "unsupported URL: a file: URL is loaded only when the task was created with it,"
                + " never through a redirect", null));
        return;
      }
    }
    Path path;
    try {
      path = pathOf(url);
    } catch (IllegalArgumentException e) {
      load.client().didFail(new SessionException(Code.BAD_URL, url, "bad URL: " + e.getMessage(), null));
      return;
    }
    new FileLoad(load, support, path).start();
  }

  @Override
  public void stopLoading(ProtocolLoad load) {
    Object attachment = load.attachment();
    if (attachment instanceof FileLoad) {
      ((FileLoad) attachment).stop();
    }
  }

  /** The local path of a {@code file:} URL; IllegalArgumentException says why there is none. */
  static Path pathOf(URI url) {
    if (url.isOpaque()) {
      throw new IllegalArgumentException("a file: URL needs an absolute path (file:///path)");
    }
    String authority = url.getRawAuthority();
    if (authority != null && !authority.isEmpty() && !authority.equalsIgnoreCase("localhost")) {
      throw new IllegalArgumentException(
          "a file: URL names a file of this machine: its host must be empty or localhost");
    }
    String decoded = url.getPath();
    if (decoded == null || decoded.isEmpty() || decoded.charAt(0) != '/') {
      throw new IllegalArgumentException("a file: URL needs an absolute path (file:///path)");
    }
    if (decoded.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("a file: URL path may not contain NUL");
    }
    try {
      // Query and fragment are no part of a file name.
      return Path.of(new URI("file", null, decoded, null));
    } catch (URISyntaxException | InvalidPathException | FileSystemNotFoundException e) {
      throw new IllegalArgumentException("not a path of this machine: " + e.getMessage(), e);
    }
  }

  /** One load: the checks, then the file's chunks. */
  private static final class FileLoad extends FileStreamPump {
    private final Path path;
    private volatile @Nullable FileChannel channel;

    FileLoad(ProtocolLoad load, @Nullable LoadSupport support, Path path) {
      super(load, support, POOL);
      this.path = path;
    }

    @Override
    boolean open() throws IOException {
      URI url = load.request().url();
      recorder.requestStart = Instant.now();
      recorder.requestEnd = recorder.requestStart;
      BasicFileAttributes attributes;
      try {
        attributes = Files.readAttributes(path, BasicFileAttributes.class);
      } catch (NoSuchFileException e) {
        fail(new SessionException(Code.FILE_DOES_NOT_EXIST, url, "The file does not exist: " + path, e));
        return false;
      } catch (AccessDeniedException e) {
        fail(new SessionException(Code.NO_PERMISSIONS_TO_READ_FILE, url,
            "There is no permission to read the file: " + path, e));
        return false;
      } catch (FileSystemException e) {
        // A parent that is no directory, a loop of links...: no such file.
        fail(new SessionException(Code.FILE_DOES_NOT_EXIST, url,
            "The file does not exist: " + path + " (" + e.getReason() + ")", e));
        return false;
      }
      if (attributes.isDirectory()) {
        fail(new SessionException(Code.FILE_IS_DIRECTORY, url, "The file is a directory: " + path, null));
        return false;
      }
      if (!attributes.isRegularFile()) {
        // Devices and FIFOs may never end or block the reader for ever: refused.
        fail(new SessionException(Code.NO_PERMISSIONS_TO_READ_FILE, url,
            "Only regular files are read, and this is not one: " + path, null));
        return false;
      }
      FileChannel c;
      try {
        c = FileChannel.open(path, StandardOpenOption.READ);
      } catch (NoSuchFileException e) {
        fail(new SessionException(Code.FILE_DOES_NOT_EXIST, url, "The file does not exist: " + path, e));
        return false;
      } catch (IOException | SecurityException e) {
        fail(new SessionException(Code.NO_PERMISSIONS_TO_READ_FILE, url,
            "There is no permission to read the file: " + path, e));
        return false;
      }
      channel = c;
      if (isStopped()) {
        close(false);
        return false;
      }
      respond(Response.builder(url)
          .mimeType(FileMimeTypes.forName(path.getFileName() == null ? null : path.getFileName().toString()))
          .textEncodingName(null)
          .expectedContentLength(attributes.size())
          .build());
      return true;
    }

    @Override
    int read(byte[] buffer) throws IOException {
      FileChannel c = channel;
      if (c == null) {
        return -1;
      }
      ByteBuffer target = ByteBuffer.wrap(buffer);
      // Fill the chunk unless the file ends first.
      while (target.hasRemaining()) {
        int n = c.read(target);
        if (n < 0) {
          break;
        }
      }
      int filled = target.position();
      return filled == 0 ? -1 : filled;
    }

    @Override
    void close(boolean graceful) {
      FileChannel c = channel;
      if (c != null) {
        try {
          c.close();
        } catch (IOException e) {
          // Nothing was written: nothing to lose.
        }
      }
    }
  }
}
