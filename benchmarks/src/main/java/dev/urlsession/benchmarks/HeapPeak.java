package dev.urlsession.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The most heap in use (garbage included) while something runs, sampled every 10 ms by a daemon
 * thread: {@code try (HeapPeak p = HeapPeak.start()) { ...; bytes = p.stop(); }}.
 */
public final class HeapPeak implements AutoCloseable {
  private final AtomicLong peak = new AtomicLong();
  private final Thread sampler;

  private HeapPeak() {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    sampler = new Thread(() -> {
      while (!Thread.currentThread().isInterrupted()) {
        peak.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
        try {
          Thread.sleep(10);
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "heap-peak");
    sampler.setDaemon(true);
  }

  /** Starts sampling. */
  public static HeapPeak start() {
    HeapPeak p = new HeapPeak();
    p.sampler.start();
    return p;
  }

  /** Stops sampling; the peak in bytes. */
  public long stop() throws InterruptedException {
    sampler.interrupt();
    sampler.join();
    return peak.get();
  }

  @Override
  public void close() throws InterruptedException {
    stop();
  }
}
