package dev.urlsession.benchmarks.suite;

import dev.urlsession.DataTask;
import dev.urlsession.Request;
import dev.urlsession.Session;
import dev.urlsession.SessionConfiguration;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import okhttp3.Dispatcher;
import okhttp3.OkHttpClient;
import org.apache.hc.client5.http.async.methods.SimpleHttpResponse;
import org.apache.hc.client5.http.async.methods.SimpleRequestBuilder;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.impl.async.HttpAsyncClients;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManagerBuilder;
import org.apache.hc.core5.concurrent.FutureCallback;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.util.Timeout;

/**
 * Heap retained per queued request, in a JVM of its own: {@code N} GETs queued at once behind one
 * connection whose first request a loopback server in this JVM accepts and never answers. The heap
 * after a full GC before and after queueing them, divided by {@code N}. Prints one {@code RESULT}
 * line: the client and the bytes per queued request.
 *
 * <ul>
 *   <li>{@code session-default}, {@code session-ephemeral}: a session's data tasks with completion
 *       handlers, resumed, one connection per host;
 *   <li>{@code session-suspended}: data tasks created and not resumed (what a task holds before it
 *       starts);
 *   <li>{@code raw}: raw HttpClient 5 async {@code execute} futures waiting for the one connection;
 *   <li>{@code okhttp}: OkHttp calls enqueued behind {@code maxRequestsPerHost = 1}.
 * </ul>
 *
 * <pre>java -Xmx1g -cp ... dev.urlsession.benchmarks.suite.QueuedTasks KIND N STORAGE_DIRECTORY</pre>
 */
public final class QueuedTasks {
  private QueuedTasks() {}

  public static void main(String[] args) throws Exception {
    String kind = args[0];
    int n = Integer.parseInt(args[1]);
    Path storage = Path.of(args[2]);
    AtomicLong received = new AtomicLong();
    try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Thread acceptor = new Thread(() -> blackHole(server, received), "black-hole");
      acceptor.setDaemon(true);
      acceptor.start();
      URI uri = URI.create("http://127.0.0.1:" + server.getLocalPort() + "/1k");
      List<Object> keep = new ArrayList<>(n);
      AutoCloseable client;
      Queue queue;
      switch (kind) {
        case "session-default", "session-ephemeral", "session-suspended" -> {
          SessionConfiguration base = kind.equals("session-ephemeral")
              ? SessionConfiguration.ephemeral()
              : SessionConfiguration.defaultConfiguration().toBuilder().storageDirectory(storage).build();
          Session session = Session.create(base.toBuilder().httpMaximumConnectionsPerHost(1).build());
          client = session::invalidateAndCancel;
          boolean resume = !kind.equals("session-suspended");
          queue = () -> {
            DataTask t = session.dataTask(Request.get(uri), (body, response, error) -> { });
            if (resume) {
              t.resume();
            } else {
              keep.add(t); // a suspended task is the caller's to hold
            }
          };
        }
        case "raw" -> {
          CloseableHttpAsyncClient raw = HttpAsyncClients.custom()
              .setConnectionManager(PoolingAsyncClientConnectionManagerBuilder.create()
                  .setMaxConnPerRoute(1).setMaxConnTotal(1).build())
              .setDefaultRequestConfig(RequestConfig.custom().setConnectionRequestTimeout(Timeout.DISABLED)
                  .setResponseTimeout(Timeout.DISABLED).build())
              .build();
          raw.start();
          client = () -> raw.close(CloseMode.IMMEDIATE);
          queue = () -> raw.execute(SimpleRequestBuilder.get(uri).build(), new FutureCallback<SimpleHttpResponse>() {
            @Override
            public void completed(SimpleHttpResponse result) {}

            @Override
            public void failed(Exception ex) {}

            @Override
            public void cancelled() {}
          });
        }
        case "okhttp" -> {
          Dispatcher dispatcher = new Dispatcher();
          dispatcher.setMaxRequestsPerHost(1);
          OkHttpClient ok = new OkHttpClient.Builder().dispatcher(dispatcher)
              .readTimeout(0, TimeUnit.SECONDS).build();
          client = () -> {
            dispatcher.cancelAll();
            ok.dispatcher().executorService().shutdownNow();
          };
          queue = () -> ok.newCall(new okhttp3.Request.Builder().url(uri.toString()).build())
              .enqueue(new okhttp3.Callback() {
                @Override
                public void onFailure(okhttp3.Call call, IOException e) {}

                @Override
                public void onResponse(okhttp3.Call call, okhttp3.Response response) {
                  response.close();
                }
              });
        }
        default -> throw new IllegalArgumentException("unknown kind " + kind);
      }
      // One request first, so that the connection (and the client's machinery) exists before the baseline.
      queue.add();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (received.get() == 0 && !kind.equals("session-suspended") && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      long before = usedAfterGc();
      Map<String, long[]> histogramBefore = HISTOGRAM ? histogram() : Map.of();
      for (int i = 1; i < n; i++) {
        queue.add();
      }
      Thread.sleep(1000); // let the client's threads hand the requests to its queues
      long after = usedAfterGc();
      if (HISTOGRAM) {
        printGrowth(histogramBefore, histogram(), n - 1);
      }
      System.out.printf(Locale.ROOT, "RESULT\t%s\t%.0f\t%d%n", kind, (double) (after - before) / (n - 1),
          keep.size());
      client.close();
    }
  }

