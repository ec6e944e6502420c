package dev.urlsession;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import okio.Buffer;
import org.awaitility.Awaitility;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Where and how delegate code runs. */
@Timeout(60)
class DelegateQueueTests {
  @StartStop final MockWebServer server = new MockWebServer();

  @Test
  void callbacksRunOnTheGivenExecutorInOrder() throws Exception {
    ExecutorService executor = Executors.newFixedThreadPool(4, r -> new Thread(r, "app-pool"));
    RecordingDelegate delegate = new RecordingDelegate();
    List<String> threads = new CopyOnWriteArrayList<>();
    Session session = Session.create(SessionConfiguration.ephemeral(), new DataDelegate() {
      @Override
      public void didReceiveData(Session s, DataTask t, byte[] data) {
        threads.add(Thread.currentThread().getName());
        delegate.didReceiveData(s, t, data);
      }

      @Override
      public void didComplete(Session s, SessionTask t, @Nullable SessionException error) {
        threads.add(Thread.currentThread().getName());
        delegate.didComplete(s, t, error);
      }
    }, executor);
    try {
      assertThat(session.delegateQueue()).isSameAs(executor);
      byte[] body = new byte[2 * 1024 * 1024];
      new java.util.Random(7).nextBytes(body);
      server.enqueue(new MockResponse.Builder().body(new Buffer().write(body)).build());
      session.dataTask(server.url("/").uri()).resume();
      assertThat(delegate.awaitCompletion()).isNull();
      assertThat(delegate.body.toByteArray()).isEqualTo(body);
      assertThat(threads).isNotEmpty().allMatch(n -> n.equals("app-pool"));
    } finally {
      session.invalidateAndCancel();
      executor.shutdown();
    }
  }

  @Test
  void stagesChainedOnAPendingDataFutureRunOnTheDelegateQueueNotAnIoThread() throws Exception {
    ExecutorService executor = Executors.newSingleThreadExecutor(r -> new Thread(r, "app-queue"));
    Session session = Session.create(SessionConfiguration.ephemeral(), null, executor);
    try {
      // The response waits until every stage is attached, so none of them sees a done future.
      CountDownLatch attached = new CountDownLatch(1);
      server.setDispatcher(new mockwebserver3.Dispatcher() {
        @Override
        public MockResponse dispatch(mockwebserver3.RecordedRequest request) throws InterruptedException {
          attached.await(10, SECONDS);
          return new MockResponse.Builder().body("late").build();
        }
      });
      CompletableFuture<DataResponse> future = session.data(Request.get(server.url("/").uri()));
      CompletableFuture<String> applied = future.thenApply(r -> Thread.currentThread().getName());
      CompletableFuture<String> handled = future.handle((r, e) -> Thread.currentThread().getName());
      CompletableFuture<String> composed = future.thenCompose(
          r -> CompletableFuture.completedFuture(Thread.currentThread().getName()));
      CompletableFuture<String> chained = applied.thenApply(n -> Thread.currentThread().getName());
      CompletableFuture<String> completion = new CompletableFuture<>();
      future.whenComplete((r, e) -> completion.complete(Thread.currentThread().getName()));
      CompletableFuture<String> minimal = future.minimalCompletionStage()
          .thenApply(r -> Thread.currentThread().getName()).toCompletableFuture();
      attached.countDown();
      assertThat(new String(future.get(10, SECONDS).body(), StandardCharsets.UTF_8)).isEqualTo("late");
      for (CompletableFuture<String> stage : List.of(applied, handled, composed, chained, completion, minimal)) {
        assertThat(stage.get(10, SECONDS)).isEqualTo("app-queue");
      }
      // Once done, a stage runs at once on the caller's thread, as with any CompletableFuture.
      assertThat(future.thenApply(r -> Thread.currentThread().getName()).get(10, SECONDS))
          .isEqualTo(Thread.currentThread().getName());
    } finally {
      session.invalidateAndCancel();
      executor.shutdown();
    }
  }

  @Test
  void aDataFutureCompletesAfterTheSessionDelegateHeardOfTheTask() throws Exception {
    List<String> events = new CopyOnWriteArrayList<>();
    CountDownLatch created = new CountDownLatch(1);
    Session session = Session.create(SessionConfiguration.ephemeral(), new DataDelegate() {
      @Override
      public void didCreateTask(Session s, SessionTask t) {
        try {
          created.await(10, SECONDS); // holds the queue while the response arrives
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        events.add("didCreateTask");
      }
    }, null);
    try {
      server.enqueue(new MockResponse.Builder().body("x").build());
      CompletableFuture<DataResponse> future = session.data(Request.get(server.url("/").uri()));
      future.whenComplete((r, e) -> events.add("future"));
      server.takeRequest(10, SECONDS);
      created.countDown();
      future.get(10, SECONDS);
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> events.size() == 2);
      assertThat(events).containsExactly("didCreateTask", "future");
    } finally {
      session.invalidateAndCancel();
    }
  }

