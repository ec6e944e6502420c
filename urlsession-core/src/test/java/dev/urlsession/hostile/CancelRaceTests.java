package dev.urlsession.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.urlsession.DataTask;
import dev.urlsession.Request;
import dev.urlsession.Session;
import dev.urlsession.SessionConfiguration;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okio.Buffer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Found by the soak run (issue 18): a task cancelled right after {@code resume()}, while its load
 * was starting on another thread, could leave its HTTP exchange running with nobody to read the
 * response, holding a pooled connection for good; with six of them the session hung. Thousands
 * of tasks cancelled at random moments of their start must each complete once and give every
 * connection back.
 */
@Timeout(120)
@ExtendWith(LeakCheck.class)
class CancelRaceTests {
  static final int TASKS = Integer.getInteger("urlsession.cancelRaceTasks", 2_000);

  final MockWebServer server = new MockWebServer();

  @BeforeEach
  void start() throws Exception {
    server.start();
  }

  @AfterEach
  void stop() {
    server.close(); // here, not by @StartStop: LeakCheck looks right after the @AfterEach methods
  }

  @Test
  void tasksCancelledWhileTheirLoadStartsWhenRacedThousandsOfTimesCompleteOnceAndReleaseTheirConnections(
      @TempDir Path storage) throws Exception {
    byte[] big = new byte[256 * 1024];
    server.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        return new MockResponse.Builder().addHeader("Cache-Control", "no-store").body(new Buffer().write(big)).build();
      }
    });
    Session session = Session.create(SessionConfiguration.defaultConfiguration().toBuilder()
        .storageDirectory(storage).timeoutIntervalForRequest(Duration.ofSeconds(30)).build());
    try {
      SplittableRandom random = new SplittableRandom(7);
      List<DataTask> tasks = new ArrayList<>();
      for (int i = 0; i < TASKS; i++) {
        DataTask task = session.dataTask(Request.get(server.url("/big/" + i).uri()), (body, response, error) -> { });
        task.resume();
        int spins = random.nextInt(2000);
        for (int s = 0; s < spins; s++) {
          Thread.onSpinWait();
        }
        task.cancel();
        tasks.add(task);
        if (tasks.size() % 64 == 0) { // keep a bounded number in flight
          for (DataTask t : tasks.subList(tasks.size() - 64, tasks.size())) {
            t.completion().get(30, TimeUnit.SECONDS);
          }
        }
      }
      for (DataTask t : tasks) {
        t.completion().get(30, TimeUnit.SECONDS);
      }
      Awaitility.await().atMost(Duration.ofSeconds(20))
          .until(() -> session.statistics().connectionPool().leased() == 0);
      // The pool still serves.
      assertThat(session.data(Request.get(server.url("/after").uri())).get(30, TimeUnit.SECONDS).body())
          .hasSize(big.length);
    } finally {
      session.invalidateAndCancel();
    }
  }
}
