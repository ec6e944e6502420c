package dev.urlsession;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * A real TCP server on loopback for stream task tests: each accepted connection runs
 * {@link Handler} on a daemon thread of its own. {@link #lineEcho(SSLContext)} is a small
 * line protocol with STARTTLS: every line is echoed back; {@code STARTTLS} answers {@code READY}
 * and continues over TLS (server side, this context); {@code STOPTLS} (over TLS) answers
 * {@code CLEAR}, waits for the client's close_notify, sends its own and continues in the clear;
 * {@code QUIT} answers {@code BYE} and closes. Lines received are recorded, TLS or not.
 */
final class TcpTestServer implements AutoCloseable {
  /** What runs for one connection. */
  interface Handler {
    void serve(Socket socket) throws IOException;
  }

  private final ServerSocket server;
  private final ExecutorService threads;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  final List<String> lines = new CopyOnWriteArrayList<>();
  final AtomicInteger accepted = new AtomicInteger();

  TcpTestServer(Handler handler) throws IOException {
    server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    AtomicInteger n = new AtomicInteger();
    threads = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "tcp-test-server-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    threads.execute(() -> {
      while (!server.isClosed()) {
        try {
          Socket s = server.accept();
          accepted.incrementAndGet();
          open.add(s);
          threads.execute(() -> {
            try {
              handler.serve(s);
            } catch (IOException | RuntimeException e) {
              // the client went away
            } finally {
              closeQuietly(s);
              open.remove(s);
            }
          });
        } catch (IOException | RuntimeException e) {
          return;
        }
      }
    });
  }

  int port() {
    return server.getLocalPort();
  }

  /** Connections still open on the server's side. */
  int openConnections() {
    return open.size();
  }

  @Override
  public void close() throws IOException {
    server.close();
    open.forEach(TcpTestServer::closeQuietly);
    threads.shutdownNow();
    try {
      threads.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The line protocol described above, with {@code tls} as the server's TLS. */
  static TcpTestServer lineEcho(SSLContext tls) throws IOException {
    TcpTestServer[] self = new TcpTestServer[1];
    self[0] = new TcpTestServer(socket -> {
      InputStream in = new BufferedInputStream(socket.getInputStream());
      OutputStream out = socket.getOutputStream();
      Socket plain = socket;
      SSLSocket secure = null;
      while (true) {
        String line = readLine(in);
        if (line == null) {
          return;
        }
        self[0].lines.add(line);
        switch (line) {
          case "STARTTLS" -> {
            write(out, "READY\n");
            secure = (SSLSocket) tls.getSocketFactory().createSocket(plain, null, plain.getPort(), false);
            secure.setUseClientMode(false);
            secure.startHandshake();
            in = new BufferedInputStream(secure.getInputStream());
            out = secure.getOutputStream();
          }
          case "STOPTLS" -> {
            write(out, "CLEAR\n");
            while (in.read() >= 0) {
              // up to the client's close_notify
            }
            secure.close(); // close_notify; the socket stays open (autoClose false)
            secure = null;
            in = new BufferedInputStream(plain.getInputStream());
            out = plain.getOutputStream();
          }
          case "QUIT" -> {
            write(out, "BYE\n");
            return;
          }
          default -> write(out, line + "\n");
        }
      }
    });
    return self[0];
  }

  /** A line without its LF, or null at the end of the stream. */
  static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) >= 0 && c != '\n') {
      b.write(c);
    }
    return c < 0 && b.size() == 0 ? null : b.toString(StandardCharsets.UTF_8);
  }

  static void write(OutputStream out, String s) throws IOException {
    out.write(s.getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  static void closeQuietly(Closeable c) {
    try {
      c.close();
    } catch (IOException e) {
      // nothing to do
    }
  }
}
