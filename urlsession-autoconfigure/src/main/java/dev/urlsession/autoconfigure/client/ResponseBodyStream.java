package dev.urlsession.autoconfigure.client;

import dev.urlsession.SessionException;
import dev.urlsession.SessionTask;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * A response body fed with the task's data chunks (on the delegate queue) and read by the
 * application (on its own thread), through a bounded buffer: above {@code limit} buffered bytes
 * the task is suspended, which stops reading from the socket; below half of it, resumed.
 *
 * <p>Concurrency: the buffer and flags are guarded by {@code this}. The task is never suspended
 * or resumed under that lock: the wanted state is recorded under it, and one thread at a time
 * (counted by {@code reconciling}) brings the task in line, so the last wish always wins and
 * suspend and resume calls stay paired.
 */
final class ResponseBodyStream extends InputStream {
  private final int limit;

  // --- guarded by this ---
  private final ArrayDeque<byte[]> chunks = new ArrayDeque<>();
  /** Read position in the first chunk. */
  private int position;
  private long buffered;
  private boolean finished;
  private @Nullable SessionException failure;
  private boolean closed;
  /** Whether the task should be suspended now. */
  private boolean wantSuspended;
  private long highWaterMark;
  private int suspensions;

  // --- owned by the reconciling thread ---
  private final AtomicInteger reconciling = new AtomicInteger();
  private boolean taskSuspended;
  private volatile @Nullable SessionTask task;

  ResponseBodyStream(int limit) {
    this.limit = limit;
  }

  /** Sets the task to suspend and resume; before it is resumed. */
  void attach(SessionTask task) {
    this.task = task;
  }

  // --- producer: the delegate queue ---

  void offer(byte[] chunk) {
    if (chunk.length == 0) {
      return;
    }
    synchronized (this) {
      if (closed) {
        return;
      }
      chunks.add(chunk);
      buffered += chunk.length;
      highWaterMark = Math.max(highWaterMark, buffered);
      if (buffered > limit && !wantSuspended) {
        wantSuspended = true;
        suspensions++;
      }
      notifyAll();
    }
    reconcile();
  }

  synchronized void finish() {
    finished = true;
    wantSuspended = false;
    notifyAll();
  }

  synchronized void fail(SessionException error) {
    failure = error;
    wantSuspended = false;
    notifyAll();
  }

  // --- consumer: the application ---

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    java.util.Objects.checkFromIndexSize(off, len, b.length);
    if (len == 0) {
      return 0;
    }
    int n = 0;
    synchronized (this) {
      while (chunks.isEmpty()) {
        if (closed) {
          throw new IOException("The response body is closed");
        }
        if (failure != null) {
          throw SessionExceptions.toIOException(failure);
        }
        if (finished) {
          return -1;
        }
        try {
          wait(); // the task's own timeouts bound this wait
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new InterruptedIOException("Interrupted reading the response body");
        }
      }
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
      if (wantSuspended && buffered < limit / 2) {
        wantSuspended = false;
      }
    }
    reconcile();
    return n;
  }

  @Override
  public synchronized int available() {
    return (int) Math.min(Integer.MAX_VALUE, buffered);
  }

  /**
   * Drops the buffer; cancels the task unless the body was complete. Idempotent.
   *
   * <p>A reader that knows the length (Spring's converters read exactly {@code Content-Length}
   * bytes) may close as soon as the last byte arrived, before the task's completion reached this
   * stream: a task that received every byte it expected is left to complete on its own, so its
   * connection is reused and it is not recorded as cancelled.
   */
  @Override
  public void close() {
    boolean cancel;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      cancel = !finished && failure == null;
      chunks.clear();
      buffered = 0;
      wantSuspended = false;
      notifyAll();
    }
    SessionTask t = task;
    if (cancel && t != null && !receivedWholeBody(t)) {
      t.cancel();
    }
  }

  private static boolean receivedWholeBody(SessionTask t) {
    long expected = t.countOfBytesExpectedToReceive();
    return expected >= 0 && t.countOfBytesReceived() >= expected;
  }

  /** Brings the task's suspension in line with {@code wantSuspended}, one thread at a time. */
  private void reconcile() {
    if (reconciling.getAndIncrement() != 0) {
      return;
    }
    int missed = 1;
    do {
      boolean want;
      synchronized (this) {
        want = wantSuspended;
      }
      SessionTask t = task;
      if (t != null && want != taskSuspended) {
        taskSuspended = want;
        if (want) {
          t.suspend();
        } else {
          t.resume();
        }
      }
      missed = reconciling.addAndGet(-missed);
    } while (missed != 0);
  }

  // --- for tests ---

  synchronized long highWaterMark() {
    return highWaterMark;
  }

  synchronized int suspensions() {
    return suspensions;
  }

  synchronized long buffered() {
    return buffered;
  }
}
