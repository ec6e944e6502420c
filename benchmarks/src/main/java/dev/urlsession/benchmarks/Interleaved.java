package dev.urlsession.benchmarks;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Raw HttpClient 5 and {@link dev.urlsession.Session} in <em>one</em> JVM, against one
 * {@link LoopbackServer}, measured in short alternating windows: the load driver behind the
 * figures of {@code benchmarks/README.md} that compare the two.
 *
 * <p>On a shared VM the host's speed drifts over minutes, so two JMH forks run minutes apart
 * differ by up to 25 % whatever they measure. Here both clients are built and warmed up in the same
 * JVM (SmallGetBenchmark's own client and server states, so the configuration is the same), then
 * measured in rounds of two windows of a few seconds each, raw and Session back to back, the order
 * alternating from round to round. Each round's ratio compares two windows seconds apart; the
 * median of the rounds' ratios is the figure.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.urlsession.benchmarks.Interleaved \
 *     [--concurrency 1|64] [--rounds 30] [--window 2] [--warmup 30] [--variant default] \
 *     [--max-others 0.25]
 * </pre>
 *
 * <p>Per window: requests per second, client CPU per request (the JVM's CPU time minus the
 * server's threads) and {@code others}, the cores kept busy outside this JVM meanwhile (other
 * processes, and the hypervisor's steal time; from {@code /proc/stat}). A round either of whose
 * windows had {@code others} above {@code --max-others} is printed but left out of the medians.
 * Run it with {@code -Xms1g -Xmx1g}, as the JMH benchmark is.
 */
public final class Interleaved {
  private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
  private final com.sun.management.OperatingSystemMXBean os =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

  /** One operation of a client: one request (concurrency 1) or one batch of 64. */
  private interface Op {
    void run() throws Exception;
  }

  /** What one window measured. */
  private record Window(long requests, double rate, double cpuMicros, double others) {}

  public static void main(String[] args) throws Exception {
    int concurrency = 64;
    int rounds = 30;
    double window = 2;
    double warmup = 30;
    double maxOthers = 0.25;
    String variant = "default";
    for (int i = 0; i < args.length; i++) {
      String value = i + 1 < args.length ? args[i + 1] : null;
      switch (args[i]) {
        case "--concurrency" -> concurrency = Integer.parseInt(value);
        case "--rounds" -> rounds = Integer.parseInt(value);
        case "--window" -> window = Double.parseDouble(value);
        case "--warmup" -> warmup = Double.parseDouble(value);
        case "--max-others" -> maxOthers = Double.parseDouble(value);
        case "--variant" -> variant = value;
        default -> throw new IllegalArgumentException("unknown option " + args[i]
            + "; options: --concurrency 1|64, --rounds N, --window SECONDS, --warmup SECONDS,"
            + " --variant NAME, --max-others CORES");
      }
      i++;
    }
    if (concurrency != 1 && concurrency != SmallGetBenchmark.BATCH) {
      throw new IllegalArgumentException("--concurrency must be 1 or " + SmallGetBenchmark.BATCH);
    }
    new Interleaved().run(concurrency, rounds, window, warmup, maxOthers, variant, System.out);
  }

  private void run(int concurrency, int rounds, double windowSeconds, double warmupSeconds,
      double maxOthers, String variant, PrintStream out) throws Exception {
    if (threads.isThreadCpuTimeSupported() && !threads.isThreadCpuTimeEnabled()) {
      threads.setThreadCpuTimeEnabled(true);
    }
    SmallGetBenchmark.Server server = new SmallGetBenchmark.Server();
    server.start();
    SmallGetBenchmark.RawClient raw = new SmallGetBenchmark.RawClient();
    SmallGetBenchmark.SessionClient session = new SmallGetBenchmark.SessionClient();
    session.variant = variant;
    try {
      raw.start(server);
      session.start(server);
      boolean batch = concurrency > 1;
      Op rawOp = batch
          ? () -> SmallGetBenchmark.batch(raw::get, r -> SmallGetBenchmark.check(r).length)
          : () -> SmallGetBenchmark.check(raw.get().get(10, TimeUnit.SECONDS));
      Op sessionOp = batch
          ? () -> SmallGetBenchmark.batch(session::get, r -> SmallGetBenchmark.check(r).length)
          : () -> SmallGetBenchmark.check(session.get().get(10, TimeUnit.SECONDS));
      int perOp = batch ? SmallGetBenchmark.BATCH : 1;
      long windowNanos = (long) (windowSeconds * 1e9);

      out.printf(Locale.ROOT, "concurrency %d, variant %s, %d rounds of 2 x %.1f s, warm-up %.0f s%n",
          concurrency, variant, rounds, windowSeconds, warmupSeconds);
      // Requests made by each client, warm-up included: to put a profile of the whole run per request.
      long rawRequests = 0;
      long sessionRequests = 0;
      long warmEnd = System.nanoTime() + (long) (warmupSeconds * 1e9);
      while (System.nanoTime() - warmEnd < 0) {
        rawRequests += measure(rawOp, perOp, windowNanos).requests();
        sessionRequests += measure(sessionOp, perOp, windowNanos).requests();
      }

      out.println("round  first    raw req/s  session req/s  ratio  raw cpu us  session cpu us  cpu ratio  others");
      List<Double> ratios = new ArrayList<>();
      List<Double> cpuRatios = new ArrayList<>();
      List<Double> rawCpu = new ArrayList<>();
      List<Double> sessionCpu = new ArrayList<>();
      for (int round = 1; round <= rounds; round++) {
        boolean rawFirst = round % 2 == 1;
        Window first = measure(rawFirst ? rawOp : sessionOp, perOp, windowNanos);
        Window second = measure(rawFirst ? sessionOp : rawOp, perOp, windowNanos);
        Window r = rawFirst ? first : second;
        Window s = rawFirst ? second : first;
        rawRequests += r.requests();
        sessionRequests += s.requests();
        double others = Math.max(r.others(), s.others());
        boolean kept = others <= maxOthers;
        out.printf(Locale.ROOT, "%5d  %-7s  %9.0f  %13.0f  %5.3f  %10.1f  %14.1f  %9.3f  %6.2f%s%n",
            round, rawFirst ? "raw" : "session", r.rate(), s.rate(), s.rate() / r.rate(),
            r.cpuMicros(), s.cpuMicros(), r.cpuMicros() / s.cpuMicros(), others,
            kept ? "" : "  (left out)");
        if (kept) {
          ratios.add(s.rate() / r.rate());
          cpuRatios.add(r.cpuMicros() / s.cpuMicros());
          rawCpu.add(r.cpuMicros());
          sessionCpu.add(s.cpuMicros());
        }
      }
      out.printf(Locale.ROOT, "rounds kept: %d of %d (others <= %.2f cores); requests made,"
          + " warm-up included: raw %d, Session %d%n",
          ratios.size(), rounds, maxOthers, rawRequests, sessionRequests);
      if (!ratios.isEmpty()) {
        out.printf(Locale.ROOT, "Session / raw throughput: median %.3f, quartiles %.3f-%.3f, range %.3f-%.3f%n",
            median(ratios), quantile(ratios, 0.25), quantile(ratios, 0.75),
            Collections.min(ratios), Collections.max(ratios));
        out.printf(Locale.ROOT, "client CPU per request: raw %.1f us, Session %.1f us (medians);"
            + " raw / Session median %.3f%n", median(rawCpu), median(sessionCpu), median(cpuRatios));
      }
    } finally {
      session.stop();
      raw.stop();
      server.stop();
    }
  }

  /** Runs {@code op} for one window and measures it. */
  private Window measure(Op op, int perOp, long windowNanos) throws Exception {
    long serverCpu0 = serverCpu();
    long processCpu0 = os.getProcessCpuTime();
    long busy0 = CpuProfiler.systemBusyNanos();
    long start = System.nanoTime();
    long ops = 0;
    long elapsed;
    do {
      op.run();
      ops++;
      elapsed = System.nanoTime() - start;
    } while (elapsed < windowNanos);
    long busy = CpuProfiler.systemBusyNanos() - busy0;
    long processCpu = os.getProcessCpuTime() - processCpu0;
    long clientCpu = processCpu - (serverCpu() - serverCpu0);
    long requests = ops * perOp;
    double others = busy0 < 0 ? 0 : Math.max(0, (double) (busy - processCpu) / elapsed);
    return new Window(requests, requests * 1e9 / elapsed, clientCpu / 1e3 / requests, others);
  }

  /** CPU time so far of the loopback server's threads ({@code server-*}). */
  private long serverCpu() {
    long sum = 0;
    for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
      if (info != null && info.getThreadName().startsWith("server-")) {
        long t = threads.getThreadCpuTime(info.getThreadId());
        if (t > 0) {
          sum += t;
        }
      }
    }
    return sum;
  }

  private static double median(List<Double> values) {
    return quantile(values, 0.5);
  }

  private static double quantile(List<Double> values, double q) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    double pos = q * (sorted.size() - 1);
    int lo = (int) Math.floor(pos);
    int hi = (int) Math.ceil(pos);
    return sorted.get(lo) + (sorted.get(hi) - sorted.get(lo)) * (pos - lo);
  }
}
