package dev.urlsession;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.urlsession.SessionException.Code;
import dev.urlsession.spi.ProtocolHandler;
import dev.urlsession.spi.ProtocolLoad;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.awaitility.Awaitility;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The built-in file: handler (URLSESSION-BEHAVIOUR.md 8.1; RELIABILITY.md Security row 13). */
@Timeout(60)
class FileUrlTests {
  @TempDir Path dir;
  @StartStop final MockWebServer server = new MockWebServer();
  final RecordingDelegate delegate = new RecordingDelegate();
  Session session;

  Session session(RecordingDelegate d) {
    session = Session.create(SessionConfiguration.ephemeral(), d, null);
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

  Path write(String name, byte[] content) throws Exception {
    Path p = dir.resolve(name);
    Files.write(p, content);
    return p;
  }

  @Test
  void fileUrlWhenRegularFileStreamsItWithItsSizeAndMimeType() throws Exception {
    byte[] content = random(3 * 1024 * 1024 + 1, 1);
    Path file = write("blob.bin", content);
    DataTask task = session(delegate).dataTask(file.toUri());
    task.resume();
    assertThat(delegate.awaitCompletion()).isNull();
    delegate.assertEvents("didCreateTask", "didReceiveResponse 0", "didReceiveData",
        "didFinishCollectingMetrics", "didComplete null");
    assertThat(delegate.body.toByteArray()).isEqualTo(content);
    Response r = task.response();
    assertThat(r.url()).isEqualTo(file.toUri());
    assertThat(r.statusCode()).isZero();
    assertThat(r.mimeType()).isEqualTo("application/octet-stream");
    assertThat(r.textEncodingName()).isNull();
    assertThat(r.expectedContentLength()).isEqualTo(content.length);
    assertThat(r.suggestedFilename()).isEqualTo("blob.bin");
    assertThat(task.countOfBytesReceived()).isEqualTo(content.length);
    assertThat(task.countOfBytesExpectedToReceive()).isEqualTo(content.length);
  }

  @ParameterizedTest
  @CsvSource({"notes.txt, text/plain", "page.HTML, text/html", "data.json, application/json",
      "photo.jpeg, image/jpeg", "archive.zip, application/zip", "noextension, application/octet-stream",
      ".hidden, application/octet-stream"})
  void fileUrlMimeTypeComesFromTheExtension(String name, String mimeType) throws Exception {
    Path file = write(name, "x".getBytes(StandardCharsets.US_ASCII));
    DataResponse r = session(delegate).data(Request.get(file.toUri())).get(10, SECONDS);
    assertThat(r.response().mimeType()).isEqualTo(mimeType);
    assertThat(r.response().expectedContentLength()).isEqualTo(1);
  }

  @Test
  void fileUrlOfAnEmptyFileGetsNoDataCall() throws Exception {
    Path file = write("empty.txt", new byte[0]);
    session(delegate).dataTask(file.toUri()).resume();
    assertThat(delegate.awaitCompletion()).isNull();
    delegate.assertEvents("didCreateTask", "didReceiveResponse 0", "didFinishCollectingMetrics", "didComplete null");
  }

  @Test
  void fileUrlWhenMissingFailsWithFileDoesNotExistAndNoResponse() throws Exception {
    URI url = dir.resolve("missing.txt").toUri();
    DataTask task = session(delegate).dataTask(url);
    task.resume();
    SessionException e = delegate.awaitCompletion();
    assertThat(e.code()).isEqualTo(Code.FILE_DOES_NOT_EXIST);
    assertThat(e.code().value()).isEqualTo(-1100);
    assertThat(e.failingUrl()).isEqualTo(url);
    delegate.assertEvents("didCreateTask", "didFinishCollectingMetrics", "didComplete FILE_DOES_NOT_EXIST");
    assertThat(task.response()).isNull();
  }

  @Test
  void fileUrlUnderARegularFileFailsWithFileDoesNotExist() throws Exception {
    Path file = write("plain.txt", "x".getBytes(StandardCharsets.US_ASCII));
    session(delegate).dataTask(URI.create(file.toUri() + "/child")).resume();
    assertThat(delegate.awaitCompletion().code()).isEqualTo(Code.FILE_DOES_NOT_EXIST);
  }

  @Test
  void fileUrlWhenDirectoryFailsWithFileIsDirectory() throws Exception {
    session(delegate).dataTask(dir.toUri()).resume();
    assertThat(delegate.awaitCompletion().code()).isEqualTo(Code.FILE_IS_DIRECTORY);
    delegate.assertEvents("didCreateTask", "didFinishCollectingMetrics", "didComplete FILE_IS_DIRECTORY");
  }

  @Test
  void fileUrlWhenUnreadableFailsWithNoPermissionsToReadFile() throws Exception {
    Path file = write("secret.txt", "top secret".getBytes(StandardCharsets.US_ASCII));
    try {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("---------"));
    } catch (UnsupportedOperationException e) {
      assumeTrue(false, "no POSIX permissions on this file system");
    }
    assumeTrue(!Files.isReadable(file), "this user reads every file (root)");
    session(delegate).dataTask(file.toUri()).resume();
    assertThat(delegate.awaitCompletion().code()).isEqualTo(Code.NO_PERMISSIONS_TO_READ_FILE);
  }

