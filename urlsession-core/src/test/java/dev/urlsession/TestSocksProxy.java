package dev.urlsession;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real SOCKS5 server (RFC 1928) on loopback, for tests that must prove traffic went through a
 * SOCKS proxy (RELIABILITY.md row 9).
 *
 * <p>CONNECT only; address types IPv4, DOMAINNAME and IPv6. Domain names are resolved here, by
 * the proxy, and {@link #targets()} keeps them exactly as the client sent them, so a test can tell
 * remote DNS ({@code "localhost:8443"}) from local DNS ({@code "127.0.0.1:8443"}). With
 * {@link #requireCredentials}, only username/password authentication (RFC 1929) is accepted and
 * wrong credentials get status {@code 0x01}, then the connection is closed. Without it, "no
 * authentication" is chosen when offered. After a successful reply, bytes are pumped both ways
 * until either side closes, which closes both.
 *
 * <p>{@link #openConnections} counts client connections still open. All threads are daemons;
 * {@link #close} closes every socket and stops them.
 */
final class TestSocksProxy implements AutoCloseable {
  /** RFC 1928 reply codes this server uses. */
  static final int SUCCEEDED = 0x00;
  static final int GENERAL_FAILURE = 0x01;
  static final int NOT_ALLOWED = 0x02;
  static final int HOST_UNREACHABLE = 0x04;
  static final int CONNECTION_REFUSED = 0x05;
  static final int COMMAND_NOT_SUPPORTED = 0x07;
  static final int ADDRESS_TYPE_NOT_SUPPORTED = 0x08;

  private final ServerSocket server;
  private final ExecutorService threads;
  private final Set<Socket> clients = ConcurrentHashMap.newKeySet();
  private final Set<Socket> upstreams = ConcurrentHashMap.newKeySet();
  private final List<String> targets = new CopyOnWriteArrayList<>();
  private final List<String> usernames = new CopyOnWriteArrayList<>();
  private volatile boolean closed;
  private final AtomicBoolean failNextConnect = new AtomicBoolean();
  private volatile byte[] user;
  private volatile byte[] password;

  TestSocksProxy() throws IOException {
    server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    AtomicInteger n = new AtomicInteger();
    threads = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "test-socks-proxy-" + n.incrementAndGet());
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

  /** From now on, requires RFC 1929 username/password authentication with these (UTF-8) credentials. */
  TestSocksProxy requireCredentials(String user, String password) {
    this.password = password.getBytes(StandardCharsets.UTF_8);
    this.user = user.getBytes(StandardCharsets.UTF_8);
    return this;
  }

  /** The next CONNECT request is answered "connection not allowed by ruleset" (0x02), then closed. */
  void failNextConnect() {
    failNextConnect.set(true);
  }

  /**
   * The CONNECT destinations received, as {@code host:port} exactly as sent: a domain name as
   * is, IPv4 dotted, IPv6 as {@code [address]:port}. Recorded before the connection upstream.
   */
  List<String> targets() {
    return List.copyOf(targets);
  }

  /** The usernames of every RFC 1929 authentication attempt, good or bad. */
  List<String> usernames() {
    return List.copyOf(usernames);
  }

  /** Client connections to this proxy that are still open. */
  int openConnections() {
    return clients.size();
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
    clients.forEach(TestSocksProxy::closeQuietly);
    upstreams.forEach(TestSocksProxy::closeQuietly);
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
      DataInputStream in = new DataInputStream(new BufferedInputStream(client.getInputStream()));
      OutputStream out = client.getOutputStream();
      if (in.readUnsignedByte() != 5) {
        return;
      }
      byte[] methods = in.readNBytes(in.readUnsignedByte());
      byte[] expectedUser = user;
      byte[] expectedPassword = password;
      int method = expectedUser != null ? (contains(methods, 0x02) ? 0x02 : 0xFF)
          : contains(methods, 0x00) ? 0x00 : 0xFF;
      out.write(new byte[] {5, (byte) method});
      out.flush();
      if (method == 0xFF) {
        return;
      }
      if (method == 0x02) {
        if (in.readUnsignedByte() != 1) {
          return;
        }
        byte[] gotUser = in.readNBytes(in.readUnsignedByte());
        byte[] gotPassword = in.readNBytes(in.readUnsignedByte());
        usernames.add(new String(gotUser, StandardCharsets.UTF_8));
        boolean ok = Arrays.equals(gotUser, expectedUser)
            && Arrays.equals(gotPassword, expectedPassword);
        out.write(new byte[] {1, (byte) (ok ? 0x00 : 0x01)});
        out.flush();
        if (!ok) {
          return;
        }
      }
      if (in.readUnsignedByte() != 5) {
        return;
      }
      int command = in.readUnsignedByte();
      in.readUnsignedByte(); // RSV
      int addressType = in.readUnsignedByte();
      String host;
      switch (addressType) {
        case 0x01 -> host = InetAddress.getByAddress(in.readNBytes(4)).getHostAddress();
        case 0x03 -> host = new String(in.readNBytes(in.readUnsignedByte()), StandardCharsets.ISO_8859_1);
        case 0x04 -> host = "[" + InetAddress.getByAddress(in.readNBytes(16)).getHostAddress() + "]";
        default -> {
          reply(out, ADDRESS_TYPE_NOT_SUPPORTED, null);
          return;
        }
      }
      int port = in.readUnsignedShort();
      if (command != 0x01) {
        reply(out, COMMAND_NOT_SUPPORTED, null);
        return;
      }
      targets.add(host + ":" + port);
      if (failNextConnect.getAndSet(false)) {
        reply(out, NOT_ALLOWED, null);
        return;
      }
      tunnel(client, in, out, host, port);
    } catch (IOException | RuntimeException e) {
      // the peer went away or sent garbage: drop the connection
    } finally {
      closeQuietly(client);
      clients.remove(client);
    }
  }

  private void tunnel(Socket client, InputStream in, OutputStream out, String host, int port) throws IOException {
    Socket upstream = new Socket();
    upstreams.add(upstream);
    try {
      if (closed) {
        return;
      }
      try {
        upstream.connect(new InetSocketAddress(InetAddress.getByName(host), port), 5_000);
      } catch (UnknownHostException e) {
        reply(out, HOST_UNREACHABLE, null);
        return;
      } catch (ConnectException e) {
        reply(out, CONNECTION_REFUSED, null);
        return;
      } catch (IOException e) {
        reply(out, GENERAL_FAILURE, null);
        return;
      }
      reply(out, SUCCEEDED, (InetSocketAddress) upstream.getLocalSocketAddress());
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

  /** VER REP RSV ATYP BND.ADDR BND.PORT; an unspecified IPv4 address when {@code bound} is null. */
  private static void reply(OutputStream out, int code, InetSocketAddress bound) throws IOException {
    byte[] address = bound == null ? new byte[4] : bound.getAddress().getAddress();
    int port = bound == null ? 0 : bound.getPort();
    ByteBuffer b = ByteBuffer.allocate(6 + address.length);
    b.put((byte) 5).put((byte) code).put((byte) 0).put((byte) (address.length == 4 ? 0x01 : 0x04));
    b.put(address).putShort((short) port);
    out.write(b.array());
    out.flush();
  }

  private static boolean contains(byte[] methods, int method) {
    for (byte m : methods) {
      if ((m & 0xFF) == method) {
        return true;
      }
    }
    return false;
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

  private static void closeQuietly(Closeable c) {
    try {
      c.close();
    } catch (IOException e) {
      // nothing to do
    }
  }
}
