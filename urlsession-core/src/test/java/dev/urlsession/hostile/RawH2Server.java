package dev.urlsession.hostile;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A hostile HTTP/2 peer over cleartext with prior knowledge (h2c, RFC 9113 3.3) or over TLS with
 * ALPN {@code h2}, written frame by
 * frame so that a test can send what no well-behaved server does: GOAWAY or RST_STREAM at any
 * point, endless SETTINGS or PING frames, a header block that never ends. It serves one
 * connection at a time with the {@link Script} it was given, and reports how the script ended
 * ({@link #scriptEnded}: normally, or with the exception that stopped it, such as the client
 * closing the connection).
 *
 * <p>Only what the tests need of the protocol: frames are read whole and skipped unless asked
 * for; header blocks are written with HPACK literals (no Huffman, no dynamic table).
 */
final class RawH2Server implements AutoCloseable {
  static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
  static final int DATA = 0x0;
  static final int HEADERS = 0x1;
  static final int RST_STREAM = 0x3;
  static final int SETTINGS = 0x4;
  static final int PING = 0x6;
  static final int GOAWAY = 0x7;
  static final int WINDOW_UPDATE = 0x8;
  static final int CONTINUATION = 0x9;
  static final int END_STREAM = 0x1;
  static final int ACK = 0x1;
  static final int END_HEADERS = 0x4;
  static final int NO_ERROR = 0x0;
  static final int PROTOCOL_ERROR = 0x1;
  static final int INTERNAL_ERROR = 0x2;

  /** What the server does with a connection once the client's preface has been read. */
  interface Script {
    void run(Connection c) throws IOException;
  }

  /** A frame as read: its type, flags, stream and payload. */
  record Frame(int type, int flags, int stream, byte[] payload) {}

  private final ServerSocket server;
  private final Script script;
  private final Thread acceptor;
  private final AtomicInteger open = new AtomicInteger();
  final CompletableFuture<Throwable> scriptEnded = new CompletableFuture<>();

  private final boolean tls;

  RawH2Server(Script script) throws IOException {
    this(script, null);
  }

  /** Over TLS when {@code ssl} is given, offering only {@code h2} by ALPN. */
  RawH2Server(Script script, javax.net.ssl.@org.jspecify.annotations.Nullable SSLContext ssl) throws IOException {
    if (ssl == null) {
      this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    } else {
      javax.net.ssl.SSLServerSocket s = (javax.net.ssl.SSLServerSocket) ssl.getServerSocketFactory()
          .createServerSocket(0, 50, InetAddress.getLoopbackAddress());
      javax.net.ssl.SSLParameters p = s.getSSLParameters();
      p.setApplicationProtocols(new String[] {"h2"});
      s.setSSLParameters(p);
      this.server = s;
    }
    this.tls = ssl != null;
    this.script = script;
    this.acceptor = new Thread(this::acceptLoop, "raw-h2-server");
    this.acceptor.setDaemon(true);
    this.acceptor.start();
  }

  URI url(String path) {
    return URI.create((tls ? "https://localhost:" : "http://127.0.0.1:") + server.getLocalPort() + path);
  }

  /** Connections accepted and not yet closed. */
  int openConnections() {
    return open.get();
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      Socket s;
      try {
        s = server.accept();
      } catch (IOException closed) {
        return;
      }
      open.incrementAndGet();
      try (Socket socket = s) {
        socket.setSoTimeout(30_000);
        Connection c = new Connection(socket);
        c.readPreface();
        script.run(c);
        scriptEnded.complete(null);
      } catch (IOException | RuntimeException e) {
        scriptEnded.complete(e);
      } finally {
        open.decrementAndGet();
      }
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
  }

  /** One client connection: frames in and out. */
  static final class Connection {
    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    long framesWritten;
    long bytesWritten;

    Connection(Socket socket) throws IOException {
      this.socket = socket;
      this.in = new DataInputStream(socket.getInputStream());
      this.out = socket.getOutputStream();
    }

    void readPreface() throws IOException {
      byte[] preface = new byte[PREFACE.length];
      in.readFully(preface);
      if (!Arrays.equals(preface, PREFACE)) {
        throw new IOException("not an HTTP/2 preface: " + new String(preface, StandardCharsets.ISO_8859_1));
      }
    }

    Frame readFrame() throws IOException {
      int length = (in.readUnsignedByte() << 16) | (in.readUnsignedByte() << 8) | in.readUnsignedByte();
      int type = in.readUnsignedByte();
      int flags = in.readUnsignedByte();
      int stream = in.readInt() & 0x7fffffff;
      byte[] payload = new byte[length];
      in.readFully(payload);
      return new Frame(type, flags, stream, payload);
    }

    /** Reads frames until one of {@code type} arrives, and returns it. */
    Frame readUntil(int type) throws IOException {
      while (true) {
        Frame f = readFrame();
        if (f.type() == type) {
          return f;
        }
      }
    }

    /** Reads until the client's request HEADERS, answering its SETTINGS; returns the stream id. */
    int readRequest() throws IOException {
      while (true) {
        Frame f = readFrame();
        if (f.type() == SETTINGS && (f.flags() & ACK) == 0) {
          write(SETTINGS, ACK, 0, new byte[0]);
        } else if (f.type() == HEADERS) {
          return f.stream();
        }
      }
    }

    /** Reads until the client closes the connection (or resets it). */
    void readUntilClosed() throws IOException {
      try {
        while (true) {
          readFrame();
        }
      } catch (EOFException | java.net.SocketException closed) {
        // the end the test waits for
      }
    }

    void write(int type, int flags, int stream, byte[] payload) throws IOException {
      byte[] head = {(byte) (payload.length >>> 16), (byte) (payload.length >>> 8), (byte) payload.length,
          (byte) type, (byte) flags, (byte) (stream >>> 24), (byte) (stream >>> 16), (byte) (stream >>> 8),
          (byte) stream};
      out.write(head);
      out.write(payload);
      framesWritten++;
      bytesWritten += head.length + payload.length;
    }

    void flush() throws IOException {
      out.flush();
    }

    /** The server's (empty) SETTINGS, the first frame it must send. */
    void writeSettings() throws IOException {
      write(SETTINGS, 0, 0, new byte[0]);
      flush();
    }

    void writeGoAway(int lastStream, int error) throws IOException {
      write(GOAWAY, 0, 0, new byte[] {(byte) (lastStream >>> 24), (byte) (lastStream >>> 16),
          (byte) (lastStream >>> 8), (byte) lastStream, 0, 0, 0, (byte) error});
      flush();
    }

    void writeRstStream(int stream, int error) throws IOException {
      write(RST_STREAM, 0, stream, new byte[] {0, 0, 0, (byte) error});
      flush();
    }

    void close() throws IOException {
      socket.close();
    }
  }

  /** An HPACK block of {@code :status} and the given name/value pairs, all literals without indexing. */
  static byte[] headerBlock(int status, String... namesAndValues) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    literal(b, ":status", Integer.toString(status));
    for (int i = 0; i < namesAndValues.length; i += 2) {
      literal(b, namesAndValues[i], namesAndValues[i + 1]);
    }
    return b.toByteArray();
  }

  /** A literal header field without indexing, new name (RFC 7541 6.2.2). */
  static void literal(ByteArrayOutputStream b, String name, String value) {
    b.write(0x00);
    string(b, name.getBytes(StandardCharsets.ISO_8859_1));
    string(b, value.getBytes(StandardCharsets.ISO_8859_1));
  }

  private static void string(ByteArrayOutputStream b, byte[] s) {
    integer(b, s.length, 7, 0x00);
    b.write(s, 0, s.length);
  }

  /** An HPACK integer with an {@code prefix}-bit prefix (RFC 7541 5.1). */
  private static void integer(ByteArrayOutputStream b, int value, int prefix, int firstByteBits) {
    int max = (1 << prefix) - 1;
    if (value < max) {
      b.write(firstByteBits | value);
      return;
    }
    b.write(firstByteBits | max);
    value -= max;
    while (value >= 0x80) {
      b.write((value & 0x7f) | 0x80);
      value >>>= 7;
    }
    b.write(value);
  }
}