  /** With {@code -Dqueued.histogram=true}: the classes whose instances grew, per queued request. */
  private static final boolean HISTOGRAM = Boolean.getBoolean("queued.histogram");

  private static Map<String, long[]> histogram() throws Exception {
    Process p = new ProcessBuilder("jcmd", Long.toString(ProcessHandle.current().pid()), "GC.class_histogram")
        .redirectErrorStream(true).start();
    Map<String, long[]> classes = new HashMap<>();
    for (String line : new String(p.getInputStream().readAllBytes()).split("\n")) {
      String[] f = line.trim().split("\\s+");
      if (f.length >= 4 && f[0].endsWith(":")) {
        classes.put(f[3], new long[] {Long.parseLong(f[1]), Long.parseLong(f[2])});
      }
    }
    p.waitFor();
    return classes;
  }

  private static void printGrowth(Map<String, long[]> before, Map<String, long[]> after, int n) {
    List<Map.Entry<String, long[]>> grown = new ArrayList<>();
    for (Map.Entry<String, long[]> e : after.entrySet()) {
      long[] b = before.getOrDefault(e.getKey(), new long[2]);
      long bytes = e.getValue()[1] - b[1];
      if (bytes > n * 4L) {
        grown.add(Map.entry(e.getKey(), new long[] {e.getValue()[0] - b[0], bytes}));
      }
    }
    grown.sort((x, y) -> Long.compare(y.getValue()[1], x.getValue()[1]));
    for (Map.Entry<String, long[]> e : grown) {
      System.out.printf(Locale.ROOT, "  %8.2f instances %8.1f bytes per request  %s%n", (double) e.getValue()[0] / n,
          (double) e.getValue()[1] / n, e.getKey());
    }
  }

  private interface Queue {
    void add() throws Exception;
  }

  private static long usedAfterGc() throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(100);
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  /** Accepts connections and reads whatever comes, answering nothing. */
  private static void blackHole(ServerSocket server, AtomicLong received) {
    while (!server.isClosed()) {
      try {
        Socket s = server.accept();
        Thread t = new Thread(() -> {
          byte[] buffer = new byte[8192];
          try (InputStream in = s.getInputStream()) {
            int r;
            while ((r = in.read(buffer)) >= 0) {
              received.addAndGet(r);
            }
          } catch (IOException e) {
            // closed
          }
        }, "black-hole-connection");
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        return;
      }
    }
  }
}
