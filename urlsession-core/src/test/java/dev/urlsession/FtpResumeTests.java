package dev.urlsession;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.urlsession.SessionException.Code;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Random;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Resuming ftp: downloads with REST, MDTM and SIZE as validators (the FTP analogue of If-Range),
 * against the embedded FtpServer.
 */
@Timeout(60)
class FtpResumeTests {
  static final int SIZE = 1024 * 1024 + 333;
  static final long CUT = 300_000;

  @TempDir Path home;
  @TempDir Path storage;
  final byte[] content = new byte[SIZE];
  FtpTestServer server;
  Session session;
  RecordingDownloadDelegate delegate = new RecordingDownloadDelegate();

  FtpResumeTests() {
    new Random(6).nextBytes(content);
  }

  @BeforeEach
  void setUp() throws Exception {
    server = FtpTestServer.start(home);
    Files.write(home.resolve("big.bin"), content);
    Files.setLastModifiedTime(home.resolve("big.bin"), FileTime.from(Instant.parse("2026-01-02T03:04:05Z")));
    session = newSession();
  }

  @AfterEach
  void tearDown() {
    session.invalidateAndCancel();
    server.close();
  }

  Session newSession() {
    if (session != null) {
      session.invalidateAndCancel();
    }
    delegate = new RecordingDownloadDelegate();
    session = Session.create(SessionConfiguration.defaultConfiguration().toBuilder()
        .storageDirectory(storage).build(), delegate, null);
    return session;
  }

  /** Downloads big.bin while the server aborts it after CUT bytes: the failure's resume data. */
  ResumeData interruptedDownload() throws Exception {
    server.abortNextDownload(CUT);
    session.downloadTask(server.url("big.bin")).resume();
    SessionException failure = delegate.awaitCompletion();
    assertThat(failure.code()).isEqualTo(Code.NETWORK_CONNECTION_LOST);
    delegate.assertEvents("didCreateTask", "didWriteData", "didFinishCollectingMetrics",
        "didComplete NETWORK_CONNECTION_LOST");
    ResumeData data = failure.resumeData().orElseThrow();
    assertThat(data.bytesReceived()).isEqualTo(CUT);
    assertThat(data.url()).isEqualTo(server.url("big.bin"));
    return ResumeData.from(data.toByteArray());
  }

  /** Resumes from {@code data} in a new session and returns the downloaded file. */
  byte[] resume(ResumeData data, String expectedResumeEvent) throws Exception {
    newSession();
    session.downloadTask(data).resume();
    assertThat(delegate.awaitCompletion()).isNull();
    delegate.assertEvents("didCreateTask", expectedResumeEvent, "didWriteData", "didFinishDownloadingTo",
        "didFinishCollectingMetrics", "didComplete null");
    return delegate.fileContent;
  }

  @Test
  void ftpDownloadAbortedByTheServerResumesWithRestAndAppendsTheRestByteExact() throws Exception {
    ResumeData data = interruptedDownload();
    byte[] file = resume(data, "didResumeAtOffset " + CUT + " " + SIZE);
    assertThat(ResumeDataTests.sha256(file)).isEqualTo(ResumeDataTests.sha256(content));
    assertThat(delegate.lastTotalWritten.get()).isEqualTo(SIZE);
    assertThat(delegate.sumOfBytesWritten.get()).isEqualTo(SIZE - CUT);
    assertThat(server.commands()).containsSubsequence("SIZE big.bin", "MDTM big.bin", "RETR big.bin",
        "SIZE big.bin", "MDTM big.bin", "PASV", "REST " + CUT, "RETR big.bin");
  }

  @Test
  void ftpCancelByProducingResumeDataThenResumeIsByteExact() throws Exception {
    server.stallNextDownload(CUT);
    DownloadTask task = session.downloadTask(server.url("big.bin"));
    task.resume();
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> task.countOfBytesReceived() == CUT);
    ResumeData data = task.cancelByProducingResumeData().get(10, SECONDS);
    server.releaseStall();
    assertThat(data).isNotNull();
    assertThat(data.bytesReceived()).isEqualTo(CUT);
    assertThat(delegate.awaitCompletion().code()).isEqualTo(Code.CANCELLED);
    delegate.assertEvents("didCreateTask", "didWriteData", "didFinishCollectingMetrics", "didComplete CANCELLED");

