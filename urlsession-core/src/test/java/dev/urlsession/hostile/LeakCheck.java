package dev.urlsession.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test that leaves behind a connection, a session thread or an open file: compares what
 * the JVM holds before the test with what it holds once the test and its {@code @AfterEach}
 * methods (which invalidate the sessions and stop the servers) are done, waiting at most
 * {@value #WAIT_SECONDS} s for asynchronous closing to finish.
 *
 * <ul>
 *   <li>connections: the process's open TCP connections (both ends, when the peer is in the JVM;
 *       listening sockets, which only test servers open, are not counted);
 *   <li>threads: session threads ({@code urlsession-io-*}, {@code urlsession-close}) started
 *       during the test and still alive (the library's shared pools are not counted);
 *   <li>files: regular files open now that were not open before (jars the class loader opened
 *       and devices are not counted).
 * </ul>
 *
 * Reads {@code /proc/self/fd}; where there is none (not Linux) only threads are checked. Use with
 * {@code @ExtendWith(LeakCheck.class)}.
 */
public final class LeakCheck implements BeforeEachCallback, AfterEachCallback {
  static final long WAIT_SECONDS = 20;
  private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(LeakCheck.class);

  /** What the JVM holds at one moment. */
  record Holdings(Set<Thread> sessionThreads, int sockets, Set<String> socketInodes, Set<String> files) {
    static Holdings now() {
      Set<Thread> threads = new HashSet<>();
      for (Thread t : Thread.getAllStackTraces().keySet()) {
        if (t.isAlive() && (t.getName().startsWith("urlsession-io-") || t.getName().equals("urlsession-close"))) {
          threads.add(t);
        }
      }
      int sockets = 0;
      Set<String> inodes = new HashSet<>();
      Set<String> files = new HashSet<>();
      Path fd = Path.of("/proc/self/fd");
      if (Files.isDirectory(fd)) {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(fd)) {
          for (Path e : entries) {
            String target;
            try {
              target = Files.readSymbolicLink(e).toString();
            } catch (IOException closed) {
              continue; // closed meanwhile, the directory stream's own among them
            }
            if (target.startsWith("socket:[")) {
              sockets++;
              inodes.add(target.substring(8, target.length() - 1));
            } else if (target.startsWith("/") && !target.startsWith("/dev/") && !target.startsWith("/proc/")
                && !target.endsWith(".jar") && !target.startsWith("/usr/lib/jvm/")) {
              files.add(target);
            }
          }
        } catch (IOException e) {
          sockets = -1;
        }
      } else {
        sockets = -1;
      }
      Set<String> tcp = tcpInodes();
      if (tcp != null) { // connections only: a Unix socket of the C library (nscd, ...) is none
        inodes.retainAll(tcp);
        sockets = inodes.size();
      }
      return new Holdings(threads, sockets, inodes, files);
    }

    /** What this holds beyond {@code before}, or an empty list. */
    List<String> beyond(Holdings before) {
      List<String> leaks = new ArrayList<>();
      for (Thread t : sessionThreads) {
        if (!before.sessionThreads.contains(t)) {
          leaks.add("thread " + t.getName());
        }
      }
      if (sockets >= 0 && before.sockets >= 0 && sockets > before.sockets) {
        Set<String> added = new HashSet<>(socketInodes);
        added.removeAll(before.socketInodes);
        leaks.add((sockets - before.sockets) + " socket(s) more than the " + before.sockets + " before: "
            + describe(added));
      }
      for (String f : files) {
        if (!before.files.contains(f)) {
          leaks.add("open file " + f);
        }
      }
      return leaks;
    }
  }

  /** The inodes of every TCP socket of the host, or null when /proc/net cannot tell. */
  static @org.jspecify.annotations.Nullable Set<String> tcpInodes() {
    Set<String> inodes = new HashSet<>();
    for (String table : new String[] {"/proc/net/tcp", "/proc/net/tcp6"}) {
      try {
        for (String line : Files.readAllLines(Path.of(table))) {
          String[] f = line.trim().split("\\s+");
          if (f.length > 9 && !f[3].equals("0A")) { // listening sockets are the test's servers
            inodes.add(f[9]);
          }
        }
      } catch (IOException | RuntimeException e) {
        return null;
      }
    }
    return inodes;
  }

  /** The TCP sockets of {@code inodes} as {@code local -> remote (state)}, from /proc/net/tcp{,6}. */
  static List<String> describe(Set<String> inodes) {
    List<String> found = new ArrayList<>();
    for (String table : new String[] {"/proc/net/tcp", "/proc/net/tcp6", "/proc/net/udp", "/proc/net/udp6"}) {
      try {
        for (String line : Files.readAllLines(Path.of(table))) {
          String[] f = line.trim().split("\\s+");
          if (f.length > 9 && inodes.contains(f[9])) {
            found.add(table.substring(10) + " " + port(f[1]) + " -> " + port(f[2]) + " (state " + f[3] + ")");
          }
        }
      } catch (IOException | RuntimeException e) {
        // not Linux: the count alone
      }
    }
    for (String table : new String[] {"/proc/net/unix", "/proc/net/netlink"}) {
      try {
        for (String line : Files.readAllLines(Path.of(table))) {
          for (String inode : inodes) {
            if (line.matches(".*\\b" + inode + "\\b.*")) {
              found.add(table.substring(10) + " " + line.trim());
            }
          }
        }
      } catch (IOException | RuntimeException e) {
        // not Linux
      }
    }
    return found;
  }

  private static String port(String hexAddressAndPort) {
    return "port " + Integer.parseInt(hexAddressAndPort.substring(hexAddressAndPort.indexOf(':') + 1), 16);
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    context.getStore(NS).put("before", Holdings.now());
  }

  @Override
  public void afterEach(ExtensionContext context) {
    Holdings before = context.getStore(NS).get("before", Holdings.class);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
    List<String> leaks = Holdings.now().beyond(before);
    while (!leaks.isEmpty() && System.nanoTime() - deadline < 0) {
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
      leaks = Holdings.now().beyond(before);
    }
    assertThat(leaks).as("left behind by %s", context.getDisplayName()).isEmpty();
  }
}
