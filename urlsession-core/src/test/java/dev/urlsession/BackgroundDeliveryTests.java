package dev.urlsession;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.urlsession.background.BackgroundStore;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Background sessions keep their promises about data: partial files survive an outage of the
 * origin and a server error while resuming, a file the delegate did not take is delivered again,
 * transfers with data continue first after a restart, and the task list does not wait for a held
 * delegate queue.
 */
@Timeout(90)
class BackgroundDeliveryTests {
  static final int SIZE = 600_000;
  @TempDir Path storage;
  TransferServer server;
  final List<Session> sessions = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    server = new TransferServer(0);
  }

  @AfterEach
  void stop() {
    for (Session s : sessions) {
      s.close();
    }
    server.close();
  }

  BackgroundStore.Builder store() {
    return BackgroundStore.builder().pollingInterval(Duration.ofMillis(100))
        .checkpointInterval(Duration.ofMillis(100)).retryInitialDelay(Duration.ofMillis(100))
        .retryMaximumDelay(Duration.ofMillis(400));
  }

  Session open(String id, BackgroundStore store, SessionDelegate d, Executor queue) {
    Session s = Session.create(SessionConfiguration.backgroundBuilder(id).storageDirectory(storage)
        .backgroundStore(store).build(), d, queue);
    sessions.add(s);
    return s;
  }

  Session open(String id, BackgroundStore store, SessionDelegate d) {
    return open(id, store, d, null);
  }

  Path transfers(String id) {
    return storage.resolve("background").resolve(id).resolve("transfers");
  }

  @Test
  void anOutageOfTheOriginKeepsThePartialFilesAndTheyContinueWithARangeAfterIt() throws Exception {
    server.bytesPerSecond = 200_000;
    try (OutageProxy origin = new OutageProxy(new InetSocketAddress("127.0.0.1", server.server.getAddress().getPort()))) {
      BackgroundRecorder rec = new BackgroundRecorder(null);
      Session s = open("outage", store().maxConcurrentTransfers(3).build(), rec);
      List<DownloadTask> tasks = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        DownloadTask t = s.downloadTask(origin.url("/file/" + i + "?size=" + SIZE));
        t.taskDescription("file-" + i);
        t.resume();
        tasks.add(t);
      }
      await().atMost(Duration.ofSeconds(20)).until(() -> BackgroundKillTests.filesNamed(transfers("outage"), ".checkpoint") == 3);

      origin.down();
      long retriesAtOutage = s.statistics().background().retries();
      // The cut connections, then at least one refused connection per transfer.
      await().atMost(Duration.ofSeconds(30)).until(() -> s.statistics().background().retries() >= retriesAtOutage + 6);
      assertThat(BackgroundKillTests.filesNamed(transfers("outage"), ".checkpoint")).isEqualTo(3);
      for (int id = 1; id <= 3; id++) {
        ResumeData checkpoint = ResumeData.from(Files.readAllBytes(transfers("outage").resolve(id + ".checkpoint")));
        assertThat(checkpoint.partialFile()).exists();
        assertThat(Files.size(checkpoint.partialFile())).isGreaterThanOrEqualTo(checkpoint.bytesReceived());
        assertThat(checkpoint.bytesReceived()).isPositive();
      }
      long servedBeforeUp = server.bodyBytesSent.get();
      server.bytesPerSecond = 0;
      origin.up();
      for (DownloadTask t : tasks) {
        t.completion().get(30, TimeUnit.SECONDS);
      }
      for (int i = 0; i < 3; i++) {
        long id = i + 1;
        assertThat(rec.eventsOf(id)).as("task " + id).containsExactly("didFinishDownloadingTo", "didComplete");
        assertThat(rec.events).contains("didFinishDownloadingTo " + id + " "
            + TransferServer.sha256(TransferServer.content(i, SIZE)) + " file-" + i, "didComplete " + id + " ok");
        assertThat(server.fullResponses.get("/file/" + i).get()).as("whole responses of file " + i).isEqualTo(1);
        assertThat(server.rangeResponses.get("/file/" + i).get()).as("range responses of file " + i).isEqualTo(1);
        assertThat(rec.resumedAt.get(id)).isPositive();
      }
      long served = server.bodyBytesSent.get();
      System.out.printf("BACKGROUND-OUTAGE transfers=3 size=%d servedBeforeOutageEnded=%d served=%d ratio=%.3f%n",
          SIZE, servedBeforeUp, served, served / (3.0 * SIZE));
      // what the cut connections had in flight past the last checkpoint, never a whole file again
      assertThat(served).isLessThan(3L * SIZE + 3L * (100_000 + 256 * 1024));
    }
  }

  @Test
  void aServerErrorWhileResumingKeepsThePartialFile() throws Exception {
    server.bytesPerSecond = 300_000;
    server.dropOnceAfter.put("/file/7", 200_000);
    server.rangeFailures.set(2);
    BackgroundRecorder rec = new BackgroundRecorder(null);
    // The cut response stalls (the test server keeps the connection): the idle timeout ends it.
    Session s = Session.create(SessionConfiguration.backgroundBuilder("server-error").storageDirectory(storage)
        .timeoutIntervalForRequest(Duration.ofSeconds(1)).backgroundStore(store().build()).build(), rec, null);
    sessions.add(s);
    DownloadTask t = s.downloadTask(server.file(7, SIZE));
    t.resume();
    t.completion().get(30, TimeUnit.SECONDS);
    assertThat(rec.events).containsExactly("didFinishDownloadingTo 1 "
        + TransferServer.sha256(TransferServer.content(7, SIZE)) + " null", "didComplete 1 ok");
    assertThat(server.requests).containsExactly("/file/7 full", "/file/7 range", "/file/7 range", "/file/7 range");
    assertThat(server.fullResponses.get("/file/7").get()).isEqualTo(1);
    assertThat(server.rangeResponses.get("/file/7").get()).isEqualTo(1);
  }

  @Test
  void aFileTheDelegateDidNotTakeIsDeliveredAgainByTheNextSession() throws Exception {
    AtomicInteger thrown = new AtomicInteger();
    BackgroundRecorder failing = new BackgroundRecorder(null);
    failing.onFinishDownloading = () -> {
      thrown.incrementAndGet();
      throw new IllegalStateException("disk full (test)");
    };
    Session first = open("redeliver", store().build(), failing);
    DownloadTask t = first.downloadTask(server.file(2, 100_000));
    t.taskDescription("two");
    t.resume();
    await().atMost(Duration.ofSeconds(20)).until(() -> thrown.get() == 1);
    first.flush().get(10, TimeUnit.SECONDS);
    first.close();
    assertThat(failing.events).containsExactly("didBecomeInvalid -"); // no didComplete: not delivered
    Path file = storage.resolve("background/redeliver/finished/1.download");
    assertThat(file).exists();

    BackgroundRecorder rec = new BackgroundRecorder(null);
    open("redeliver", store().build(), rec);
    await().atMost(Duration.ofSeconds(10)).until(() -> rec.count("didFinishEvents") == 1);
    assertThat(rec.events).containsExactly(
        "didFinishDownloadingTo 1 " + TransferServer.sha256(TransferServer.content(2, 100_000)) + " two",
        "didComplete 1 ok", "didFinishEventsForBackgroundSession -");
    assertThat(file).doesNotExist();
    assertThat(server.fullResponses.get("/file/2").get()).isEqualTo(1); // not downloaded again
  }

  @Test
  void afterARestartTransfersWithDataContinueBeforeTransfersThatHaveNotStarted() throws Exception {
    server.bytesPerSecond = 150_000;
    BackgroundRecorder first = new BackgroundRecorder(null);
    Session s = Session.create(SessionConfiguration.backgroundBuilder("order").storageDirectory(storage)
        .backgroundStore(store().maxConcurrentTransfers(2).build()).build(), first, null);
    for (int i = 0; i < 6; i++) {
      s.downloadTask(server.file(i, SIZE)).resume();
    }
    await().atMost(Duration.ofSeconds(20)).until(() -> BackgroundKillTests.filesNamed(transfers("order"), ".checkpoint") == 2);
    s.close(); // detaches: the two running transfers stop at a checkpoint
    List<String> started = List.copyOf(server.requests);
    assertThat(started).hasSize(2).allMatch(r -> r.endsWith(" full"));
    List<String> withData = started.stream().map(r -> r.split(" ")[0]).toList();

    server.requests.clear();
    BackgroundRecorder rec = new BackgroundRecorder(null);
    Session again = open("order", store().maxConcurrentTransfers(2).build(), rec);
    await().atMost(Duration.ofSeconds(10)).until(() -> server.requests.size() >= 2);
    assertThat(server.requests.subList(0, 2)).containsExactlyInAnyOrder(
        withData.get(0) + " range", withData.get(1) + " range");
    server.bytesPerSecond = 0;
    for (SessionTask t : again.allTasks().get(5, TimeUnit.SECONDS)) {
      t.completion().get(30, TimeUnit.SECONDS);
    }
    assertThat(rec.count("didComplete ")).isEqualTo(6);
  }

  @Test
  void aPartialFileReplacedWhileDetachedIsNotWrittenToAndTheTransferStartsOver() throws Exception {
    server.bytesPerSecond = 150_000;
    Session s = open("replaced", store().build(), new BackgroundRecorder(null));
    s.downloadTask(server.file(1, SIZE)).resume();
    await().atMost(Duration.ofSeconds(20)).until(() -> BackgroundKillTests.filesNamed(transfers("replaced"), ".checkpoint") == 1);
    s.close(); // detaches at a checkpoint
    sessions.remove(s);
    Path partial;
    try (var files = Files.list(storage.resolve("background").resolve("replaced").resolve("downloads"))) {
      partial = files.filter(f -> f.getFileName().toString().endsWith(".tmp")).findFirst().orElseThrow();
    }
    // Another file with the same bytes takes its place (a backup restored, an rsync): the
    // session never writes to a file it did not create, but the transfer is not lost for it.
    Path copy = partial.resolveSibling("copy");
    Files.copy(partial, copy);
    Files.move(copy, partial, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    server.bytesPerSecond = 0;
    server.requests.clear();

    BackgroundRecorder rec = new BackgroundRecorder(null);
    open("replaced", store().build(), rec);
    await().atMost(Duration.ofSeconds(20)).until(() -> rec.count("didComplete ") == 1);
    String sha = TransferServer.sha256(TransferServer.content(1, SIZE));
    assertThat(rec.events).anyMatch(e -> e.startsWith("didFinishDownloadingTo 1 " + sha)).contains("didComplete 1 ok");
    assertThat(server.requests).containsExactly("/file/1 full");
  }

  @Test
  void theTaskListDoesNotWaitForAHeldDelegateQueue() throws Exception {
    ConcurrentLinkedQueue<Runnable> held = new ConcurrentLinkedQueue<>();
    java.util.concurrent.atomic.AtomicBoolean open = new java.util.concurrent.atomic.AtomicBoolean();
    Executor holding = r -> { // a delegate queue that runs nothing until opened
      if (open.get()) {
        new Thread(r).start();
      } else {
        held.add(r);
      }
    };
    Session s = open("held", store().build(), new BackgroundRecorder(null), holding);
    DownloadTask t = s.downloadTask(server.file(1, 1000));
    t.earliestBeginDate(java.time.Instant.now().plus(Duration.ofDays(1)));
    t.resume();
    assertThat(s.allTasks().get(2, TimeUnit.SECONDS)).containsExactly(t);
    assertThat(s.tasks().get(2, TimeUnit.SECONDS).download()).containsExactly(t);
    assertThat(s.flush()).isNotDone(); // the queue is held
    open.set(true);
    for (Runnable r; (r = held.poll()) != null; ) {
      r.run();
    }
  }
}
