package dev.urlsession.autoconfigure.client;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.ArrayDeque;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A bounded pipe from the thread that writes a request body (Spring's
 * {@code StreamingHttpOutputMessage.Body}) to the session's reader of the body stream
 * ({@code needNewBodyStream}). At most {@code capacity} bytes wait in it (plus one write); a writer
 * that finds it full waits until the reader drains it.
 *
 * <p>Ends: the writer {@linkplain #closeWrite() closes} (the reader then sees the end of the
 * stream); the task {@linkplain #fail fails} (both sides throw that failure); or the session no
 * longer reads, because the reader closed the stream or the task completed with a response
 * ({@linkplain #abandon() abandoned}): the writer's next write throws {@link Abandoned}, so a
 * large body is not produced for nothing. Every wait ends with one of these or an interrupt:
 * the task's own timeouts bound it.
 *
 * <p>Concurrency: the buffer and flags are guarded by {@code this}; one writer and one reader.
 */
final class BodyPipe {
  /** Thrown to the writer once the session needs no more of the body. */
  static final class Abandoned extends IOException {
    private static final long serialVersionUID = 1L;

    Abandoned() {
      super("The session needs no more of the request body");
    }
  }

  /** The largest piece one write is split into. */
  private static final int CHUNK = 64 * 1024;

  private final int capacity;

  // --- guarded by this ---
  private final ArrayDeque<byte[]> chunks = new ArrayDeque<>();
  /** Read position in the first chunk. */
  private int position;
  private long buffered;
  private long highWaterMark;
  private boolean writeClosed;
  private boolean abandoned;
  private @Nullable IOException failure;

  private final OutputStream sink = new Sink();
  private final InputStream source = new Source();

  BodyPipe(int capacity) {
    this.capacity = capacity;
  }

  /** The writing end: for the thread that writes the body. */
  OutputStream sink() {
    return sink;
  }

  /** The reading end: for the session ({@code needNewBodyStream}). */
  InputStream source() {
    return source;
  }

  /** Queues {@code first} (owned by the pipe from now on) ahead of anything written. */
  synchronized void prime(byte[] first, int length) {
    if (length > 0) {
      add(first, length);
    }
  }

  /** The end of the body: the reader gets -1 once it drained the pipe. Idempotent. */
  synchronized void closeWrite() {
    writeClosed = true;
    notifyAll();
  }

  /** The task failed: both ends throw {@code error} from now on. The first failure wins. */
  synchronized void fail(IOException error) {
    if (failure == null) {
      failure = error;
    }
    chunks.clear();
    buffered = 0;
    notifyAll();
  }

  /** The session reads no more: the writer's next write throws {@link Abandoned}. */
  synchronized void abandon() {
    abandoned = true;
    chunks.clear();
    buffered = 0;
    notifyAll();
  }

  synchronized boolean isAbandoned() {
    return abandoned;
  }

  synchronized @Nullable IOException failure() {
    return failure;
  }

  /** The most bytes that waited in the pipe at once, for tests. */
  synchronized long highWaterMark() {
    return highWaterMark;
  }

  private void add(byte[] chunk, int length) {
    byte[] exact = length == chunk.length ? chunk : java.util.Arrays.copyOf(chunk, length);
    chunks.add(exact);
    buffered += length;
    highWaterMark = Math.max(highWaterMark, buffered);
    notifyAll();
  }

  private void checkWritable() throws IOException {
    if (failure != null) {
      throw failure;
    }
    if (abandoned) {
      throw new Abandoned();
    }
    if (writeClosed) {
      throw new IOException("The request body is closed");
    }
  }

  private final class Sink extends OutputStream {
    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      Objects.checkFromIndexSize(off, len, b.length);
      int done = 0;
      while (done < len) {
        int n = Math.min(CHUNK, len - done);
        byte[] piece = new byte[n];
        System.arraycopy(b, off + done, piece, 0, n);
        synchronized (BodyPipe.this) {
          checkWritable();
          while (buffered >= capacity) {
            await();
            checkWritable();
          }
          add(piece, n);
        }
        done += n;
      }
    }

    @Override
    public void close() {
      closeWrite();
    }
  }

  private final class Source extends InputStream {
    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int n = read(one, 0, 1);
      return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      Objects.checkFromIndexSize(off, len, b.length);
      if (len == 0) {
        return 0;
      }
      synchronized (BodyPipe.this) {
        while (chunks.isEmpty()) {
          if (failure != null) {
            throw failure;
          }
          if (abandoned || writeClosed) {
            return -1;
          }
          await();
        }
        int n = 0;
        while (n < len && !chunks.isEmpty()) {
          byte[] head = chunks.peek();
          int count = Math.min(len - n, head.length - position);
          System.arraycopy(head, position, b, off + n, count);
          n += count;
          position += count;
          if (position == head.length) {
            chunks.poll();
            position = 0;
          }
        }
        buffered -= n;
        BodyPipe.this.notifyAll();
        return n;
      }
    }

    @Override
    public int available() {
      synchronized (BodyPipe.this) {
        return (int) Math.min(Integer.MAX_VALUE, buffered);
      }
    }

    /** The session stopped reading: nothing more is wanted. */
    @Override
    public void close() {
      synchronized (BodyPipe.this) {
        if (!writeClosed || !chunks.isEmpty()) {
          abandoned = true;
        }
        chunks.clear();
        buffered = 0;
        BodyPipe.this.notifyAll();
      }
    }
  }

  /** Waits on the pipe's monitor; the caller holds it. */
  private void await() throws InterruptedIOException {
    try {
      wait(); // the task's timeouts end it: a failed or completed task fails or abandons the pipe
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("Interrupted streaming the request body");
    }
  }
}
