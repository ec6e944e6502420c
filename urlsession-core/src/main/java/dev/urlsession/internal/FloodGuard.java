package dev.urlsession.internal;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.util.concurrent.locks.Lock;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.reactor.Command;
import org.apache.hc.core5.reactor.IOEventHandler;
import org.apache.hc.core5.reactor.IOSession;
import org.apache.hc.core5.util.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes an HTTP/2 connection whose server keeps sending while it reads nothing of what we send:
 * a flood of PING or SETTINGS frames (CVE-2019-9512, CVE-2019-9515), each of which HttpCore
 * answers with a frame it queues, without bound, when the socket does not take it. A server that
 * flooded PINGs without reading filled a 256 MiB heap in ten seconds (an OutOfMemoryError on the
 * I/O threads); {@code hostile.Http2AbuseTests} shows the connection closed instead.
 *
 * <p>Wraps each of HttpClient's I/O sessions (an {@code IOSession} decorator, on the socket and,
 * for TLS, on the TLS layer): a write that leaves bytes behind means the peer is not reading; what
 * is read from then on (through {@link #read}, or, decrypted, handed to the protocol handler),
 * until a write drains again, is counted, and past {@link #LIMIT} on an HTTP/2 connection the
 * connection is closed and its streams fail ({@code NETWORK_CONNECTION_LOST}). A well-behaved HTTP/2 server cannot send
 * that much without reading: flow control lets it send only as much body as we granted in
 * frames it has read. HTTP/1.1 connections are not checked (nothing we write there grows with
 * what we read). Counting is two field updates per read or write; this runs on the I/O thread
 * that owns the session.
 */
public final class FloodGuard implements IOSession {
  private static final Logger log = LoggerFactory.getLogger(FloodGuard.class);
  /** Bytes an HTTP/2 peer may send while it reads nothing of ours: 1 MiB. */
  static final long LIMIT = 1024 * 1024;

  private final IOSession session;
  /** Whether the protocol handler is HttpCore's HTTP/2 one; set as handlers are installed. */
  private volatile boolean http2;
  /** Whether the last write left bytes the socket (or the TLS layer) did not take. */
  private boolean blocked;
  /** Bytes read since then. */
  private long readWhileBlocked;
  /** Set once this closed the connection: what is still handed over is dropped. */
  private boolean closed;

  private FloodGuard(IOSession session) {
    this.session = session;
  }

  /** The decorator to give HttpClient ({@code setIoSessionDecorator}). */
  public static IOSession decorate(IOSession session) {
    return new FloodGuard(session);
  }

  /** Plain connections: the protocol handler reads through here. */
  @Override
  public int read(ByteBuffer dst) throws IOException {
    int n = session.read(dst);
    if (n > 0 && blocked && counted(n)) {
      return -1;
    }
    return n;
  }

  @Override
  public int write(ByteBuffer src) throws IOException {
    int wanted = src.remaining();
    int n = session.write(src);
    if (n >= wanted) {
      blocked = false;
      readWhileBlocked = 0;
    } else {
      blocked = true;
    }
    return n;
  }

  /**
   * Installs {@code handler} behind a counter of what is handed to it: over TLS the decrypted
   * bytes reach the handler that way, not through {@link #read}. HttpClient keeps asking the
   * connection for the handler it installed (its protocol version), never for this one.
   */
  @Override
  public void upgrade(IOEventHandler handler) {
    http2 = handler.getClass().getName().startsWith("org.apache.hc.core5.http2.");
    session.upgrade(new Counting(handler));
  }

  /** Counts {@code n} bytes read while blocked; closes the connection and says so past the limit. */
  private boolean counted(int n) {
    if (closed) {
      return true;
    }
    readWhileBlocked += n;
    if (readWhileBlocked <= LIMIT || !http2) {
      return false;
    }
    log.warn("Closing the HTTP/2 connection to {}: it sent {} bytes while reading none of ours"
        + " (a flood of PING or SETTINGS frames?)", session.getRemoteAddress(), readWhileBlocked);
    closed = true;
    session.close(CloseMode.IMMEDIATE);
    return true;
  }

  /** A protocol handler behind the counter. */
  private final class Counting implements IOEventHandler {
    private final IOEventHandler handler;

    Counting(IOEventHandler handler) {
      this.handler = handler;
    }

    @Override
    public void connected(IOSession s) throws IOException {
      handler.connected(s);
    }

    @Override
    public void inputReady(IOSession s, @org.jspecify.annotations.Nullable ByteBuffer src) throws IOException {
      if (src != null && blocked && src.hasRemaining() && counted(src.remaining())) {
        return;
      }
      handler.inputReady(s, src);
    }

    @Override
    public void outputReady(IOSession s) throws IOException {
      handler.outputReady(s);
    }

    @Override
    public void timeout(IOSession s, Timeout timeout) throws IOException {
      handler.timeout(s, timeout);
    }

    @Override
    public void exception(IOSession s, Exception cause) {
      handler.exception(s, cause);
    }

    @Override
    public void disconnected(IOSession s) {
      handler.disconnected(s);
    }
  }

  // --- the rest is the session's own ---

  @Override
  public IOEventHandler getHandler() {
    return session.getHandler();
  }

  @Override
  public Lock getLock() {
    return session.getLock();
  }

  @Override
  public void enqueue(Command command, Command.Priority priority) {
    session.enqueue(command, priority);
  }

  @Override
  public boolean hasCommands() {
    return session.hasCommands();
  }

  @Override
  public Command poll() {
    return session.poll();
  }

  @Override
  public ByteChannel channel() {
    return session.channel(); // HttpCore reads and writes through the session, as its own logging decorator expects
  }

  @Override
  public SocketAddress getRemoteAddress() {
    return session.getRemoteAddress();
  }

  @Override
  public SocketAddress getLocalAddress() {
    return session.getLocalAddress();
  }

  @Override
  public int getEventMask() {
    return session.getEventMask();
  }

  @Override
  public void setEventMask(int ops) {
    session.setEventMask(ops);
  }

  @Override
  public void setEvent(int op) {
    session.setEvent(op);
  }

  @Override
  public void clearEvent(int op) {
    session.clearEvent(op);
  }

  @Override
  public void close() {
    session.close();
  }

  @Override
  public void close(CloseMode closeMode) {
    session.close(closeMode);
  }

  @Override
  public Status getStatus() {
    return session.getStatus();
  }

  @Override
  public boolean isOpen() {
    return session.isOpen();
  }

  @Override
  public Timeout getSocketTimeout() {
    return session.getSocketTimeout();
  }

  @Override
  public void setSocketTimeout(Timeout timeout) {
    session.setSocketTimeout(timeout);
  }

  @Override
  public long getLastReadTime() {
    return session.getLastReadTime();
  }

  @Override
  public long getLastWriteTime() {
    return session.getLastWriteTime();
  }

  @Override
  public long getLastEventTime() {
    return session.getLastEventTime();
  }

  @Override
  public void updateReadTime() {
    session.updateReadTime();
  }

  @Override
  public void updateWriteTime() {
    session.updateWriteTime();
  }

  @Override
  public String getId() {
    return session.getId();
  }

  @Override
  public String toString() {
    return session.toString();
  }
}
