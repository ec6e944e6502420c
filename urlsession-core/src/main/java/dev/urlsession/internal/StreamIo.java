package dev.urlsession.internal;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The non-blocking I/O of a session's stream tasks: one daemon thread ({@code urlsession-stream-N})
 * running a {@link Selector} for all of the session's TCP connections, created with the first
 * stream task. Everything a connection does with its socket, TLS engine and buffers happens on
 * this thread; other threads hand it work with {@link #execute}. It never runs user code: what a
 * connection reports goes to the task, which posts delegate calls to the session's queue.
 *
 * <p>Host names are looked up on a small shared pool ({@code urlsession-stream-resolve-N}, 8
 * threads at most), since the JDK's lookup blocks. After {@link #shutdownWhenIdle()} (the session
 * was invalidated), the thread ends once its last connection (or {@linkplain #hold() held} source)
 * is closed: streams handed over by {@code captureStreams} outlive their session.
 */
public final class StreamIo {
  private static final Logger log = LoggerFactory.getLogger(StreamIo.class);
  private static final AtomicInteger IDS = new AtomicInteger();
  private static final ThreadPoolExecutor RESOLVER = resolverPool();

  /** What a registered channel does when the selector picks it: runs on the I/O thread. */
  public interface Handler {
    void ready(SelectionKey key);

    /** The handler threw: the connection is broken. */
    void broken(Exception e);
  }

  private final Selector selector;
  private final Thread thread;
  private final ConcurrentLinkedQueue<Runnable> pending = new ConcurrentLinkedQueue<>();
  private volatile boolean shutdown;
  /** Sources other than sockets that use the thread (responses handed over by data tasks). */
  private final AtomicInteger held = new AtomicInteger();

  private StreamIo() throws IOException {
    this.selector = Selector.open();
    this.thread = new Thread(this::loop, "urlsession-stream-" + IDS.incrementAndGet());
    this.thread.setDaemon(true);
  }

  /** Starts the I/O thread of a session. */
  public static StreamIo start() {
    try {
      StreamIo io = new StreamIo();
      io.thread.start();
      return io;
    } catch (IOException e) {
      throw new IllegalStateException("cannot open a selector for stream tasks", e);
    }
  }

  private static ThreadPoolExecutor resolverPool() {
    ThreadPoolExecutor pool = new ThreadPoolExecutor(8, 8, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
        SerialQueue.daemonThreads("urlsession-stream-resolve-"));
    pool.allowCoreThreadTimeOut(true);
    return pool;
  }

  /** The addresses of {@code host}, looked up off the I/O thread; completes on a resolver thread. */
  public static CompletableFuture<InetAddress[]> lookup(String host) {
    return CompletableFuture.supplyAsync(() -> {
      try {
        return InetAddress.getAllByName(host);
      } catch (UnknownHostException e) {
        throw new java.util.concurrent.CompletionException(e);
      }
    }, RESOLVER);
  }

  /** Where blocking lookups run (service discovery's callbacks hop back from here). */
  static Executor resolverPoolExecutor() {
    return RESOLVER;
  }

  /** Runs {@code work} on the I/O thread, after what was handed to it before. Any thread. */
  public void execute(Runnable work) {
    pending.add(work);
    if (Thread.currentThread() != thread) {
      selector.wakeup();
    }
  }

  /** Whether the caller runs on this I/O thread. */
  public boolean inLoop() {
    return Thread.currentThread() == thread;
  }

  /** Registers {@code channel} for {@code ops}; on the I/O thread only. */
  SelectionKey register(SelectableChannel channel, int ops, Handler handler) throws ClosedChannelException {
    return channel.register(selector, ops, handler);
  }

  /**
   * Keeps the thread running for a source that is no socket (a response a data task handed over)
   * until {@link #release()}: after {@link #shutdownWhenIdle()} it counts as a connection.
   */
  public void hold() {
    held.incrementAndGet();
  }

  /** The source that called {@link #hold()} is closed. */
  public void release() {
    held.decrementAndGet();
    selector.wakeup();
  }

  /** Lets the thread end once no connection is left (the session was invalidated). */
  public void shutdownWhenIdle() {
    shutdown = true;
    selector.wakeup();
  }

  /** Whether the I/O thread still runs (for tests). */
  public boolean running() {
    return thread.isAlive();
  }

  private void loop() {
    try {
      while (true) {
        selector.select(1000);
        Runnable work;
        while ((work = pending.poll()) != null) {
          try {
            work.run();
          } catch (RuntimeException e) {
            log.error("Stream I/O work threw; the I/O thread goes on", e);
          }
        }
        for (SelectionKey key : selector.selectedKeys()) {
          Handler h = (Handler) key.attachment();
          try {
            if (key.isValid()) {
              h.ready(key);
            }
          } catch (RuntimeException e) {
            h.broken(e);
          }
        }
        selector.selectedKeys().clear();
        if (shutdown && pending.isEmpty() && selector.keys().isEmpty() && held.get() == 0) {
          return;
        }
      }
    } catch (IOException | RuntimeException e) {
      log.error("The stream I/O thread failed; its connections are closed", e);
      for (SelectionKey key : selector.keys()) {
        ((Handler) key.attachment()).broken(e instanceof IOException ? (IOException) e : new IOException(e));
      }
    } finally {
      try {
        selector.close();
      } catch (IOException e) {
        log.debug("closing the selector", e);
      }
    }
  }
}
