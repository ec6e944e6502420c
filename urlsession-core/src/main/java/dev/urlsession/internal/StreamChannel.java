package dev.urlsession.internal;

import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import org.jspecify.annotations.Nullable;

/**
 * One TCP connection of a stream task: connects (directly, or through a SOCKS5 or HTTP CONNECT
 * tunnel, trying each address of each target in turn), then moves bytes between the socket and
 * two bounded buffers, in the clear or through a {@link TlsLayer} started and stopped mid-stream.
 * It never holds more than {@link #INBOUND} bytes the application has not taken: when the buffer is
 * full it stops reading the socket, and TCP's flow control slows the peer down.
 *
 * <p>Threading: confined to its {@link StreamIo} thread. Every method but {@link #connect} must be
 * called there (other threads hand work over with {@link StreamIo#execute}). The {@link Listener}
 * is called there too, never from inside a method the owner called.
 */
public final class StreamChannel implements StreamIo.Handler, StreamSource {
  /** Plain bytes received and not yet taken, at most. */
  public static final int INBOUND = 128 * 1024;

  /** What the channel tells its owner, on the I/O thread. */
  public interface Listener {
    /** The connection (and its tunnel) is open: bytes flow. */
    void opened();

    /** A TLS handshake finished: the channel waits for {@link #trusted()} or {@link #close()}. */
    void tlsHandshaken(SSLSession session);

    /** Something changed: bytes arrived or were flushed, the peer closed, TLS stopped. */
    void changed();

    /** The connection failed; it is closed. Called at most once. */
    void failed(IOException error);
  }

  /** A host and port to connect to, in the order given. */
  public record Target(String host, int port) {}

  /** How to reach the targets: directly, or through a proxy. */
  public record Proxy(Kind kind, @Nullable String host, int port, @Nullable String user, @Nullable String password) {
    /** The kind of route. */
    public enum Kind { DIRECT, SOCKS, HTTP }

    public static final Proxy DIRECT = new Proxy(Kind.DIRECT, null, 0, null, null);
  }

  /** The HTTP proxy answered 407: the session's proxy credentials are missing or wrong. */
  public static final class ProxyAuthenticationRequired extends ConnectException {
    private static final long serialVersionUID = 1L;

    ProxyAuthenticationRequired(String message) {
      super(message);
    }
  }

  private enum State { IDLE, CONNECTING, PROXY, OPEN, TLS_HANDSHAKE, TLS_VERIFY, TLS_CLOSING, CLOSED }

  private final StreamIo io;
  private Listener listener;
  private State state = State.IDLE;
  private @Nullable SocketChannel channel;
  private @Nullable SelectionKey key;
  private final ArrayDeque<Target> targets = new ArrayDeque<>();
  private final ArrayDeque<InetSocketAddress> addresses = new ArrayDeque<>();
  private Proxy proxy = Proxy.DIRECT;
  private @Nullable Target current;
  private @Nullable IOException lastConnectError;
  private @Nullable ProxyHandshake handshake;
  private @Nullable TlsLayer tls;
  /** Bytes from the network not yet decoded: the proxy's answer, TLS records, or plain bytes left over. */
  private ByteBuffer netIn = ByteBuffer.allocate(TlsLayer.NET_BUFFER);
  /** Bytes to send (read mode): the proxy handshake, TLS records. */
  private ByteBuffer netOut = ByteBuffer.allocate(0);
  /** Plain bytes for the application (fill mode). */
  private final ByteBuffer inbound = ByteBuffer.allocate(INBOUND);
  private boolean eof;
  private boolean inputShut;
  private boolean outputShutRequested;
  private boolean readingPaused;
  private boolean writeBlocked;
  /** Plain bytes handed to the kernel (for TLS: whose records were), in total. */
  private long flushed;
  /** Plain bytes wrapped into {@code netOut} and not yet flushed. */
  private long pendingPlain;
  private boolean failedReported;

  public StreamChannel(StreamIo io, Listener listener) {
    this.io = io;
    this.listener = listener;
  }

  /** Another listener from now on (streams that were captured). I/O thread. */
  @Override
  public void listener(Listener l) {
    this.listener = l;
  }

