package dev.urlsession;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.Deflater;

/**
 * A WebSocket server peer that writes and reads raw frames, for what a well-behaved server
 * library never does: fragmented and compressed frames of the test's choosing, frames that break
 * the protocol, a close frame never answered, a connection dropped without one. One connection;
 * the test drives it. Loopback only.
 */
final class RawWebSocketPeer implements Closeable {
  static final int TEXT = 1;
  static final int BINARY = 2;
  static final int CLOSE = 8;
  static final int PING = 9;
  static final int PONG = 10;
  static final int CONTINUATION = 0;

  /** A frame read from the client, unmasked. */
  record Frame(boolean fin, int opcode, byte[] payload) {
    String text() {
      return new String(payload, StandardCharsets.UTF_8);
    }

    int closeCode() {
      return payload.length < 2 ? -1 : ((payload[0] & 0xff) << 8) | (payload[1] & 0xff);
    }
  }

  private final ServerSocket server;
  private final Map<String, String> responseHeaders = new LinkedHashMap<>();
  private final CompletableFuture<Socket> accepted = new CompletableFuture<>();
  private volatile Map<String, String> requestHeaders = Map.of();
  private volatile String requestLine = "";
  private Socket socket;
  private DataInputStream in;
  private OutputStream out;

  RawWebSocketPeer() throws IOException {
    server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
    Thread t = new Thread(this::accept, "raw-websocket-peer");
    t.setDaemon(true);
    t.start();
  }

  /** A header of the {@code 101} answer ({@code Sec-WebSocket-Extensions}, {@code Sec-WebSocket-Protocol}). */
  RawWebSocketPeer answerHeader(String name, String value) {
    responseHeaders.put(name, value);
    return this;
  }

  URI url(String path) {
    return URI.create("ws://127.0.0.1:" + server.getLocalPort() + path);
  }

  private void accept() {
    try {
      Socket s = server.accept();
      s.setSoTimeout(10_000);
      InputStream raw = s.getInputStream();
      Map<String, String> headers = new LinkedHashMap<>();
      requestLine = readLine(raw);
      for (String line = readLine(raw); !line.isEmpty(); line = readLine(raw)) {
        int colon = line.indexOf(':');
        headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
      }
      requestHeaders = headers;
      String key = headers.get("sec-websocket-key");
      String accept = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-1")
          .digest((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").getBytes(StandardCharsets.US_ASCII)));
      StringBuilder answer = new StringBuilder("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
          + "Connection: Upgrade\r\nSec-WebSocket-Accept: " + accept + "\r\n");
      responseHeaders.forEach((n, v) -> answer.append(n).append(": ").append(v).append("\r\n"));
      s.getOutputStream().write(answer.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII));
      s.getOutputStream().flush();
      socket = s;
      in = new DataInputStream(raw);
      out = s.getOutputStream();
      accepted.complete(s);
    } catch (Exception e) {
      accepted.completeExceptionally(e);
    }
  }

  /** Waits (bounded) for the handshake to be answered. */
  RawWebSocketPeer awaitOpen() throws Exception {
    accepted.get(10, TimeUnit.SECONDS);
    return this;
  }

  /** The request's header (lower-case name), once open. */
  String requestHeader(String name) {
    return requestHeaders.get(name.toLowerCase(Locale.ROOT));
  }

  String requestLine() {
    return requestLine;
  }

  /** Writes one unmasked frame (a server's). */
  void frame(boolean fin, boolean rsv1, int opcode, byte[] payload) throws IOException {
    ByteArrayOutputStream f = new ByteArrayOutputStream();
    f.write((fin ? 0x80 : 0) | (rsv1 ? 0x40 : 0) | opcode);
    if (payload.length < 126) {
      f.write(payload.length);
    } else if (payload.length < 65536) {
      f.write(126);
      f.write(payload.length >>> 8);
      f.write(payload.length & 0xff);
    } else {
      f.write(127);
      for (int i = 7; i >= 0; i--) {
        f.write((int) ((long) payload.length >>> (8 * i)) & 0xff);
      }
    }
    f.write(payload);
    out.write(f.toByteArray());
    out.flush();
  }

  void text(String text) throws IOException {
    frame(true, false, TEXT, text.getBytes(StandardCharsets.UTF_8));
  }

  /** A close frame with {@code code} and {@code reason}. */
  void close(int code, String reason) throws IOException {
    byte[] r = reason.getBytes(StandardCharsets.UTF_8);
    byte[] p = new byte[2 + r.length];
    p[0] = (byte) (code >>> 8);
    p[1] = (byte) code;
    System.arraycopy(r, 0, p, 2, r.length);
    frame(true, false, CLOSE, p);
  }

  /** {@code data} compressed as permessage-deflate sends it (RFC 7692 7.2.1: the tail removed). */
  static byte[] deflate(byte[] data) {
    Deflater d = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
    d.setInput(data);
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    byte[] buf = new byte[8192];
    int n;
    while ((n = d.deflate(buf, 0, buf.length, Deflater.SYNC_FLUSH)) > 0) {
      b.write(buf, 0, n);
    }
    d.end();
    byte[] all = b.toByteArray();
    byte[] cut = new byte[all.length - 4]; // 00 00 ff ff
    System.arraycopy(all, 0, cut, 0, cut.length);
    return cut;
  }

  /** Reads the client's next frame (masked, as a client must send it). */
  Frame read() throws IOException {
    int b0 = in.readUnsignedByte();
    int b1 = in.readUnsignedByte();
    if ((b1 & 0x80) == 0) {
      throw new IOException("a client frame without mask");
    }
    long len = b1 & 0x7f;
    if (len == 126) {
      len = in.readUnsignedShort();
    } else if (len == 127) {
      len = in.readLong();
    }
    byte[] mask = new byte[4];
    in.readFully(mask);
    byte[] payload = new byte[(int) len];
    in.readFully(payload);
    for (int i = 0; i < payload.length; i++) {
      payload[i] ^= mask[i % 4];
    }
    return new Frame((b0 & 0x80) != 0, b0 & 0x0f, payload);
  }

  /** Whether the client closed the TCP connection (reads to the end, bounded by the socket timeout). */
  boolean clientClosed() {
    try {
      while (in.read() >= 0) {
        // drain
      }
      return true;
    } catch (IOException e) {
      return e instanceof java.net.SocketException; // a reset counts as closed
    }
  }

  /** Drops the TCP connection without a close frame. */
  void drop() throws IOException {
    socket.close();
  }

  private static String readLine(InputStream in) throws IOException {
    StringBuilder b = new StringBuilder();
    for (int c = in.read(); c >= 0; c = in.read()) {
      if (c == '\n') {
        break;
      }
      if (c != '\r') {
        b.append((char) c);
      }
    }
    return b.toString();
  }

  @Override
  public void close() throws IOException {
    if (socket != null) {
      socket.close();
    }
    server.close();
  }
}
