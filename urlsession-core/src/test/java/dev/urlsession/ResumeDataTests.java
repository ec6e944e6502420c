package dev.urlsession;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.urlsession.SessionException.Code;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Resume data: producing it, resuming from it, and refusing what cannot be trusted (URLSESSION-BEHAVIOUR.md 4). */
@Timeout(60)
class ResumeDataTests {
  @TempDir Path storage;
  final byte[] content = new byte[4 * 1024 * 1024];
  RangeServer server;
  Session session;
  RecordingDownloadDelegate delegate = new RecordingDownloadDelegate();

  ResumeDataTests() {
    new Random(42).nextBytes(content);
  }

  Session session() throws Exception {
    if (server == null) {
      server = new RangeServer(content);
    }
    if (session == null) {
      session = Session.create(SessionConfiguration.defaultConfiguration().toBuilder()
          .storageDirectory(storage).build(), delegate, null);
    }
    return session;
  }

  /** A new delegate and session on the same storage, as after a restart of the application. */
  void newSession() throws Exception {
    session.invalidateAndCancel();
    session = null;
    delegate = new RecordingDownloadDelegate();
    session();
  }

  @AfterEach
  void tearDown() throws Exception {
    if (session != null) {
      session.invalidateAndCancel();
    }
    if (server != null) {
      server.close();
    }
  }

