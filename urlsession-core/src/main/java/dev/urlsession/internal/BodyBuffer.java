package dev.urlsession.internal;

import java.util.Arrays;

/**
 * Collects a body from chunks that are handed over (see {@code ProtocolClient.didLoadData}). Most
 * bodies arrive in one chunk: that chunk is kept as it is and {@link #toByteArray()} returns it
 * without a copy. A second chunk starts a growable array of the buffer's own.
 *
 * <p>Chunks are never modified, so two buffers may hold the same chunk; but an array returned by
 * {@link #toByteArray()} may be such a chunk, so whoever keeps it must not share it with code that
 * writes to it. Not thread-safe.
 */
public final class BodyBuffer {
  private static final byte[] EMPTY = new byte[0];

  private byte[] bytes = EMPTY;
  private int size;
  /** Whether {@link #bytes} is a chunk handed in (not written to), not an array of our own. */
  private boolean borrowed;

  /** Appends {@code chunk}, which the caller no longer modifies. */
  public void add(byte[] chunk) {
    if (chunk.length == 0) {
      return;
    }
    if (size == 0) {
      bytes = chunk;
      size = chunk.length;
      borrowed = true;
      return;
    }
    int needed = size + chunk.length;
    if (needed < 0) {
      throw new OutOfMemoryError("body larger than 2 GiB");
    }
    if (borrowed || needed > bytes.length) {
      int capacity = Math.max(needed, bytes.length * 2);
      bytes = Arrays.copyOf(bytes, capacity < 0 ? needed : capacity);
      borrowed = false;
    }
    System.arraycopy(chunk, 0, bytes, size, chunk.length);
    size = needed;
  }

  /** The number of bytes added. */
  public int size() {
    return size;
  }

  /**
   * The body: the only chunk itself when one was added; else the buffer's own array when it is
   * exactly full (a later {@link #add} then moves to a new one), or a copy trimmed to {@link
   * #size()}. Either way, later adds never write to the array returned.
   */
  public byte[] toByteArray() {
    return size == bytes.length ? bytes : Arrays.copyOf(bytes, size);
  }
}
