package dev.urlsession;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.urlsession.SessionException.Code;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.zip.GZIPOutputStream;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import okio.Buffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Download tasks (URLSESSION-BEHAVIOUR.md 3.6, 3.8). */
@Timeout(60)
class DownloadTaskTests {
  @StartStop final MockWebServer server = new MockWebServer();
  @TempDir Path storage;
  final RecordingDownloadDelegate delegate = new RecordingDownloadDelegate();
  Session session;

  Session session() {
    if (session == null) {
      session = Session.create(SessionConfiguration.defaultConfiguration().toBuilder()
          .storageDirectory(storage).build(), delegate, null);
    }
    return session;
  }

  @AfterEach
  void tearDown() {
    if (session != null) {
      session.invalidateAndCancel();
    }
  }

  static byte[] random(int size, long seed) {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    return b;
  }

  @Test
  void downloadWritesTheBodyToAFileDeliveredOnceThenDeleted() throws Exception {
    byte[] body = random(3 * 1024 * 1024, 1);
    server.enqueue(new MockResponse.Builder().body(new Buffer().write(body)).build());
    DownloadTask task = session().downloadTask(server.url("/file.bin").uri());
    task.resume();
    assertThat(delegate.awaitCompletion()).isNull();
    delegate.assertEvents("didCreateTask", "didWriteData", "didFinishDownloadingTo",
        "didFinishCollectingMetrics", "didComplete null");
    assertThat(delegate.fileContent).isEqualTo(body);
    assertThat(delegate.lastTotalWritten.get()).isEqualTo(body.length);
    assertThat(delegate.sumOfBytesWritten.get()).isEqualTo(body.length);
    assertThat(delegate.location.getParent()).isEqualTo(storage.resolve("downloads"));
    assertThat(delegate.location).doesNotExist();
    assertThat(task.response().statusCode()).isEqualTo(200);
    assertThat(task.countOfBytesReceived()).isEqualTo(body.length);
    assertThat(task.countOfBytesExpectedToReceive()).isEqualTo(body.length);
    assertThat(server.takeRequest(5, SECONDS).getHeaders().get("Accept-Encoding")).isEqualTo("identity");
    assertThat(Files.list(storage.resolve("downloads"))).isEmpty();
  }

  @Test
  void downloadOfA404PageDownloadsItWithoutError() throws Exception {
    server.enqueue(new MockResponse.Builder().code(404).body("not here").build());
    DownloadTask task = session().downloadTask(server.url("/missing").uri());
    task.resume();
    assertThat(delegate.awaitCompletion()).isNull();
    assertThat(new String(delegate.fileContent, StandardCharsets.UTF_8)).isEqualTo("not here");
    assertThat(task.response().statusCode()).isEqualTo(404);
  }

