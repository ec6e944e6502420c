package dev.urlsession.benchmarks;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;

/**
 * CPU time and context switches per operation, by thread group:
 * {@code -prof dev.urlsession.benchmarks.CpuProfiler}.
 *
 * <p>On a small shared machine wall-clock throughput moves with whatever else runs; CPU
 * nanoseconds per request say which threads spend the time, and {@code cpu.others} says whether
 * an iteration competed with other processes. Results (all per JMH operation, i.e. per request in
 * {@link SmallGetBenchmark}):
 *
 * <ul>
 *   <li>{@code cpu.process.norm}: CPU time of the whole JVM (all threads, GC and JIT included);
 *   <li>{@code cpu.<group>.norm}: CPU time of the Java threads of one group, named after the
 *       thread name without its trailing number (e.g. {@code urlsession-io},
 *       {@code urlsession-delegate}, {@code urlsession-timer}, {@code httpclient-dispatch},
 *       {@code server-dispatch}, {@code jmh-worker}); {@code vm} is the rest of the process (GC,
 *       JIT compiler, other non-Java threads, and this profiler's own poller);
 *   <li>{@code cpu.client.norm}: the process minus the loopback server's threads;
 *   <li>{@code cpu.others}: CPUs (cores) kept busy meanwhile by everything on the machine
 *       outside this JVM, from {@code /proc/stat}: above zero, the iteration competed for the
 *       cores and its throughput is not representative;
 *   <li>{@code ctxsw.norm}: voluntary plus involuntary context switches of all the JVM's threads
 *       (from {@code /proc/self/task/<tid>/status}).
 * </ul>
 *
 * <p>Linux only for {@code cpu.others} and {@code ctxsw.norm} (left out elsewhere).
 */
public final class CpuProfiler implements InternalProfiler {
  private static final long POLL_MILLIS = 20;
  private static final int SWITCH_POLL_EVERY = 10; // context switches every 200 ms
  /** Linux's USER_HZ: /proc/stat counts in 1/100 s on every mainstream kernel. */
  private static final long USER_HZ = 100;
  private static final Path TASKS = Paths.get("/proc/self/task");

  private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
  private final com.sun.management.OperatingSystemMXBean os =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

  /*
   * Last values seen of every thread, kept up to date by a poller: JMH runs the trial's @TearDown
   * (which ends the client's and the server's threads) before the last iteration's
   * afterIteration, so a thread may be gone by the time the iteration is accounted.
   */
  private final Map<Long, Long> lastCpu = new ConcurrentHashMap<>();
  private final Map<Long, String> names = new ConcurrentHashMap<>();
  private final Map<String, Long> lastSwitches = new ConcurrentHashMap<>();
  private volatile Thread poller;

  private Map<Long, Long> cpu0 = Map.of();
  private Map<String, Long> switches0 = Map.of();
  private long processCpu0;
  private long systemBusy0;
  private long wall0;

  public CpuProfiler() {
    if (threads.isThreadCpuTimeSupported() && !threads.isThreadCpuTimeEnabled()) {
      threads.setThreadCpuTimeEnabled(true);
    }
  }

  @Override
  public String getDescription() {
    return "CPU time per operation by thread group, other processes' CPU, context switches";
  }

