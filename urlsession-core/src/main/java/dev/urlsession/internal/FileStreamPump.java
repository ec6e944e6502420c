package dev.urlsession.internal;

import dev.urlsession.CacheStoragePolicy;
import dev.urlsession.Response;
import dev.urlsession.SessionException;
import dev.urlsession.spi.ProtocolClient;
import dev.urlsession.spi.ProtocolLoad;
import java.io.IOException;
import java.time.Instant;
import java.util.Arrays;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * Streams one blocking source (a local file for {@code file:}, a data connection for
 * {@code ftp:}) to a load's client, on a small pool of the handler's own: never on the caller's
 * thread nor on an HttpClient thread.
 *
 * <p>A turn on the pool opens the source once (reporting the response), then reads chunks while
 * the task {@linkplain LoadSupport#wantsData() wants data}. When it does not, the turn ends and
 * gives the thread back; the task's demand schedules the next turn. A turn also ends after a few
 * chunks so that one large transfer cannot hold a thread of the pool for ever.
 *
 * <p>Threads: at most one turn runs at a time (the {@code scheduled} flag), so the fields the
 * turns use need no lock; {@link #stop()} runs on any thread and only closes the source, which
 * makes a blocked read fail.
 */
abstract class FileStreamPump implements Runnable {
  /** Bytes read (and handed to the client) at a time. */
  static final int CHUNK = 64 * 1024;

  /** Chunks read in one turn before the thread is given back to the pool. */
  private static final int CHUNKS_PER_TURN = 16;

  final ProtocolLoad load;
  final ProtocolClient client;
  final @Nullable LoadSupport support;
  final TransactionRecorder recorder;
  private final Executor executor;
  private final AtomicBoolean scheduled = new AtomicBoolean();
  private volatile boolean stopped;
  private volatile boolean done;
  /** Owned by the running turn. */
  private boolean opened;

  FileStreamPump(ProtocolLoad load, @Nullable LoadSupport support, Executor executor) {
    this.load = load;
    this.client = load.client();
    this.support = support;
    this.recorder = support != null ? support.transaction() : new TransactionRecorder(load.request());
    this.executor = executor;
  }

  /** A small pool of daemon threads, {@code max} at most, that go away when idle. */
  static ThreadPoolExecutor pool(String prefix, int max) {
    ThreadPoolExecutor pool = new ThreadPoolExecutor(max, max, 30, TimeUnit.SECONDS,
        new LinkedBlockingQueue<>(), SerialQueue.daemonThreads(prefix));
    pool.allowCoreThreadTimeOut(true);
    return pool;
  }

  /** Starts pumping: called from {@code startLoading}, returns at once. */
  final void start() {
    load.attachment(this);
    if (support != null) {
      support.onDemand(this::schedule);
    }
    schedule();
  }

  /** Stops pumping (the task was cancelled or completed): closes the source, reports nothing more. */
  final void stop() {
    stopped = true;
    close(false);
  }

  final boolean isStopped() {
    return stopped;
  }

  /**
   * Opens the source, then reports the response with {@link #respond}; or reports a failure with
   * {@link #fail} and returns false. Runs on the pool; may block.
   */
  abstract boolean open() throws IOException;

  /** Reads up to {@code buffer.length} bytes; -1 at the end. Runs on the pool; may block. */
  abstract int read(byte[] buffer) throws IOException;

  /** The source reached its end: checks that the transfer is complete. Runs on the pool. */
  void complete() throws IOException {}

  /**
   * Releases the source. {@code graceful} after a complete transfer, on the pool (it may then
   * take its leave politely); otherwise on any thread, and it must not block. Idempotent.
   */
  abstract void close(boolean graceful);

  /** The failure an exception of {@link #open}, {@link #read} or {@link #complete} stands for. */
  SessionException map(Throwable e) {
    return ErrorMapper.map(e, load.request().url());
  }

  /** Reports the response (never cached: the bytes are local or the protocol has no validators). */
  final void respond(Response response) {
    recorder.responseStart = Instant.now();
    recorder.response = response;
    if (!stopped) {
      client.didReceiveResponse(response, CacheStoragePolicy.NOT_ALLOWED);
    }
  }

  /** Reports {@code failure} (unless stopped) and releases the source. Runs on the pool. */
  final void fail(SessionException failure) {
    if (!done) {
      done = true;
      recorder.responseEnd = Instant.now();
      if (!stopped) {
        client.didFail(failure);
      }
    }
    close(false);
  }

  private void schedule() {
    if (!stopped && !done && scheduled.compareAndSet(false, true)) {
      try {
        executor.execute(this);
      } catch (RejectedExecutionException e) {
        scheduled.set(false);
        fail(ErrorMapper.map(e, load.request().url()));
      }
    }
  }

  @Override
  public final void run() {
    boolean more = false;
    try {
      if (stopped || done) {
        return;
      }
      if (!opened) {
        opened = true;
        if (!open()) {
          return;
        }
      }
      for (int i = 0; ; i++) {
        if (stopped) {
          return;
        }
        if (support != null && !support.wantsData()) {
          break; // the task's demand schedules the next turn
        }
        if (i == CHUNKS_PER_TURN) {
          more = true;
          break;
        }
        byte[] buffer = new byte[CHUNK];
        int n = read(buffer);
        if (n < 0) {
          complete();
          done = true;
          recorder.responseEnd = Instant.now();
          if (!stopped) {
            client.didFinishLoading();
          }
          close(true);
          return;
        }
        if (n > 0) {
          recorder.responseBodyBytesReceived += n;
          recorder.responseBodyBytesDecoded += n;
          client.didLoadData(n == buffer.length ? buffer : Arrays.copyOf(buffer, n));
        }
      }
    } catch (IOException | RuntimeException e) {
      if (stopped) {
        close(false);
      } else {
        fail(map(e));
      }
      return;
    } finally {
      scheduled.set(false);
    }
    // Demand that came while this turn was still scheduled found the flag set: look again.
    if (more || support == null || support.wantsData()) {
      schedule();
    }
  }
}
