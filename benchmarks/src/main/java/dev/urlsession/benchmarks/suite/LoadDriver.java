package dev.urlsession.benchmarks.suite;

import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.jspecify.annotations.Nullable;

/**
 * Measures one client for one window: a closed loop of {@code concurrency} requests in flight
 * (each completion starts the next, on the thread it completed on; a blocking client gets that
 * many threads), or batches of {@code concurrency} requests started at once and awaited together
 * ({@link #batches}). Counts the responses completed within the window, their latencies (from
 * the start of each request to its completion, in microseconds), the CPU this JVM used meanwhile
 * (nginx runs in a process of its own, so that is the client's CPU, plus this driver's), and
 * {@code others}: the cores kept busy by neither, i.e. other processes and the hypervisor's steal.
 */
final class LoadDriver {
  private static final com.sun.management.OperatingSystemMXBean OS =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

  /** What one window measured. */
  record Window(String client, long requests, long errors, @Nullable String firstError, double seconds,
      Histogram latencyMicros, long cpuNanos, double others, double serverCores) {
    double rate() {
      return requests / seconds;
    }

    double cpuMicrosPerRequest() {
      return requests == 0 ? Double.NaN : cpuNanos / 1e3 / requests;
    }
  }

  private final Nginx nginx;

  LoadDriver(Nginx nginx) {
    this.nginx = nginx;
  }

