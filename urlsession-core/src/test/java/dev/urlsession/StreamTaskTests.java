package dev.urlsession;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.urlsession.SessionException.Code;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stream tasks over real loopback TCP: reads and writes in order, the end of the stream as Apple
 * reports it, closing each side, failures that fail every outstanding operation once, timeouts,
 * cancellation, and the exact delegate calls.
 */
@Timeout(30)
class StreamTaskTests {
  static final Duration NONE = Duration.ZERO;
  final RecordingStreamDelegate delegate = new RecordingStreamDelegate();
  Session session;
  TcpTestServer server;

  @AfterEach
  void tearDown() throws IOException {
    if (session != null) {
      session.invalidateAndCancel();
    }
    if (server != null) {
      server.close();
    }
  }

  Session session(SessionConfiguration configuration) {
    session = Session.create(configuration, delegate, null);
    return session;
  }

  Session session() {
    return session(SessionConfiguration.ephemeral());
  }

  static String text(CompletableFuture<ReadResult> read) throws Exception {
    return new String(read.get(10, SECONDS).data(), UTF_8);
  }

  static SessionException failure(CompletableFuture<?> f) {
    try {
      f.get(10, SECONDS);
    } catch (ExecutionException e) {
      assertThat(e.getCause()).isInstanceOf(SessionException.class);
      return (SessionException) e.getCause();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    throw new AssertionError("the future did not fail");
  }

  @Test
  void streamTaskWhenLinesAreEchoedReadsThemInOrderAndCompletesAfterBothSidesClose() throws Exception {
    server = TcpTestServer.lineEcho(null);
    StreamTask task = session().streamTask("localhost", server.port());
    assertThat(task.state()).isEqualTo(SessionTask.State.SUSPENDED);
    assertThat(task.originalRequest()).isNull();
    task.resume();
    CompletableFuture<Void> w1 = task.write("one\n".getBytes(UTF_8), NONE);
    CompletableFuture<Void> w2 = task.write("two\n".getBytes(UTF_8), NONE);
    CompletableFuture<ReadResult> r = task.readData(8, 100, NONE);
    w1.get(10, SECONDS);
    w2.get(10, SECONDS);
    assertThat(text(r)).isEqualTo("one\ntwo\n");
    task.closeWrite(); // the server reads the end of the stream and closes: then we read it
    ReadResult end = task.readData(1, 100, NONE).get(10, SECONDS);
    assertThat(end.data()).isEmpty();
    assertThat(end.atEof()).isTrue();
    assertThat(delegate.awaitCompletion()).isNull();
    task.completion().get(10, SECONDS);
    assertThat(task.state()).isEqualTo(SessionTask.State.COMPLETED);
    delegate.assertEvents("didCreateTask", "writeClosed", "readClosed", "didComplete null");
    assertThat(task.countOfBytesSent()).isEqualTo(8);
    assertThat(task.countOfBytesReceived()).isEqualTo(8);
    assertThat(server.lines).containsExactly("one", "two");
    assertThat(text(task.readData(1, 10, NONE))).isEmpty(); // still the end, after completion
  }

  @Test
  void readWhenThePeerClosesBeforeMinLengthReturnsWhatCameAtEofThenEmptyReadsAtEof() throws Exception {
    server = new TcpTestServer(s -> {
      s.getOutputStream().write("abc".getBytes(UTF_8));
      s.shutdownOutput();
      s.getInputStream().readAllBytes();
    });
    StreamTask task = session().streamTask("127.0.0.1", server.port());
    task.resume();
    ReadResult r = task.readData(10, 100, NONE).get(10, SECONDS);
    assertThat(new String(r.data(), UTF_8)).isEqualTo("abc");
    assertThat(r.atEof()).isTrue();
    ReadResult again = task.readData(1, 100, NONE).get(10, SECONDS);
    assertThat(again.data()).isEmpty();
    assertThat(again.atEof()).isTrue();
    assertThat(task.state()).isEqualTo(SessionTask.State.RUNNING); // the write side is still open
    task.closeWrite();
    assertThat(delegate.awaitCompletion()).isNull();
    delegate.assertEvents("didCreateTask", "readClosed", "writeClosed", "didComplete null");
  }

  @Test
  void readWhenMaxLengthIsSmallerThanWhatArrivedTakesOnlyMaxLengthAndLeavesTheRest() throws Exception {
    server = new TcpTestServer(s -> {
      s.getOutputStream().write("0123456789".getBytes(UTF_8));
      s.getInputStream().readAllBytes();
    });
    StreamTask task = session().streamTask("localhost", server.port());
    task.resume();
    assertThat(text(task.readData(10, 10, NONE).thenApply(x -> x))).isEqualTo("0123456789");
    StreamTask second = session.streamTask("localhost", server.port());
    second.resume();
    CompletableFuture<ReadResult> a = second.readData(4, 4, NONE);
    CompletableFuture<ReadResult> b = second.readData(6, 6, NONE);
    assertThat(text(a)).isEqualTo("0123");
    assertThat(text(b)).isEqualTo("456789");
  }

  @Test
  void cancelWhenOperationsAreOutstandingFailsEachOnceWithCancelledAndCompletesOnce() throws Exception {
    CountDownLatch connected = new CountDownLatch(1);
    server = new TcpTestServer(s -> {
      connected.countDown();
      s.getInputStream().readAllBytes();
    });
    StreamTask task = session().streamTask("localhost", server.port());
    task.resume();
    CompletableFuture<ReadResult> r1 = task.readData(1, 10, NONE);
    CompletableFuture<ReadResult> r2 = task.readData(1, 10, NONE);
    assertThat(connected.await(10, SECONDS)).isTrue();
    task.cancel();
    assertThat(task.state()).isIn(SessionTask.State.CANCELING, SessionTask.State.COMPLETED);
    assertThat(failure(r1).code()).isEqualTo(Code.CANCELLED);
    assertThat(failure(r2).code()).isEqualTo(Code.CANCELLED);
    assertThat(delegate.awaitCompletion().code()).isEqualTo(Code.CANCELLED);
    assertThat(failure(task.readData(1, 10, NONE)).code()).isEqualTo(Code.CANCELLED);
    assertThat(failure(task.write(new byte[1], NONE)).code()).isEqualTo(Code.CANCELLED);
    task.cancel();
    task.completion().get(10, SECONDS);
    delegate.assertEvents("didCreateTask", "didComplete CANCELLED");
    assertThat(task.error().code()).isEqualTo(Code.CANCELLED);
  }

  @Test
  void connectWhenNothingListensFailsOutstandingReadsWithCannotConnectToHost() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    StreamTask task = session().streamTask("127.0.0.1", port);
    CompletableFuture<ReadResult> r = task.readData(1, 10, NONE);
    task.resume();
    assertThat(failure(r).code()).isEqualTo(Code.CANNOT_CONNECT_TO_HOST);
    assertThat(delegate.awaitCompletion().code()).isEqualTo(Code.CANNOT_CONNECT_TO_HOST);
    delegate.assertEvents("didCreateTask", "didComplete CANNOT_CONNECT_TO_HOST");
  }