  /** Connects to the first target that answers; any thread. */
  public void connect(List<Target> to, Proxy via) {
    io.execute(() -> {
      if (state != State.IDLE) {
        return;
      }
      targets.addAll(to);
      proxy = via;
      state = State.CONNECTING;
      nextTarget();
    });
  }

  private void nextTarget() {
    if (state == State.CLOSED) {
      return;
    }
    Target t = targets.poll();
    if (t == null) {
      IOException e = lastConnectError != null ? lastConnectError : new ConnectException("no address to connect to");
      fail(e);
      return;
    }
    current = t;
    String host = proxy.kind() == Proxy.Kind.DIRECT ? t.host() : proxy.host();
    int port = proxy.kind() == Proxy.Kind.DIRECT ? t.port() : proxy.port();
    StreamIo.lookup(host).whenComplete((found, error) -> io.execute(() -> {
      if (state != State.CONNECTING) {
        return;
      }
      if (error != null) {
        Throwable cause = ErrorMapper.unwrap(error);
        lastConnectError = cause instanceof IOException ? (IOException) cause : new IOException(cause);
        nextTarget();
        return;
      }
      for (InetAddress a : found) {
        addresses.add(new InetSocketAddress(a, port));
      }
      nextAddress();
    }));
  }

  private void nextAddress() {
    closeSocket();
    InetSocketAddress a = addresses.poll();
    if (a == null) {
      nextTarget();
      return;
    }
    try {
      SocketChannel ch = SocketChannel.open();
      channel = ch;
      ch.configureBlocking(false);
      ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
      ch.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
      key = io.register(ch, 0, this);
      if (ch.connect(a)) {
        connected();
      } else {
        key.interestOps(SelectionKey.OP_CONNECT);
      }
    } catch (IOException e) {
      lastConnectError = e;
      nextAddress();
    }
  }

  private void connected() throws IOException {
    Target t = current;
    if (proxy.kind() == Proxy.Kind.DIRECT) {
      open();
      return;
    }
    handshake = proxy.kind() == Proxy.Kind.SOCKS
        ? ProxyHandshake.socks(t.host(), t.port(), proxy.user(), proxy.password())
        : ProxyHandshake.connect(t.host(), t.port(), proxy.user(), proxy.password());
    state = State.PROXY;
    netOut = handshake.output();
    flushNet();
    updateInterest();
  }

  private void open() {
    state = State.OPEN;
    handshake = null;
    addresses.clear();
    targets.clear();
    updateInterest();
    listener.opened();
  }

  @Override
  public void ready(SelectionKey k) {
    try {
      if (state == State.CONNECTING && k.isConnectable()) {
        try {
          if (channel.finishConnect()) {
            connected();
          }
        } catch (IOException e) {
          lastConnectError = e;
          nextAddress();
        }
        return;
      }
      boolean changed = false;
      if (k.isValid() && k.isWritable()) {
        flushNet();
        if (writeBlocked) {
          writeBlocked = false;
          changed = true;
        }
        changed |= state == State.OPEN || state == State.TLS_CLOSING;
      }
      if (k.isValid() && k.isReadable()) {
        switch (state) {
          case PROXY -> proxyInput();
          case TLS_HANDSHAKE -> handshake();
          case OPEN, TLS_CLOSING -> changed |= fill();
          default -> { }
        }
      } else if (state == State.TLS_HANDSHAKE) {
        handshake();
      }
      if (changed && state != State.CLOSED) {
        listener.changed();
      }
      updateInterest();
    } catch (IOException e) {
      fail(e);
    }
  }

  @Override
  public void broken(Exception e) {
    fail(e instanceof IOException ? (IOException) e : new IOException(e));
  }

  private void proxyInput() throws IOException {
    if (readSocket() < 0) {
      throw new ConnectException("the proxy closed the connection before the tunnel was open");
    }
    netIn.flip();
    boolean done = handshake.input(netIn);
    netIn.compact();
    if (done) {
      open(); // bytes after the proxy's answer stay in netIn: the stream's first bytes
    } else {
      netOut = handshake.output();
      flushNet();
    }
  }

  /** Reads the socket into {@code netIn}; returns the count, -1 at the end. */
  private int readSocket() throws IOException {
    if (!netIn.hasRemaining()) {
      return 0;
    }
    return channel.read(netIn);
  }

