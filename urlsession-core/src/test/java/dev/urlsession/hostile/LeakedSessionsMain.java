package dev.urlsession.hostile;

import dev.urlsession.Request;
import dev.urlsession.Session;
import dev.urlsession.SessionConfiguration;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Run by {@link LeakedSessionTests} in a child JVM: makes one request through each of
 * {@code count} sessions it then forgets without invalidating them, and prints
 * {@code RESULT <baseline> <with sessions> <after GC>} for the JVM's threads, its I/O threads and
 * its open files, each as {@code threads/io/files}. "After GC" is the first sample, within
 * {@code wait} seconds of full collections, back at the baseline's level, or the last one.
 */
public final class LeakedSessionsMain {
  private LeakedSessionsMain() {}

  public static void main(String[] args) throws Exception {
    URI url = URI.create(args[0]);
    int count = Integer.parseInt(args[1]);
    long waitNanos = TimeUnit.SECONDS.toNanos(Long.parseLong(args[2]));

    // Starts the library's shared threads (deadlines, timer, delegate pool, cleaner) first.
    try (Session warm = Session.create(SessionConfiguration.ephemeral())) {
      warm.data(Request.get(url)).get(10, TimeUnit.SECONDS);
    }
    Resources.awaitIoThreads(0, TimeUnit.SECONDS.toNanos(10));
    Resources baseline = Resources.now();

    forgetSessions(url, count);
    Resources with = Resources.now();

    Resources after = with;
    long deadline = System.nanoTime() + waitNanos;
    while (System.nanoTime() - deadline < 0) {
      System.gc();
      Thread.sleep(100); // the cleaner and the closing threads run meanwhile
      after = Resources.now();
      if (after.ioThreads() == 0 && after.files() <= baseline.files() + 5) {
        break;
      }
    }
    System.out.println("RESULT " + baseline + " " + with + " " + after);
  }

  /** Makes a request through each of {@code count} sessions and drops them, never invalidated. */
  private static void forgetSessions(URI url, int count) throws Exception {
    List<Session> sessions = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      Session s = Session.create(SessionConfiguration.ephemeral());
      s.data(Request.get(url)).get(10, TimeUnit.SECONDS);
      sessions.add(s);
    }
    sessions.clear();
  }
}