  @Test
  void downloadOfAGzippedBodyWritesTheDecodedBytes() throws Exception {
    byte[] plain = "zip zap ".repeat(20_000).getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream gz = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
      out.write(plain);
    }
    server.enqueue(new MockResponse.Builder().addHeader("Content-Encoding", "gzip")
        .body(new Buffer().write(gz.toByteArray())).build());
    session().downloadTask(server.url("/gz").uri()).resume();
    assertThat(delegate.awaitCompletion()).isNull();
    assertThat(delegate.fileContent).isEqualTo(plain);
    assertThat(delegate.lastTotalWritten.get()).isEqualTo(plain.length);
  }

  @Test
  void downloadFollowsRedirectsAfterAskingTheDelegate() throws Exception {
    server.enqueue(new MockResponse.Builder().code(302).addHeader("Location", "/real").body("moved").build());
    server.enqueue(new MockResponse.Builder().body("real content").build());
    session().downloadTask(server.url("/alias").uri()).resume();
    assertThat(delegate.awaitCompletion()).isNull();
    delegate.assertEvents("didCreateTask", "willPerformHttpRedirection 302 /real", "didWriteData",
        "didFinishDownloadingTo", "didFinishCollectingMetrics", "didComplete null");
    assertThat(new String(delegate.fileContent, StandardCharsets.UTF_8)).isEqualTo("real content");
  }

  @Test
  void completionHandlerGetsTheFileWhileItRunsAndItIsDeletedAfterwards() throws Exception {
    server.enqueue(new MockResponse.Builder().body("handled file").build());
    CompletableFuture<String> seen = new CompletableFuture<>();
    CompletableFuture<Path> where = new CompletableFuture<>();
    session().downloadTask(server.url("/h").uri(), (location, response, error) -> {
      try {
        seen.complete(Files.readString(location) + " " + response.statusCode() + " " + error);
        where.complete(location);
      } catch (java.io.IOException e) {
        seen.completeExceptionally(e);
      }
    }).resume();
    assertThat(seen.get(10, SECONDS)).isEqualTo("handled file 200 null");
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5))
        .until(() -> !Files.exists(where.get()));
    assertThat(delegate.events).doesNotContain("didWriteData", "didFinishDownloadingTo");
  }

  @Test
  void downloadFutureHandsTheFileToTheCaller() throws Exception {
    server.enqueue(new MockResponse.Builder().body("mine now").build());
    DownloadResponse r = session().download(Request.get(server.url("/d").uri())).get(10, SECONDS);
    try {
      assertThat(Files.readString(r.location())).isEqualTo("mine now");
      assertThat(r.response().statusCode()).isEqualTo(200);
    } finally {
      Files.deleteIfExists(r.location());
    }
  }

  @Test
  void downloadFutureWithATaskDelegateReportsProgressButNotTheFile() throws Exception {
    byte[] body = random(1024 * 1024, 5);
    server.enqueue(new MockResponse.Builder().body(new Buffer().write(body)).build());
    RecordingDownloadDelegate own = new RecordingDownloadDelegate();
    DownloadResponse r = session().download(Request.get(server.url("/d").uri()), own).get(10, SECONDS);
    try {
      assertThat(own.events).contains("didWriteData").doesNotContain("didFinishDownloadingTo");
      assertThat(own.lastTotalWritten.get()).isEqualTo(body.length);
      assertThat(Files.readAllBytes(r.location())).isEqualTo(body);
    } finally {
      Files.deleteIfExists(r.location());
    }
  }

  @Test
  void failedDownloadDeletesItsFileWhenItCannotBeResumed() throws Exception {
    server.enqueue(new MockResponse.Builder().body(new Buffer().write(new byte[2 * 1024 * 1024]))
        .onResponseBody(new mockwebserver3.SocketEffect.CloseSocket(true, false, false)).build());
    session().downloadTask(server.url("/drop").uri()).resume();
    SessionException e = delegate.awaitCompletion();
    assertThat(e.code()).isEqualTo(Code.NETWORK_CONNECTION_LOST);
    assertThat(e.resumeData()).isEmpty();
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5))
        .until(() -> {
          try (var files = Files.list(storage.resolve("downloads"))) {
            return files.count() == 0;
          }
        });
  }

  @Test
  void dataTaskBecomesADownloadTaskWhenTheDelegateSaysSo() throws Exception {
    byte[] body = random(2 * 1024 * 1024, 9);
    server.enqueue(new MockResponse.Builder().body(new Buffer().write(body)).build());
    CompletableFuture<DownloadTask> became = new CompletableFuture<>();
    RecordingDownloadDelegate d = new RecordingDownloadDelegate() {
      @Override
      public void didReceiveResponse(Session s, DataTask t, Response r, Consumer<ResponseDisposition> h) {
        recordEvent(t, "didReceiveResponse " + r.statusCode());
        h.accept(ResponseDisposition.BECOME_DOWNLOAD);
      }

      @Override
      public void didBecomeDownloadTask(Session s, DataTask t, DownloadTask downloadTask) {
        recordEvent(t, "didBecomeDownloadTask");
        became.complete(downloadTask);
      }
    };
    try (Session s = Session.create(SessionConfiguration.defaultConfiguration().toBuilder()
        .storageDirectory(storage).build(), d, null)) {
      DataTask task = s.dataTask(server.url("/big").uri());
      task.resume();
      assertThat(d.awaitCompletion()).isNull();
      d.assertEvents("didCreateTask", "didReceiveResponse 200", "didBecomeDownloadTask", "didWriteData",
          "didFinishDownloadingTo", "didFinishCollectingMetrics", "didComplete null");
      assertThat(d.fileContent).isEqualTo(body);
      DownloadTask download = became.get(5, SECONDS);
      assertThat(download.taskIdentifier()).isNotEqualTo(task.taskIdentifier());
      assertThat(download.response().statusCode()).isEqualTo(200);
      assertThat(download.countOfBytesReceived()).isEqualTo(body.length);
      assertThat(task.state()).isEqualTo(SessionTask.State.COMPLETED);
      assertThat(task.error()).isNull();
      assertThat(download.completion().get(5, SECONDS).state()).isEqualTo(SessionTask.State.COMPLETED);
    }
  }

  @Test
  void ephemeralDownloadsGoToTheSystemTempDirectory() throws Exception {
    RecordingDownloadDelegate d = new RecordingDownloadDelegate();
    server.enqueue(new MockResponse.Builder().body("tmp").build());
    try (Session s = Session.create(SessionConfiguration.ephemeral(), d, null)) {
      s.downloadTask(server.url("/t").uri()).resume();
      assertThat(d.awaitCompletion()).isNull();
      assertThat(d.location.getParent().toRealPath())
          .isEqualTo(Path.of(System.getProperty("java.io.tmpdir")).toRealPath());
      assertThat(d.location).doesNotExist();
    }
  }

  @Test
  void suggestedFilenameIsNeverAPath() {
    Response r = Response.builder(server.url("/dir/report.pdf").uri())
        .header("Content-Disposition", "attachment; filename=\"../../etc/passwd\"").build();
    assertThat(r.suggestedFilename()).isEqualTo("passwd");
    assertThatThrownBy(() -> SessionConfiguration.ephemeral().toBuilder().storageDirectory(storage))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ephemeral");
  }
}