  @Test
  void connectWhenTheHostIsUnknownFailsWithCannotFindHost() throws Exception {
    StreamTask task = session().streamTask("no-such-host.invalid", 7);
    task.resume();
    assertThat(delegate.awaitCompletion().code()).isEqualTo(Code.CANNOT_FIND_HOST);
  }

  @Test
  void readWhenItsTimeoutPassesFailsWithTimedOutAndSoDoesTheTask() throws Exception {
    server = new TcpTestServer(s -> s.getInputStream().readAllBytes());
    StreamTask task = session().streamTask("localhost", server.port());
    task.resume();
    CompletableFuture<ReadResult> r = task.readData(1, 10, Duration.ofMillis(300));
    CompletableFuture<Void> w = task.write("x".getBytes(UTF_8), NONE);
    w.get(10, SECONDS);
    assertThat(failure(r).code()).isEqualTo(Code.TIMED_OUT);
    assertThat(delegate.awaitCompletion().code()).isEqualTo(Code.TIMED_OUT);
    delegate.assertEvents("didCreateTask", "didComplete TIMED_OUT");
  }

  @Test
  void readWhenThePeerStaysSilentLongerThanTheRequestTimeoutFailsWithTimedOut() throws Exception {
    server = new TcpTestServer(s -> s.getInputStream().readAllBytes());
    StreamTask task = session(SessionConfiguration.ephemeral().toBuilder()
        .timeoutIntervalForRequest(Duration.ofMillis(400)).build()).streamTask("localhost", server.port());
    task.resume();
    CompletableFuture<ReadResult> r = task.readData(1, 10, NONE);
    assertThat(failure(r).code()).isEqualTo(Code.TIMED_OUT);
    assertThat(delegate.awaitCompletion().code()).isEqualTo(Code.TIMED_OUT);
  }

  @Test
  void writeWhenTheWriteSideIsClosedFailsButTheTaskGoesOn() throws Exception {
    server = TcpTestServer.lineEcho(null);
    StreamTask task = session().streamTask("localhost", server.port());
    task.resume();
    task.write("hi\n".getBytes(UTF_8), NONE);
    task.closeWrite();
    SessionException e = failure(task.write("late\n".getBytes(UTF_8), NONE));
    assertThat(e.code()).isEqualTo(Code.NETWORK_CONNECTION_LOST);
    assertThat(text(task.readData(3, 10, NONE))).isEqualTo("hi\n");
    task.closeRead();
    assertThat(delegate.awaitCompletion()).isNull();
    delegate.assertEvents("didCreateTask", "writeClosed", "readClosed", "didComplete null");
  }

