package dev.urlsession.hostile;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * What this JVM holds that a leak would grow: its live threads, the HttpClient I/O threads of
 * sessions among them ({@code urlsession-io-*}) and its open files (sockets included), read from
 * {@code /proc/self/fd} (Linux) or the platform's MXBean.
 */
record Resources(int threads, int ioThreads, int files, int sockets) {
  static final String IO_THREAD_PREFIX = "urlsession-io-";

  static Resources now() {
    int io = 0;
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.isAlive() && t.getName().startsWith(IO_THREAD_PREFIX)) {
        io++;
      }
    }
    int[] fds = openFiles();
    return new Resources(ManagementFactory.getThreadMXBean().getThreadCount(), io, fds[0], fds[1]);
  }

  /** The names of the session I/O threads alive now. */
  static List<String> ioThreadNames() {
    List<String> names = new ArrayList<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.isAlive() && t.getName().startsWith(IO_THREAD_PREFIX)) {
        names.add(t.getName());
      }
    }
    return names;
  }

  /** Waits (at most {@code nanos}) until at most {@code max} session I/O threads are alive. */
  static boolean awaitIoThreads(int max, long nanos) {
    long deadline = System.nanoTime() + nanos;
    while (now().ioThreads() > max) {
      if (System.nanoTime() - deadline > 0) {
        return false;
      }
      LockSupport.parkNanos(10_000_000);
    }
    return true;
  }

  /** {open files, open sockets}; sockets are -1 where /proc is not there. */
  private static int[] openFiles() {
    Path fd = Path.of("/proc/self/fd");
    if (Files.isDirectory(fd)) {
      int files = 0;
      int sockets = 0;
      try (DirectoryStream<Path> entries = Files.newDirectoryStream(fd)) {
        for (Path e : entries) {
          files++;
          try {
            if (Files.readSymbolicLink(e).toString().startsWith("socket:")) {
              sockets++;
            }
          } catch (IOException gone) {
            // closed meanwhile (the directory stream's own descriptor among them)
          }
        }
      } catch (IOException e) {
        return new int[] {-1, -1};
      }
      return new int[] {files, sockets};
    }
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
      return new int[] {(int) unix.getOpenFileDescriptorCount(), -1};
    }
    return new int[] {-1, -1};
  }

  @Override
  public String toString() {
    return threads + "/" + ioThreads + "/" + files + "/" + sockets;
  }
}