  /** Fills {@code inbound} from what is left in {@code netIn} and the socket; true when something changed. */
  private boolean fill() throws IOException {
    if (inputShut || eof) {
      return false;
    }
    int before = inbound.position();
    boolean wasEof = eof;
    State was = state;
    if (tls != null) {
      int n = readSocket();
      if (tls.unwrap(netIn, inbound) == TlsLayer.Unwrapped.CLOSED) {
        closedTls();
      } else if (n < 0) {
        eof = true; // a peer that closes without close_notify: the end all the same
      }
      if (tls != null && tls.wantsWrap() && flushNet()) {
        netOut = tls.wrap(ByteBuffer.allocate(0)); // a key update or close_notify to answer
        flushNet();
      }
    } else {
      drainNetIn();
      if (netIn.position() == 0 && inbound.hasRemaining() && channel.read(inbound) < 0) {
        eof = true;
      }
    }
    return inbound.position() != before || eof != wasEof || state != was;
  }

  /** Plain bytes left in {@code netIn} (after a tunnel opened or TLS stopped) go first. */
  private void drainNetIn() {
    if (netIn.position() == 0) {
      return;
    }
    netIn.flip();
    int n = Math.min(netIn.remaining(), inbound.remaining());
    ByteBuffer slice = netIn.slice(netIn.position(), n);
    inbound.put(slice);
    netIn.position(netIn.position() + n);
    netIn.compact();
  }

  private void closedTls() {
    if (state == State.TLS_CLOSING) {
      tls = null; // the peer answered our close_notify: what follows is in the clear
      state = State.OPEN;
      drainNetIn();
    } else {
      eof = true; // the peer's close_notify ends the stream
    }
  }

  /** Hands buffered records to the kernel; true when none are left. */
  private boolean flushNet() throws IOException {
    if (netOut.hasRemaining()) {
      channel.write(netOut);
    }
    if (netOut.hasRemaining()) {
      return false;
    }
    flushed += pendingPlain;
    pendingPlain = 0;
    if (outputShutRequested && state != State.CLOSED && (tls == null || tls.outboundDone())) {
      outputShutRequested = false;
      channel.shutdownOutput();
    }
    return true;
  }

  // --- what the owner calls (I/O thread) ---

  /** Whether bytes flow in the clear or through TLS (not connecting, handshaking or verifying). */
  @Override
  public boolean isOpen() {
    return state == State.OPEN;
  }

  /** Whether TLS protects the connection now. */
  public boolean isSecure() {
    return tls != null && state == State.OPEN;
  }

  /** Plain bytes ready to take. */
  @Override
  public int available() {
    return inbound.position();
  }

  /** Whether the peer closed (bytes may still be buffered). */
  @Override
  public boolean atEnd() {
    return eof || inputShut;
  }

  /** Takes up to {@code max} buffered bytes. */
  @Override
  public byte[] take(int max) throws IOException {
    inbound.flip();
    byte[] b = new byte[Math.min(max, inbound.remaining())];
    inbound.get(b);
    inbound.compact();
    if (tls != null && netIn.position() > 0 && state == State.OPEN) {
      if (tls.unwrap(netIn, inbound) == TlsLayer.Unwrapped.CLOSED) {
        closedTls();
      }
    } else if (tls == null) {
      drainNetIn();
    }
    return b;
  }

  /**
   * Sends what it can of {@code src} without blocking; returns the count taken. The bytes count as
   * {@link #flushed()} once the kernel has them.
   */
  public int offer(ByteBuffer src) throws IOException {
    int before = src.position();
    if (tls == null) {
      flushed += channel.write(src);
    } else {
      while (src.hasRemaining() && flushNet()) {
        int p = src.position();
        netOut = tls.wrap(src);
        pendingPlain += src.position() - p;
        if (src.position() == p && !netOut.hasRemaining()) {
          break;
        }
      }
    }
    int taken = src.position() - before;
    writeBlocked = src.hasRemaining();
    return taken;
  }

  /** Plain bytes handed to the kernel so far. */
  public long flushed() {
    return flushed;
  }

  /** Stops or restarts reading the socket (a suspended task). */
  @Override
  public void pauseReading(boolean paused) {
    readingPaused = paused;
  }

