package dev.urlsession;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A loopback HTTP server for background-session tests: {@code /file/<n>?size=<bytes>} serves
 * deterministic bytes per n with a strong ETag and {@code Accept-Ranges}, honouring
 * {@code Range}/{@code If-Range}, throttled to {@code bytesPerSecond} per response;
 * {@code /flaky/<n>} answers 503 the first {@code failuresBeforeSuccess} times;
 * {@code /sink} digests an upload. Counts body bytes sent and full (200) responses per path.
 */
final class TransferServer implements AutoCloseable {
  final HttpServer server;
  private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "transfer-server");
    t.setDaemon(true);
    return t;
  });
  volatile long bytesPerSecond;
  volatile int failuresBeforeSuccess = 2;
  final AtomicLong bodyBytesSent = new AtomicLong();
  final AtomicInteger inFlight = new AtomicInteger();
  final AtomicInteger maxInFlight = new AtomicInteger();
  final Map<String, AtomicInteger> fullResponses = new ConcurrentHashMap<>();
  final Map<String, AtomicInteger> rangeResponses = new ConcurrentHashMap<>();
  final Map<String, AtomicInteger> flakyCalls = new ConcurrentHashMap<>();
  /** Each request for a file, in arrival order: its path, then {@code range} or {@code full}. */
  final java.util.List<String> requests = new java.util.concurrent.CopyOnWriteArrayList<>();
  /** Requests with a Range header answered 503 (an outage behind a proxy) before one is served. */
  final AtomicInteger rangeFailures = new AtomicInteger();
  /** Paths whose next full response is cut (connection reset) after this many body bytes. */
  final Map<String, Integer> dropOnceAfter = new ConcurrentHashMap<>();

  TransferServer(long bytesPerSecond) throws IOException {
    this.bytesPerSecond = bytesPerSecond;
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 200);
    server.createContext("/file/", this::file);
    server.createContext("/flaky/", this::flaky);
    server.createContext("/sink", this::sink);
    server.setExecutor(executor);
    server.start();
  }

  URI url(String path) {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
  }

  URI file(int n, int size) {
    return url("/file/" + n + "?size=" + size);
  }

  /** The bytes of {@code /file/<n>} of {@code size} bytes. */
  static byte[] content(int n, int size) {
    byte[] b = new byte[size];
    long state = 0x9E3779B97F4A7C15L ^ (n * 0x100000001B3L);
    for (int i = 0; i < size; i++) {
      state ^= state << 13;
      state ^= state >>> 7;
      state ^= state << 17;
      b[i] = (byte) state;
    }
    return b;
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  private void file(HttpExchange ex) throws IOException {
    String path = ex.getRequestURI().getPath();
    int n = Integer.parseInt(path.substring("/file/".length()));
    int size = Integer.parseInt(ex.getRequestURI().getQuery().substring("size=".length()));
    serve(ex, path, content(n, size));
  }

  private void flaky(HttpExchange ex) throws IOException {
    String path = ex.getRequestURI().getPath();
    int calls = flakyCalls.computeIfAbsent(path, k -> new AtomicInteger()).incrementAndGet();
    if (calls <= failuresBeforeSuccess) {
      byte[] busy = "busy, try again later\n".repeat(100).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
      ex.sendResponseHeaders(503, busy.length);
      ex.getResponseBody().write(busy);
      ex.close();
      return;
    }
    serve(ex, path, content(path.hashCode(), 50_000));
  }

  private void serve(HttpExchange ex, String path, byte[] body) throws IOException {
    String etag = "\"" + sha256(body).substring(0, 16) + "\"";
    ex.getResponseHeaders().add("ETag", etag);
    ex.getResponseHeaders().add("Accept-Ranges", "bytes");
    ex.getResponseHeaders().add("Content-Type", "application/octet-stream");
    String range = ex.getRequestHeaders().getFirst("Range");
    String ifRange = ex.getRequestHeaders().getFirst("If-Range");
    requests.add(path + " " + (range != null ? "range" : "full"));
    if (range != null && rangeFailures.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      byte[] page = "<h1>503 Service Unavailable</h1>".getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(503, page.length);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(page);
      }
      return;
    }
    int start = 0;
    if (range != null && range.startsWith("bytes=") && range.endsWith("-") && (ifRange == null || ifRange.equals(etag))) {
      start = Integer.parseInt(range.substring(6, range.length() - 1));
      if (start >= body.length) {
        ex.getResponseHeaders().add("Content-Range", "bytes */" + body.length);
        ex.sendResponseHeaders(416, -1);
        ex.close();
        return;
      }
      ex.getResponseHeaders().add("Content-Range", "bytes " + start + "-" + (body.length - 1) + "/" + body.length);
      rangeResponses.computeIfAbsent(path, k -> new AtomicInteger()).incrementAndGet();
      ex.sendResponseHeaders(206, body.length - start);
    } else {
      fullResponses.computeIfAbsent(path, k -> new AtomicInteger()).incrementAndGet();
      ex.sendResponseHeaders(200, body.length);
    }
    maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
    try (OutputStream out = ex.getResponseBody()) {
      int chunk = 8192;
      long began = System.nanoTime();
      long sent = 0;
      Integer drop = start == 0 ? dropOnceAfter.remove(path) : null;
      for (int off = start; off < body.length; off += chunk) {
        int len = Math.min(chunk, body.length - off);
        if (drop != null && off - start >= drop) {
          throw new IOException("dropping the connection (test fault)");
        }
        out.write(body, off, len);
        out.flush();
        sent += len;
        bodyBytesSent.addAndGet(len);
        long rate = bytesPerSecond;
        if (rate > 0) {
          long due = began + sent * 1_000_000_000L / rate;
          long wait = due - System.nanoTime();
          if (wait > 0) {
            java.util.concurrent.locks.LockSupport.parkNanos(wait);
          }
        }
      }
    } catch (IOException e) {
      // the client went away (killed): fine
    } finally {
      inFlight.decrementAndGet();
    }
  }

  private void sink(HttpExchange ex) throws IOException {
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
    long total = 0;
    try (InputStream in = ex.getRequestBody()) {
      byte[] b = new byte[65536];
      for (int r; (r = in.read(b)) > 0; ) {
        sha.update(b, 0, r);
        total += r;
      }
    }
    byte[] answer = (total + " " + HexFormat.of().formatHex(sha.digest())).getBytes(StandardCharsets.UTF_8);
    ex.sendResponseHeaders(200, answer.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(answer);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
