package dev.urlsession;

import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * How many of a session's tasks to one host load at once ({@code httpMaximumConnectionsPerHost},
 * URLSESSION-BEHAVIOUR.md section 1): a resumed http(s) task beyond that waits here, holding its request
 * and clocks and nothing it would need to load (no load, no exchange in the connection pool), and
 * starts when a task to that host completes. A host known to speak HTTP/2 takes
 * {@value #STREAMS_PER_CONNECTION} tasks per connection: its tasks are streams of shared connections.
 * Only task kinds that {@linkplain TaskKind#queuesPerHost() queue per host} are counted.
 *
 * <p>The limit counts tasks from their start to their completion, by the host of their original
 * request (a redirect elsewhere keeps its place). Thread-safe: guarded by this queue's monitor;
 * tasks are started without it (this lock is never taken while holding a task's).
 */
final class HostQueue {
  /** Tasks per HTTP/2 connection let through at once: above the usual 100 to 250 streams servers allow. */
  static final int STREAMS_PER_CONNECTION = 256;

  /** One host's running tasks and the tasks waiting for it (in order; any may leave early). */
  static final class Host {
    private int running;
    private boolean http2;
    private final LinkedHashSet<RealTask> waiting = new LinkedHashSet<>();
  }

  private final int connectionsPerHost;
  private final Map<String, Host> hosts = new HashMap<>();

  HostQueue(int connectionsPerHost) {
    this.connectionsPerHost = connectionsPerHost;
  }

  /** Starts {@code task} loading ({@link RealTask#begin}) now, or when a task to its host completes. */
  void admit(RealTask task) {
    String key = task.kind.queuesPerHost() ? key(task.originalRequest().url()) : null;
    if (key != null) {
      synchronized (this) {
        Host h = hosts.computeIfAbsent(key, k -> new Host());
        task.host = h;
        if (h.running >= limit(h)) {
          h.waiting.add(task);
          return;
        }
        h.running++;
      }
    }
    task.begin();
  }

  /** {@code finished} completed (or handed its load over): its place goes to the next task waiting. */
  void finished(LiveTask finished) {
    if (!(finished instanceof RealTask)) {
      return; // a stream or WebSocket task: never counted
    }
    RealTask task = (RealTask) finished;
    List<RealTask> start;
    synchronized (this) {
      Host h = task.host;
      if (h == null) {
        return;
      }
      task.host = null;
      if (!h.waiting.remove(task)) {
        h.running--;
      }
      start = admitWaiting(h);
      if (h.running == 0 && h.waiting.isEmpty()) {
        hosts.values().remove(h);
      }
    }
    begin(start);
  }

  /** A data task became {@code download}: the download task keeps the data task's place. */
  synchronized void handOver(RealTask data, RealTask download) {
    download.host = data.host;
    data.host = null;
  }

  /**
   * A connection to {@code scheme://host:port} speaks HTTP/2 (told by the engine when its first
   * exchange starts, before any response): the host takes more tasks, and the waiting ones start.
   */
  void learnedHttp2(String scheme, String host, int port) {
    List<RealTask> start;
    synchronized (this) {
      Host h = hosts.get(key(scheme, host, port));
      if (h == null || h.http2) {
        return;
      }
      h.http2 = true;
      start = admitWaiting(h);
    }
    begin(start);
  }

  private List<RealTask> admitWaiting(Host h) {
    List<RealTask> start = List.of();
    for (Iterator<RealTask> it = h.waiting.iterator(); h.running < limit(h) && it.hasNext(); ) {
      RealTask t = it.next();
      it.remove();
      h.running++;
      if (start.isEmpty()) {
        start = new ArrayList<>();
      }
      start.add(t);
    }
    return start;
  }

  private static void begin(List<RealTask> tasks) {
    for (RealTask t : tasks) {
      t.begin(); // a task that completed meanwhile does not start
    }
  }

  private int limit(Host h) {
    return h.http2 ? connectionsPerHost * STREAMS_PER_CONNECTION : connectionsPerHost;
  }

  /** Scheme, host and port of an http(s) URL; null for any other. */
  private static @Nullable String key(URI url) {
    String scheme = url.getScheme();
    String host = url.getHost();
    if (host == null || scheme == null
        || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))) {
      return null;
    }
    return key(scheme, host, url.getPort());
  }

  private static String key(String scheme, String host, int port) {
    int p = port >= 0 ? port : scheme.equalsIgnoreCase("https") ? 443 : 80;
    return scheme.toLowerCase(Locale.ROOT) + "://" + host.toLowerCase(Locale.ROOT) + ":" + p;
  }
}