  @Test
  void throwingDelegateIsLoggedAndCannotBreakTheTaskOrTheSession() throws Exception {
    RecordingDelegate recorder = new RecordingDelegate();
    Session session = Session.create(SessionConfiguration.ephemeral(), new DataDelegate() {
      @Override
      public void didReceiveData(Session s, DataTask t, byte[] data) {
        recorder.didReceiveData(s, t, data);
        throw new IllegalStateException("boom from the app");
      }

      @Override
      public void didComplete(Session s, SessionTask t, @Nullable SessionException error) {
        recorder.didComplete(s, t, error);
      }
    }, null);
    try {
      server.enqueue(new MockResponse.Builder().body("one").build());
      session.dataTask(server.url("/1").uri()).resume();
      assertThat(recorder.awaitCompletion()).isNull();
      assertThat(recorder.body.toString(StandardCharsets.UTF_8)).isEqualTo("one");
      server.enqueue(new MockResponse.Builder().body("two").build());
      CompletableFuture<String> second = new CompletableFuture<>();
      session.dataTask(server.url("/2").uri(), (d, r, e) -> {
        second.complete(new String(d, StandardCharsets.UTF_8));
        throw new IllegalStateException("a throwing completion handler is logged too");
      }).resume();
      assertThat(second.get(10, SECONDS)).isEqualTo("two");
      server.enqueue(new MockResponse.Builder().body("three").build());
      assertThat(session.data(Request.get(server.url("/3").uri())).get(10, SECONDS).body()).hasSize(5);
    } finally {
      session.invalidateAndCancel();
    }
  }

  @Test
  void delegateThrowingAnErrorIsLoggedAndTheCompletionStillComes() throws Exception {
    // A failed assertion in the application's didFinishDownloadingTo: didComplete comes after it.
    List<String> calls = new CopyOnWriteArrayList<>();
    CompletableFuture<@Nullable SessionException> completed = new CompletableFuture<>();
    Session session = Session.create(SessionConfiguration.ephemeral(), new DownloadDelegate() {
      @Override
      public void didFinishDownloadingTo(Session s, DownloadTask t, java.nio.file.Path location) {
        calls.add("didFinishDownloadingTo");
        throw new AssertionError("a failed assertion in the application's delegate");
      }

      @Override
      public void didComplete(Session s, SessionTask t, @Nullable SessionException error) {
        calls.add("didComplete");
        completed.complete(error);
      }
    }, null);
    try {
      server.enqueue(new MockResponse.Builder().body("one").build());
      session.downloadTask(server.url("/").uri()).resume();
      assertThat(completed.get(10, SECONDS)).isNull();
      assertThat(calls).containsExactly("didFinishDownloadingTo", "didComplete");

      server.enqueue(new MockResponse.Builder().body("two").build());
      assertThat(session.data(Request.get(server.url("/2").uri())).get(10, SECONDS).body()).hasSize(3);
    } finally {
      session.invalidateAndCancel();
    }
  }

  @Test
  void slowDelegateMakesTheSessionStopReadingInsteadOfBuffering() throws Exception {
    byte[] body = new byte[32 * 1024 * 1024];
    new java.util.Random(3).nextBytes(body);
    server.enqueue(new MockResponse.Builder().body(new Buffer().write(body)).build());
    CountDownLatch release = new CountDownLatch(1);
    java.io.ByteArrayOutputStream received = new java.io.ByteArrayOutputStream();
    CompletableFuture<@Nullable SessionException> completed = new CompletableFuture<>();
    Session session = Session.create(SessionConfiguration.ephemeral(), new DataDelegate() {
      @Override
      public void didReceiveData(Session s, DataTask t, byte[] data) {
        try {
          release.await(20, SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        received.write(data, 0, data.length);
      }

      @Override
      public void didComplete(Session s, SessionTask t, @Nullable SessionException error) {
        completed.complete(error);
      }
    }, null);
    try {
      DataTask task = session.dataTask(server.url("/big").uri());
      task.resume();
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> task.countOfBytesReceived() > 0);
      // With the delegate stuck, reading stops after about the backlog limit plus one window:
      // wait until the count stops moving between two polls.
      java.util.concurrent.atomic.AtomicLong last = new java.util.concurrent.atomic.AtomicLong(-1);
      Awaitility.await().pollInterval(Duration.ofMillis(250)).atMost(Duration.ofSeconds(10))
          .until(() -> last.getAndSet(task.countOfBytesReceived()) == task.countOfBytesReceived());
      long readWhileStuck = task.countOfBytesReceived();
      assertThat(readWhileStuck).isLessThan(RealTask.BACKLOG_LIMIT + 2 * 1024 * 1024);
      release.countDown();
      assertThat(completed.get(30, SECONDS)).isNull();
      assertThat(received.toByteArray()).isEqualTo(body);
    } finally {
      release.countDown();
      session.invalidateAndCancel();
    }
  }

  @Test
  void handlerCalledTwiceThrowsIllegalStateException() throws Exception {
    CompletableFuture<Throwable> second = new CompletableFuture<>();
    RecordingDelegate recorder = new RecordingDelegate();
    Session session = Session.create(SessionConfiguration.ephemeral(), new DataDelegate() {
      @Override
      public void didReceiveResponse(Session s, DataTask t, Response r,
          java.util.function.Consumer<ResponseDisposition> handler) {
        handler.accept(ResponseDisposition.ALLOW);
        try {
          handler.accept(ResponseDisposition.ALLOW);
          second.complete(null);
        } catch (IllegalStateException e) {
          second.complete(e);
        }
      }

      @Override
      public void didComplete(Session s, SessionTask t, @Nullable SessionException error) {
        recorder.didComplete(s, t, error);
      }
    }, null);
    try {
      server.enqueue(new MockResponse.Builder().body("x").build());
      session.dataTask(server.url("/").uri()).resume();
      assertThat(recorder.awaitCompletion()).isNull();
      assertThat(second.get(5, SECONDS)).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("already called");
    } finally {
      session.invalidateAndCancel();
    }
  }
}
