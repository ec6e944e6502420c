package dev.urlsession;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.awaitility.Awaitility;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Many tasks from many threads on one session. */
@Timeout(120)
class ConcurrencyTests {
  @StartStop final MockWebServer server = new MockWebServer();

  @Test
  void thousandTasksFromEightThreadsCompleteExactlyOnceEachAndLeakNoConnection() throws Exception {
    server.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        return new MockResponse.Builder().body("echo " + request.getTarget()).build();
      }
    });
    Map<Long, AtomicInteger> completions = new ConcurrentHashMap<>();
    Map<Long, String> bodies = new ConcurrentHashMap<>();
    List<String> violations = new java.util.concurrent.CopyOnWriteArrayList<>();
    CountDownLatch done = new CountDownLatch(1000);
    DataDelegate delegate = new DataDelegate() {
      final Map<Long, StringBuilder> received = new ConcurrentHashMap<>();

      @Override
      public void didReceiveData(Session s, DataTask t, byte[] data) {
        received.computeIfAbsent(t.taskIdentifier(), k -> new StringBuilder())
            .append(new String(data, StandardCharsets.UTF_8));
      }

      @Override
      public void didComplete(Session s, SessionTask t, @Nullable SessionException error) {
        if (Thread.currentThread().getName().startsWith("urlsession-io-")) {
          violations.add("didComplete on an I/O thread");
        }
        if (error != null) {
          violations.add(t.taskIdentifier() + " failed: " + error);
        }
        StringBuilder b = received.get(t.taskIdentifier());
        bodies.put(t.taskIdentifier(), b == null ? "" : b.toString());
        completions.computeIfAbsent(t.taskIdentifier(), k -> new AtomicInteger()).incrementAndGet();
        done.countDown();
      }
    };
    Session session = Session.create(SessionConfiguration.ephemeral(), delegate, null);
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      Map<Long, String> paths = new ConcurrentHashMap<>();
      List<Future<?>> submitters = new ArrayList<>();
      for (int thread = 0; thread < 8; thread++) {
        int t = thread;
        submitters.add(pool.submit(() -> {
          for (int i = 0; i < 125; i++) {
            String path = "/t" + t + "/" + i;
            DataTask task = session.dataTask(server.url(path).uri());
            paths.put(task.taskIdentifier(), path);
            task.resume();
          }
        }));
      }
      for (Future<?> f : submitters) {
        f.get(30, SECONDS);
      }
      assertThat(done.await(60, SECONDS)).as("all 1000 tasks complete").isTrue();
      assertThat(violations).isEmpty();
      assertThat(completions).hasSize(1000);
      assertThat(completions.values()).allMatch(c -> c.get() == 1);
      assertThat(paths).hasSize(1000);
      paths.forEach((id, path) -> assertThat(bodies.get(id)).isEqualTo("echo " + path));
      assertThat(server.getRequestCount()).isEqualTo(1000);
      RealSession real = (RealSession) session;
      Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> real.leasedConnections() == 0);
      assertThat(session.allTasks().get(5, SECONDS)).isEmpty();
    } finally {
      pool.shutdownNow();
      session.invalidateAndCancel();
    }
  }

  @Test
  void cancellingWhileLoadingFromManyThreadsStillCompletesEachTaskOnce() throws Exception {
    server.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        return new MockResponse.Builder().body("x".repeat(10_000)).build();
      }
    });
    Map<Long, AtomicInteger> completions = new ConcurrentHashMap<>();
    CountDownLatch done = new CountDownLatch(200);
    Session session = Session.create(SessionConfiguration.ephemeral(), new DataDelegate() {
      @Override
      public void didComplete(Session s, SessionTask t, @Nullable SessionException error) {
        completions.computeIfAbsent(t.taskIdentifier(), k -> new AtomicInteger()).incrementAndGet();
        done.countDown();
      }
    }, null);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<DataTask> tasks = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        DataTask task = session.dataTask(server.url("/c" + i).uri());
        tasks.add(task);
        task.resume();
      }
      for (DataTask task : tasks) {
        pool.execute(task::cancel);
      }
      assertThat(done.await(30, SECONDS)).isTrue();
      assertThat(completions.values()).hasSize(200).allMatch(c -> c.get() == 1);
      for (DataTask task : tasks) {
        assertThat(task.state()).isEqualTo(SessionTask.State.COMPLETED);
      }
      RealSession real = (RealSession) session;
      Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> real.leasedConnections() == 0);
    } finally {
      pool.shutdownNow();
      session.invalidateAndCancel();
    }
  }
}
