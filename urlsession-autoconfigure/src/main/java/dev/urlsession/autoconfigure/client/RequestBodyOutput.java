package dev.urlsession.autoconfigure.client;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The stream a request body is written to, on the thread that executes the request. The first
 * {@code limit} bytes are kept in memory: a body that ends within them is sent as bytes, with its
 * {@code Content-Length}. The first byte beyond them starts the upload: the kept bytes and
 * everything written after them go through a bounded {@link BodyPipe} that the session streams
 * from, so the body is never held whole. Not thread-safe: one writer.
 */
final class RequestBodyOutput extends OutputStream {
  /** Starts the streamed upload; called once, by the first write beyond the limit. */
  interface Upload {
    BodyPipe start() throws IOException;
  }

  private final int limit;
  private final Upload upload;
  private byte[] buffer;
  private int count;
  private @Nullable BodyPipe pipe;
  /** Why the session refused to start the upload, if it did. */
  private @Nullable IOException refusal;

  RequestBodyOutput(int limit, Upload upload) {
    this.limit = limit;
    this.upload = upload;
    this.buffer = new byte[Math.min(limit, 8192)];
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    Objects.checkFromIndexSize(off, len, b.length);
    BodyPipe p = pipe;
    if (p != null) {
      p.sink().write(b, off, len);
      return;
    }
    if (refusal != null) {
      throw refusal;
    }
    if (len <= limit - count) {
      if (count + len > buffer.length) {
        buffer = Arrays.copyOf(buffer, (int) Math.min(limit, Math.max(2L * buffer.length, count + len)));
      }
      System.arraycopy(b, off, buffer, count, len);
      count += len;
      return;
    }
    try {
      p = upload.start();
    } catch (IOException e) {
      refusal = e;
      throw e;
    }
    pipe = p;
    p.prime(buffer, count);
    buffer = new byte[0];
    count = 0;
    p.sink().write(b, off, len);
  }

  /** Ends a streamed body; nothing for one kept in memory. Idempotent. */
  @Override
  public void close() {
    BodyPipe p = pipe;
    if (p != null) {
      p.closeWrite();
    }
  }

  /** The pipe of the streamed upload, or null while the body is kept in memory. */
  @Nullable BodyPipe pipe() {
    return pipe;
  }

  /** Why the session refused to start the upload, or null. */
  @Nullable IOException refusal() {
    return refusal;
  }

  /** The body kept in memory (when {@link #pipe()} is null). */
  byte[] bytes() {
    return Arrays.copyOf(buffer, count);
  }
}
