package dev.urlsession;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A hostile HTTP/1.1 peer on a raw loopback {@link ServerSocket}: it answers each request with the
 * exact bytes a test queued (a malformed status line, broken chunk sizes, raw non-ASCII bytes in a
 * header, anything MockWebServer refuses to send), then closes the connection unless the bytes
 * were queued to keep it open. It records every request head byte for byte (as ISO-8859-1, so
 * each byte is one character) and counts the connections it accepted and still has open.
 */
final class RawHttpServer implements AutoCloseable {
  private record Answer(byte[] bytes, boolean keepOpen) {}

  private final ServerSocket server;
  private final ExecutorService threads;
  private final BlockingQueue<Answer> answers = new LinkedBlockingQueue<>();
  private final List<String> heads = new CopyOnWriteArrayList<>();
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private final AtomicInteger accepted = new AtomicInteger();
  private volatile boolean closed;

  RawHttpServer() throws IOException {
    server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    AtomicInteger n = new AtomicInteger();
    threads = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "raw-http-server-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    threads.execute(this::acceptLoop);
  }

  URI url(String path) {
    return URI.create("http://127.0.0.1:" + server.getLocalPort() + path);
  }

  int port() {
    return server.getLocalPort();
  }

  /** Answers the next request with {@code response} (ISO-8859-1 bytes, or UTF-8 where asked), then closes. */
  RawHttpServer enqueue(String response) {
    return enqueue(response.getBytes(StandardCharsets.ISO_8859_1), false);
  }

  RawHttpServer enqueue(byte[] response, boolean keepOpen) {
    answers.add(new Answer(response, keepOpen));
    return this;
  }

  /** Request heads received so far, each byte one character, lines ending in CRLF. */
  List<String> heads() {
    return heads;
  }

  /** The first line of the {@code i}-th request head. */
  String requestLine(int i) {
    String head = heads.get(i);
    return head.substring(0, head.indexOf("\r\n"));
  }

  int acceptedConnections() {
    return accepted.get();
  }

  int openConnections() {
    return open.size();
  }

  private void acceptLoop() {
    while (!closed) {
      try {
        Socket s = server.accept();
        accepted.incrementAndGet();
        open.add(s);
        threads.execute(() -> serve(s));
      } catch (IOException e) {
        return;
      }
    }
  }

  private void serve(Socket s) {
    try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
      while (!closed) {
        String head = readHead(in);
        if (head == null) {
          return;
        }
        heads.add(head);
        Answer a = answers.poll(10, TimeUnit.SECONDS);
        if (a == null) {
          return;
        }
        out.write(a.bytes());
        out.flush();
        if (!a.keepOpen()) {
          return;
        }
      }
    } catch (IOException | InterruptedException e) {
      // the client went away
    } finally {
      open.remove(s);
    }
  }

  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    for (int b; (b = in.read()) >= 0; ) {
      head.write(b);
      matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
      if (matched == 4) {
        return head.toString(StandardCharsets.ISO_8859_1);
      }
    }
    return null;
  }

  @Override
  public void close() throws IOException {
    closed = true;
    server.close();
    for (Socket s : open) {
      s.close();
    }
    threads.shutdownNow();
  }
}
