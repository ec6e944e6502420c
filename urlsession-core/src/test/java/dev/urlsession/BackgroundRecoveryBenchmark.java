package dev.urlsession;

import dev.urlsession.background.BackgroundStore;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Measures background-session recovery (not a test; figures go to benchmarks/README.md):
 *
 * <ol>
 *   <li><b>kill -9 and restart</b> (embedded store): a child JVM runs {@code N} downloads from a
 *       throttled loopback server with the default checkpoint interval (2 s / 8 MiB) and is
 *       killed once every transfer has checkpointed and has run a few seconds; this JVM opens the
 *       same identifier. Prints the time from {@code Session.create} to the first resumed byte
 *       ({@code didResumeAtOffset}) and the bytes downloaded twice (served before the kill but
 *       not covered by a checkpoint), per transfer.
 *   <li><b>bytes served</b> (embedded store, default settings): 12 downloads of 32 MiB at 2 MB/s
 *       each, 4 at a time, (a) in child JVMs killed twice mid-transfer before this JVM finishes
 *       them, and (b) in this JVM through an origin that goes down for 10 s mid-transfer. Prints
 *       the bytes the server sent over the bytes of the files: what the crash or outage cost.
 *   <li><b>takeover</b> (clustered, embedded PostgreSQL): node A (a child JVM) and node B (this
 *       JVM) share an identifier; A is killed; prints the time from the kill to B's first resume
 *       of one of A's transfers, for takeover windows of 10 s and the default 60 s.
 * </ol>
 *
 * <p>Run: see benchmarks/README.md, "Background sessions: recovery".
 */
public final class BackgroundRecoveryBenchmark {
  private BackgroundRecoveryBenchmark() {}