  /** Closes our side for writing, after what was offered (TLS: with a close_notify first). */
  public void shutdownOutput() throws IOException {
    if (tls != null) {
      netOut = tls.close();
    }
    outputShutRequested = true;
    flushNet();
  }

  /** Closes our side for reading; what is buffered is dropped. */
  @Override
  public void shutdownInput() throws IOException {
    inputShut = true;
    inbound.clear();
    netIn.clear();
    if (channel != null && channel.isOpen()) {
      channel.shutdownInput();
    }
  }

  /** Starts TLS now (the owner made sure no plain I/O is pending). */
  public void startTls(SSLEngine engine) throws IOException {
    tls = new TlsLayer(engine);
    // Plain bytes not taken yet came after the last plain read: they belong to the handshake.
    inbound.flip();
    ByteBuffer records = ByteBuffer.allocate(Math.max(TlsLayer.NET_BUFFER, inbound.remaining() + netIn.position()));
    records.put(inbound);
    netIn.flip();
    records.put(netIn);
    netIn = records;
    inbound.clear();
    state = State.TLS_HANDSHAKE;
    engine.beginHandshake();
    handshake();
  }

  private void handshake() throws IOException {
    if (!flushNet()) {
      return;
    }
    while (true) {
      TlsLayer.Step step = tls.handshake(netIn, inbound);
      if (step == TlsLayer.Step.WRAPPED) {
        netOut = tls.takeOutput();
        if (!flushNet()) {
          return;
        }
      } else if (step == TlsLayer.Step.NEEDS_INPUT) {
        int n = readSocket();
        if (n < 0) {
          throw new EOFException("the peer closed the connection during the TLS handshake");
        }
        if (n == 0) {
          return;
        }
      } else if (step == TlsLayer.Step.DONE) {
        state = State.TLS_VERIFY;
        listener.tlsHandshaken(tls.session());
        return;
      }
    }
  }

  /** The owner accepted the server's certificates: bytes flow through TLS. */
  public void trusted() throws IOException {
    if (state != State.TLS_VERIFY) {
      return;
    }
    state = State.OPEN;
    if (netIn.position() > 0 && tls.unwrap(netIn, inbound) == TlsLayer.Unwrapped.CLOSED) {
      closedTls();
    }
    updateInterest();
  }

  /** Ends TLS cleanly (close_notify both ways); the stream goes on in the clear. */
  public void stopTls() throws IOException {
    if (tls == null) {
      return;
    }
    netOut = tls.close();
    state = State.TLS_CLOSING;
    flushNet();
    if (netIn.position() > 0 && tls.unwrap(netIn, inbound) == TlsLayer.Unwrapped.CLOSED) {
      closedTls();
    }
    updateInterest();
  }

  /** Whether TLS is being stopped (the peer's close_notify has not arrived). */
  public boolean stoppingTls() {
    return state == State.TLS_CLOSING;
  }

  /** Watches the socket for what the channel waits for now; call after every change. */
  @Override
  public void updateInterest() {
    SelectionKey k = key;
    if (k == null || !k.isValid() || state == State.CONNECTING || state == State.CLOSED) {
      return;
    }
    int ops = 0;
    if (netOut.hasRemaining() || writeBlocked) {
      ops |= SelectionKey.OP_WRITE;
    }
    boolean reading = switch (state) {
      case PROXY -> true;
      case TLS_HANDSHAKE -> tls.wantsInput();
      case OPEN, TLS_CLOSING -> !readingPaused && !eof && !inputShut
          && inbound.remaining() >= (tls == null ? 1 : tls.applicationBufferSize());
      default -> false;
    };
    if (reading) {
      ops |= SelectionKey.OP_READ;
    }
    k.interestOps(ops);
  }

  /** Closes the connection; nothing is reported. Idempotent. */
  @Override
  public void close() {
    state = State.CLOSED;
    closeSocket();
  }

  private void closeSocket() {
    SelectionKey k = key;
    if (k != null) {
      k.cancel();
      key = null;
    }
    SocketChannel ch = channel;
    if (ch != null) {
      try {
        ch.close();
      } catch (IOException e) {
        // closing anyway
      }
      channel = null;
    }
  }

  private void fail(IOException e) {
    if (state == State.CLOSED) {
      return;
    }
    close();
    if (!failedReported) {
      failedReported = true;
      listener.failed(e);
    }
  }
}
