package dev.urlsession.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.Objects;
import javax.net.ssl.SSLSession;
import org.jspecify.annotations.Nullable;

/**
 * A stream task's connection handed over as blocking streams ({@code captureStreams}). The
 * {@link StreamChannel} stays on its I/O thread (TLS included); these streams exchange bytes with
 * it through two 64 KiB buffers under this object's monitor, so a reader or writer blocks the
 * caller's thread, never the I/O thread. Until {@link #attach} they block; after {@link #fail}
 * they throw the task's error. A read-only task's streams read its {@link StreamSource} (the rest
 * of a response's body); their output stream throws {@code IOException("read-only stream")}.
 */
public final class CapturedStreams implements StreamChannel.Listener {
  private static final int BUFFER = 64 * 1024;

  private final StreamIo io;
  private final boolean readOnly;
  private final Input input = new Input();
  private final Output output = new Output();
  // --- guarded by this ---
  private final ByteBuffer in = ByteBuffer.allocate(BUFFER); // fill mode
  private final ByteBuffer out = ByteBuffer.allocate(BUFFER); // fill mode
  private @Nullable StreamSource source;
  /** Where writes go; null for a read-only task. */
  private @Nullable StreamChannel channel;
  private @Nullable IOException error;
  private boolean eof;
  private boolean inputClosed;
  private boolean outputClosed;

  /** @param readOnly whether the task has no write side (its output stream refuses every write) */
  public CapturedStreams(StreamIo io, boolean readOnly) {
    this.io = io;
    this.readOnly = readOnly;
  }

  public InputStream input() {
    return input;
  }

  public OutputStream output() {
    return output;
  }

  /**
   * Takes the connection over; on its I/O thread. {@code writes} is the channel writes go to, null
   * for a read-only task; otherwise it is {@code reads} itself.
   */
  public void attach(StreamSource reads, @Nullable StreamChannel writes) {
    synchronized (this) {
      source = reads;
      channel = writes;
      notifyAll();
    }
    reads.listener(this);
    changed();
  }

  /** The task failed before the hand-over, or the connection failed after it. */
  public synchronized void fail(IOException e) {
    if (error == null) {
      error = e;
    }
    notifyAll();
  }

  // --- StreamChannel.Listener (I/O thread) ---

  @Override
  public void opened() {
    changed();
  }

  @Override
  public void tlsHandshaken(SSLSession session) {
    // TLS never starts after the hand-over.
  }

  @Override
  public void changed() {
    StreamSource c;
    synchronized (this) {
      c = source;
      if (c == null) {
        return;
      }
      try {
        if (c.available() > 0 && in.hasRemaining()) {
          in.put(c.take(in.remaining()));
        }
        eof = c.atEnd() && c.available() == 0;
        StreamChannel w = channel;
        if (w != null && out.position() > 0) {
          out.flip();
          w.offer(out);
          out.compact();
        }
      } catch (IOException e) {
        fail(e);
        c.close();
      }
      notifyAll();
    }
    c.updateInterest();
  }

  @Override
  public void failed(IOException e) {
    fail(e);
  }

  private void pull() {
    io.execute(this::changed);
  }

  private synchronized void await() throws IOException {
    try {
      wait();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while waiting for the connection");
    }
  }

  private void closeBoth() {
    boolean both;
    synchronized (this) {
      both = inputClosed && (outputClosed || readOnly);
    }
    if (both) {
      io.execute(() -> {
        StreamSource c = source;
        if (c != null) {
          c.close();
        }
      });
    }
  }

  private final class Input extends InputStream {
    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int n = read(one, 0, 1);
      return n < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      Objects.checkFromIndexSize(off, len, b.length);
      if (len == 0) {
        return 0;
      }
      synchronized (CapturedStreams.this) {
        while (true) {
          if (inputClosed) {
            throw new IOException("the input stream is closed");
          }
          if (in.position() > 0) {
            boolean wasFull = !in.hasRemaining();
            in.flip();
            int n = Math.min(len, in.remaining());
            in.get(b, off, n);
            in.compact();
            if (wasFull || source != null) {
              pull();
            }
            return n;
          }
          if (error != null) {
            throw error;
          }
          if (eof) {
            return -1;
          }
          await();
        }
      }
    }

    @Override
    public int available() {
      synchronized (CapturedStreams.this) {
        return in.position();
      }
    }

    @Override
    public void close() {
      synchronized (CapturedStreams.this) {
        if (inputClosed) {
          return;
        }
        inputClosed = true;
        CapturedStreams.this.notifyAll();
      }
      io.execute(() -> {
        StreamSource c = source;
        if (c != null) {
          try {
            c.shutdownInput();
          } catch (IOException e) {
            // the connection is going anyway
          }
        }
      });
      closeBoth();
    }
  }

  private final class Output extends OutputStream {
    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      Objects.checkFromIndexSize(off, len, b.length);
      if (readOnly) {
        throw new IOException("read-only stream: the task reads the rest of a response and has no write side");
      }
      int done = 0;
      synchronized (CapturedStreams.this) {
        while (done < len) {
          if (outputClosed) {
            throw new IOException("the output stream is closed");
          }
          if (error != null) {
            throw error;
          }
          if (!out.hasRemaining()) {
            await();
            continue;
          }
          int n = Math.min(len - done, out.remaining());
          out.put(b, off + done, n);
          done += n;
          pull();
        }
      }
    }

    /** Waits until every byte written was handed to the connection. */
    @Override
    public void flush() throws IOException {
      synchronized (CapturedStreams.this) {
        while (out.position() > 0) {
          if (error != null) {
            throw error;
          }
          await();
        }
      }
    }

    @Override
    public void close() throws IOException {
      synchronized (CapturedStreams.this) {
        if (outputClosed) {
          return;
        }
      }
      flush();
      synchronized (CapturedStreams.this) {
        outputClosed = true;
        CapturedStreams.this.notifyAll();
      }
      io.execute(() -> {
        StreamChannel c = channel;
        if (c != null) {
          try {
            c.shutdownOutput();
          } catch (IOException e) {
            fail(e);
          }
        }
      });
      closeBoth();
    }
  }
}