  /** A closed loop of {@code concurrency} requests in flight for {@code seconds}. */
  Window closedLoop(Client client, URI uri, int concurrency, double seconds) throws Exception {
    Recorder recorder = new Recorder(3);
    AtomicLong completed = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    AtomicReference<String> firstError = new AtomicReference<>();
    CountDownLatch stopped = new CountDownLatch(concurrency);
    if (client.blocking()) {
      // The threads start first and wait; the window opens when they are released.
      AtomicLong endHolder = new AtomicLong();
      CountDownLatch go = new CountDownLatch(1);
      for (int i = 0; i < concurrency; i++) {
        Thread t = new Thread(() -> {
          try {
            go.await();
            long end = endHolder.get();
            while (System.nanoTime() - end < 0) {
              long start = System.nanoTime();
              String problem;
              try {
                int length = client.call(uri);
                problem = length == Nginx.SMALL_SIZE ? null : "length " + length;
              } catch (Exception e) {
                problem = e.toString();
              }
              long now = System.nanoTime();
              if (now - end < 0) {
                count(problem, now - start, recorder, completed, errors, firstError);
              }
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          } finally {
            stopped.countDown();
          }
        }, "load-" + i);
        t.setDaemon(true);
        t.start();
      }
      Probe probe = new Probe();
      long end = probe.start + (long) (seconds * 1e9);
      endHolder.set(end);
      go.countDown();
      return finish(client, probe, end, stopped, recorder, completed, errors, firstError);
    }
    Probe probe = new Probe();
    long end = probe.start + (long) (seconds * 1e9);
    for (int i = 0; i < concurrency; i++) {
      new Loop(client, uri, end, recorder, completed, errors, firstError, stopped).next();
    }
    return finish(client, probe, end, stopped, recorder, completed, errors, firstError);
  }

  private Window finish(Client client, Probe probe, long end, CountDownLatch stopped, Recorder recorder,
      AtomicLong completed, AtomicLong errors, AtomicReference<String> firstError) throws Exception {
    long wait = end - System.nanoTime();
    if (wait > 0) {
      TimeUnit.NANOSECONDS.sleep(wait);
    }
    Window w = probe.stop(client.name, completed.get(), errors.get(), firstError.get(), recorder);
    if (!stopped.await(60, TimeUnit.SECONDS)) {
      throw new IllegalStateException(client.name + ": requests still in flight 60 s after the window");
    }
    return w;
  }

  /**
   * Batches: {@code batch} requests started at once, all awaited, again and again for at least
   * {@code seconds} (at least one batch); every request of every batch counts.
   */
  Window batches(Client client, URI uri, int batch, double seconds) throws Exception {
    Recorder recorder = new Recorder(3);
    AtomicLong completed = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    AtomicReference<String> firstError = new AtomicReference<>();
    Probe probe = new Probe();
    long end = probe.start + (long) (seconds * 1e9);
    do {
      CountDownLatch done = new CountDownLatch(batch);
      for (int i = 0; i < batch; i++) {
        long start = System.nanoTime();
        client.start(uri, (error, status, length) -> {
          count(problem(error, status, length), System.nanoTime() - start, recorder, completed, errors,
              firstError);
          done.countDown();
        });
      }
      if (!done.await(120, TimeUnit.SECONDS)) {
        throw new IllegalStateException(client.name + ": a batch did not complete within 120 s");
      }
    } while (System.nanoTime() - end < 0);
    return probe.stop(client.name, completed.get(), errors.get(), firstError.get(), recorder);
  }

  static @Nullable String problem(@Nullable Throwable error, int status, int length) {
    if (error != null) {
      return error.toString();
    }
    if (status != 200 || length != Nginx.SMALL_SIZE) {
      return "status " + status + ", " + length + " bytes";
    }
    return null;
  }

  private static void count(@Nullable String problem, long nanos, Recorder recorder, AtomicLong completed,
      AtomicLong errors, AtomicReference<String> firstError) {
    if (problem == null) {
      recorder.recordValue(Math.max(1, nanos / 1000));
      completed.incrementAndGet();
    } else {
      errors.incrementAndGet();
      firstError.compareAndSet(null, problem);
    }
  }

  /** One request slot of the closed loop: each completion within the window starts the next. */
  private static final class Loop implements Client.Done {
    private final Client client;
    private final URI uri;
    private final long end;
    private final Recorder recorder;
    private final AtomicLong completed;
    private final AtomicLong errors;
    private final AtomicReference<String> firstError;
    private final CountDownLatch stopped;
    private long start;

    Loop(Client client, URI uri, long end, Recorder recorder, AtomicLong completed, AtomicLong errors,
        AtomicReference<String> firstError, CountDownLatch stopped) {
      this.client = client;
      this.uri = uri;
      this.end = end;
      this.recorder = recorder;
      this.completed = completed;
      this.errors = errors;
      this.firstError = firstError;
      this.stopped = stopped;
    }

    void next() {
      start = System.nanoTime();
      try {
        client.start(uri, this);
      } catch (RuntimeException e) {
        done(e, 0, 0);
      }
    }

    @Override
    public void done(@Nullable Throwable error, int status, int length) {
      long now = System.nanoTime();
      if (now - end < 0) {
        count(problem(error, status, length), now - start, recorder, completed, errors, firstError);
        next();
      } else {
        stopped.countDown();
      }
    }
  }

  /** CPU and wall-clock readings at the start of a window. */
  private final class Probe {
    final long start = System.nanoTime();
    final long jvmCpu = OS.getProcessCpuTime();
    final long nginxCpu = nginx.cpuNanos();
    final long busy = systemBusyNanos();

    Window stop(String client, long requests, long errors, @Nullable String firstError, Recorder recorder) {
      long elapsed = System.nanoTime() - start;
      long jvm = OS.getProcessCpuTime() - jvmCpu;
      long server = nginx.cpuNanos() - nginxCpu;
      long busyNow = systemBusyNanos();
      double others = busy < 0 || busyNow < 0 ? 0 : Math.max(0, (double) (busyNow - busy - jvm - server) / elapsed);
      return new Window(client, requests, errors, firstError, elapsed / 1e9, recorder.getIntervalHistogram(),
          jvm, others, (double) server / elapsed);
    }
  }

  /** CPU time all processors spent busy (not idle, not waiting for I/O), from {@code /proc/stat}. */
  static long systemBusyNanos() {
    try {
      String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
      long busy = 0;
      for (int i = 1; i < f.length && i <= 8; i++) {
        if (i != 4 && i != 5) {
          busy += Long.parseLong(f[i]);
        }
      }
      return busy * 10_000_000L; // USER_HZ = 100
    } catch (Exception e) {
      return -1;
    }
  }
}
