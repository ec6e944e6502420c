package dev.urlsession.internal;

import java.nio.ByteBuffer;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSession;

/**
 * The JDK's {@link SSLEngine} over a {@link StreamChannel}'s buffers: the handshake step by step,
 * records unwrapped into the plain buffer and wrapped from the application's bytes, and a clean
 * close. The engine's delegated tasks (certificate checks) run inline on the I/O thread; the
 * {@link DeferredTrustManager} only records a failed evaluation there, and the task asks its
 * delegate afterwards.
 *
 * <p>Not thread-safe: used on its channel's I/O thread.
 */
final class TlsLayer {
  /** Room for at least two TLS records. */
  static final int NET_BUFFER = 40 * 1024;
  private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

  /** How unwrapping ended. */
  enum Unwrapped { OK, CLOSED }

  /** What a handshake step needs next. */
  enum Step { WRAPPED, NEEDS_INPUT, DONE }

  private final SSLEngine engine;
  private final ByteBuffer out;

  TlsLayer(SSLEngine engine) {
    this.engine = engine;
    this.out = ByteBuffer.allocate(Math.max(NET_BUFFER, engine.getSession().getPacketBufferSize()));
    this.out.flip();
  }

  /** One step of the handshake: records to send ({@link #takeOutput()}), input wanted, or done. */
  Step handshake(ByteBuffer netIn, ByteBuffer plain) throws SSLException {
    while (true) {
      HandshakeStatus hs = engine.getHandshakeStatus();
      switch (hs) {
        case NEED_TASK -> runTasks();
        case NEED_WRAP -> {
          out.clear();
          SSLEngineResult r = engine.wrap(EMPTY, out);
          out.flip();
          if (r.getStatus() == SSLEngineResult.Status.CLOSED && !out.hasRemaining()) {
            throw new SSLException("the TLS engine closed during the handshake");
          }
          if (out.hasRemaining()) {
            return Step.WRAPPED;
          }
        }
        case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> {
          netIn.flip();
          SSLEngineResult r;
          try {
            r = engine.unwrap(netIn, plain);
          } finally {
            netIn.compact();
          }
          switch (r.getStatus()) {
            case BUFFER_UNDERFLOW -> {
              return Step.NEEDS_INPUT;
            }
            case BUFFER_OVERFLOW -> throw new SSLException("no room for data sent during the TLS handshake");
            case CLOSED -> throw new SSLException("the peer closed TLS during the handshake");
            default -> { }
          }
        }
        default -> {
          return Step.DONE;
        }
      }
    }
  }

  /** The records the last handshake step or {@link #close()} produced. */
  ByteBuffer takeOutput() {
    return out;
  }

  /** Whether the handshake waits for the peer's records. */
  boolean wantsInput() {
    HandshakeStatus hs = engine.getHandshakeStatus();
    return hs == HandshakeStatus.NEED_UNWRAP || hs == HandshakeStatus.NEED_UNWRAP_AGAIN;
  }

  /** Whether the engine has records of its own to send (a key update, a close_notify answer). */
  boolean wantsWrap() {
    return engine.getHandshakeStatus() == HandshakeStatus.NEED_WRAP;
  }

  /** Decodes whole records of {@code netIn} (fill mode) into {@code plain} (fill mode) while there is room. */
  Unwrapped unwrap(ByteBuffer netIn, ByteBuffer plain) throws SSLException {
    netIn.flip();
    try {
      while (netIn.hasRemaining()) {
        SSLEngineResult r = engine.unwrap(netIn, plain);
        if (r.getHandshakeStatus() == HandshakeStatus.NEED_TASK) {
          runTasks();
        }
        if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
          return Unwrapped.CLOSED;
        }
        if (r.getStatus() != SSLEngineResult.Status.OK || r.bytesConsumed() == 0 && r.bytesProduced() == 0) {
          break; // a partial record, or no room for the next one
        }
      }
      return engine.isInboundDone() ? Unwrapped.CLOSED : Unwrapped.OK;
    } finally {
      netIn.compact();
    }
  }

  /** Encodes what fits of {@code src} into records (read mode), reusing one buffer. */
  ByteBuffer wrap(ByteBuffer src) throws SSLException {
    out.clear();
    SSLEngineResult r = engine.wrap(src, out);
    out.flip();
    if (r.getStatus() == SSLEngineResult.Status.CLOSED && src.hasRemaining()) {
      throw new SSLException("TLS was closed for writing");
    }
    return out;
  }

  /** Sends close_notify: the records to flush. */
  ByteBuffer close() throws SSLException {
    engine.closeOutbound();
    out.clear();
    while (!engine.isOutboundDone()) {
      SSLEngineResult r = engine.wrap(EMPTY, out);
      if (r.bytesProduced() == 0) {
        break;
      }
    }
    out.flip();
    return out;
  }

  boolean outboundDone() {
    return engine.isOutboundDone();
  }

  SSLSession session() {
    return engine.getSession();
  }

  int applicationBufferSize() {
    return engine.getSession().getApplicationBufferSize();
  }

  private void runTasks() {
    Runnable task;
    while ((task = engine.getDelegatedTask()) != null) {
      task.run();
    }
  }
}
