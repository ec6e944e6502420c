package dev.urlsession.benchmarks;

import com.sun.net.httpserver.HttpServer;
import dev.urlsession.DownloadResponse;
import dev.urlsession.Request;
import dev.urlsession.Session;
import dev.urlsession.SessionConfiguration;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Download throughput of a large file on loopback: {@code Session.download} against
 * {@code curl -o}, the same in-JVM server and file, rounds alternating; with the session's peak
 * heap during its downloads. Run: {@code java [-Xmx64m] -cp benchmarks/target/benchmarks.jar
 * dev.urlsession.benchmarks.DownloadThroughput [bytes] [rounds] [jdk|nginx]}.
 *
 * <p>The server is a JDK {@code HttpServer} in this JVM by default; {@code nginx} serves the file
 * from a separate nginx process instead (Debian's {@code nginx-light}, started on a free loopback
 * port with a generated configuration), so the server does not share the client's JVM.
 */
public final class DownloadThroughput {
  private DownloadThroughput() {}

  public static void main(String[] args) throws Exception {
    long size = args.length > 0 ? Long.parseLong(args[0]) : 1L << 30;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    boolean nginx = args.length > 2 && args[2].equals("nginx");
    Path dir = Files.createTempDirectory("download-bench");
    Path source = dir.resolve("big.bin");
    byte[] block = new byte[1 << 20];
    new Random(1).nextBytes(block);
    try (OutputStream out = Files.newOutputStream(source)) {
      for (long written = 0; written < size; written += block.length) {
        out.write(block, 0, (int) Math.min(block.length, size - written));
      }
    }
    AutoCloseable server;
    int port;
    if (nginx) {
      port = freePort();
      server = startNginx(dir, port);
    } else {
      HttpServer jdk = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      java.util.concurrent.ExecutorService pool = Executors.newFixedThreadPool(2);
      jdk.setExecutor(pool);
      jdk.createContext("/big.bin", exchange -> {
        exchange.getResponseHeaders().add("Content-Type", "application/octet-stream");
        exchange.sendResponseHeaders(200, size);
        try (OutputStream out = exchange.getResponseBody(); InputStream in = Files.newInputStream(source)) {
          in.transferTo(out);
        }
      });
      jdk.start();
      port = jdk.getAddress().getPort();
      server = () -> {
        jdk.stop(0);
        pool.shutdownNow(); // its threads are not daemons: the JVM would not exit
      };
    }
    System.out.println("server: " + (nginx ? "nginx" : "JDK HttpServer in this JVM"));
    URI url = URI.create("http://127.0.0.1:" + port + "/big.bin");
    List<Double> curl = new ArrayList<>();
    List<Double> session = new ArrayList<>();
    long peakHeap = 0;
    try (Session s = Session.create(SessionConfiguration.defaultConfiguration().toBuilder()
        .storageDirectory(dir.resolve("storage")).build())) {
      for (int round = 0; round < rounds; round++) {
        curl.add(curl(url, dir.resolve("curl.bin"), size));
        HeapPeak peak = HeapPeak.start();
        long start = System.nanoTime();
        DownloadResponse r = s.download(Request.get(url)).get(5, TimeUnit.MINUTES);
        double seconds = (System.nanoTime() - start) / 1e9;
        long peakBytes = peak.stop();
        if (Files.size(r.location()) != size) {
          throw new IllegalStateException("session downloaded " + Files.size(r.location()) + " bytes");
        }
        Files.delete(r.location());
        session.add(size / seconds / (1 << 20));
        peakHeap = Math.max(peakHeap, peakBytes);
      }
    } finally {
      server.close();
      Files.deleteIfExists(dir.resolve("curl.bin"));
      Files.deleteIfExists(source);
    }
    double c = median(curl);
    double u = median(session);
    System.out.printf("| client | MiB/s (median of %d) | rounds |%n|---|---:|---|%n", rounds);
    System.out.printf("| curl -o | %.0f | %s |%n", c, curl);
    System.out.printf("| Session.download | %.0f | %s |%n", u, session);
    System.out.printf("ratio Session/curl = %.2f; peak heap used during Session downloads = %.1f MiB (max heap %.0f MiB)%n",
        u / c, peakHeap / 1048576.0, Runtime.getRuntime().maxMemory() / 1048576.0);
  }

  private static double curl(URI url, Path target, long size) throws Exception {
    long start = System.nanoTime();
    Process p = new ProcessBuilder("curl", "-s", "-o", target.toString(), url.toString())
        .redirectErrorStream(true).start();
    if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
      throw new IllegalStateException("curl failed");
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    if (Files.size(target) != size) {
      throw new IllegalStateException("curl downloaded " + Files.size(target) + " bytes");
    }
    return size / seconds / (1 << 20);
  }

  private static int freePort() throws Exception {
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /** nginx in the foreground serving {@code dir} on {@code port}; closing stops it. */
  private static AutoCloseable startNginx(Path dir, int port) throws Exception {
    Path conf = dir.resolve("nginx.conf");
    Files.writeString(conf, String.join("\n",
        "daemon off;", "master_process off;", "worker_processes 1;",
        "pid " + dir.resolve("nginx.pid") + ";", "error_log " + dir.resolve("nginx-error.log") + ";",
        "events { worker_connections 64; }",
        "http {", "  access_log off;", "  sendfile on;", "  default_type application/octet-stream;",
        "  client_body_temp_path " + dir + ";", "  proxy_temp_path " + dir + ";",
        "  fastcgi_temp_path " + dir + ";", "  uwsgi_temp_path " + dir + ";", "  scgi_temp_path " + dir + ";",
        "  server { listen 127.0.0.1:" + port + "; root " + dir + "; }", "}", ""));
    Process p = new ProcessBuilder("nginx", "-c", conf.toString(), "-p", dir.toString())
        .redirectErrorStream(true).redirectOutput(dir.resolve("nginx.out").toFile()).start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      try (java.net.Socket probe = new java.net.Socket(InetAddress.getLoopbackAddress(), port)) {
        break;
      } catch (java.io.IOException e) {
        if (!p.isAlive() || System.nanoTime() > deadline) {
          p.destroyForcibly();
          throw new IllegalStateException("nginx did not start: " + Files.readString(dir.resolve("nginx.out")), e);
        }
        Thread.sleep(20);
      }
    }
    return () -> {
      p.destroy();
      p.waitFor(10, TimeUnit.SECONDS);
    };
  }

  private static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    return sorted.get(sorted.size() / 2);
  }
}
