package dev.urlsession.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipException;
import org.jspecify.annotations.Nullable;

/**
 * A content decoder around a blocking {@link InputStream} decoder ({@code br}, on Google's pure-Java
 * {@code org.brotli.dec}, which pulls its input and cannot stop half-way to wait for more). The
 * decoding runs on a thread of a shared pool while the body arrives, never on an I/O thread: it
 * reads the encoded bytes fed so far (waiting while there are none), and hands over decoded chunks
 * of at most {@link #CHUNK_SIZE} through a queue of two, waiting while the queue is full, so that
 * memory stays bounded whatever the body inflates to. The thread ends with the body, a failure or
 * {@link #release()}; pool threads that idle for 30 s end too.
 */
final class StreamDecoder extends ContentDecoder {
  /** The shared pool: one thread per body being decoded, daemon, none kept when idle. */
  private static final ExecutorService POOL = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS,
      new SynchronousQueue<>(), SerialQueue.daemonThreads("urlsession-decoder-"));

  /** Opens the decoding stream over the encoded bytes. */
  interface Codec {
    InputStream open(InputStream encoded) throws IOException;
  }

  private final String name;
  private final Codec codec;
  private final ArrayDeque<ByteBuffer> input = new ArrayDeque<>();
  private final ArrayDeque<byte[]> output = new ArrayDeque<>(2);
  private long pendingInput;
  private long consumedTotal;
  private boolean inputEnded;
  private boolean outputEnded;
  private boolean released;
  private boolean started;
  private @Nullable IOException failure;

  StreamDecoder(String name, Codec codec) {
    this.name = name;
    this.codec = codec;
  }

  /** A Brotli decoder (RFC 7932). */
  static StreamDecoder brotli() {
    return new StreamDecoder("br", org.brotli.dec.BrotliInputStream::new);
  }

  @Override
  public void feed(ByteBuffer src) throws IOException {
    int n = src.remaining();
    if (n == 0) {
      return;
    }
    byte[] copy = new byte[n];
    src.get(copy);
    boolean start;
    synchronized (this) {
      if (released) {
        throw new ZipException("decoder released");
      }
      input.add(ByteBuffer.wrap(copy));
      pendingInput += n;
      start = !started;
      started = true;
      notifyAll();
    }
    if (start) {
      POOL.execute(this::decode);
    }
  }

  @Override
  public void endOfInput() {
    synchronized (this) {
      inputEnded = true;
      if (!started) {
        outputEnded = true; // nothing came: nothing to decode (an empty body is an empty body)
      }
      notifyAll();
    }
  }

  @Override
  public synchronized byte @Nullable [] next() throws IOException {
    if (failure != null) {
      throw failure;
    }
    byte[] chunk = output.poll();
    if (chunk != null) {
      decodedTotal += chunk.length;
      notifyAll();
    }
    return chunk;
  }

  @Override
  public synchronized boolean isComplete() throws IOException {
    if (failure != null) {
      throw failure;
    }
    return outputEnded && output.isEmpty();
  }

  @Override
  public synchronized long pendingInput() {
    return pendingInput;
  }

  @Override
  public synchronized long consumedTotal() {
    return consumedTotal;
  }

  @Override
  public synchronized void release() {
    released = true;
    input.clear();
    output.clear();
    notifyAll();
  }

  /** The decoding thread's work. */
  private void decode() {
    try (InputStream decoded = codec.open(new Encoded())) {
      byte[] buffer = new byte[CHUNK_SIZE];
      for (int n; (n = decoded.read(buffer, 0, buffer.length)) >= 0; ) {
        if (n > 0) {
          put(Arrays.copyOf(buffer, n));
        }
      }
      synchronized (this) {
        while (!inputEnded && input.isEmpty() && !released) {
          waitHere(); // the stream ended: so must the body
        }
        if (released) {
          return;
        }
        if (!input.isEmpty()) {
          throw new ZipException(name + " data ends before the body does (garbage after the end)");
        }
        outputEnded = true;
      }
    } catch (Released e) {
      return;
    } catch (IOException | RuntimeException e) {
      // The decoder's own exceptions (org.brotli.dec.BrotliRuntimeException for corrupt or
      // truncated data) and ours: the body cannot be decoded.
      synchronized (this) {
        if (released) {
          return;
        }
        ZipException z = e instanceof ZipException ? (ZipException) e
            : new ZipException("invalid " + name + " data: " + e.getMessage());
        if (z != e) {
          z.initCause(e);
        }
        failure = z;
      }
    }
    fireReady();
  }

  /** Hands a decoded chunk over, waiting while two are queued. */
  private void put(byte[] chunk) throws Released {
    synchronized (this) {
      while (output.size() >= 2 && !released) {
        waitHere();
      }
      if (released) {
        throw new Released();
      }
      output.add(chunk);
    }
    fireReady();
  }

  private void waitHere() throws Released {
    try {
      wait();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Released();
    }
  }

  /** The decoder thread stops: the load no longer wants the body. */
  private static final class Released extends IOException {
    private static final long serialVersionUID = 1L;

    Released() {
      super("decoder released", null);
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
      return this;
    }
  }

  /** The encoded bytes fed so far, as the blocking stream the decoder reads. */
  private final class Encoded extends InputStream {
    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (len == 0) {
        return 0;
      }
      int n;
      boolean drained;
      synchronized (StreamDecoder.this) {
        while (input.isEmpty() && !inputEnded && !released) {
          waitHere();
        }
        if (released) {
          throw new Released();
        }
        ByteBuffer src = input.peek();
        if (src == null) {
          return -1;
        }
        n = Math.min(len, src.remaining());
        src.get(b, off, n);
        if (!src.hasRemaining()) {
          input.poll();
        }
        pendingInput -= n;
        consumedTotal += n;
        drained = input.isEmpty();
      }
      if (drained) {
        fireReady(); // the handler may let more of the body in
      }
      return n;
    }
  }
}
