package dev.urlsession.hostile;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The loopback origin of {@link SoakTests}, run in a process of its own so that its threads and
 * sockets are not counted as the client's. Prints {@code PORT <n>} and serves until its standard
 * input ends (its parent exited or closed it):
 *
 * <ul>
 *   <li>{@code /ok}: 200, 64 bytes, not storable;
 *   <li>{@code /cached/<k>}: 200, 256 bytes, fresh for an hour (cache hits);
 *   <li>{@code /redirect/<k>}: 302 to {@code /ok};
 *   <li>{@code /big}: 200, 256 KiB (tasks cancelled while it arrives);
 *   <li>{@code /slow}: 200 after half a second (tasks that time out first).
 * </ul>
 */
public final class SoakServer {
  private SoakServer() {}

  public static void main(String[] args) throws Exception {
    byte[] small = filled(64);
    byte[] cacheable = filled(256);
    byte[] big = filled(256 * 1024);
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
    ExecutorService threads = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "soak-server");
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(threads);
    server.createContext("/ok", e -> answer(e, 200, small, "no-store"));
    server.createContext("/cached/", e -> answer(e, 200, cacheable, "max-age=3600"));
    server.createContext("/redirect/", e -> {
      e.getResponseHeaders().add("Location", "/ok");
      answer(e, 302, new byte[0], "no-store");
    });
    server.createContext("/big", e -> answer(e, 200, big, "no-store"));
    server.createContext("/slow", e -> {
      try {
        Thread.sleep(500);
      } catch (InterruptedException interrupted) {
        Thread.currentThread().interrupt();
      }
      answer(e, 200, small, "no-store");
    });
    server.start();
    System.out.println("PORT " + server.getAddress().getPort());
    System.out.flush();
    while (System.in.read() >= 0) {
      // until the parent goes away
    }
    server.stop(0);
    threads.shutdownNow();
  }

  private static void answer(HttpExchange e, int status, byte[] body, String cacheControl) throws IOException {
    try (e) {
      e.getRequestBody().readAllBytes();
      e.getResponseHeaders().add("Cache-Control", cacheControl);
      e.getResponseHeaders().add("Content-Type", "application/octet-stream");
      e.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
      if (body.length > 0) {
        try (OutputStream out = e.getResponseBody()) {
          out.write(body);
        }
      }
    } catch (IOException clientWentAway) {
      // a cancelled or timed-out task closed its stream
    }
  }

  private static byte[] filled(int n) {
    byte[] b = new byte[n];
    Arrays.fill(b, (byte) 'x');
    return b;
  }
}
