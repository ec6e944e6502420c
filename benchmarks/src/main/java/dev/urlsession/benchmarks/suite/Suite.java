package dev.urlsession.benchmarks.suite;

import dev.urlsession.HttpVersionPolicy;
import dev.urlsession.SessionConfiguration;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import okhttp3.tls.HandshakeCertificates;

/**
 * The benchmark suite of issue 17, against Debian's nginx on loopback in a process of its own:
 * small GETs side by side (raw HttpClient 5 async, OkHttp 5, the JDK client, a default and an
 * ephemeral session, {@code RestClient} on a session) at 1, 16 and 256 in flight; 1,000 requests
 * at once over HTTP/2 with TLS on one connection; a 1 GiB body counted or written to a file; the
 * heap a queued request keeps; Spring Boot's start-up with and without the auto-configuration.
 * Writes {@code results.md} and PNG charts into the output directory. See benchmarks/README.md.
 *
 * <pre>
 * ./mvnw -B -pl benchmarks -am package -DskipTests -Psuite [-Dsuite.args="--out DIR --parts small,h2"]
 * </pre>
 */
public final class Suite {
  private final Path out;
  private final PrintStream log = System.out;
  private final List<String> markdown = new ArrayList<>();
  private int rounds = 10;
  private double window = 2;
  private double warmup = 20;
  private double maxOthers = 0.25;
  private int h2Rounds = 10;
  private int largeRounds = 3;
  private int queued = 10_000;
  private int startupPairs = 10;
  private Set<String> parts = new LinkedHashSet<>(List.of("small", "h2", "large", "queued", "startup"));
  private final List<Integer> concurrencies = new ArrayList<>(List.of(1, 16, 256));
  /** Which clients the small-GET and HTTP/2 comparisons run (raw HttpClient 5 always: the reference). */
  private Set<String> clientKeys = new LinkedHashSet<>(List.of("okhttp", "jdk", "default", "ephemeral", "restclient"));

  private Suite(Path out) {
    this.out = out;
  }