  /** {@code [rounds]} runs everything; {@code served} only the bytes-served scenarios. */
  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("served")) {
      crashes();
      outage();
      return;
    }
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
    for (int i = 1; i <= rounds; i++) {
      restart(i);
    }
    crashes();
    outage();
    for (long window : new long[] {10_000, 60_000}) {
      takeover(window);
    }
  }

  static final int SERVED_COUNT = 12;
  static final int SERVED_SIZE = 32 * 1024 * 1024;

  /** Two kill -9 mid-transfer, then completion in this JVM: bytes served over bytes of the files. */
  static void crashes() throws Exception {
    Path storage = Files.createTempDirectory("bg-crashes");
    try (TransferServer server = new TransferServer(2_000_000)) {
      for (int kill = 0; kill < 2; kill++) {
        Process p = child(storage.resolve("child-" + kill + ".log"), kill == 0 ? "start-default" : "start-default-reattach",
            storage.toString(), "crashes", storage.resolve("events.txt").toString(), server.url("").toString(),
            String.valueOf(SERVED_COUNT), String.valueOf(SERVED_SIZE));
        Thread.sleep(10_000); // mid-transfer: 4 running, about 20 MB each
        p.destroyForcibly();
        p.waitFor(20, TimeUnit.SECONDS);
      }
      BackgroundRecorder rec = new BackgroundRecorder(null);
      Session s = Session.create(SessionConfiguration.backgroundBuilder("crashes").storageDirectory(storage).build(),
          rec, null);
      awaitCompletions(rec, SERVED_COUNT, 300);
      s.close();
      report("kill -9 twice", server, rec);
    }
  }

  /** The origin refuses connections for 10 s mid-transfer. */
  static void outage() throws Exception {
    Path storage = Files.createTempDirectory("bg-outage");
    try (TransferServer server = new TransferServer(2_000_000);
        OutageProxy origin = new OutageProxy(new java.net.InetSocketAddress("127.0.0.1",
            server.server.getAddress().getPort()))) {
      BackgroundRecorder rec = new BackgroundRecorder(null);
      Session s = Session.create(SessionConfiguration.backgroundBuilder("outage").storageDirectory(storage).build(),
          rec, null);
      for (int i = 0; i < SERVED_COUNT; i++) {
        s.downloadTask(origin.url("/file/" + i + "?size=" + SERVED_SIZE)).resume();
      }
      Thread.sleep(10_000);
      origin.down();
      Thread.sleep(10_000);
      origin.up();
      awaitCompletions(rec, SERVED_COUNT, 300);
      s.close();
      report("origin down 10 s", server, rec);
    }
  }

  static void awaitCompletions(BackgroundRecorder rec, int count, int seconds) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (rec.count("didComplete ") < count && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
  }

  static void report(String scenario, TransferServer server, BackgroundRecorder rec) {
    long files = (long) SERVED_COUNT * SERVED_SIZE;
    long ok = rec.events.stream().filter(e -> e.startsWith("didComplete ") && e.endsWith(" ok")).count();
    long whole = server.fullResponses.values().stream().mapToLong(java.util.concurrent.atomic.AtomicInteger::get).sum();
    long ranges = server.rangeResponses.values().stream().mapToLong(java.util.concurrent.atomic.AtomicInteger::get).sum();
    System.out.printf("%s: %d x %d MiB, completed ok=%d, served=%d bytes, served/files=%.4f, whole responses=%d,"
        + " range responses=%d%n", scenario, SERVED_COUNT, SERVED_SIZE >> 20, ok, server.bodyBytesSent.get(),
        server.bodyBytesSent.get() / (double) files, whole, ranges);
  }

  static Process child(Path log, String... args) throws Exception {
    String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new ArrayList<>(List.of(javaBin, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
        BackgroundChildMain.class.getName()));
    command.addAll(List.of(args));
    return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }

  static void restart(int round) throws Exception {
    int count = 20;
    int size = 16 * 1024 * 1024;
    Path storage = Files.createTempDirectory("bg-restart");
    try (TransferServer server = new TransferServer(1_000_000)) { // 1 MB/s per transfer
      Process p = child(storage.resolve("child.log"), "start-default", storage.toString(), "restart",
          storage.resolve("events.txt").toString(), server.url("").toString(), String.valueOf(count), String.valueOf(size));
      Path transfers = storage.resolve("background/restart/transfers");
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (BackgroundKillTests.filesNamed(transfers, ".checkpoint") < count && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      Thread.sleep(3000 + (round * 700L) % 2000); // kill at various points of the checkpoint interval
      p.destroyForcibly();
      p.waitFor(20, TimeUnit.SECONDS);
      long served = server.bodyBytesSent.get();
      long checkpointed = 0;
      for (int i = 1; i <= count; i++) {
        checkpointed += ResumeData.from(Files.readAllBytes(transfers.resolve(i + ".checkpoint"))).bytesReceived();
      }
      server.bytesPerSecond = 0;
      BackgroundRecorder rec = new BackgroundRecorder(null);
      long opened = System.nanoTime();
      Session s = Session.create(SessionConfiguration.backgroundBuilder("restart").storageDirectory(storage)
          .httpMaximumConnectionsPerHost(count)
          .backgroundStore(BackgroundStore.builder().maxConcurrentTransfers(count).build()).build(), rec, null);
      long created = System.nanoTime();
      while (rec.resumedAtNanos.isEmpty() && System.nanoTime() - opened < TimeUnit.SECONDS.toNanos(60)) {
        Thread.sleep(1);
      }
      long first = rec.resumedAtNanos.values().stream().mapToLong(Long::longValue).min().orElse(-1);
      while (rec.count("didComplete ") < count && System.nanoTime() - opened < TimeUnit.SECONDS.toNanos(120)) {
        Thread.sleep(20);
      }
      s.close();
      System.out.printf("restart round %d: transfers=%d served-before-kill=%d checkpointed=%d re-downloaded=%d bytes"
          + " (%.0f KiB per transfer, at 1 MB/s = %.2f s of transfer) create=%d ms create-to-first-resumed-byte=%d ms"
          + " completed=%d%n", round, count, served, checkpointed, served - checkpointed,
          (served - checkpointed) / 1024.0 / count, (served - checkpointed) / (double) count / 1_000_000,
          (created - opened) / 1_000_000, (first - opened) / 1_000_000, rec.count("didComplete "));
    }
  }

  static void takeover(long windowMillis) throws Exception {
    int count = 16;
    int size = 64 * 1024 * 1024;
    Path storage = Files.createTempDirectory("bg-takeover");
    try (TransferServer server = new TransferServer(1_000_000); EmbeddedPostgres pg = EmbeddedPostgres.builder().start()) {
      Path journal = storage.resolve("a.txt");
      Process a = child(storage.resolve("a.log"), "node", storage.toString(), "takeover", journal.toString(),
          server.url("").toString(), String.valueOf(count), String.valueOf(size), pg.getJdbcUrl("postgres", "postgres"),
          String.valueOf(windowMillis), "true");
      Path transfers = storage.resolve("background/takeover/transfers");
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (BackgroundKillTests.filesNamed(transfers, ".checkpoint") < 8 && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      BackgroundRecorder rec = new BackgroundRecorder(null);
      Session b = Session.create(SessionConfiguration.backgroundBuilder("takeover").storageDirectory(storage)
          .httpMaximumConnectionsPerHost(count)
          .backgroundStore(BackgroundStore.builder().dataSource(pg.getPostgresDatabase()).clustered(true)
              .takeoverWindow(Duration.ofMillis(windowMillis)).maxConcurrentTransfers(count).build()).build(), rec, null);
      Thread.sleep(2000);
      a.destroyForcibly();
      long killed = System.nanoTime();
      a.waitFor(20, TimeUnit.SECONDS);
      long first = -1;
      while (System.nanoTime() - killed < TimeUnit.MILLISECONDS.toNanos(windowMillis * 3)) {
        first = rec.resumedAtNanos.entrySet().stream().filter(e -> rec.resumedAt.get(e.getKey()) > 0)
            .mapToLong(java.util.Map.Entry::getValue).min().orElse(-1);
        if (first > 0) {
          break;
        }
        Thread.sleep(5);
      }
      b.invalidateAndCancel();
      System.out.printf("takeover window=%d ms: kill-to-first-resume-on-other-node=%d ms%n", windowMillis,
          first < 0 ? -1 : (first - killed) / 1_000_000);
    }
  }
}
