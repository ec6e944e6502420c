package dev.urlsession;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP/1.1 forward proxy on loopback, for tests that must prove traffic went through a
 * proxy (RELIABILITY.md row 9).
 *
 * <ul>
 *   <li>Absolute-form requests ({@code GET http://host:port/path HTTP/1.1}) are forwarded to the
 *       origin over a new connection, in origin-form, with {@code Via: 1.1 test-proxy} added and the
 *       hop-by-hop headers removed ({@code Proxy-Authorization}, {@code Proxy-Connection},
 *       {@code Connection} and the headers it names, {@code Keep-Alive}, {@code TE},
 *       {@code Upgrade}); {@code Connection: close} is sent upstream. The body is relayed as
 *       framed by {@code Content-Length} or chunked encoding. The response is relayed byte for
 *       byte except its {@code Connection}/{@code Keep-Alive}/{@code Proxy-Connection} headers,
 *       which become {@code Connection: close}: the proxy closes the client connection after
 *       each forwarded response.
 *   <li>{@code CONNECT host:port} opens a tunnel: {@code 200 Connection established}, then bytes
 *       are pumped both ways until either side closes, which closes both.
 *   <li>With {@link #requireCredentials}, a request without a valid {@code Proxy-Authorization:
 *       Basic} gets {@code 407} with {@code Proxy-Authenticate: Basic realm="test-proxy"}; the
 *       connection is kept open for the retry (closed if the request had a body it can't skip).
 * </ul>
 *
 * <p>Every request head received is recorded, including rejected ones. {@link #openConnections}
 * counts client connections still open, so tests can assert the client leaked none. All threads
 * are daemons; {@link #close} closes every socket and stops them.
 */
final class TestHttpProxy implements AutoCloseable {
  /** A request head the proxy received, before any header was stripped. Header names are case-insensitive. */
  record Seen(String method, String target, Map<String, String> headers) {}

  static final String VIA = "1.1 test-proxy";
  private static final int MAX_HEAD = 64 * 1024;
  private static final Set<String> HOP_BY_HOP = Set.of("proxy-authorization", "proxy-connection", "connection",
      "keep-alive", "te", "upgrade");

  private final ServerSocket server;
  private final ExecutorService threads;
  private final Set<Socket> clients = ConcurrentHashMap.newKeySet();
  private final Set<Socket> upstreams = ConcurrentHashMap.newKeySet();
  private final List<Seen> requests = new CopyOnWriteArrayList<>();
  private volatile boolean closed;
  private final AtomicBoolean failNextConnect = new AtomicBoolean();
  private final AtomicBoolean closeNextTunnel = new AtomicBoolean();
  private volatile String expectedAuthorization;

  TestHttpProxy() throws IOException {
    server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    AtomicInteger n = new AtomicInteger();
    threads = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "test-http-proxy-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    threads.execute(this::acceptLoop);
  }

  int port() {
    return server.getLocalPort();
  }

  /** 127.0.0.1 and {@link #port()}. */
  InetSocketAddress address() {
    return new InetSocketAddress(server.getInetAddress(), port());
  }

  /** From now on, requires {@code Proxy-Authorization: Basic} with these credentials (UTF-8). */
  TestHttpProxy requireCredentials(String user, String password) {
    expectedAuthorization = basic(user, password);
    return this;
  }

  /** The next authorized CONNECT is answered {@code 502 Bad Gateway}, then the connection is closed. */
  void failNextConnect() {
    failNextConnect.set(true);
  }

  /** The next authorized CONNECT is answered {@code 200}, then both sides are closed at once. */
  void closeNextTunnel() {
    closeNextTunnel.set(true);
  }

  /** Every request head received so far, in arrival order (a snapshot). */
  List<Seen> requests() {
    return List.copyOf(requests);
  }

  /** Client connections to this proxy that are still open. */
  int openConnections() {
    return clients.size();
  }

  /** The {@code Proxy-Authorization} value for these credentials. */
  static String basic(String user, String password) {
    return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public void close() throws IOException {
    closed = true;
    server.close();
    threads.shutdownNow();
    closeAllSockets();
    try {
      threads.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    closeAllSockets();
  }

  private void closeAllSockets() {
    clients.forEach(TestHttpProxy::closeQuietly);
    upstreams.forEach(TestHttpProxy::closeQuietly);
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      Socket client;
      try {
        client = server.accept();
      } catch (IOException e) {
        return;
      }
      clients.add(client);
      if (closed) { // close() may have swept the set before this add
        closeQuietly(client);
        clients.remove(client);
        return;
      }
      try {
        threads.execute(() -> serve(client));
      } catch (RuntimeException rejected) { // closing
        closeQuietly(client);
        clients.remove(client);
      }
    }
  }

  private void serve(Socket client) {
    try {
      InputStream in = new BufferedInputStream(client.getInputStream());
      OutputStream out = client.getOutputStream();
      while (true) {
        Head head = Head.read(in);
        if (head == null) {
          return;
        }
        requests.add(head.seen());
        String expected = expectedAuthorization;
        if (expected != null && !authorized(head.first("proxy-authorization"), expected)) {
          boolean keepAlive = head.keepAliveAfterRejection() && skipBody(head, in);
          challenge(out, keepAlive);
          if (keepAlive) {
            continue;
          }
          return;
        }
        if (head.method().equals("CONNECT")) {
          tunnel(client, in, out, head);
        } else {
          forward(in, out, head);
        }
        return;
      }
    } catch (IOException | RuntimeException e) {
      // the peer went away or sent garbage: drop the connection
    } finally {
      closeQuietly(client);
      clients.remove(client);
    }
  }

  private static boolean authorized(String header, String expected) {
    if (header == null) {
      return false;
    }
    int space = header.indexOf(' ');
    return space > 0 && header.substring(0, space).equalsIgnoreCase("Basic")
        && header.substring(space).trim().equals(expected.substring("Basic ".length()));
  }

  private static void challenge(OutputStream out, boolean keepAlive) throws IOException {
    byte[] body = "Proxy authentication required\n".getBytes(StandardCharsets.US_ASCII);
    write(out, "HTTP/1.1 407 Proxy Authentication Required\r\n"
        + "Proxy-Authenticate: Basic realm=\"test-proxy\"\r\n"
        + "Content-Type: text/plain; charset=us-ascii\r\n"
        + "Content-Length: " + body.length + "\r\n"
        + (keepAlive ? "" : "Connection: close\r\n")
        + "\r\n");
    out.write(body);
    out.flush();
  }

  private static void error(OutputStream out, String status) throws IOException {
    write(out, "HTTP/1.1 " + status + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    out.flush();
  }

  private void tunnel(Socket client, InputStream in, OutputStream out, Head head) throws IOException {
    if (failNextConnect.getAndSet(false)) {
      error(out, "502 Bad Gateway");
      return;
    }
    URI authority;
    try {
      authority = URI.create("tunnel://" + head.target());
    } catch (IllegalArgumentException e) {
      error(out, "400 Bad Request");
      return;
    }
    if (authority.getHost() == null || authority.getPort() < 0) {
      error(out, "400 Bad Request");
      return;
    }
    Socket upstream = connect(authority.getHost(), authority.getPort());
    if (upstream == null) {
      error(out, "502 Bad Gateway");
      return;
    }
    try {
      write(out, "HTTP/1.1 200 Connection established\r\n\r\n");
      out.flush();
      if (closeNextTunnel.getAndSet(false)) {
        return;
      }
      Future<?> down = threads.submit(() -> {
        pump(upstream.getInputStream(), out);
        closeQuietly(client);
        closeQuietly(upstream);
        return null;
      });
      try {
        pump(in, upstream.getOutputStream());
      } finally {
        closeQuietly(upstream);
        closeQuietly(client);
        down.cancel(true);
      }
    } finally {
      closeQuietly(upstream);
      upstreams.remove(upstream);
    }
  }

  private void forward(InputStream in, OutputStream out, Head head) throws IOException {
    URI uri;
    try {
      uri = URI.create(head.target());
    } catch (IllegalArgumentException e) {
      error(out, "400 Bad Request");
      return;
    }
    if (!"http".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null) {
      error(out, "400 Bad Request");
      return;
    }
    Socket upstream = connect(uri.getHost(), uri.getPort() < 0 ? 80 : uri.getPort());
    if (upstream == null) {
      error(out, "502 Bad Gateway");
      return;
    }
    try {
      InputStream upIn = new BufferedInputStream(upstream.getInputStream());
      OutputStream upOut = upstream.getOutputStream();
      String path = (uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())
          + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
      StringBuilder forwarded = new StringBuilder(head.method()).append(' ').append(path).append(' ')
          .append(head.version()).append("\r\n");
      Set<String> dropped = new HashSet<>(HOP_BY_HOP);
      for (String connection : head.all("connection")) {
        for (String token : connection.split(",")) {
          dropped.add(token.trim().toLowerCase(Locale.ROOT));
        }
      }
      if (head.first("host") == null) {
        forwarded.append("Host: ").append(uri.getRawAuthority()).append("\r\n");
      }
      for (String[] header : head.headers()) {
        if (!dropped.contains(header[0].toLowerCase(Locale.ROOT))) {
          forwarded.append(header[0]).append(": ").append(header[1]).append("\r\n");
        }
      }
      forwarded.append("Via: ").append(VIA).append("\r\nConnection: close\r\n\r\n");
      write(upOut, forwarded.toString());
      upOut.flush();
      // The body goes up while the response comes down, so 100 Continue and early answers get
      // through; once the response is relayed, closing both sockets ends the body relay too.
      Future<?> body = threads.submit(() -> {
        try {
          relayBody(head, in, upOut);
          upOut.flush();
        } catch (IOException e) {
          // the origin stopped reading or the client went away
        }
      });
      try {
        relayResponse(upIn, out, head.method());
      } finally {
        body.cancel(true);
      }
    } finally {
      closeQuietly(upstream);
      upstreams.remove(upstream);
    }
  }

  private static void relayResponse(InputStream upIn, OutputStream out, String method) throws IOException {
    boolean informational = false;
    while (true) {
      Head head = Head.read(upIn);
      if (head == null) {
        if (!informational) {
          error(out, "502 Bad Gateway");
        }
        return;
      }
      int status = Integer.parseInt(head.target());
      if (status >= 100 && status < 200 && status != 101) {
        out.write(head.raw());
        out.flush();
        informational = true;
        continue;
      }
      StringBuilder b = new StringBuilder(head.startLine()).append("\r\n");
      for (String[] header : head.headers()) {
        String name = header[0].toLowerCase(Locale.ROOT);
        if (!name.equals("connection") && !name.equals("keep-alive") && !name.equals("proxy-connection")) {
          b.append(header[0]).append(": ").append(header[1]).append("\r\n");
        }
      }
      b.append("Connection: close\r\n\r\n");
      write(out, b.toString());
      if (method.equals("HEAD") || status == 204 || status == 304) {
        // no body
      } else if (head.chunked()) {
        relayChunked(upIn, out);
      } else if (head.contentLength() >= 0) {
        copy(upIn, out, head.contentLength());
      } else {
        upIn.transferTo(out);
      }
      out.flush();
      return;
    }
  }

  private static void relayBody(Head head, InputStream in, OutputStream upOut) throws IOException {
    if (head.chunked()) {
      relayChunked(in, upOut);
    } else if (head.contentLength() > 0) {
      copy(in, upOut, head.contentLength());
    }
  }

  /** Reads and drops a request body; false when its length can't be known without the client sending it. */
  private static boolean skipBody(Head head, InputStream in) throws IOException {
    if (head.first("expect") != null) {
      return false;
    }
    relayBody(head, in, OutputStream.nullOutputStream());
    return true;
  }

  private Socket connect(String host, int port) {
    Socket upstream = new Socket();
    upstreams.add(upstream);
    try {
      if (closed) {
        throw new IOException("proxy closed");
      }
      upstream.connect(new InetSocketAddress(host, port), 5_000);
      return upstream;
    } catch (IOException e) {
      closeQuietly(upstream);
      upstreams.remove(upstream);
      return null;
    }
  }

  private static void relayChunked(InputStream in, OutputStream out) throws IOException {
    while (true) {
      String sizeLine = readLine(in);
      write(out, sizeLine + "\r\n");
      int semicolon = sizeLine.indexOf(';');
      long size = Long.parseLong((semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon)).trim(), 16);
      if (size == 0) {
        String trailer;
        do {
          trailer = readLine(in);
          write(out, trailer + "\r\n");
        } while (!trailer.isEmpty());
        return;
      }
      copy(in, out, size);
      String crlf = readLine(in);
      if (!crlf.isEmpty()) {
        throw new IOException("malformed chunk");
      }
      write(out, "\r\n");
    }
  }

  private static String readLine(InputStream in) throws IOException {
    StringBuilder b = new StringBuilder();
    while (true) {
      int c = in.read();
      if (c < 0) {
        throw new IOException("unexpected end of stream");
      }
      if (c == '\n') {
        int end = b.length() > 0 && b.charAt(b.length() - 1) == '\r' ? b.length() - 1 : b.length();
        return b.substring(0, end);
      }
      if (b.length() >= MAX_HEAD) {
        throw new IOException("line too long");
      }
      b.append((char) c);
    }
  }

  private static void copy(InputStream in, OutputStream out, long count) throws IOException {
    byte[] buffer = new byte[16 * 1024];
    while (count > 0) {
      int n = in.read(buffer, 0, (int) Math.min(buffer.length, count));
      if (n < 0) {
        throw new IOException("unexpected end of stream");
      }
      out.write(buffer, 0, n);
      count -= n;
    }
  }

  /** Copies until end of stream or an I/O error, flushing each read so tunnels stay interactive. */
  private static void pump(InputStream in, OutputStream out) {
    byte[] buffer = new byte[16 * 1024];
    try {
      int n;
      while ((n = in.read(buffer)) >= 0) {
        out.write(buffer, 0, n);
        out.flush();
      }
    } catch (IOException e) {
      // either side closed
    }
  }

  private static void write(OutputStream out, String s) throws IOException {
    out.write(s.getBytes(StandardCharsets.ISO_8859_1));
  }

  private static void closeQuietly(Closeable c) {
    try {
      c.close();
    } catch (IOException e) {
      // nothing to do
    }
  }

  /** A parsed request or response head; for a response, {@code target} is the status code. */
  private record Head(byte[] raw, String startLine, String method, String target, String version,
      List<String[]> headers) {
    static Head read(InputStream in) throws IOException {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      int lineLength = 0;
      while (true) {
        int c = in.read();
        if (c < 0) {
          if (b.size() == 0) {
            return null;
          }
          throw new IOException("unexpected end of head");
        }
        if (b.size() == 0 && (c == '\r' || c == '\n')) {
          continue; // RFC 9112 2.2: ignore empty lines before the start line
        }
        b.write(c);
        if (b.size() > MAX_HEAD) {
          throw new IOException("head too large");
        }
        if (c == '\n') {
          if (lineLength == 0) {
            break;
          }
          lineLength = 0;
        } else if (c != '\r') {
          lineLength++;
        }
      }
      byte[] raw = b.toByteArray();
      String[] lines = new String(raw, StandardCharsets.ISO_8859_1).split("\r?\n");
      String[] start = lines[0].split(" ", 3);
      if (start.length < 2) {
        throw new IOException("malformed start line: " + lines[0]);
      }
      List<String[]> headers = new ArrayList<>();
      for (int i = 1; i < lines.length; i++) {
        int colon = lines[i].indexOf(':');
        if (colon > 0) {
          headers.add(new String[] {lines[i].substring(0, colon).trim(), lines[i].substring(colon + 1).trim()});
        }
      }
      boolean response = start[0].startsWith("HTTP/");
      return new Head(raw, lines[0], response ? "" : start[0], start[1],
          response ? start[0] : start.length > 2 ? start[2] : "HTTP/1.0", headers);
    }

    List<String> all(String name) {
      List<String> values = new ArrayList<>();
      for (String[] header : headers) {
        if (header[0].equalsIgnoreCase(name)) {
          values.add(header[1]);
        }
      }
      return values;
    }

    String first(String name) {
      List<String> values = all(name);
      return values.isEmpty() ? null : values.get(0);
    }

    boolean chunked() {
      List<String> te = all("transfer-encoding");
      return !te.isEmpty() && te.get(te.size() - 1).toLowerCase(Locale.ROOT).trim().endsWith("chunked");
    }

    long contentLength() {
      String value = first("content-length");
      return value == null ? -1 : Long.parseLong(value.trim());
    }

    boolean keepAliveAfterRejection() {
      for (String name : List.of("connection", "proxy-connection")) {
        for (String value : all(name)) {
          if (value.toLowerCase(Locale.ROOT).contains("close")) {
            return false;
          }
        }
      }
      return version.equals("HTTP/1.1");
    }

    Seen seen() {
      Map<String, String> map = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
      for (String[] header : headers) {
        map.merge(header[0], header[1], (a, b) -> a + ", " + b);
      }
      return new Seen(method, target, Collections.unmodifiableMap(map));
    }
  }
}
