package dev.urlsession;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** One operation asked of a stream task, waiting for its turn in {@link StreamOps}. Guarded by the task's lock. */
final class StreamOp {
  enum Kind {
    READ, WRITE, CLOSE_READ, CLOSE_WRITE, START_TLS, STOP_TLS, CAPTURE;

    boolean reads() {
      return this == READ || this == CLOSE_READ;
    }

    boolean writes() {
      return this == WRITE || this == CLOSE_WRITE;
    }

    /** Waits for every operation before it, and every operation after it waits for it. */
    boolean barrier() {
      return this == START_TLS || this == STOP_TLS || this == CAPTURE;
    }
  }

  final Kind kind;
  /** {@code System.nanoTime()} by which it must complete, or 0 for never. */
  final long deadline;
  final int min;
  final int max;
  final @Nullable QueueFuture<ReadResult> readFuture;
  final @Nullable ByteBuffer data;
  final @Nullable QueueFuture<Void> writeFuture;
  /** Bytes read so far. */
  private @Nullable List<byte[]> chunks;
  int have;
  /** The count of bytes offered to the connection after this write's last byte; -1 before. */
  long end = -1;
  /** Whether a barrier started its work. */
  boolean begun;

  private StreamOp(Kind kind, long deadline, int min, int max, @Nullable QueueFuture<ReadResult> readFuture,
      @Nullable ByteBuffer data, @Nullable QueueFuture<Void> writeFuture) {
    this.kind = kind;
    this.deadline = deadline;
    this.min = min;
    this.max = max;
    this.readFuture = readFuture;
    this.data = data;
    this.writeFuture = writeFuture;
  }

  static StreamOp read(int min, int max, long deadline, QueueFuture<ReadResult> future) {
    return new StreamOp(Kind.READ, deadline, min, max, future, null, null);
  }

  static StreamOp write(byte[] bytes, long deadline, QueueFuture<Void> future) {
    return new StreamOp(Kind.WRITE, deadline, 0, 0, null, ByteBuffer.wrap(bytes), future);
  }

  static StreamOp of(Kind kind) {
    return new StreamOp(kind, 0, 0, 0, null, null, null);
  }

  void add(byte[] chunk) {
    if (chunks == null) {
      chunks = new ArrayList<>(1);
    }
    chunks.add(chunk);
    have += chunk.length;
  }

  private byte[] bytes() {
    if (chunks == null) {
      return new byte[0];
    }
    if (chunks.size() == 1) {
      return chunks.get(0);
    }
    byte[] all = new byte[have];
    int at = 0;
    for (byte[] c : chunks) {
      System.arraycopy(c, 0, all, at, c.length);
      at += c.length;
    }
    return all;
  }

  /** Posts the read's result. */
  void completeRead(TaskEvents events, boolean atEof) {
    ReadResult r = new ReadResult(bytes(), atEof);
    chunks = null;
    QueueFuture<ReadResult> f = readFuture;
    events.postPlain(() -> f.complete(r));
  }

  /** Posts the write's success. */
  void completeWrite(TaskEvents events) {
    QueueFuture<Void> f = writeFuture;
    events.postPlain(() -> f.complete(null));
  }

  /** Posts the failure of a read or write; other operations have no future. */
  void fail(TaskEvents events, SessionException e) {
    chunks = null;
    if (readFuture != null) {
      events.postPlain(() -> readFuture.completeExceptionally(e));
    } else if (writeFuture != null) {
      events.postPlain(() -> writeFuture.completeExceptionally(e));
    }
  }
}
