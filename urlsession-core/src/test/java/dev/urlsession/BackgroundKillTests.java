package dev.urlsession;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.urlsession.background.BackgroundStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Background transfers survive a real {@code kill -9}: a child JVM starts them and is destroyed
 * forcibly mid-transfer; this JVM opens the same identifier and finishes them, each byte-exact,
 * each event exactly once.
 */
@Timeout(120)
class BackgroundKillTests {
  static final int COUNT = 20;
  static final int SIZE = 1_000_000;
  @TempDir Path storage;
  TransferServer server;
  Process child;

  @BeforeEach
  void start() throws Exception {
    server = new TransferServer(150_000); // 150 kB/s per transfer: each takes ~7 s
  }

  @AfterEach
  void stop() {
    if (child != null) {
      child.destroyForcibly();
    }
    server.close();
  }

  Process startChild(String... args) throws Exception {
    String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new ArrayList<>(List.of(javaBin, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
        BackgroundChildMain.class.getName()));
    command.addAll(List.of(args));
    Path log = storage.resolve("child-" + System.nanoTime() + ".log");
    return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }

  static long filesNamed(Path dir, String suffix) throws Exception {
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    try (var s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().endsWith(suffix)).count();
    }
  }

  SessionConfiguration config(String id) {
    return SessionConfiguration.backgroundBuilder(id).storageDirectory(storage)
        .httpMaximumConnectionsPerHost(COUNT).backgroundStore(BackgroundStore.builder().maxConcurrentTransfers(COUNT).pollingInterval(Duration.ofMillis(100))
            .checkpointInterval(Duration.ofMillis(200)).build())
        .build();
  }

  @Test
  void transfersOfAKilledProcessCompleteAfterRestartByteExactAndEventsArriveOnce() throws Exception {
    Path journal = storage.resolve("child-events.txt");
    child = startChild("start", storage.toString(), "killed", journal.toString(), server.url("").toString(),
        String.valueOf(COUNT), String.valueOf(SIZE));
    Path transfers = storage.resolve("background/killed/transfers");
    // Kill once every transfer has checkpointed at least once (and none can have finished).
    await().atMost(Duration.ofSeconds(60)).until(() -> filesNamed(transfers, ".checkpoint") == COUNT);
    assertThatThrownBy(() -> Session.create(config("killed"), new BackgroundRecorder(null), null))
        .cause().isInstanceOf(SessionException.class).hasMessageContaining("in use by another process");
    long servedBeforeKill = server.bodyBytesSent.get();
    child.destroyForcibly();
    assertThat(child.waitFor(20, TimeUnit.SECONDS)).isTrue();
    long checkpointed = 0;
    for (int i = 1; i <= COUNT; i++) {
      checkpointed += ResumeData.from(Files.readAllBytes(transfers.resolve(i + ".checkpoint"))).bytesReceived();
    }
    server.bytesPerSecond = 0;
    long servedAtKill = server.bodyBytesSent.get();

    BackgroundRecorder rec = new BackgroundRecorder(null);
    long opened = System.nanoTime();
    Session s = Session.create(config("killed"), rec, null);
    try {
      List<SessionTask> surviving = s.allTasks().get(10, TimeUnit.SECONDS);
      assertThat(surviving).hasSize(COUNT);
      assertThat(surviving).extracting(SessionTask::taskIdentifier)
          .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, COUNT).boxed().toList());
      for (SessionTask t : surviving) {
        assertThat(t.taskDescription()).isEqualTo("file-" + (t.taskIdentifier() - 1));
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> !rec.resumedAt.isEmpty());
      long firstByteMillis = (System.nanoTime() - opened) / 1_000_000;
      for (SessionTask t : surviving) {
        t.completion().get(60, TimeUnit.SECONDS);
      }
      for (int i = 0; i < COUNT; i++) {
        long id = i + 1;
        assertThat(rec.eventsOf(id)).as("task " + id).containsExactly("didFinishDownloadingTo", "didComplete");
        assertThat(rec.events).contains("didFinishDownloadingTo " + id + " "
            + TransferServer.sha256(TransferServer.content(i, SIZE)) + " file-" + i);
        assertThat(rec.events).contains("didComplete " + id + " ok");
        // resumed from the checkpoint with a range, never downloaded whole twice
        assertThat(server.fullResponses.get("/file/" + i).get()).isEqualTo(1);
        assertThat(server.rangeResponses.get("/file/" + i).get()).isEqualTo(1);
        assertThat(rec.resumedAt.get(id)).isPositive();
      }
      String childEvents = Files.exists(journal) ? Files.readString(journal, StandardCharsets.UTF_8) : "";
      assertThat(childEvents).doesNotContain("didComplete", "didFinishDownloadingTo");
      assertThat(rec.violations).isEmpty();
      long redownloaded = servedAtKill - checkpointed;
      System.out.printf("BACKGROUND-KILL transfers=%d size=%d servedBeforeKill=%d checkpointedAtKill=%d "
          + "reDownloadedBytes=%d (%.0f per transfer) restartToFirstResumeMillis=%d%n", COUNT, SIZE, servedBeforeKill,
          checkpointed, redownloaded, (double) redownloaded / COUNT, firstByteMillis);
      // at most one checkpoint interval (200 ms at 150 kB/s = 30 kB) per transfer, plus socket buffers
      assertThat(redownloaded).isLessThanOrEqualTo(COUNT * (30_000L + 64 * 1024 + 2 * 8192));
    } finally {
      s.close();
    }
    try (var files = Files.list(storage.resolve("background/killed/finished"))) {
      assertThat(files).isEmpty();
    }
    assertThat(filesNamed(transfers, ".checkpoint")).isZero();
    assertThat(filesNamed(storage.resolve("background/killed/downloads"), ".tmp")).isZero();
  }

  static java.util.Set<Path> partialFiles(Path downloads) throws Exception {
    if (!Files.isDirectory(downloads)) {
      return java.util.Set.of();
    }
    try (var s = Files.list(downloads)) {
      return s.filter(p -> p.getFileName().toString().endsWith(".tmp")).collect(java.util.stream.Collectors.toSet());
    }
  }

  @Test
  void crashesBeforeTheFirstCheckpointLeaveNoFileThatNoTransferOwns() throws Exception {
    Path downloads = storage.resolve("background/crashy/downloads");
    java.util.Set<Path> previous = java.util.Set.of();
    for (int run = 0; run < 3; run++) {
      child = startChild(run == 0 ? "start-nocheckpoint" : "start-nocheckpoint-reattach", storage.toString(), "crashy",
          storage.resolve("journal-" + run).toString(), server.url("").toString(), "3", String.valueOf(SIZE));
      java.util.Set<Path> before = previous;
      // The previous run's partial files are gone once this run writes its own three.
      await().atMost(Duration.ofSeconds(30)).until(() -> {
        java.util.Set<Path> now = partialFiles(downloads);
        return now.size() == 3 && java.util.Collections.disjoint(now, before);
      });
      child.destroyForcibly();
      assertThat(child.waitFor(20, TimeUnit.SECONDS)).isTrue();
      assertThat(filesNamed(storage.resolve("background/crashy/transfers"), ".checkpoint")).isZero();
      previous = partialFiles(downloads);
    }
    server.bytesPerSecond = 0;
    BackgroundRecorder rec = new BackgroundRecorder(null);
    Session s = Session.create(config("crashy"), rec, null);
    try {
      for (Path orphan : previous) {
        assertThat(orphan).doesNotExist();
      }
      List<SessionTask> surviving = s.allTasks().get(10, TimeUnit.SECONDS);
      assertThat(surviving).hasSize(3);
      for (SessionTask t : surviving) {
        t.completion().get(60, TimeUnit.SECONDS);
      }
      assertThat(rec.count("didComplete ")).isEqualTo(3);
    } finally {
      s.close();
    }
    assertThat(partialFiles(downloads)).isEmpty();
  }

  @Test
  void aProcessWhoseMainReturnsStaysAliveUntilItsTransfersCompleteThenExits() throws Exception {
    server.bytesPerSecond = 300_000;
    Path journal = storage.resolve("kept-alive.txt");
    child = startChild("return", storage.toString(), "alive", journal.toString(), server.url("").toString(),
        "2", "300000");
    assertThat(child.waitFor(60, TimeUnit.SECONDS)).as("the process exits once its transfers are done").isTrue();
    assertThat(child.exitValue()).isZero();
    assertThat(Files.readAllLines(journal)).filteredOn(l -> l.startsWith("didComplete "))
        .containsExactlyInAnyOrder("didComplete 1 ok", "didComplete 2 ok");
  }

  @Test
  void withoutKeepAliveAProcessWhoseMainReturnsExitsAndItsTransfersContinueNextTime() throws Exception {
    server.bytesPerSecond = 100_000;
    Path journal = storage.resolve("not-kept.txt");
    child = startChild("return-no-keepalive", storage.toString(), "gone", journal.toString(),
        server.url("").toString(), "1", "1000000");
    assertThat(child.waitFor(30, TimeUnit.SECONDS)).as("nothing keeps the process").isTrue();
    assertThat(Files.exists(journal) ? Files.readString(journal) : "").doesNotContain("didComplete");
    server.bytesPerSecond = 0;
    BackgroundRecorder rec = new BackgroundRecorder(null);
    Session s = Session.create(config("gone"), rec, null);
    try {
      for (SessionTask t : s.allTasks().get(10, TimeUnit.SECONDS)) {
        t.completion().get(60, TimeUnit.SECONDS);
      }
      assertThat(rec.events).contains("didComplete 1 ok");
    } finally {
      s.close();
    }
  }

  @Test
  void aCompletionInterruptedByACrashIsDeliveredAfterRestartThenDidFinishEvents() throws Exception {
    server.bytesPerSecond = 0;
    Path journal = storage.resolve("child-events.txt");
    child = startChild("halt-on-deliver", storage.toString(), "halted", journal.toString(), server.url("").toString(),
        "1", "200000");
    assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(child.exitValue()).isEqualTo(3);
    BackgroundRecorder rec = new BackgroundRecorder(null);
    Session s = Session.create(config("halted"), rec, null);
    try {
      await().atMost(Duration.ofSeconds(10)).until(() -> rec.count("didFinishEvents") == 1);
      assertThat(rec.events).containsExactly(
          "didFinishDownloadingTo 1 " + TransferServer.sha256(TransferServer.content(0, 200_000)) + " file-0",
          "didComplete 1 ok",
          "didFinishEventsForBackgroundSession -");
      assertThat(server.fullResponses.get("/file/0").get()).isEqualTo(1); // not downloaded again
    } finally {
      s.close();
    }
  }
}
