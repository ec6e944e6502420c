package dev.urlsession;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A small HTTP/1.1 server for resume tests: serves one resource with a strong ETag and
 * {@code Accept-Ranges: bytes}, honours {@code Range} with {@code If-Range} as RFC 9110 says, and
 * can drop the connection or stall after a given number of body bytes. One request per
 * connection ({@code Connection: close}).
 */
final class RangeServer implements AutoCloseable {
  /** What to do with the next responses' bodies. */
  record Fault(long dropAfter, long stallAfter) {
    static Fault none() {
      return new Fault(-1, -1);
    }
  }

  private final ServerSocket socket;
  volatile byte[] content;
  volatile String etag = "\"v1\"";
  /** When set, 206 responses claim this first byte instead of the one asked for. */
  volatile long lieAboutRangeStart = -1;
  /** When set, a Range is served whatever If-Range says (as a broken proxy does). */
  volatile boolean ignoreIfRange;
  /** When set, 206 responses stop after this many bytes of the range (a legal but short part). */
  volatile long rangeLength = -1;
  /** When set, a request without Range is answered 206 from this byte on. */
  volatile long partialWithoutRangeFrom = -1;
  final ConcurrentLinkedQueue<Fault> faults = new ConcurrentLinkedQueue<>();
  final List<Map<String, String>> requests = new CopyOnWriteArrayList<>();
  final CountDownLatch stalled = new CountDownLatch(1);
  final CountDownLatch release = new CountDownLatch(1);

  RangeServer(byte[] content) throws IOException {
    this.content = content;
    this.socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread t = new Thread(this::acceptLoop, "range-server");
    t.setDaemon(true);
    t.start();
  }

  URI url() {
    return URI.create("http://127.0.0.1:" + socket.getLocalPort() + "/file.bin");
  }

  private void acceptLoop() {
    while (!socket.isClosed()) {
      try {
        Socket s = socket.accept();
        Thread t = new Thread(() -> serve(s), "range-server-conn");
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        return;
      }
    }
  }

  private void serve(Socket s) {
    try (s) {
      Map<String, String> headers = readHead(s.getInputStream());
      if (headers == null) {
        return;
      }
      requests.add(headers);
      byte[] body = content;
      long start = 0;
      int status = 200;
      String range = headers.get("range");
      String ifRange = headers.get("if-range");
      if (range != null && range.startsWith("bytes=") && range.endsWith("-")
          && (ifRange == null || ignoreIfRange || ifRange.equals(etag))) {
        long from = Long.parseLong(range.substring(6, range.length() - 1));
        if (from >= body.length) {
          write(s.getOutputStream(), "HTTP/1.1 416 Range Not Satisfiable\r\nContent-Range: bytes */" + body.length
              + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
          return;
        }
        start = from;
        status = 206;
      }
      if (range == null && partialWithoutRangeFrom >= 0) {
        start = partialWithoutRangeFrom;
        status = 206;
      }
      long end = status == 206 && rangeLength >= 0 ? Math.min(body.length, start + rangeLength) : body.length;
      long claimed = status == 206 && lieAboutRangeStart >= 0 ? lieAboutRangeStart : start;
      StringBuilder head = new StringBuilder("HTTP/1.1 " + status + (status == 206 ? " Partial Content" : " OK") + "\r\n");
      head.append("ETag: ").append(etag).append("\r\n");
      head.append("Accept-Ranges: bytes\r\n");
      head.append("Content-Type: application/octet-stream\r\n");
      head.append("Content-Length: ").append(end - start).append("\r\n");
      if (status == 206) {
        head.append("Content-Range: bytes ").append(claimed).append('-').append(end - 1)
            .append('/').append(body.length).append("\r\n");
      }
      head.append("Connection: close\r\n\r\n");
      OutputStream out = s.getOutputStream();
      write(out, head.toString());
      Fault fault = faults.poll();
      if (fault == null) {
        fault = Fault.none();
      }
      long sent = 0;
      long remaining = end - start;
      int offset = (int) start;
      while (remaining > 0) {
        int n = (int) Math.min(16 * 1024, remaining);
        if (fault.dropAfter >= 0 && sent + n > fault.dropAfter) {
          n = (int) (fault.dropAfter - sent);
          out.write(body, offset, n);
          out.flush();
          s.setSoLinger(true, 0); // reset: the connection is lost mid-body
          return;
        }
        if (fault.stallAfter >= 0 && sent + n > fault.stallAfter) {
          n = (int) (fault.stallAfter - sent);
          out.write(body, offset, n);
          out.flush();
          stalled.countDown();
          release.await(30, TimeUnit.SECONDS);
          return;
        }
        out.write(body, offset, n);
        offset += n;
        sent += n;
        remaining -= n;
      }
      out.flush();
    } catch (IOException | InterruptedException e) {
      // the client went away: fine for these tests
    }
  }

  private static void write(OutputStream out, String s) throws IOException {
    out.write(s.getBytes(StandardCharsets.ISO_8859_1));
  }

  private static Map<String, String> readHead(InputStream in) throws IOException {
    StringBuilder b = new StringBuilder();
    int state = 0;
    while (state < 4) {
      int c = in.read();
      if (c < 0) {
        return null;
      }
      b.append((char) c);
      state = (c == '\r' && (state == 0 || state == 2)) || (c == '\n' && (state == 1 || state == 3)) ? state + 1 : 0;
    }
    Map<String, String> headers = new LinkedHashMap<>();
    String[] lines = b.toString().split("\r\n");
    headers.put(":request", lines[0]);
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      if (colon > 0) {
        headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
      }
    }
    return headers;
  }

  @Override
  public void close() throws IOException {
    release.countDown();
    socket.close();
  }
}