  @Test
  void fileUrlOfADeviceIsRefusedWithNoPermissionsToReadFile() throws Exception {
    Path device = Path.of("/dev/zero");
    assumeTrue(Files.exists(device), "no /dev/zero here");
    session(delegate).dataTask(device.toUri()).resume();
    assertThat(delegate.awaitCompletion().code()).isEqualTo(Code.NO_PERMISSIONS_TO_READ_FILE);
    delegate.assertEvents("didCreateTask", "didFinishCollectingMetrics", "didComplete NO_PERMISSIONS_TO_READ_FILE");
  }

  @Test
  void fileUrlOfAFifoIsRefusedWithoutBlockingTheReader() throws Exception {
    Path fifo = dir.resolve("pipe");
    boolean made;
    try {
      Process p = new ProcessBuilder("mkfifo", fifo.toString()).redirectErrorStream(true).start();
      made = p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (java.io.IOException e) {
      made = false;
    }
    assumeTrue(made, "mkfifo is not available");
    session(delegate).dataTask(fifo.toUri()).resume();
    assertThat(delegate.awaitCompletion().code()).isEqualTo(Code.NO_PERMISSIONS_TO_READ_FILE);
  }

  @Test
  void fileUrlThroughASymbolicLinkToARegularFileReadsTheTarget() throws Exception {
    Path target = write("target.txt", "through the link".getBytes(StandardCharsets.US_ASCII));
    Path link = dir.resolve("link.json");
    try {
      Files.createSymbolicLink(link, target);
    } catch (UnsupportedOperationException | java.io.IOException e) {
      assumeTrue(false, "no symbolic links here");
    }
    DataTask task = session(delegate).dataTask(link.toUri());
    task.resume();
    assertThat(delegate.awaitCompletion()).isNull();
    assertThat(delegate.body.toString(StandardCharsets.US_ASCII)).isEqualTo("through the link");
    assertThat(task.response().url()).isEqualTo(link.toUri());
    assertThat(task.response().mimeType()).isEqualTo("application/json"); // the link's name
  }

  @Test
  void fileUrlThroughASymbolicLinkToADirectoryFailsWithFileIsDirectory() throws Exception {
    Path sub = Files.createDirectory(dir.resolve("sub"));
    Path link = dir.resolve("sublink");
    try {
      Files.createSymbolicLink(link, sub);
    } catch (UnsupportedOperationException | java.io.IOException e) {
      assumeTrue(false, "no symbolic links here");
    }
    session(delegate).dataTask(link.toUri()).resume();
    assertThat(delegate.awaitCompletion().code()).isEqualTo(Code.FILE_IS_DIRECTORY);
  }

  @Test
  void fileUrlWithLocalhostAsHostIsRead() throws Exception {
    Path file = write("local.txt", "here".getBytes(StandardCharsets.US_ASCII));
    URI url = new URI("file", "localhost", file.toUri().getPath(), null);
    DataResponse r = session(delegate).data(Request.get(url)).get(10, SECONDS);
    assertThat(new String(r.body(), StandardCharsets.US_ASCII)).isEqualTo("here");
  }

  @Test
  void fileUrlWithAnotherHostFailsWithBadUrl() throws Exception {
    Path file = write("remote.txt", "x".getBytes(StandardCharsets.US_ASCII));
    URI url = new URI("file", "otherhost", file.toUri().getPath(), null);
    session(delegate).dataTask(url).resume();
    assertThat(delegate.awaitCompletion().code()).isEqualTo(Code.BAD_URL);
    delegate.assertEvents("didCreateTask", "didFinishCollectingMetrics", "didComplete BAD_URL");
  }

  @Test
  void fileUrlWithoutAnAbsolutePathFailsWithBadUrl() throws Exception {
    session(delegate).dataTask(URI.create("file:relative.txt")).resume();
    assertThat(delegate.awaitCompletion().code()).isEqualTo(Code.BAD_URL);
  }

  @Test
  void fileUrlWithAnEscapedNulFailsWithBadUrl() throws Exception {
    session(delegate).dataTask(URI.create(dir.toUri() + "a%00b")).resume();
    assertThat(delegate.awaitCompletion().code()).isEqualTo(Code.BAD_URL);
  }

  @Test
  void fileUrlWithEscapesInThePathReadsTheDecodedName() throws Exception {
    write("with space.txt", "spaced".getBytes(StandardCharsets.US_ASCII));
    DataResponse r = session(delegate).data(Request.get(URI.create(dir.toUri() + "with%20space.txt")))
        .get(10, SECONDS);
    assertThat(new String(r.body(), StandardCharsets.US_ASCII)).isEqualTo("spaced");
  }

  @Test
  void fileUrlWithCompletionHandlerGetsBodyAndResponse() throws Exception {
    Path file = write("h.csv", "a,b\n".getBytes(StandardCharsets.US_ASCII));
    CompletableFuture<String> result = new CompletableFuture<>();
    session(delegate).dataTask(file.toUri(), (data, response, error) -> result.complete(
        new String(data, StandardCharsets.US_ASCII) + "|" + response.mimeType() + "|" + error)).resume();
    assertThat(result.get(10, SECONDS)).isEqualTo("a,b\n|text/csv|null");
    assertThat(delegate.events).containsExactly("didCreateTask", "didFinishCollectingMetrics");
  }

  @Test
  void fileDataFutureWhenMissingFailsWithFileDoesNotExist() {
    CompletableFuture<DataResponse> f = session(delegate).data(Request.get(dir.resolve("nope").toUri()));
    assertThatThrownBy(() -> f.get(10, SECONDS)).isInstanceOf(ExecutionException.class)
        .cause().isInstanceOf(SessionException.class)
        .extracting(e -> ((SessionException) e).code()).isEqualTo(Code.FILE_DOES_NOT_EXIST);
  }

  @Test
  void fileUrlDownloadTaskCopiesTheFileThroughTheSession() throws Exception {
    byte[] content = random(2 * 1024 * 1024 + 3, 2);
    Path file = write("copy.bin", content);
    RecordingDownloadDelegate d = new RecordingDownloadDelegate();
    DownloadTask task = session(d).downloadTask(file.toUri());
    task.resume();
    assertThat(d.awaitCompletion()).isNull();
    d.assertEvents("didCreateTask", "didWriteData", "didFinishDownloadingTo",
        "didFinishCollectingMetrics", "didComplete null");
    assertThat(d.fileContent).isEqualTo(content);
    assertThat(d.lastTotalWritten.get()).isEqualTo(content.length);
    assertThat(d.location).doesNotExist();
    assertThat(file).exists(); // the source is only read
  }

  @Test
  void fileUrlWhenTheTaskIsSuspendedReadsNothingUntilResumed() throws Exception {
    byte[] content = random(4 * 1024 * 1024, 3);
    Path file = write("paused.bin", content);
    RecordingDelegate suspending = new RecordingDelegate() {
      @Override
      public void didReceiveResponse(Session s, DataTask task, Response response,
          Consumer<ResponseDisposition> handler) {
        task.suspend();
        super.didReceiveResponse(s, task, response, handler);
      }
    };
    DataTask task = session(suspending).dataTask(file.toUri());
    task.resume();
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> task.state() == SessionTask.State.SUSPENDED
        && suspending.events.contains("didReceiveResponse 0"));
    Awaitility.await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2))
        .until(() -> task.countOfBytesReceived() == 0);
    task.resume();
    assertThat(suspending.awaitCompletion()).isNull();
    assertThat(suspending.body.toByteArray()).isEqualTo(content);
  }

  @Test
  void fileUrlWhenTheDelegateIsSlowReadsNoFurtherThanTheTasksBacklogAllows() throws Exception {
    byte[] content = random(24 * 1024 * 1024, 4);
    Path file = write("large.bin", content);
    CountDownLatch release = new CountDownLatch(1);
    CompletableFuture<Void> blocked = new CompletableFuture<>();
    RecordingDelegate slow = new RecordingDelegate() {
      @Override
      public void didReceiveData(Session s, DataTask task, byte[] data) {
        super.didReceiveData(s, task, data);
        if (blocked.complete(null)) {
          try {
            release.await(20, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
      }
    };
    DataTask task = session(slow).dataTask(file.toUri());
    task.resume();
    blocked.get(10, SECONDS);
    // The delegate holds its queue: the handler stops once the task's backlog is full.
    Awaitility.await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5))
        .until(() -> task.countOfBytesReceived() <= 3 * 1024 * 1024);
    release.countDown();
    assertThat(slow.awaitCompletion()).isNull();
    assertThat(slow.body.toByteArray()).isEqualTo(content);
  }

  @Test
  void fileUrlWhenCancelledStopsReadingAndCompletesWithCancelled() throws Exception {
    byte[] content = random(24 * 1024 * 1024, 5);
    Path file = write("cancelled.bin", content);
    CompletableFuture<Void> first = new CompletableFuture<>();
    RecordingDelegate cancelling = new RecordingDelegate() {
      @Override
      public void didReceiveData(Session s, DataTask task, byte[] data) {
        super.didReceiveData(s, task, data);
        if (first.complete(null)) {
          task.cancel();
        }
      }
    };
    DataTask task = session(cancelling).dataTask(file.toUri());
    task.resume();
    assertThat(cancelling.awaitCompletion().code()).isEqualTo(Code.CANCELLED);
    cancelling.assertEvents("didCreateTask", "didReceiveResponse 0", "didReceiveData",
        "didFinishCollectingMetrics", "didComplete CANCELLED");
    assertThat(task.countOfBytesReceived()).isLessThan(content.length);
  }

  // --- file: is never reached through a redirect (RELIABILITY.md Security row 13) ---

  @Test
  void fileUrlInAnHttpRedirectIsNotFollowedAndTheFileIsNeverRead() throws Exception {
    Path secret = write("secret.txt", "the secret".getBytes(StandardCharsets.US_ASCII));
    server.enqueue(new MockResponse.Builder().code(302).addHeader("Location", secret.toUri().toString())
        .body("moved").build());
    DataTask task = session(delegate).dataTask(server.url("/evil").uri());
    task.resume();
    assertThat(delegate.awaitCompletion()).isNull();
    delegate.assertEvents("didCreateTask", "didReceiveResponse 302", "didReceiveData",
        "didFinishCollectingMetrics", "didComplete null");
    assertThat(delegate.body.toString(StandardCharsets.US_ASCII)).isEqualTo("moved");
    assertThat(task.currentRequest().url().getScheme()).isEqualTo("http");
  }

  /** A handler of {@code hop:} URLs that redirects every load to {@code target}. */
  static ProtocolHandler redirectingTo(URI target) {
    return new ProtocolHandler() {
      @Override
      public boolean canHandle(Request request) {
        return "hop".equals(request.url().getScheme());
      }

      @Override
      public void startLoading(ProtocolLoad load) {
        load.client().wasRedirectedTo(Request.get(target),
            Response.builder(load.request().url()).statusCode(302).build());
        load.client().didLoadData("moved".getBytes(StandardCharsets.US_ASCII));
        load.client().didFinishLoading();
      }

      @Override
      public void stopLoading(ProtocolLoad load) {}
    };
  }

  Session sessionWith(ProtocolHandler handler, RecordingDelegate d) {
    session = Session.create(SessionConfiguration.ephemeral().toBuilder()
        .protocolHandlers(List.of(handler)).build(), d, null);
    return session;
  }

  @Test
  void fileUrlThatAHandlerRedirectsToIsNeverRead() throws Exception {
    Path secret = write("secret.txt", "the secret".getBytes(StandardCharsets.US_ASCII));
    DataTask task = sessionWith(redirectingTo(secret.toUri()), delegate).dataTask(URI.create("hop:start"));
    task.resume();
    SessionException error = delegate.awaitCompletion();
    // Today the file: handler refuses the load (UNSUPPORTED_URL); with the RealTask change the
    // 302 is the response. Either way not a byte of the file reaches the task.
    assertThat(delegate.body.toString(StandardCharsets.US_ASCII)).doesNotContain("the secret");
    @Nullable Response r = task.response();
    assertThat(r == null || !"file".equals(r.url().getScheme())).isTrue();
    if (error != null) {
      assertThat(error.code()).isEqualTo(Code.UNSUPPORTED_URL);
    }
  }

  @Test
  void fileUrlThatTheRedirectDelegateSubstitutesIsNeverRead() throws Exception {
    Path secret = write("secret.txt", "the secret".getBytes(StandardCharsets.US_ASCII));
    server.enqueue(new MockResponse.Builder().code(302).addHeader("Location", "/elsewhere").build());
    RecordingDelegate substituting = new RecordingDelegate() {
      @Override
      public void willPerformHttpRedirection(Session s, SessionTask task, Response redirect,
          Request newRequest, Consumer<@Nullable Request> handler) {
        super.willPerformHttpRedirection(s, task, redirect, newRequest, ignored -> {});
        handler.accept(Request.get(secret.toUri()));
      }
    };
    session(substituting).dataTask(server.url("/start").uri()).resume();
    SessionException error = substituting.awaitCompletion();
    assertThat(error).isNotNull();
    assertThat(error.code()).isEqualTo(Code.UNSUPPORTED_URL);
    assertThat(substituting.body.toString(StandardCharsets.US_ASCII)).doesNotContain("the secret");
  }

  @Test
  void fileUrlThatAHandlerRedirectsToIsNoRedirectAndTheDelegateIsNotAsked() throws Exception {
    Path secret = write("secret.txt", "the secret".getBytes(StandardCharsets.US_ASCII));
    DataTask task = sessionWith(redirectingTo(secret.toUri()), delegate).dataTask(URI.create("hop:start"));
    task.resume();
    assertThat(delegate.awaitCompletion()).isNull();
    // As for an HTTP Location of file:, the 302 is the response and its body the data.
    delegate.assertEvents("didCreateTask", "didReceiveResponse 302", "didReceiveData",
        "didFinishCollectingMetrics", "didComplete null");
    assertThat(delegate.body.toString(StandardCharsets.US_ASCII)).isEqualTo("moved");
    assertThat(task.response().url()).isEqualTo(URI.create("hop:start"));
    assertThat(task.currentRequest().url()).isEqualTo(URI.create("hop:start"));
  }

  @Test
  void fileUrlThatTheRedirectDelegateSubstitutesFailsTheTaskBeforeAnyLoad() throws Exception {
    Path secret = write("secret.txt", "the secret".getBytes(StandardCharsets.US_ASCII));
    server.enqueue(new MockResponse.Builder().code(302).addHeader("Location", "/elsewhere").build());
    RecordingDelegate substituting = new RecordingDelegate() {
      @Override
      public void willPerformHttpRedirection(Session s, SessionTask task, Response redirect,
          Request newRequest, Consumer<@Nullable Request> handler) {
        super.willPerformHttpRedirection(s, task, redirect, newRequest, ignored -> {});
        handler.accept(Request.get(secret.toUri()));
      }
    };
    DataTask task = session(substituting).dataTask(server.url("/start").uri());
    task.resume();
    SessionException error = substituting.awaitCompletion();
    assertThat(error.code()).isEqualTo(Code.UNSUPPORTED_URL);
    assertThat(error.failingUrl()).isEqualTo(secret.toUri());
    substituting.assertEvents("didCreateTask", "willPerformHttpRedirection 302 /elsewhere",
        "didFinishCollectingMetrics", "didComplete UNSUPPORTED_URL");
    // The session never made the file: URL its current request (no load of it was started).
    assertThat(task.currentRequest().url().getScheme()).isEqualTo("http");
    assertThat(substituting.metrics.redirectCount()).isZero();
  }
}
