package dev.urlsession.demo.origin;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpRange;

/**
 * The demo's own download origin, an HTTP/1.1 server on loopback (so the demo needs no network),
 * serving generated {@link SampleContent} files the way a download site does: with a strong
 * {@code ETag}, a {@code Last-Modified} date and byte ranges ({@code Range}, honouring
 * {@code If-Range}), which is what lets a download resume where it stopped.
 *
 * <ul>
 *   <li>{@code GET /files/16MiB.bin}: 16 MiB at full speed; {@code ?rate=2MiB} caps it at 2 MiB/s;
 *   <li>{@code GET /slow/4MiB.bin}: answers after a second, then sends 256 KiB/s;
 *   <li>{@code GET /flaky/8MiB.bin}: every third request gets {@code 503} (the first one among
 *       them), the others are cut after 2 MiB of body: a client that keeps what it has and resumes
 *       with {@code Range} still gets the whole file;
 *   <li>any of those followed by {@code .sha256} (before the query): the file's SHA-256, in the
 *       format of {@code sha256sum};
 *   <li>{@code GET /catalog}: the samples the page offers, as JSON.
 * </ul>
 *
 * <p>Every request is recorded ({@link #served()}), so tests can tell a resumed download from one
 * that started over. Thread-safe.
 */
public final class SampleOrigin implements AutoCloseable {
  /** Every sample claims this date, so that its validators never change across restarts. */
  static final Instant LAST_MODIFIED = Instant.parse("2026-01-01T00:00:00Z");
  static final long SLOW_RATE = 256 * 1024;
  static final long FLAKY_CUT = 2L << 20;

