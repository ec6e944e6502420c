package dev.urlsession.benchmarks.suite;

import java.io.PrintStream;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * Clients side by side in one JVM against one nginx: each is warmed up, then measured in rounds
 * of one window per client, the order rotating from round to round so that every client takes
 * every place. A round's figures are ratios between windows seconds apart; the medians of the
 * rounds are the results. A round in which other processes kept more than {@code maxOthers}
 * cores busy is printed but left out.
 */
final class Comparison {
  /** How a window drives a client: a closed loop, or batches started at once. */
  enum Mode { CLOSED_LOOP, BATCHES }

  /** The figures of one client over the kept rounds. */
  record Result(String client, double rate, double ratioToReference, double ratioToOkHttp, double p50Micros,
      double p99Micros, double cpuMicros, int roundsKept, int rounds, long errors, String firstError) {}

  private final LoadDriver driver;
  private final PrintStream log;

  Comparison(LoadDriver driver, PrintStream log) {
    this.driver = driver;
    this.log = log;
  }

  /** Runs the comparison; {@code clients.get(0)} is the reference of the ratios. */
  List<Result> run(String title, List<Client> clients, URI uri, Mode mode, int concurrency, int rounds,
      double window, double warmup, double maxOthers) throws Exception {
    log.printf(Locale.ROOT, "%n== %s: %d rounds of %.1f s per client, warm-up %.0f s per client%n",
        title, rounds, window, warmup);
    // Warm-up: short windows per client, interleaved, so that the JIT sees all of them together.
    int warmWindows = Math.max(1, (int) Math.round(warmup / Math.max(window, 1)));
    for (int i = 0; i < warmWindows; i++) {
      for (Client c : clients) {
        measure(c, uri, mode, concurrency, warmup / warmWindows);
      }
    }
    int n = clients.size();
    Map<String, List<Double>> rates = new LinkedHashMap<>();
    Map<String, List<Double>> ratios = new LinkedHashMap<>();
    Map<String, List<Double>> okRatios = new LinkedHashMap<>();
    Map<String, List<Double>> cpu = new LinkedHashMap<>();
    Map<String, Histogram> latency = new LinkedHashMap<>();
    Map<String, Long> errors = new LinkedHashMap<>();
    Map<String, String> firstErrors = new LinkedHashMap<>();
    for (Client c : clients) {
      rates.put(c.name, new ArrayList<>());
      ratios.put(c.name, new ArrayList<>());
      okRatios.put(c.name, new ArrayList<>());
      cpu.put(c.name, new ArrayList<>());
      latency.put(c.name, new Histogram(3));
      errors.put(c.name, 0L);
    }
    String okName = clients.stream().map(c -> c.name).filter(s -> s.startsWith("OkHttp")).findFirst().orElse(null);
    int kept = 0;
    for (int round = 0; round < rounds; round++) {
      Map<String, LoadDriver.Window> windows = new LinkedHashMap<>();
      double others = 0;
      for (int i = 0; i < n; i++) {
        Client c = clients.get((round + i) % n);
        LoadDriver.Window w = measure(c, uri, mode, concurrency, window);
        windows.put(c.name, w);
        others = Math.max(others, w.others());
      }
      boolean keep = others <= maxOthers;
      StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "round %2d  others %.2f%s:", round + 1,
          others, keep ? "" : " (left out)"));
      double reference = windows.get(clients.get(0).name).rate();
      for (Client c : clients) {
        LoadDriver.Window w = windows.get(c.name);
        line.append(String.format(Locale.ROOT, "  %s %.0f/s %.0fus p99 %dus nginx %.2f", c.name, w.rate(),
            w.cpuMicrosPerRequest(), w.latencyMicros().getValueAtPercentile(99), w.serverCores()));
        errors.merge(c.name, w.errors(), Long::sum);
        if (w.firstError() != null) {
          firstErrors.putIfAbsent(c.name, w.firstError());
        }
        if (keep) {
          rates.get(c.name).add(w.rate());
          ratios.get(c.name).add(w.rate() / reference);
          if (okName != null) {
            okRatios.get(c.name).add(w.rate() / windows.get(okName).rate());
          }
          cpu.get(c.name).add(w.cpuMicrosPerRequest());
          latency.get(c.name).add(w.latencyMicros());
        }
      }
      log.println(line);
      if (keep) {
        kept++;
      }
    }
    List<Result> results = new ArrayList<>();
    for (Client c : clients) {
      Histogram h = latency.get(c.name);
      results.add(new Result(c.name, median(rates.get(c.name)), median(ratios.get(c.name)),
          median(okRatios.get(c.name)), h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(50),
          h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(99), median(cpu.get(c.name)), kept, rounds,
          errors.get(c.name), firstErrors.getOrDefault(c.name, "")));
    }
    for (Result r : results) {
      log.printf(Locale.ROOT, "%-32s %9.0f req/s  x%.3f raw  x%.3f OkHttp  p50 %.0f us  p99 %.0f us  cpu %.1f us/req"
          + "  (%d of %d rounds, %d errors %s)%n", r.client(), r.rate(), r.ratioToReference(), r.ratioToOkHttp(),
          r.p50Micros(), r.p99Micros(), r.cpuMicros(), r.roundsKept(), r.rounds(), r.errors(), r.firstError());
    }
    return results;
  }

  private LoadDriver.Window measure(Client c, URI uri, Mode mode, int concurrency, double seconds) throws Exception {
    return mode == Mode.CLOSED_LOOP
        ? driver.closedLoop(c, uri, concurrency, seconds)
        : driver.batches(c, uri, concurrency, seconds);
  }

  static double median(List<Double> values) {
    if (values.isEmpty()) {
      return Double.NaN;
    }
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }
}