  @Test
  void startSecureConnectionWhenTheWriteSideIsClosedFailsTheTaskWithNetworkConnectionLost() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    server = new TcpTestServer(s -> {
      s.getInputStream().readAllBytes(); // up to the client's closeWrite, then stays open
      try {
        release.await(10, SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    StreamTask task = session().streamTask("localhost", server.port());
    task.resume();
    task.closeWrite();
    task.startSecureConnection(); // a handshake needs the write side
    CompletableFuture<ReadResult> read = task.readData(1, 10, NONE);
    SessionException e = failure(read);
    release.countDown();
    assertThat(e.code()).isEqualTo(Code.NETWORK_CONNECTION_LOST);
    assertThat(e.getMessage()).contains("TLS cannot start: the write side of the stream task was closed");
    assertThat(delegate.awaitCompletion()).isSameAs(e);
    delegate.assertEvents("didCreateTask", "writeClosed", "didComplete NETWORK_CONNECTION_LOST");
  }

  @Test
  void captureStreamsWhenWritesArePendingHandsOverAfterThemWithoutDidComplete() throws Exception {
    server = TcpTestServer.lineEcho(null);
    StreamTask task = session().streamTask("localhost", server.port());
    task.resume();
    task.write("first\n".getBytes(UTF_8), NONE);
    StreamPair pair = task.captureStreams();
    assertThatThrownBy(task::captureStreams).isInstanceOf(IllegalStateException.class);
    StreamPair delivered = delegate.streams.get(10, SECONDS);
    assertThat(delivered.in()).isSameAs(pair.in());
    task.completion().get(10, SECONDS);
    assertThat(task.state()).isEqualTo(SessionTask.State.COMPLETED);
    // An operation after the hand-over fails, and leaves the connection to the streams.
    assertThat(failure(task.readData(1, 10, NONE)).code()).isEqualTo(Code.NETWORK_CONNECTION_LOST);
    InputStream in = pair.in();
    OutputStream out = pair.out();
    assertThat(TcpTestServer.readLine(in)).isEqualTo("first");
    out.write("second\n".getBytes(UTF_8));
    out.flush();
    assertThat(TcpTestServer.readLine(in)).isEqualTo("second");
    out.write("QUIT\n".getBytes(UTF_8));
    assertThat(TcpTestServer.readLine(in)).isEqualTo("BYE");
    assertThat(in.read()).isEqualTo(-1);
    in.close();
    out.close();
    delegate.assertEvents("didCreateTask", "didBecomeStreams");
    assertThat(task.error()).isNull();
  }

  @Test
  void streamTaskWhenTheSessionIsABackgroundSessionIsRefused(@TempDir Path storage) {
    try (Session background = Session.create(SessionConfiguration.backgroundBuilder("streams")
        .storageDirectory(storage).build(), delegate, null)) {
      assertThatThrownBy(() -> background.streamTask("localhost", 80))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("Stream tasks are not supported in background sessions");
      assertThatThrownBy(() -> background.streamTask(NetService.of("example.org", "_echo._tcp", "one")))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void invalidateAndCancelWhenAStreamTaskRunsCancelsItAndCountsItInStatistics() throws Exception {
    CountDownLatch connected = new CountDownLatch(1);
    server = new TcpTestServer(s -> {
      connected.countDown();
      s.getInputStream().readAllBytes();
    });
    StreamTask task = session().streamTask("localhost", server.port());
    task.resume();
    assertThat(connected.await(10, SECONDS)).isTrue();
    assertThat(session.statistics().tasks("stream", SessionTask.State.RUNNING)).isEqualTo(1);
    assertThat(session.allTasks().get(10, SECONDS)).containsExactly(task);
    session.invalidateAndCancel();
    assertThat(delegate.awaitCompletion().code()).isEqualTo(Code.CANCELLED);
    delegate.invalid.get(10, SECONDS);
    delegate.assertEvents("didCreateTask", "didComplete CANCELLED", "didBecomeInvalid");
    assertThatThrownBy(() -> session.streamTask("localhost", 1)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void streamTaskWhenArgumentsAreBadThrowsIllegalArgumentException() {
    Session s = session();
    assertThatThrownBy(() -> s.streamTask(" ", 80)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> s.streamTask("localhost", 0)).isInstanceOf(IllegalArgumentException.class);
    StreamTask task = s.streamTask("localhost", 80);
    assertThatThrownBy(() -> task.readData(2, 1, NONE)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> task.readData(0, 0, NONE)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> task.write(new byte[1], Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  static void drain(Socket s) throws IOException {
    s.getInputStream().readAllBytes();
  }
}