  @Override
  public void beforeIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams) {
    startPoller();
    cpu0 = new HashMap<>(pollCpu());
    switches0 = new HashMap<>(pollSwitches());
    systemBusy0 = systemBusyNanos();
    processCpu0 = os.getProcessCpuTime();
    wall0 = System.nanoTime();
  }

  @Override
  public Collection<? extends Result> afterIteration(
      BenchmarkParams benchmarkParams, IterationParams iterationParams, IterationResult result) {
    long wall = System.nanoTime() - wall0;
    long processCpu = os.getProcessCpuTime() - processCpu0;
    long systemBusy = systemBusyNanos() - systemBusy0;
    Map<Long, Long> cpu1 = new HashMap<>(pollCpu());
    cpu1.putAll(lastCpu); // includes threads that ended during the iteration
    Map<String, Long> switches1 = new HashMap<>(pollSwitches());
    switches1.putAll(lastSwitches);
    long ops = Math.max(1, result.getMetadata().getAllOps());

    Map<String, Long> byGroup = new TreeMap<>();
    long javaThreads = 0;
    for (Map.Entry<Long, Long> e : cpu1.entrySet()) {
      long delta = e.getValue() - cpu0.getOrDefault(e.getKey(), 0L);
      String name = names.get(e.getKey());
      if (delta <= 0 || name == null || name.equals("cpu-profiler-poller")) {
        continue;
      }
      javaThreads += delta;
      byGroup.merge(group(name), delta, Long::sum);
    }
    byGroup.put("vm", Math.max(0, processCpu - javaThreads));

    List<Result> out = new ArrayList<>();
    out.add(norm("cpu.process.norm", processCpu, ops, "ns/op"));
    long server = byGroup.getOrDefault("server-dispatch", 0L)
        + byGroup.getOrDefault("server-listener", 0L);
    out.add(norm("cpu.client.norm", processCpu - server, ops, "ns/op"));
    for (Map.Entry<String, Long> e : byGroup.entrySet()) {
      out.add(norm("cpu." + e.getKey() + ".norm", e.getValue(), ops, "ns/op"));
    }
    if (systemBusy0 >= 0 && systemBusy >= 0 && wall > 0) {
      out.add(new ScalarResult("cpu.others",
          Math.max(0, (double) (systemBusy - processCpu) / wall), "cores", AggregationPolicy.AVG));
    }
    if (!switches1.isEmpty()) {
      long switches = 0;
      for (Map.Entry<String, Long> e : switches1.entrySet()) {
        switches += Math.max(0, e.getValue() - switches0.getOrDefault(e.getKey(), 0L));
      }
      out.add(norm("ctxsw.norm", switches, ops, "#/op"));
    }
    return out;
  }

  private static ScalarResult norm(String label, long total, long ops, String unit) {
    return new ScalarResult(label, (double) total / ops, unit, AggregationPolicy.AVG);
  }

  /** Thread name without its trailing number; JMH workers as one group. */
  static String group(String name) {
    if (name.contains("jmh-worker")) {
      return "jmh-worker";
    }
    String g = name.replaceAll("[-_ ]?\\d+$", "");
    return g.isEmpty() ? "unnamed" : g.replace(' ', '_');
  }

  private void startPoller() {
    if (poller != null) {
      return;
    }
    Thread t = new Thread(() -> {
      for (long n = 0; ; n++) {
        pollCpu();
        if (n % SWITCH_POLL_EVERY == 0) {
          pollSwitches();
        }
        try {
          Thread.sleep(POLL_MILLIS);
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "cpu-profiler-poller");
    t.setDaemon(true);
    t.start();
    poller = t;
  }

  /** CPU time of every live Java thread now; also updates {@link #lastCpu} and names. */
  private synchronized Map<Long, Long> pollCpu() {
    Map<Long, Long> m = new HashMap<>();
    for (long id : threads.getAllThreadIds()) {
      long t = threads.getThreadCpuTime(id);
      if (t < 0) {
        continue;
      }
      if (!names.containsKey(id)) {
        ThreadInfo info = threads.getThreadInfo(id);
        if (info == null) {
          continue;
        }
        names.put(id, info.getThreadName());
      }
      m.put(id, t);
      lastCpu.put(id, t);
    }
    return m;
  }

  /** Context switches of every live thread (by tid) now; also updates {@link #lastSwitches}. */
  private synchronized Map<String, Long> pollSwitches() {
    Map<String, Long> m = new HashMap<>();
    if (!Files.isDirectory(TASKS)) {
      return m;
    }
    try (DirectoryStream<Path> dir = Files.newDirectoryStream(TASKS)) {
      for (Path task : dir) {
        long sum = 0;
        try {
          for (String line : Files.readAllLines(task.resolve("status"))) {
            if (line.startsWith("voluntary_ctxt_switches:")
                || line.startsWith("nonvoluntary_ctxt_switches:")) {
              sum += Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
            }
          }
        } catch (IOException | NumberFormatException e) {
          continue; // the thread ended meanwhile
        }
        String tid = task.getFileName().toString();
        m.put(tid, sum);
        lastSwitches.put(tid, sum);
      }
    } catch (IOException e) {
      // no /proc: no context switches
    }
    return m;
  }

  /** Busy time of all the machine's CPUs from /proc/stat (ns); -1 where not available. */
  static long systemBusyNanos() {
    try {
      String[] f = Files.readAllLines(Paths.get("/proc/stat")).get(0).trim().split("\\s+");
      // cpu user nice system idle iowait irq softirq steal ...
      long busy = 0;
      for (int i = 1; i < f.length && i <= 8; i++) {
        if (i != 4 && i != 5) {
          busy += Long.parseLong(f[i]);
        }
      }
      return busy * (1_000_000_000L / USER_HZ);
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }
}
