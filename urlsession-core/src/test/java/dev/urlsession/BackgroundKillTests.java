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
