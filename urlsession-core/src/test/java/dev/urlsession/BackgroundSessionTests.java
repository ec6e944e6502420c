package dev.urlsession;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.urlsession.SessionException.BackgroundTaskCancelledReason;
import dev.urlsession.background.BackgroundStore;
import java.net.URI;
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

/** Background sessions on the embedded store, in one JVM. */
@Timeout(60)
class BackgroundSessionTests {
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

  SessionConfiguration config(String id, BackgroundStore store) {
    return SessionConfiguration.backgroundBuilder(id).storageDirectory(storage).backgroundStore(store).build();
  }

  SessionConfiguration config(String id) {
    return config(id, BackgroundStore.builder().pollingInterval(Duration.ofMillis(100))
        .retryInitialDelay(Duration.ofMillis(50)).build());
  }

  Session open(SessionConfiguration c, SessionDelegate d) {
    Session s = Session.create(c, d, null);
    sessions.add(s);
    return s;
  }

  @Test
  void downloadsCompleteWithTheirFilesThenDidComplete() throws Exception {
    BackgroundRecorder rec = new BackgroundRecorder(null);
    Session s = open(config("basic"), rec);
    List<DownloadTask> tasks = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      DownloadTask t = s.downloadTask(server.file(i, 100_000 + i));
      t.taskDescription("file " + i);
      tasks.add(t);
      t.resume();
    }
    for (DownloadTask t : tasks) {
      t.completion().get(20, TimeUnit.SECONDS);
    }
    for (int i = 0; i < 3; i++) {
      DownloadTask t = tasks.get(i);
      assertThat(rec.eventsOf(t.taskIdentifier())).containsExactly("didFinishDownloadingTo", "didComplete");
      assertThat(rec.events).contains("didFinishDownloadingTo " + t.taskIdentifier() + " "
          + TransferServer.sha256(TransferServer.content(i, 100_000 + i)) + " file " + i,
          "didComplete " + t.taskIdentifier() + " ok");
      assertThat(t.state()).isEqualTo(SessionTask.State.COMPLETED);
      assertThat(t.response().statusCode()).isEqualTo(200);
      assertThat(t.countOfBytesReceived()).isEqualTo(100_000 + i);
    }
    assertThat(tasks).extracting(SessionTask::taskIdentifier).containsExactly(1L, 2L, 3L);
    assertThat(s.allTasks().get(5, TimeUnit.SECONDS)).isEmpty();
    assertThat(rec.violations).isEmpty();
    try (var files = Files.list(storage.resolve("background/basic/finished"))) {
      assertThat(files).isEmpty(); // delivered files are deleted
    }
  }

  @Test
  void onlyDownloadsAndFileUploadsWithASessionDelegate() throws Exception {
    assertThatThrownBy(() -> Session.create(config("nodelegate"), null, null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs a delegate");
    Session s = open(config("kinds"), new BackgroundRecorder(null));
    Request get = Request.get(server.file(1, 10));
    assertThatThrownBy(() -> s.dataTask(get)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Data tasks are not supported in background sessions");
    assertThatThrownBy(() -> s.uploadTask(get, new byte[1])).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Uploads from bytes in memory");
    assertThatThrownBy(() -> s.uploadTask(get)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Uploads from a stream");
    assertThatThrownBy(() -> s.download(get)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Futures");
    assertThatThrownBy(() -> s.downloadTask(get, (f, r, e) -> { })).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Completion handlers");
    assertThatThrownBy(() -> s.downloadTask(URI.create("ftp://127.0.0.1/x"))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("only http and https");
    assertThatThrownBy(() -> s.downloadTask(get).delegate(new BackgroundRecorder(null)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("task delegates are not supported");
  }

  @Test
  void aSecondSessionWithTheSameIdentifierIsRefusedUntilTheFirstIsInvalidated() throws Exception {
    Session first = Session.create(config("busy"), new BackgroundRecorder(null), null);
    assertThatThrownBy(() -> Session.create(config("busy"), new BackgroundRecorder(null), null))
        .isInstanceOf(IllegalStateException.class)
        .cause().isInstanceOf(SessionException.class)
        .extracting(e -> ((SessionException) e).code())
        .isEqualTo(SessionException.Code.BACKGROUND_SESSION_IN_USE_BY_ANOTHER_PROCESS);
    first.close();
    open(config("busy"), new BackgroundRecorder(null)); // free again
  }

  @Test
  void uploadFromAFileIsSentWhole() throws Exception {
    BackgroundRecorder rec = new BackgroundRecorder(null);
    Session s = open(config("upload"), rec);
    byte[] body = TransferServer.content(9, 300_000);
    Path file = storage.resolve("body.bin");
    Files.write(file, body);
    UploadTask t = s.uploadTask(Request.builder(server.url("/sink")).method("PUT").build(), file);
    t.resume();
    t.completion().get(20, TimeUnit.SECONDS);
    assertThat(rec.eventsOf(t.taskIdentifier())).containsExactly("didReceiveData", "didComplete");
    assertThat(rec.events).contains("didReceiveData " + t.taskIdentifier() + " 300000 " + TransferServer.sha256(body));
    assertThat(t.countOfBytesSent()).isEqualTo(300_000);
    assertThat(t.response().statusCode()).isEqualTo(200);
  }

  @Test
  void serverErrorsAreRetriedWithBackoff() throws Exception {
    BackgroundRecorder rec = new BackgroundRecorder(null);
    Session s = open(config("retry"), rec);
    DownloadTask t = s.downloadTask(server.url("/flaky/a"));
    t.resume();
    t.completion().get(20, TimeUnit.SECONDS);
    assertThat(rec.eventsOf(t.taskIdentifier())).containsExactly("didFinishDownloadingTo", "didComplete");
    assertThat(server.flakyCalls.get("/flaky/a").get()).isEqualTo(3);
    assertThat(t.error()).isNull();
    assertThat(rec.expectedToWrite.get(t.taskIdentifier()))
        .as("the bodies of the 503s are no progress of the transfer").containsExactly(50_000L);
    assertThat(t.countOfBytesReceived()).isEqualTo(50_000);
    dev.urlsession.background.BackgroundStatistics stats = s.statistics().background();
    assertThat(stats.retries()).isEqualTo(2);
    assertThat(stats.takeovers()).isZero();
    assertThat(stats.storeReachable()).isTrue();
  }

  @Test
  void statisticsCountTheStoresTransfersAndTheTasksByKindAndState() throws Exception {
    BackgroundRecorder rec = new BackgroundRecorder(null);
    Session s = open(config("stats"), rec);
    DownloadTask waiting = s.downloadTask(server.file(1, 1000));
    waiting.earliestBeginDate(java.time.Instant.now().plus(java.time.Duration.ofHours(1)));
    waiting.resume();
    DownloadTask never = s.downloadTask(server.file(2, 1000)); // not resumed: not in the store
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
        .until(() -> s.statistics().background().queued() == 1);
    dev.urlsession.spi.SessionStatistics stats = s.statistics();
    assertThat(stats.background().running()).isZero();
    assertThat(stats.tasks("download", SessionTask.State.RUNNING)).isEqualTo(1);
    assertThat(stats.tasks("download", SessionTask.State.SUSPENDED)).isEqualTo(1);
    assertThat(stats.tasks("upload", SessionTask.State.RUNNING)).isZero();
    never.cancel();
  }

  @Test
  void transfersSwitchedOffAreGivenUpWithBackgroundUpdatesDisabled() throws Exception {
    BackgroundRecorder rec = new BackgroundRecorder(null);
    Session s = open(config("off", BackgroundStore.builder().transfersEnabled(false).build()), rec);
    DownloadTask t = s.downloadTask(server.file(1, 1000));
    t.resume();
    t.completion().get(20, TimeUnit.SECONDS);
    assertThat(rec.events).containsExactly("didComplete 1 CANCELLED BACKGROUND_UPDATES_DISABLED");
    assertThat(t.error().backgroundTaskCancelledReason()).contains(BackgroundTaskCancelledReason.BACKGROUND_UPDATES_DISABLED);
  }

  @Test
  void notEnoughSpaceIsInsufficientSystemResources() throws Exception {
    BackgroundRecorder rec = new BackgroundRecorder(null);
    Session s = open(config("full", BackgroundStore.builder().minimumFreeSpace(Long.MAX_VALUE / 4).build()), rec);
    DownloadTask t = s.downloadTask(server.file(1, 1000));
    t.resume();
    t.completion().get(20, TimeUnit.SECONDS);
    assertThat(rec.events).containsExactly("didComplete 1 CANCELLED INSUFFICIENT_SYSTEM_RESOURCES");
  }

  @Test
  void resetGivesEveryTransferUpAsForceQuit() throws Exception {
    server.bytesPerSecond = 50_000;
    BackgroundRecorder rec = new BackgroundRecorder(null);
    Session s = open(config("reset"), rec);
    DownloadTask running = s.downloadTask(server.file(1, 2_000_000));
    running.resume();
    DownloadTask later = s.downloadTask(server.file(2, 1000));
    later.earliestBeginDate(java.time.Instant.now().plusSeconds(3600));
    later.resume();
    await().atMost(Duration.ofSeconds(10)).until(() -> rec.written.containsKey(1L));
    assertThat(s.allTasks().get(5, TimeUnit.SECONDS)).extracting(SessionTask::taskIdentifier).containsExactly(1L, 2L);
    s.reset().get(20, TimeUnit.SECONDS);
    assertThat(rec.events).containsExactlyInAnyOrder(
        "didComplete 1 CANCELLED USER_FORCE_QUIT_APPLICATION", "didComplete 2 CANCELLED USER_FORCE_QUIT_APPLICATION");
    assertThat(s.allTasks().get(5, TimeUnit.SECONDS)).isEmpty();
  }

  @Test
  void cancelCompletesWithCancelledOnce() throws Exception {
    server.bytesPerSecond = 50_000;
    BackgroundRecorder rec = new BackgroundRecorder(null);
    Session s = open(config("cancel"), rec);
    DownloadTask t = s.downloadTask(server.file(1, 2_000_000));
    t.resume();
    await().atMost(Duration.ofSeconds(10)).until(() -> rec.written.containsKey(1L));
    t.cancel();
    t.completion().get(20, TimeUnit.SECONDS);
    assertThat(rec.events).containsExactly("didComplete 1 CANCELLED -");
    assertThat(t.state()).isEqualTo(SessionTask.State.COMPLETED);
  }

  @Test
  void delayedTasksAskWillBeginDelayedRequest() throws Exception {
    BackgroundRecorder rec = new BackgroundRecorder(null) {
      @Override
      public void willBeginDelayedRequest(Session session, SessionTask task, Request request,
          java.util.function.Consumer<DelayedRequestDisposition> handler) {
        events.add("willBeginDelayedRequest " + task.taskIdentifier());
        handler.accept(DelayedRequestDisposition.useNewRequest(Request.get(server.file(7, 5000))));
      }
    };
    Session s = open(config("delayed"), rec);
    DownloadTask t = s.downloadTask(server.file(1, 1000));
    t.earliestBeginDate(java.time.Instant.now().plusMillis(300));
    t.resume();
    t.completion().get(20, TimeUnit.SECONDS);
    assertThat(rec.eventsOf(1)).containsExactly("willBeginDelayedRequest", "didFinishDownloadingTo", "didComplete");
    assertThat(rec.events.get(1)).contains(TransferServer.sha256(TransferServer.content(7, 5000)));
  }

  @Test
  void closingDetachesAndTheNextSessionResumesFromTheCheckpointWithARange() throws Exception {
    server.bytesPerSecond = 200_000;
    BackgroundRecorder first = new BackgroundRecorder(null);
    Session s = Session.create(config("detach"), first, null);
    DownloadTask t = s.downloadTask(server.file(3, 1_000_000));
    t.taskDescription("three");
    t.resume();
    await().atMost(Duration.ofSeconds(10)).until(() -> first.written.getOrDefault(1L, new java.util.concurrent.atomic.AtomicLong()).get() > 100_000);
    s.close();
    assertThat(first.events).containsExactly("didBecomeInvalid -"); // detached: no completion
    server.bytesPerSecond = 0;
    BackgroundRecorder second = new BackgroundRecorder(null);
    Session again = open(config("detach"), second);
    List<SessionTask> surviving = again.allTasks().get(5, TimeUnit.SECONDS);
    assertThat(surviving).extracting(SessionTask::taskIdentifier, SessionTask::taskDescription)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(1L, "three"));
    surviving.get(0).completion().get(20, TimeUnit.SECONDS);
    assertThat(second.events).containsExactly("didFinishDownloadingTo 1 "
        + TransferServer.sha256(TransferServer.content(3, 1_000_000)) + " three", "didComplete 1 ok");
    assertThat(second.resumedAt.get(1L)).isPositive();
    assertThat(server.fullResponses.get("/file/3").get()).isEqualTo(1);
    assertThat(server.rangeResponses.get("/file/3").get()).isEqualTo(1);
  }

  @Test
  void suspendStopsARunningTransferAndResumeContinuesIt() throws Exception {
    server.bytesPerSecond = 200_000;
    BackgroundRecorder rec = new BackgroundRecorder(null);
    Session s = open(config("suspend"), rec);
    DownloadTask t = s.downloadTask(server.file(4, 600_000));
    t.resume();
    await().atMost(Duration.ofSeconds(10)).until(() -> rec.written.containsKey(1L));
    t.suspend();
    assertThat(t.state()).isEqualTo(SessionTask.State.SUSPENDED);
    await().atMost(Duration.ofSeconds(10)).until(() -> server.rangeResponses.isEmpty()
        && Files.exists(storage.resolve("background/suspend/transfers/1.checkpoint")));
    server.bytesPerSecond = 0;
    await().atMost(Duration.ofSeconds(10)).until(() -> {
      t.resume();
      return t.state() == SessionTask.State.RUNNING;
    });
    t.completion().get(20, TimeUnit.SECONDS);
    assertThat(rec.eventsOf(1)).containsExactly("didFinishDownloadingTo", "didComplete");
    assertThat(rec.events.get(0)).contains(TransferServer.sha256(TransferServer.content(4, 600_000)));
    assertThat(rec.resumedAt.get(1L)).isPositive();
  }

  @Test
  void discretionaryTransfersRunOneAtATime() throws Exception {
    server.bytesPerSecond = 1_000_000;
    BackgroundRecorder rec = new BackgroundRecorder(null);
    Session s = open(config("discretionary").toBuilder().discretionary(true).build(), rec);
    List<DownloadTask> tasks = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      DownloadTask t = s.downloadTask(server.file(i, 100_000));
      tasks.add(t);
      t.resume();
    }
    for (DownloadTask t : tasks) {
      t.completion().get(20, TimeUnit.SECONDS);
    }
    assertThat(rec.count("didComplete ")).isEqualTo(4);
    assertThat(server.maxInFlight.get()).isEqualTo(1);
  }

  @Test
  void transfersOfAWipedStoreAreReportedAsForceQuitOnTheNextAttach() throws Exception {
    Session s = Session.create(config("wiped"), new BackgroundRecorder(null), null);
    DownloadTask t = s.downloadTask(server.file(1, 1000));
    t.taskDescription("later");
    t.earliestBeginDate(java.time.Instant.now().plusSeconds(3600));
    t.resume();
    s.close();
    try (var files = Files.walk(storage.resolve("background/wiped/db"))) {
      for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p); // the store is wiped; the transfer's record on disk remains
      }
    }
    BackgroundRecorder rec = new BackgroundRecorder(null);
    open(config("wiped"), rec);
    await().atMost(Duration.ofSeconds(10)).until(() -> rec.count("didFinishEvents") == 1);
    assertThat(rec.events).containsExactly("didComplete 1 CANCELLED USER_FORCE_QUIT_APPLICATION",
        "didFinishEventsForBackgroundSession -");
  }

  @Test
  void cancelByProducingResumeDataGivesDataANewBackgroundTaskContinuesFrom() throws Exception {
    server.bytesPerSecond = 200_000;
    BackgroundRecorder rec = new BackgroundRecorder(null);
    Session s = open(config("resumedata"), rec);
    DownloadTask t = s.downloadTask(server.file(5, 800_000));
    t.resume();
    await().atMost(Duration.ofSeconds(10)).until(() -> rec.written.getOrDefault(1L, new java.util.concurrent.atomic.AtomicLong()).get() > 50_000);
    ResumeData data = t.cancelByProducingResumeData().get(10, TimeUnit.SECONDS);
    t.completion().get(10, TimeUnit.SECONDS);
    assertThat(data).isNotNull();
    assertThat(data.bytesReceived()).isPositive();
    server.bytesPerSecond = 0;
    DownloadTask again = s.downloadTask(ResumeData.from(data.toByteArray()));
    again.resume();
    again.completion().get(20, TimeUnit.SECONDS);
    assertThat(rec.events).containsExactly("didComplete 1 CANCELLED -",
        "didFinishDownloadingTo 2 " + TransferServer.sha256(TransferServer.content(5, 800_000)) + " null",
        "didComplete 2 ok");
    assertThat(rec.resumedAt.get(2L)).isEqualTo(data.bytesReceived());
  }

  @Test
  void cancelByProducingResumeDataOfASuspendedTransferHandsOutItsCheckpoint() throws Exception {
    server.bytesPerSecond = 200_000;
    BackgroundRecorder rec = new BackgroundRecorder(null);
    Session s = open(config("suspendedresume"), rec);
    DownloadTask t = s.downloadTask(server.file(7, 600_000));
    t.resume();
    await().atMost(Duration.ofSeconds(10)).until(() -> rec.written.containsKey(1L));
    t.suspend();
    Path checkpoint = storage.resolve("background/suspendedresume/transfers/1.checkpoint");
    await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(checkpoint));

    ResumeData data = t.cancelByProducingResumeData().get(10, TimeUnit.SECONDS);
    t.completion().get(10, TimeUnit.SECONDS);

    assertThat(data).as("the suspended transfer's progress is not lost").isNotNull();
    assertThat(data.bytesReceived()).isPositive();
    assertThat(data.partialFile().getFileName().toString()).endsWith(".resume");
    assertThat(Files.size(data.partialFile())).isGreaterThanOrEqualTo(data.bytesReceived());
    assertThat(checkpoint).doesNotExist();
    server.bytesPerSecond = 0;
    DownloadTask again = s.downloadTask(ResumeData.from(data.toByteArray()));
    again.resume();
    again.completion().get(20, TimeUnit.SECONDS);
    assertThat(rec.events).containsExactly("didComplete 1 CANCELLED -",
        "didFinishDownloadingTo 2 " + TransferServer.sha256(TransferServer.content(7, 600_000)) + " null",
        "didComplete 2 ok");
    assertThat(rec.resumedAt.get(2L)).isEqualTo(data.bytesReceived());
  }

  @Test
  void discardResumeDataDeletesTheSetAsidePartialFile() throws Exception {
    server.bytesPerSecond = 200_000;
    BackgroundRecorder rec = new BackgroundRecorder(null);
    Session s = open(config("discard"), rec);
    DownloadTask t = s.downloadTask(server.file(9, 600_000));
    t.resume();
    await().atMost(Duration.ofSeconds(10)).until(() -> rec.written.containsKey(1L));
    ResumeData data = t.cancelByProducingResumeData().get(10, TimeUnit.SECONDS);
    assertThat(data).isNotNull();
    assertThat(data.partialFile()).exists();

    assertThat(s.discardResumeData(ResumeData.from(data.toByteArray()))).isTrue();
    assertThat(data.partialFile()).doesNotExist();
  }

  @Test
  void cancelByProducingResumeDataOfACompletedTaskGivesNull() throws Exception {
    BackgroundRecorder rec = new BackgroundRecorder(null);
    Session s = open(config("completedresume"), rec);
    DownloadTask t = s.downloadTask(server.file(8, 1_000));
    t.resume();
    t.completion().get(20, TimeUnit.SECONDS);
    assertThat(t.cancelByProducingResumeData().get(10, TimeUnit.SECONDS)).isNull();
  }

  @Test
  void aStalledTransferTimesOutAndIsRetriedFromWhereItStopped() throws Exception {
    server.dropOnceAfter.put("/file/6", 300_000); // the server stops sending and never closes
    BackgroundRecorder rec = new BackgroundRecorder(null);
    Session s = open(config("dropped").toBuilder().timeoutIntervalForRequest(Duration.ofSeconds(1)).build(), rec);
    DownloadTask t = s.downloadTask(server.file(6, 1_000_000));
    t.resume();
    t.completion().get(20, TimeUnit.SECONDS);
    assertThat(rec.events).containsExactly(
        "didFinishDownloadingTo 1 " + TransferServer.sha256(TransferServer.content(6, 1_000_000)) + " null",
        "didComplete 1 ok");
    // (a loaded machine may also time the very first request out before its response: then it
    // is simply sent again; what matters is that the cut transfer resumed with a range)
    assertThat(server.rangeResponses.get("/file/6").get()).isEqualTo(1);
    assertThat(rec.resumedAt.get(1L)).isBetween(1L, 300_000L + 8192);
  }

  @Test
  void invalidateAndCancelCancelsEveryTransferThenInvalidates() throws Exception {
    server.bytesPerSecond = 50_000;
    BackgroundRecorder rec = new BackgroundRecorder(null);
    Session s = Session.create(config("invalidate"), rec, null);
    DownloadTask running = s.downloadTask(server.file(1, 2_000_000));
    running.resume();
    DownloadTask queued = s.downloadTask(server.file(2, 1000));
    queued.earliestBeginDate(java.time.Instant.now().plusSeconds(3600));
    queued.resume();
    await().atMost(Duration.ofSeconds(10)).until(() -> rec.written.containsKey(1L));
    s.invalidateAndCancel();
    await().atMost(Duration.ofSeconds(20)).until(() -> rec.count("didBecomeInvalid") == 1);
    assertThat(rec.events).hasSize(3).last().isEqualTo("didBecomeInvalid -");
    assertThat(rec.events.subList(0, 2)).containsExactlyInAnyOrder("didComplete 1 CANCELLED -", "didComplete 2 CANCELLED -");
    assertThatThrownBy(() -> s.downloadTask(server.file(3, 10))).isInstanceOf(IllegalStateException.class);
    BackgroundRecorder next = new BackgroundRecorder(null);
    Session again = open(config("invalidate"), next);
    assertThat(again.allTasks().get(5, TimeUnit.SECONDS)).isEmpty(); // nothing left in the store
  }
}