  public static void main(String[] args) throws Exception {
    System.setProperty("java.awt.headless", "true");
    Path out = Path.of("benchmarks/target/suite");
    Map<String, String> options = new LinkedHashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      options.put(args[i], args[i + 1]);
    }
    if (options.containsKey("--out")) {
      out = Path.of(options.get("--out"));
    }
    Suite s = new Suite(out.toAbsolutePath());
    for (Map.Entry<String, String> o : options.entrySet()) {
      String v = o.getValue();
      switch (o.getKey()) {
        case "--out" -> { }
        case "--rounds" -> s.rounds = Integer.parseInt(v);
        case "--window" -> s.window = Double.parseDouble(v);
        case "--warmup" -> s.warmup = Double.parseDouble(v);
        case "--max-others" -> s.maxOthers = Double.parseDouble(v);
        case "--h2-rounds" -> s.h2Rounds = Integer.parseInt(v);
        case "--large-rounds" -> s.largeRounds = Integer.parseInt(v);
        case "--queued" -> s.queued = Integer.parseInt(v);
        case "--startup-pairs" -> s.startupPairs = Integer.parseInt(v);
        case "--parts" -> s.parts = new LinkedHashSet<>(List.of(v.split(",")));
        case "--clients" -> s.clientKeys = new LinkedHashSet<>(List.of(v.split(",")));
        case "--concurrency" -> {
          s.concurrencies.clear();
          for (String c : v.split(",")) {
            s.concurrencies.add(Integer.parseInt(c));
          }
        }
        default -> throw new IllegalArgumentException("unknown option " + o.getKey() + "; options: --out DIR,"
            + " --parts small,h2,large,queued,startup, --clients okhttp,jdk,default,ephemeral,restclient, --rounds N, --window S, --warmup S, --max-others CORES,"
            + " --concurrency 1,16,256, --h2-rounds N, --large-rounds N, --queued N, --startup-pairs N");
      }
    }
    s.run(String.join(" ", args));
  }

  private void run(String args) throws Exception {
    Files.createDirectories(out);
    markdown.add("# urlsession benchmark suite");
    markdown.add("");
    markdown.add("Run " + ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME) + " with `" + args
        + "`; " + machine() + ".");
    boolean server = parts.contains("small") || parts.contains("h2") || parts.contains("large");
    try (Nginx nginx = server ? Nginx.start(out.resolve("nginx"), parts.contains("large")) : null) {
      if (nginx == null) {
        markdown.add("");
      } else {
        markdown.add("Server: " + command("nginx", "-v").trim() + " (one worker process), loopback, keep-alive.");
      }
      HandshakeCertificates tls = nginx == null ? null : new HandshakeCertificates.Builder()
          .addTrustedCertificate(nginx.certificate.certificate()).build();
      if (parts.contains("small")) {
        smallGets(nginx);
      }
      if (parts.contains("h2")) {
        http2(nginx, tls);
      }
      if (parts.contains("large")) {
        largeBodies(nginx);
      }
    }
    if (parts.contains("queued")) {
      queuedTasks();
    }
    if (parts.contains("startup")) {
      startup();
    }
    Files.write(out.resolve("results.md"), markdown, StandardCharsets.UTF_8);
    log.println("\nwrote " + out.resolve("results.md"));
  }

  // --- small GETs ---

  private void smallGets(Nginx nginx) throws Exception {
    int max = concurrencies.stream().mapToInt(Integer::intValue).max().orElse(256);
    Path storage = out.resolve("storage");
    List<Client> clients = new ArrayList<>();
    clients.add(Client.rawHttpClient(max));
    if (clientKeys.contains("okhttp")) {
      clients.add(Client.okHttp(max, null));
    }
    if (clientKeys.contains("jdk")) {
      clients.add(Client.jdk(HttpClient.Version.HTTP_1_1, null));
    }
    if (clientKeys.contains("default")) {
      clients.add(Client.session("Session (default configuration)", SessionConfiguration.defaultConfiguration()
          .toBuilder().storageDirectory(storage.resolve("default")).httpMaximumConnectionsPerHost(max).build()));
    }
    if (clientKeys.contains("ephemeral")) {
      clients.add(Client.session("Session (ephemeral)", SessionConfiguration.ephemeral().toBuilder()
          .httpMaximumConnectionsPerHost(max).build()));
    }
    if (clientKeys.contains("restclient")) {
      clients.add(Client.restClient(SessionConfiguration.defaultConfiguration().toBuilder()
          .storageDirectory(storage.resolve("restclient")).httpMaximumConnectionsPerHost(max).build()));
    }
    Map<Integer, List<Comparison.Result>> results = new LinkedHashMap<>();
    try {
      Comparison comparison = new Comparison(new LoadDriver(nginx), log);
      for (int c : concurrencies) {
        results.put(c, comparison.run("small GETs, " + c + " in flight", clients, nginx.plain("/1k"),
            Comparison.Mode.CLOSED_LOOP, c, rounds, window, warmup, maxOthers));
      }
    } finally {
      for (Client c : clients) {
        c.close();
      }
    }
    markdown.add("");
    markdown.add("## Small GETs: 1 KiB over keep-alive HTTP/1.1");
    markdown.add("");
    markdown.add(String.format(Locale.ROOT, "Closed loops of 1, 16 and 256 requests in flight (each completion starts"
        + " the next on the thread it completed on; RestClient: that many threads), every client at most %d"
        + " connections. %d rounds of %.0f s per client after %.0f s of warm-up each, the order rotating; a"
        + " round counts when other processes kept at most %.2f cores busy. Ratios are medians of per-round"
        + " ratios; latencies pooled over the kept rounds; CPU is this JVM's (nginx runs apart) per request.",
        max, rounds, window, warmup, maxOthers));
    for (Map.Entry<Integer, List<Comparison.Result>> e : results.entrySet()) {
      markdown.add("");
      markdown.add("### " + e.getKey() + " in flight");
      table(e.getValue(), "raw HttpClient 5");
    }
    Report.barChart(out.resolve("small-gets-throughput.png"),
        "Small GETs: throughput / raw HttpClient 5's (median of per-round ratios; higher is better)", "ratio", results,
        (r, reference) -> r.ratioToReference());
    Report.barChart(out.resolve("small-gets-p99.png"),
        "Small GETs: p99 latency / raw HttpClient 5's (lower is better)", "ratio", results,
        (r, reference) -> r.p99Micros() / reference.p99Micros());
    markdown.add("");
    markdown.add("![throughput ratios](small-gets-throughput.png)");
    markdown.add("![p99 latency ratios](small-gets-p99.png)");
  }

  private void table(List<Comparison.Result> results, String reference) {
    markdown.add("");
    markdown.add("| client | req/s | / " + reference + " | / OkHttp | p50 µs | p99 µs | CPU µs/req | rounds kept | errors |");
    markdown.add("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (Comparison.Result r : results) {
      markdown.add(String.format(Locale.ROOT, "| %s | %.0f | %.3f | %.3f | %.0f | %.0f | %.1f | %d of %d | %d%s |",
          r.client(), r.rate(), r.ratioToReference(), r.ratioToOkHttp(), r.p50Micros(), r.p99Micros(),
          r.cpuMicros(), r.roundsKept(), r.rounds(), r.errors(), r.firstError().isEmpty() ? "" : " (" + r.firstError()
              .replace("|", "/") + ")"));
    }
  }

  // --- HTTP/2 ---

  private void http2(Nginx nginx, HandshakeCertificates tls) throws Exception {
    int batch = 1000;
    Path storage = out.resolve("storage");
    SessionConfiguration.Builder defaults = SessionConfiguration.defaultConfiguration().toBuilder()
        .storageDirectory(storage.resolve("h2-default"));
    List<Client> clients = new ArrayList<>();
    clients.add(Client.rawHttp2Client(tls.sslContext()));
    if (clientKeys.contains("okhttp")) {
      clients.add(Client.okHttp(batch, tls));
    }
    if (clientKeys.contains("jdk")) {
      clients.add(Client.jdk(HttpClient.Version.HTTP_2, tls.sslContext()));
    }
    if (clientKeys.contains("default")) {
      clients.add(Client.session("Session (default configuration)", defaults.httpMaximumConnectionsPerHost(1)
          .sslContext(tls.sslContext()).httpVersionPolicy(HttpVersionPolicy.NEGOTIATE).build()));
    }
    if (clientKeys.contains("ephemeral")) {
      clients.add(Client.session("Session (ephemeral)", SessionConfiguration.ephemeral().toBuilder()
          .httpMaximumConnectionsPerHost(1).sslContext(tls.sslContext()).build()));
    }
    URI uri = nginx.tls("/1k");
    List<String> connections = new ArrayList<>();
    List<Comparison.Result> results;
    try {
      LoadDriver driver = new LoadDriver(nginx);
      for (Client c : clients) {
        int before = Connections.established(nginx.tlsPort);
        driver.batches(c, uri, batch, 0);
        connections.add(c.name + ": " + (Connections.established(nginx.tlsPort) - before));
      }
      results = new Comparison(driver, log).run("HTTP/2 over TLS, " + batch + " at once", clients, uri,
          Comparison.Mode.BATCHES, batch, h2Rounds, window, warmup, maxOthers);
    } finally {
      for (Client c : clients) {
        c.close();
      }
    }
    markdown.add("");
    markdown.add("## HTTP/2 over TLS: 1,000 small GETs at once");
    markdown.add("");
    markdown.add(String.format(Locale.ROOT, "Batches of %d GETs of 1 KiB started together and awaited, for %.0f s"
        + " per client and round, %d rounds after %.0f s of warm-up; the sessions allow one connection per host"
        + " (nginx: at most 128 streams at once per connection, its default). Connections each client opened for"
        + " its first batch: %s. Latency: from a request's start to its completion.", batch, window, h2Rounds,
        warmup, String.join(", ", connections)));
    table(results, "raw HttpClient 5 (H2 client)");
  }

  // --- large bodies ---

  private void largeBodies(Nginx nginx) throws Exception {
    List<String> lines = child(List.of("-Xmx64m"), LargeBodies.class, nginx.plain("/1g.bin").toString(),
        out.resolve("large").toString(), Integer.toString(largeRounds));
    Map<String, List<Double>> rates = new LinkedHashMap<>();
    Map<String, Double> heap = new LinkedHashMap<>();
    for (String line : lines) {
      String[] f = line.split("\t");
      rates.computeIfAbsent(f[1], k -> new ArrayList<>()).add(Double.parseDouble(f[2]));
      heap.merge(f[1], Double.parseDouble(f[3]), Math::max);
    }
    markdown.add("");
    markdown.add("## 1 GiB over HTTP/1.1");
    markdown.add("");
    markdown.add("In a JVM of its own with `-Xmx64m`, " + largeRounds + " rounds alternating the clients; the"
        + " download files and curl's file in the same directory (same file system). Peak heap: the most heap in"
        + " use, sampled every 10 ms while that client ran (garbage included).");
    markdown.add("");
    markdown.add("| client | MiB/s (median) | rounds | peak heap used MiB |");
    markdown.add("|---|---:|---|---:|");
    for (Map.Entry<String, List<Double>> e : rates.entrySet()) {
      markdown.add(String.format(Locale.ROOT, "| %s | %.0f | %s | %.1f |", e.getKey(), Comparison.median(e.getValue()),
          e.getValue(), heap.get(e.getKey())));
    }
    double raw = Comparison.median(rates.getOrDefault("raw HttpClient 5 (counting consumer)", List.of()));
    double curlNull = Comparison.median(rates.getOrDefault("curl -o /dev/null", List.of()));
    double delegate = Comparison.median(rates.getOrDefault("Session data task, DataDelegate", List.of()));
    double curlFile = Comparison.median(rates.getOrDefault("curl -o file", List.of()));
    double download = Comparison.median(rates.getOrDefault("Session download task to file", List.of()));
    markdown.add("");
    markdown.add(String.format(Locale.ROOT, "DataDelegate / raw HttpClient 5: **%.2f**; DataDelegate / curl: %.2f;"
        + " download task / `curl -o` file: **%.2f**.", delegate / raw, delegate / curlNull, download / curlFile));
  }

  // --- queued tasks ---

  private void queuedTasks() throws Exception {
    markdown.add("");
    markdown.add("## Heap per queued request");
    markdown.add("");
    markdown.add("In a fresh JVM per client: " + queued + " GETs queued at once behind one connection whose first"
        + " request a loopback server accepts and never answers; the heap after a full GC before and after, divided"
        + " by the requests.");
    markdown.add("");
    markdown.add("| client | bytes retained per queued request |");
    markdown.add("|---|---:|");
    for (String kind : List.of("session-default", "session-ephemeral", "session-suspended", "raw", "okhttp")) {
      List<String> lines = child(List.of("-Xmx1g", "-XX:+UseG1GC"), QueuedTasks.class, kind, Integer.toString(queued),
          out.resolve("storage").resolve("queued").toString());
      for (String line : lines) {
        String[] f = line.split("\t");
        markdown.add(String.format(Locale.ROOT, "| %s | %s |", describe(f[1]), f[2]));
      }
    }
  }

  private static String describe(String kind) {
    return switch (kind) {
      case "session-default" -> "Session (default configuration), resumed data tasks";
      case "session-ephemeral" -> "Session (ephemeral), resumed data tasks";
      case "session-suspended" -> "Session (default configuration), data tasks not resumed";
      case "raw" -> "raw HttpClient 5, execute()";
      case "okhttp" -> "OkHttp 5, enqueue()";
      default -> kind;
    };
  }

  // --- start-up ---

  private void startup() throws Exception {
    List<Double> with = new ArrayList<>();
    List<Double> without = new ArrayList<>();
    List<Double> differences = new ArrayList<>();
    Path storage = out.resolve("storage").resolve("startup");
    for (int i = 0; i < startupPairs; i++) {
      boolean withFirst = i % 2 == 0;
      double first = startupOnce(withFirst, storage);
      double second = startupOnce(!withFirst, storage);
      double w = withFirst ? first : second;
      double wo = withFirst ? second : first;
      with.add(w);
      without.add(wo);
      differences.add(w - wo);
      log.printf(Locale.ROOT, "start-up pair %d: with %.0f ms, without %.0f ms%n", i + 1, w, wo);
    }
    markdown.add("");
    markdown.add("## Spring Boot start-up");
    markdown.add("");
    markdown.add("`StartupApp` (no web server; actuator on the class path; one session `main` of type default) in"
        + " fresh JVMs, " + startupPairs + " pairs, alternating which goes first; the time is the JVM's uptime when"
        + " the context is ready.");
    markdown.add("");
    markdown.add(String.format(Locale.ROOT, "| | median ms |%n|---|---:|%n| with the auto-configuration | %.0f |%n"
        + "| without (excluded) | %.0f |%n| **median of the differences** | **%.0f** |", Comparison.median(with),
        Comparison.median(without), Comparison.median(differences)));
    markdown.add("");
    markdown.add("Differences, in pair order: " + differences + " ms.");
  }

  private double startupOnce(boolean with, Path storage) throws Exception {
    for (String line : child(List.of(), StartupApp.class, with ? "with" : "without", storage.toString())) {
      return Double.parseDouble(line.split(" ")[0]);
    }
    throw new IllegalStateException("StartupApp printed no READY line");
  }

  // --- helpers ---

  /** Runs {@code main} in a JVM of its own on this class path; returns its RESULT or READY lines, tag removed. */
  private List<String> child(List<String> jvmOptions, Class<?> main, String... args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse("java"));
    command.addAll(jvmOptions);
    String extra = System.getProperty("suite.childOptions"); // e.g. a profiler agent, for diagnosis
    if (extra != null && !extra.isBlank()) {
      command.addAll(List.of(extra.trim().split("\\s+")));
    }
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(main.getName());
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    List<String> results = new ArrayList<>();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        log.println("  [" + main.getSimpleName() + "] " + line);
        if (line.startsWith("RESULT\t")) {
          results.add(line.substring("RESULT".length()));
        } else if (line.startsWith("READY ")) {
          results.add(line.substring("READY ".length()));
        }
      }
    }
    if (!p.waitFor(30, TimeUnit.MINUTES) || p.exitValue() != 0) {
      throw new IllegalStateException(main.getSimpleName() + " failed (exit " + p.exitValue() + ")");
    }
    return results;
  }

  private static String machine() {
    String cpu = "unknown CPU";
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (line.startsWith("model name")) {
          cpu = line.substring(line.indexOf(':') + 1).trim();
          break;
        }
      }
    } catch (Exception e) {
      // not Linux
    }
    return Runtime.getRuntime().availableProcessors() + " CPUs (" + cpu + "), " + System.getProperty("os.name") + " "
        + System.getProperty("os.version") + ", Java " + System.getProperty("java.vm.version") + ", heap "
        + Runtime.getRuntime().maxMemory() / (1 << 20) + " MiB";
  }

  private static String command(String... command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      String s = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      p.waitFor(10, TimeUnit.SECONDS);
      return s;
    } catch (Exception e) {
      return "?";
    }
  }
}