    byte[] file = resume(ResumeData.from(data.toByteArray()), "didResumeAtOffset " + CUT + " " + SIZE);
    assertThat(ResumeDataTests.sha256(file)).isEqualTo(ResumeDataTests.sha256(content));
  }

  @Test
  void ftpResumeWhenTheFileWasModifiedRestartsFromZeroWithoutRest() throws Exception {
    ResumeData data = interruptedDownload();
    byte[] changed = content.clone();
    changed[10] ^= 1; // same size, new time
    Files.write(home.resolve("big.bin"), changed);
    Files.setLastModifiedTime(home.resolve("big.bin"), FileTime.from(Instant.parse("2026-02-02T03:04:05Z")));
    byte[] file = resume(data, "didResumeAtOffset 0 " + SIZE);
    assertThat(ResumeDataTests.sha256(file)).isEqualTo(ResumeDataTests.sha256(changed));
    assertThat(server.commands()).noneMatch(c -> c.startsWith("REST"));
  }

  @Test
  void ftpResumeWhenTheSizeChangedButTheTimeDidNotRestartsFromZero() throws Exception {
    ResumeData data = interruptedDownload();
    FileTime time = Files.getLastModifiedTime(home.resolve("big.bin"));
    byte[] longer = new byte[SIZE + 10];
    System.arraycopy(content, 0, longer, 0, SIZE);
    Files.write(home.resolve("big.bin"), longer);
    Files.setLastModifiedTime(home.resolve("big.bin"), time);
    byte[] file = resume(data, "didResumeAtOffset 0 " + longer.length);
    assertThat(file).isEqualTo(longer);
    assertThat(server.commands()).noneMatch(c -> c.startsWith("REST"));
  }

  @Test
  void ftpResumeWhenTheServerRefusesRestRestartsFromZero() throws Exception {
    ResumeData data = interruptedDownload();
    server.refuse("REST", "502 Command not implemented.");
    byte[] file = resume(data, "didResumeAtOffset 0 " + SIZE);
    assertThat(ResumeDataTests.sha256(file)).isEqualTo(ResumeDataTests.sha256(content));
    assertThat(delegate.sumOfBytesWritten.get()).isEqualTo(SIZE);
    assertThat(server.commands()).contains("REST " + CUT);
  }

  @Test
  void ftpDownloadWithoutMdtmIsNotResumable() throws Exception {
    server.refuse("MDTM", "502 Command not implemented.");
    server.abortNextDownload(CUT);
    session.downloadTask(server.url("big.bin")).resume();
    SessionException failure = delegate.awaitCompletion();
    assertThat(failure.code()).isEqualTo(Code.NETWORK_CONNECTION_LOST);
    assertThat(failure.resumeData()).isEmpty();
  }

  @Test
  void ftpAsciiDownloadIsNotResumable() throws Exception {
    server.stallNextDownload(CUT);
    DownloadTask task = session.downloadTask(server.url("big.bin;type=a"));
    task.resume();
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> task.countOfBytesReceived() > 0);
    assertThat(task.cancelByProducingResumeData().get(10, SECONDS)).isNull();
    server.releaseStall();
    assertThat(delegate.awaitCompletion().code()).isEqualTo(Code.CANCELLED);
    assertThat(server.commands()).doesNotContain("MDTM big.bin");
  }

  @Test
  void ftpDataTaskSendsNoMdtm() throws Exception {
    assertThat(session.data(Request.get(server.url("big.bin"))).get(10, SECONDS).body()).isEqualTo(content);
    assertThat(server.commands()).contains("RETR big.bin").doesNotContain("MDTM big.bin");
  }

  @Test
  void ftpResumedDownloadThatIsAbortedAgainResumesAgainToAByteExactFile() throws Exception {
    ResumeData first = interruptedDownload();
    newSession();
    server.abortNextDownload(CUT);
    session.downloadTask(first).resume();
    SessionException again = delegate.awaitCompletion();
    assertThat(again.code()).isEqualTo(Code.NETWORK_CONNECTION_LOST);
    delegate.assertEvents("didCreateTask", "didResumeAtOffset " + CUT + " " + SIZE, "didWriteData",
        "didFinishCollectingMetrics", "didComplete NETWORK_CONNECTION_LOST");
    ResumeData second = ResumeData.from(again.resumeData().orElseThrow().toByteArray());
    assertThat(second.bytesReceived()).isEqualTo(2 * CUT);
    byte[] file = resume(second, "didResumeAtOffset " + 2 * CUT + " " + SIZE);
    assertThat(ResumeDataTests.sha256(file)).isEqualTo(ResumeDataTests.sha256(content));
    assertThat(server.commands()).containsSubsequence("REST " + CUT, "RETR big.bin", "REST " + 2 * CUT, "RETR big.bin");
  }

  @Test
  void ftpResumeDataFromAnotherStoreIsRefused() throws Exception {
    ResumeData data = interruptedDownload();
    session.invalidateAndCancel();
    delegate = new RecordingDownloadDelegate();
    session = Session.create(SessionConfiguration.defaultConfiguration().toBuilder()
        .storageDirectory(storage.resolve("other")).build(), delegate, null);
    session.downloadTask(data).resume();
    assertThat(delegate.awaitCompletion().code()).isEqualTo(Code.CANNOT_WRITE_TO_FILE);
    assertThat(server.commands().stream().filter(c -> c.startsWith("RETR"))).hasSize(1);
  }
}
