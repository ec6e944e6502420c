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
 * suspend and resume calls stay paired. When the buffer passes the limit while the reader's thread
 * is still resuming the task, the producer waits for that thread and suspends the task itself
 * (see {@link #suspendBeforeMore}), so the buffer stays within the limit plus the task's own
 * backlog however late the reader's thread is scheduled.
 */
final class ResponseBodyStream extends InputStream {
  /** The longest the producer waits for a reader's resume under way before it leaves the suspension to it. */
  private static final long MAX_WAIT_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(1);

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
    boolean suspend = false;
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
        suspend = true;
      }
      notifyAll();
    }
    if (suspend) {
      suspendBeforeMore();
    } else {
      reconcile();
    }
  }

  /**
   * Suspends the task before this (the delegate queue) takes another chunk. When the reader's
   * thread is reconciling (its resume under way), waits until it is done, then reconciles here:
   * left to that thread, the suspension would come only once it is scheduled again, and the
   * chunks would keep coming meanwhile (6.7 MB past a 256 KiB limit seen on a loaded 2-core
   * machine). Holding the delegate queue holds the task's next chunks back too. The wait is for a
   * suspend or resume call, which never waits for this queue; after {@link #MAX_WAIT_NANOS} the
   * suspension is left to the other thread, as {@link #reconcile} does.
   */
  private void suspendBeforeMore() {
    long deadline = System.nanoTime() + MAX_WAIT_NANOS;
    while (!reconciling.compareAndSet(0, 1)) {
      if (System.nanoTime() - deadline > 0) {
        reconcile();
        return;
      }
      java.util.concurrent.locks.LockSupport.parkNanos(20_000);
    }
    reconcileOwned();
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
    reconcileOwned();
  }

  /** The reconciling loop, run by the thread that took {@code reconciling} from 0 to 1. */
  private void reconcileOwned() {
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