  static String sha256(byte[] data) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
  }

  @Test
  void cancelByProducingResumeDataThenResumeAppendsTheRestByteExact() throws Exception {
    session();
    server.faults.add(new RangeServer.Fault(-1, 1_000_000));
    DownloadTask task = session.downloadTask(server.url());
    task.resume();
    assertThat(server.stalled.await(10, SECONDS)).isTrue();
    Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> task.countOfBytesReceived() == 1_000_000);
    ResumeData data = task.cancelByProducingResumeData().get(10, SECONDS);
    assertThat(data).isNotNull();
    assertThat(data.bytesReceived()).isEqualTo(1_000_000);
    assertThat(data.url()).isEqualTo(server.url());
    SessionException cancelled = delegate.awaitCompletion();
    assertThat(cancelled.code()).isEqualTo(Code.CANCELLED);
    assertThat(delegate.events).doesNotContain("didFinishDownloadingTo");

    newSession();
    DownloadTask resumed = session.downloadTask(ResumeData.from(data.toByteArray()));
    resumed.resume();
    assertThat(delegate.awaitCompletion()).isNull();
    delegate.assertEvents("didCreateTask", "didResumeAtOffset 1000000 " + content.length, "didWriteData",
        "didFinishDownloadingTo", "didFinishCollectingMetrics", "didComplete null");
    assertThat(sha256(delegate.fileContent)).isEqualTo(sha256(content));
    assertThat(delegate.lastTotalWritten.get()).isEqualTo(content.length);
    Map<String, String> second = server.requests.get(1);
    assertThat(second.get("range")).isEqualTo("bytes=1000000-");
    assertThat(second.get("if-range")).isEqualTo("\"v1\"");
    assertThat(second.get("accept-encoding")).isEqualTo("identity");
  }

  @Test
  void connectionLostSeveralTimesAtRandomOffsetsResumesEachTimeToAByteExactFile() throws Exception {
    session();
    Random random = new Random(7);
    for (int i = 0; i < 5; i++) {
      server.faults.add(new RangeServer.Fault(1 + random.nextInt(600_000), -1));
    }
    DownloadTask task = session.downloadTask(server.url());
    task.resume();
    SessionException failure = delegate.awaitCompletion();
    int resumes = 0;
    while (failure != null) {
      assertThat(failure.code()).isEqualTo(Code.NETWORK_CONNECTION_LOST);
      ResumeData data = failure.resumeData().orElseThrow();
      resumes++;
      delegate = new RecordingDownloadDelegate();
      Session next = Session.create(SessionConfiguration.defaultConfiguration().toBuilder()
          .storageDirectory(storage).build(), delegate, null);
      session.invalidateAndCancel();
      session = next;
      session.downloadTask(data).resume();
      failure = delegate.awaitCompletion();
    }
    assertThat(resumes).isEqualTo(5);
    assertThat(sha256(delegate.fileContent)).isEqualTo(sha256(content));
    assertThat(server.requests).hasSize(6);
    assertThat(server.requests.get(5).get("range")).startsWith("bytes=");
  }

  @Test
  void resumingWhileTheServerIsDownKeepsThePartialFileAndGivesTheResumeDataBack() throws Exception {
    session();
    server.faults.add(new RangeServer.Fault(1_000_000, -1));
    try (OutageProxy proxy = new OutageProxy(new java.net.InetSocketAddress("127.0.0.1", server.url().getPort()))) {
      session.downloadTask(proxy.url("/file.bin")).resume();
      ResumeData first = delegate.awaitCompletion().resumeData().orElseThrow();
      Path partial = first.partialFile();
      long kept = first.bytesReceived();
      assertThat(kept).isPositive();
      assertThat(Files.size(partial)).isEqualTo(kept);

      proxy.down();
      for (int attempt = 0; attempt < 2; attempt++) { // the data comes back as good as it went
        newSession();
        session.downloadTask(first).resume();
        SessionException refused = delegate.awaitCompletion();
        assertThat(refused.code()).isEqualTo(Code.CANNOT_CONNECT_TO_HOST);
        delegate.assertEvents("didCreateTask", "didFinishCollectingMetrics", "didComplete CANNOT_CONNECT_TO_HOST");
        first = refused.resumeData().orElseThrow();
        assertThat(first.partialFile()).isEqualTo(partial);
        assertThat(first.bytesReceived()).isEqualTo(kept);
        assertThat(Files.size(partial)).isEqualTo(kept);
      }

      proxy.up();
      newSession();
      session.downloadTask(first).resume();
      assertThat(delegate.awaitCompletion()).isNull();
      assertThat(sha256(delegate.fileContent)).isEqualTo(sha256(content));
      assertThat(server.requests).hasSize(2); // the whole body once, then only the rest
      assertThat(server.requests.get(1).get("range")).isEqualTo("bytes=" + kept + "-");
    }
  }

  @Test
  void resumeDataWhosePartialFileWasReplacedByAHardLinkIsRefusedAndTheOtherFileLeftUntouched() throws Exception {
    session();
    server.faults.add(new RangeServer.Fault(1_000_000, -1));
    session.downloadTask(server.url()).resume();
    ResumeData data = delegate.awaitCompletion().resumeData().orElseThrow();
    Path victim = storage.resolve("someone-elses.db");
    byte[] precious = new byte[2_000_000];
    new Random(3).nextBytes(precious);
    Files.write(victim, precious);
    Files.delete(data.partialFile());
    Files.createLink(data.partialFile(), victim); // same name, another file

    newSession();
    session.downloadTask(data).resume();
    SessionException refused = delegate.awaitCompletion();
    assertThat(refused.code()).isEqualTo(Code.CANNOT_WRITE_TO_FILE);
    assertThat(refused.getMessage()).contains("Invalid resume data");
    assertThat(Files.readAllBytes(victim)).isEqualTo(precious);
    assertThat(server.requests).hasSize(1); // nothing loaded for it
  }

  @Test
  void resumeWhenTheResourceChangedRestartsFromZeroWithTheNewContent() throws Exception {
    session();
    server.faults.add(new RangeServer.Fault(300_000, -1));
    session.downloadTask(server.url()).resume();
    ResumeData data = delegate.awaitCompletion().resumeData().orElseThrow();
    byte[] changed = new byte[1_500_000];
    new Random(99).nextBytes(changed);
    server.content = changed;
    server.etag = "\"v2\"";
    newSession();
    session.downloadTask(data).resume();
    assertThat(delegate.awaitCompletion()).isNull();
    assertThat(delegate.events).contains("didResumeAtOffset 0 " + changed.length);
    assertThat(delegate.fileContent).isEqualTo(changed);
  }

  @Test
  void partialResponseThatDoesNotStartAtTheOffsetIsNeverAppended() throws Exception {
    session();
    server.faults.add(new RangeServer.Fault(500_000, -1));
    session.downloadTask(server.url()).resume();
    ResumeData data = delegate.awaitCompletion().resumeData().orElseThrow();
    server.lieAboutRangeStart = 400_000;
    newSession();
    session.downloadTask(data).resume();
    SessionException e = delegate.awaitCompletion();
    // The lying 206 is refused; the download starts over without a range and completes.
    assertThat(e).isNull();
    assertThat(sha256(delegate.fileContent)).isEqualTo(sha256(content));
    assertThat(server.requests.get(2).get("range")).isNull();
  }

  @Test
  void partialResponseOfAnotherVersionFromAServerIgnoringIfRangeIsNeverSpliced() throws Exception {
    session();
    server.faults.add(new RangeServer.Fault(300_000, -1));
    session.downloadTask(server.url()).resume();
    ResumeData data = delegate.awaitCompletion().resumeData().orElseThrow();
    byte[] changed = new byte[content.length];
    new Random(7).nextBytes(changed);
    server.content = changed;
    server.etag = "\"v2\"";
    server.ignoreIfRange = true; // a 206 of version 2 to a request for the rest of version 1
    newSession();
    session.downloadTask(data).resume();
    assertThat(delegate.awaitCompletion()).isNull();
    assertThat(sha256(delegate.fileContent)).isEqualTo(sha256(changed));
    assertThat(server.requests.get(1).get("if-range")).isEqualTo("\"v1\"");
    assertThat(server.requests.get(2).get("range")).isNull();
  }

  @Test
  void partialResponseThatStopsShortOfTheEndIsNeverDeliveredAsTheFile() throws Exception {
    session();
    server.faults.add(new RangeServer.Fault(300_000, -1));
    session.downloadTask(server.url()).resume();
    ResumeData data = delegate.awaitCompletion().resumeData().orElseThrow();
    server.rangeLength = 100; // bytes 300000-300099 of the resource, legal but not the rest
    newSession();
    session.downloadTask(data).resume();
    assertThat(delegate.awaitCompletion()).isNull();
    assertThat(sha256(delegate.fileContent)).isEqualTo(sha256(content));
    assertThat(server.requests.get(2).get("range")).isNull();
  }

  @Test
  void partialResponseToARequestForTheWholeResourceFailsInsteadOfDeliveringAPart() throws Exception {
    session();
    server.partialWithoutRangeFrom = 1_000;
    session.downloadTask(server.url()).resume();
    SessionException e = delegate.awaitCompletion();
    assertThat(e).isNotNull();
    assertThat(e.code()).isEqualTo(SessionException.Code.BAD_SERVER_RESPONSE);
    assertThat(delegate.events).noneMatch(event -> event.startsWith("didFinishDownloadingTo"));
  }

  @Test
  void partialResponseHoldingTheWholeResourceIsTheResource() throws Exception {
    session();
    server.partialWithoutRangeFrom = 0;
    session.downloadTask(server.url()).resume();
    assertThat(delegate.awaitCompletion()).isNull();
    assertThat(sha256(delegate.fileContent)).isEqualTo(sha256(content));
  }

  @Test
  void tamperedResumeDataFailsTheTaskWithoutLoadingAnything() throws Exception {
    session();
    server.faults.add(new RangeServer.Fault(200_000, -1));
    session.downloadTask(server.url()).resume();
    byte[] blob = delegate.awaitCompletion().resumeData().orElseThrow().toByteArray();
    // Raise the recorded offset by one (the 8 bytes before the validators): structurally valid, signature broken.
    ResumeData original = ResumeData.from(blob);
    byte[] offsetBytes = java.nio.ByteBuffer.allocate(8).putLong(original.bytesReceived()).array();
    int at = indexOf(blob, offsetBytes);
    assertThat(at).isPositive();
    blob[at + 7]++;
    ResumeData tampered = ResumeData.from(blob);
    assertThat(tampered.bytesReceived()).isEqualTo(original.bytesReceived() + 1);
    int before = server.requests.size();
    newSession();
    session.downloadTask(tampered).resume();
    SessionException e = delegate.awaitCompletion();
    assertThat(e.code()).isEqualTo(Code.CANNOT_WRITE_TO_FILE);
    assertThat(e.getMessage()).contains("Invalid resume data");
    assertThat(server.requests).hasSize(before);
  }

  static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i <= haystack.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  @Test
  void resumeDataOfAnotherStorageIsRefused(@TempDir Path otherStorage) throws Exception {
    session();
    server.faults.add(new RangeServer.Fault(200_000, -1));
    session.downloadTask(server.url()).resume();
    ResumeData data = delegate.awaitCompletion().resumeData().orElseThrow();
    RecordingDownloadDelegate other = new RecordingDownloadDelegate();
    try (Session elsewhere = Session.create(SessionConfiguration.defaultConfiguration().toBuilder()
        .storageDirectory(otherStorage).build(), other, null)) {
      elsewhere.downloadTask(data).resume();
      assertThat(other.awaitCompletion().code()).isEqualTo(Code.CANNOT_WRITE_TO_FILE);
    }
  }

  @Test
  void signedResumeDataPointingOutsideTheDownloadDirectoryIsRefused(@TempDir Path elsewhere) throws Exception {
    session();
    Path outside = Files.write(elsewhere.resolve("urlsession-download-x.tmp"), new byte[10]);
    ResumeData forged = ResumeData.create(Request.get(server.url()), outside, 10, "\"v1\"", null,
        content.length, ((RealSession) session).downloads.resumeKey());
    session.downloadTask(forged).resume();
    SessionException e = delegate.awaitCompletion();
    assertThat(e.code()).isEqualTo(Code.CANNOT_WRITE_TO_FILE);
    assertThat(e.getMessage()).contains("download directory");
    assertThat(server.requests).isEmpty();
    assertThat(Files.readAllBytes(outside)).hasSize(10);
  }

  @Test
  void discardResumeDataDeletesThePartialFileOnce() throws Exception {
    session();
    server.faults.add(new RangeServer.Fault(300_000, -1));
    session.downloadTask(server.url()).resume();
    ResumeData data = delegate.awaitCompletion().resumeData().orElseThrow();
    assertThat(data.partialFile()).exists();

    newSession(); // as after a restart: the blob came back from the application's storage
    assertThat(session.discardResumeData(ResumeData.from(data.toByteArray()))).isTrue();
    assertThat(data.partialFile()).doesNotExist();
    assertThat(session.discardResumeData(data)).isFalse();
  }

  @Test
  void discardResumeDataLeavesFilesItDidNotWriteAlone(@TempDir Path elsewhere, @TempDir Path otherStorage)
      throws Exception {
    session();
    Path outside = Files.write(elsewhere.resolve("urlsession-download-x.tmp"), new byte[10]);
    ResumeData pointingOutside = ResumeData.create(Request.get(server.url()), outside, 10, "\"v1\"", null,
        content.length, ((RealSession) session).downloads.resumeKey());
    assertThat(session.discardResumeData(pointingOutside)).isFalse();
    assertThat(outside).exists();

    server.faults.add(new RangeServer.Fault(200_000, -1));
    session.downloadTask(server.url()).resume();
    ResumeData data = delegate.awaitCompletion().resumeData().orElseThrow();
    try (Session other = Session.create(SessionConfiguration.defaultConfiguration().toBuilder()
        .storageDirectory(otherStorage).build())) {
      assertThat(other.discardResumeData(data)).as("signed by another storage").isFalse();
    }
    Path victim = Files.write(storage.resolve("someone-elses.db"), new byte[] {1, 2, 3});
    Files.delete(data.partialFile());
    Files.createLink(data.partialFile(), victim); // same name, another file
    assertThat(session.discardResumeData(data)).isFalse();
    assertThat(Files.readAllBytes(victim)).containsExactly(1, 2, 3);
  }

  @Test
  void downloadWithoutValidatorsCannotBeResumed() throws Exception {
    mockwebserver3.MockWebServer plain = new mockwebserver3.MockWebServer();
    plain.start();
    try {
      plain.enqueue(new mockwebserver3.MockResponse.Builder()
          .body(new okio.Buffer().write(new byte[2 * 1024 * 1024]))
          .throttleBody(64 * 1024, 50, java.util.concurrent.TimeUnit.MILLISECONDS).build());
      DownloadTask task = session().downloadTask(plain.url("/x").uri());
      task.resume();
      Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> task.countOfBytesReceived() > 0);
      assertThat(task.cancelByProducingResumeData().get(10, SECONDS)).isNull();
      assertThat(delegate.awaitCompletion().code()).isEqualTo(Code.CANCELLED);
      Awaitility.await().atMost(java.time.Duration.ofSeconds(5)).until(() -> {
        try (var files = Files.list(storage.resolve("downloads"))) {
          return files.count() == 0;
        }
      });
    } finally {
      plain.close();
    }
  }

  @Test
  void unsatisfiableRangeRestartsTheDownloadInsteadOfAppending() throws Exception {
    session();
    Path partial = ((RealSession) session).downloads.newFile();
    Files.write(partial, java.util.Arrays.copyOf(content, content.length));
    // Claims all bytes are there, so the server answers 416: the task must not trust it blindly.
    ResumeData data = ResumeData.create(Request.get(server.url()), partial, content.length, "\"v1\"", null,
        content.length, ((RealSession) session).downloads.resumeKey());
    session.downloadTask(data).resume();
    assertThat(delegate.awaitCompletion()).isNull();
    assertThat(sha256(delegate.fileContent)).isEqualTo(sha256(content));
    assertThat(server.requests.get(0).get("range")).isEqualTo("bytes=" + content.length + "-");
    assertThat(server.requests.get(1).get("range")).isNull();
  }

  @Test
  void weakEntityTagAloneDoesNotMakeADownloadResumable() throws Exception {
    session();
    server.etag = "W/\"weak\"";
    server.faults.add(new RangeServer.Fault(300_000, -1));
    session.downloadTask(server.url()).resume();
    SessionException e = delegate.awaitCompletion();
    assertThat(e.code()).isEqualTo(Code.NETWORK_CONNECTION_LOST);
    assertThat(e.resumeData()).isEmpty();
  }

  @Test
  void garbageAndOversizedBlobsAreRejectedWhenRead() {
    assertThatThrownBy(() -> ResumeData.from(new byte[] {1, 2, 3})).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ResumeData.from(new byte[ResumeData.MAX_SIZE + 1]))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("larger");
    assertThatThrownBy(() -> ResumeData.from(null)).isInstanceOf(IllegalArgumentException.class);
  }
}
