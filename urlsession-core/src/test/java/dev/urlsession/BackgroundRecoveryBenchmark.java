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
 *   <li><b>takeover</b> (clustered, embedded PostgreSQL): node A (a child JVM) and node B (this
 *       JVM) share an identifier; A is killed; prints the time from the kill to B's first resume
 *       of one of A's transfers, for takeover windows of 10 s and the default 60 s.
 * </ol>
 *
 * <p>Run: see benchmarks/README.md, "Background sessions: recovery".
 */
public final class BackgroundRecoveryBenchmark {
  private BackgroundRecoveryBenchmark() {}

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
    for (int i = 1; i <= rounds; i++) {
      restart(i);
    }
    for (long window : new long[] {10_000, 60_000}) {
      takeover(window);
    }
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