  private static final Pattern FILE = Pattern.compile("/(files|slow|flaky)/([0-9A-Za-z]+)\\.bin(\\.sha256)?");
  private static final String HTTP_DATE = DateTimeFormatter
      .ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US).withZone(ZoneOffset.UTC).format(LAST_MODIFIED);
  private static final int CHUNK = 16 * 1024;
  private static final int LOG_SIZE = 10_000;

  private final HttpServer server;
  private final ExecutorService workers;
  private final Map<String, AtomicInteger> flakyRequests = new ConcurrentHashMap<>();
  private final Deque<Served> served = new ArrayDeque<>();

  /** One request as answered: its path and query, {@code Range} header, status and body bytes sent. */
  public record Served(String target, @Nullable String range, int status, long bytes) {}

  /**
   * Starts the origin on {@code 127.0.0.1:port} (0 for any free port).
   *
   * @throws IOException if the port cannot be bound
   */
  public SampleOrigin(int port) throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 50);
    AtomicInteger threads = new AtomicInteger();
    workers = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "sample-origin-" + threads.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(workers);
    server.createContext("/", this::handle);
    server.start();
  }

  /** The origin's base URL, such as {@code http://127.0.0.1:8081}. */
  public URI baseUrl() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  /** The samples the page offers. */
  public List<Sample> catalog() {
    return List.of(
        sample("1 MiB", "/files/1MiB.bin", "full speed"),
        sample("16 MiB", "/files/16MiB.bin?rate=4MiB", "at 4 MiB/s"),
        sample("64 MiB", "/files/64MiB.bin?rate=8MiB", "at 8 MiB/s"),
        sample("Slow 4 MiB", "/slow/4MiB.bin", "256 KiB/s, answers after 1 s"),
        sample("Flaky 8 MiB", "/flaky/8MiB.bin", "503s, and connections cut every 2 MiB"));
  }

  private Sample sample(String title, String path, String description) {
    Matcher m = FILE.matcher(path.replaceFirst("\\?.*", ""));
    if (!m.matches()) {
      throw new IllegalArgumentException(path);
    }
    return new Sample(title, description, baseUrl().resolve(path).toString(), SampleContent.parseSize(m.group(2)));
  }

  /** The requests answered so far (the last 10,000), oldest first. */
  public List<Served> served() {
    synchronized (served) {
      return new ArrayList<>(served);
    }
  }

  private void record(HttpExchange exchange, int status, long bytes) {
    synchronized (served) {
      if (served.size() == LOG_SIZE) {
        served.removeFirst();
      }
      served.addLast(new Served(exchange.getRequestURI().toString(),
          exchange.getRequestHeaders().getFirst("Range"), status, bytes));
    }
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String method = exchange.getRequestMethod();
      String path = exchange.getRequestURI().getPath();
      if (!method.equals("GET") && !method.equals("HEAD")) {
        exchange.getResponseHeaders().set("Allow", "GET, HEAD");
        answer(exchange, 405, "only GET and HEAD\n");
        return;
      }
      if (path.equals("/catalog")) {
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        answer(exchange, 200, catalogJson());
        return;
      }
      Matcher m = FILE.matcher(path);
      long size;
      try {
        size = m.matches() ? SampleContent.parseSize(m.group(2)) : -1;
      } catch (IllegalArgumentException e) {
        answer(exchange, 404, e.getMessage() + "\n");
        return;
      }
      if (size < 0) {
        answer(exchange, 404, "no such sample: try /catalog\n");
      } else if (m.group(3) != null) {
        answer(exchange, 200, SampleContent.sha256(size) + "  " + m.group(2) + ".bin\n");
      } else {
        serveFile(exchange, m.group(1), m.group(2) + ".bin", size);
      }
    }
  }

  private void serveFile(HttpExchange exchange, String kind, String name, long size) throws IOException {
    long rate = Long.MAX_VALUE;
    long cutAfter = Long.MAX_VALUE;
    if (kind.equals("slow")) {
      rate = SLOW_RATE;
      pause(1000);
    } else if (kind.equals("flaky") && exchange.getRequestMethod().equals("GET")) {
      int n = flakyRequests.computeIfAbsent(exchange.getRequestURI().toString(), k -> new AtomicInteger())
          .incrementAndGet();
      if (n % 3 == 1) {
        exchange.getResponseHeaders().set("Retry-After", "1");
        answer(exchange, 503, "flaky: try again\n");
        return;
      }
      cutAfter = FLAKY_CUT;
    } else {
      String query = exchange.getRequestURI().getQuery();
      if (query != null && query.startsWith("rate=")) {
        rate = Math.max(1, SampleContent.parseSize(query.substring("rate=".length())));
      }
    }
    String etag = "\"sample-" + size + "\"";
    Headers headers = exchange.getResponseHeaders();
    headers.set("Content-Type", "application/octet-stream");
    headers.set("Content-Disposition", "attachment; filename=\"" + name + "\"");
    headers.set("ETag", etag);
    headers.set("Last-Modified", HTTP_DATE);
    headers.set("Accept-Ranges", "bytes");
    if (etag.equals(exchange.getRequestHeaders().getFirst("If-None-Match"))) {
      exchange.sendResponseHeaders(304, -1);
      record(exchange, 304, 0);
      return;
    }
    long start = 0;
    long end = size - 1;
    int status = 200;
    String range = exchange.getRequestHeaders().getFirst("Range");
    String ifRange = exchange.getRequestHeaders().getFirst("If-Range");
    boolean validatorMatches = ifRange == null || ifRange.equals(etag) || ifRange.equals(HTTP_DATE);
    if (range != null && validatorMatches) {
      List<HttpRange> ranges;
      try {
        ranges = HttpRange.parseRanges(range);
      } catch (IllegalArgumentException e) {
        ranges = List.of(); // a malformed Range is ignored (RFC 9110 14.2)
      }
      if (ranges.size() == 1) { // several ranges: the whole file, as RFC 9110 allows
        try {
          start = ranges.get(0).getRangeStart(size);
          end = ranges.get(0).getRangeEnd(size);
        } catch (IllegalArgumentException e) {
          start = size;
        }
        if (start >= size || start > end) {
          headers.set("Content-Range", "bytes */" + size);
          answer(exchange, 416, "range not satisfiable\n");
          return;
        }
        status = 206;
        headers.set("Content-Range", "bytes " + start + "-" + end + "/" + size);
      }
    }
    long length = end - start + 1;
    if (exchange.getRequestMethod().equals("HEAD")) {
      headers.set("Content-Length", Long.toString(length));
      exchange.sendResponseHeaders(status, -1);
      record(exchange, status, 0);
      return;
    }
    exchange.sendResponseHeaders(status, length == 0 ? -1 : length);
    long[] sent = {0};
    try {
      send(exchange.getResponseBody(), size, start, Math.min(length, cutAfter), rate, sent);
    } finally {
      record(exchange, status, sent[0]); // also when the client went away
    }
    // Closing the exchange before Content-Length bytes were sent cuts the connection: what a
    // flaky origin does.
  }

  /**
   * Sends {@code count} bytes of the sample from {@code start}, at most {@code rate} bytes a
   * second, counting them in {@code sent[0]}.
   */
  private static void send(OutputStream out, long size, long start, long count, long rate, long[] sent)
      throws IOException {
    byte[] buffer = new byte[CHUNK];
    long began = System.nanoTime();
    while (sent[0] < count) {
      int n = (int) Math.min(buffer.length, count - sent[0]);
      SampleContent.fill(size, start + sent[0], buffer, n);
      out.write(buffer, 0, n);
      sent[0] += n;
      if (rate != Long.MAX_VALUE) {
        long due = began + (long) (sent[0] * 1e9 / rate);
        long ahead = due - System.nanoTime();
        if (ahead > 0) {
          pause(TimeUnit.NANOSECONDS.toMillis(ahead));
        }
      }
    }
    out.flush();
  }

  private void answer(HttpExchange exchange, int status, String text) throws IOException {
    byte[] body = text.getBytes(StandardCharsets.UTF_8);
    if (!exchange.getResponseHeaders().containsKey("Content-Type")) {
      exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    }
    if (exchange.getRequestMethod().equals("HEAD")) {
      exchange.getResponseHeaders().set("Content-Length", Integer.toString(body.length));
      exchange.sendResponseHeaders(status, -1);
    } else {
      exchange.sendResponseHeaders(status, body.length);
      exchange.getResponseBody().write(body);
    }
    record(exchange, status, body.length);
  }

  private String catalogJson() {
    StringBuilder json = new StringBuilder("[");
    for (Sample s : catalog()) {
      json.append(json.length() > 1 ? ",\n " : "\n ")
          .append("{\"title\":\"").append(s.title())
          .append("\",\"description\":\"").append(s.description())
          .append("\",\"url\":\"").append(s.url())
          .append("\",\"size\":").append(s.size()).append('}');
    }
    return json.append("\n]\n").toString();
  }

  /** The origin's own pacing (a slow server), not a wait for something to happen. */
  private static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    server.stop(0);
    workers.shutdownNow();
  }
}
