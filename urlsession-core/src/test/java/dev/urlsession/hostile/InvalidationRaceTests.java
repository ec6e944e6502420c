package dev.urlsession.hostile;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.urlsession.DataTask;
import dev.urlsession.Session;
import dev.urlsession.SessionConfiguration;
import dev.urlsession.SessionException;
import dev.urlsession.SessionTask;
import dev.urlsession.TaskDelegate;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 18 item 8: a task created while {@code invalidateAndCancel()} runs either fails at once
 * ({@link IllegalStateException}) or is cancelled with the others; it never hangs suspended in the
 * session. Thousands of rounds of two threads creating and resuming tasks against one invalidating.
 */
@Timeout(120)
@ExtendWith(LeakCheck.class)
class InvalidationRaceTests {
  /** Enough rounds to meet the old 1-in-3,000 miss many times over; a few seconds here. */
  static final int ROUNDS = Integer.getInteger("urlsession.raceRounds", 10_000);
  static final URI SLOW = URI.create("data:,x");

  final ExecutorService creators = Executors.newFixedThreadPool(2);

  @AfterEach
  void stop() {
    creators.shutdownNow();
  }

  /** Counts completions and notes whether one came after {@code didBecomeInvalid}. */
  static final class Counting implements TaskDelegate {
    final ConcurrentLinkedQueue<SessionTask> completed = new ConcurrentLinkedQueue<>();
    final CompletableFuture<Void> invalid = new CompletableFuture<>();
    volatile boolean completionAfterInvalid;

    @Override
    public void didComplete(Session session, SessionTask task, @Nullable SessionException error) {
      if (invalid.isDone()) {
        completionAfterInvalid = true;
      }
      completed.add(task);
    }

    @Override
    public void didBecomeInvalid(Session session, @Nullable SessionException error) {
      invalid.complete(null);
    }
  }

  @Test
  void taskCreatedWhileInvalidateAndCancelRunsWhenRacedThousandsOfTimesFailsAtOnceOrIsCancelled()
      throws Exception {
    int cancelled = 0;
    for (int round = 0; round < ROUNDS; round++) {
      Counting delegate = new Counting();
      Session session = Session.create(SessionConfiguration.ephemeral(), delegate, null);
      CountDownLatch go = new CountDownLatch(1);
      List<Future<List<DataTask>>> made = new ArrayList<>();
      for (int c = 0; c < 2; c++) {
        made.add(creators.submit(() -> createUntilRefused(session, go)));
      }
      go.countDown();
      // Let the creators make a few tasks first, sometimes none.
      int spins = ThreadLocalRandom.current().nextInt(200);
      for (int i = 0; i < spins; i++) {
        Thread.onSpinWait();
      }
      session.invalidateAndCancel();

      List<DataTask> tasks = new ArrayList<>();
      for (Future<List<DataTask>> f : made) {
        tasks.addAll(f.get(10, SECONDS));
      }
      for (DataTask task : tasks) {
        try {
          task.completion().get(10, SECONDS);
        } catch (TimeoutException e) {
          throw new AssertionError("round " + round + ": task " + task.taskIdentifier()
              + " created during invalidateAndCancel never completed (state " + task.state() + ")", e);
        }
        assertThat(task.state()).isEqualTo(SessionTask.State.COMPLETED);
        if (task.error() != null && task.error().code() == SessionException.Code.CANCELLED) {
          cancelled++;
        }
      }
      delegate.invalid.get(10, SECONDS);
      assertThat(delegate.completionAfterInvalid).as("round %d: didComplete after didBecomeInvalid", round)
          .isFalse();
      assertThat(delegate.completed).as("round %d: one didComplete per task", round).hasSameSizeAs(tasks);
      assertThat(session.statistics().tasks()).as("round %d: tasks left in the session", round).isEmpty();
    }
    System.out.printf("%d rounds: %d tasks cancelled, none left behind%n", ROUNDS, cancelled);
    assertThat(cancelled).as("the race was met: some tasks were cancelled").isPositive();
  }

  /** Creates and resumes tasks until the session refuses one; returns those it made. */
  private static List<DataTask> createUntilRefused(Session session, CountDownLatch go) throws InterruptedException {
    List<DataTask> tasks = new ArrayList<>();
    go.await();
    while (true) {
      DataTask task;
      try {
        task = session.dataTask(SLOW);
      } catch (IllegalStateException refused) {
        return tasks;
      }
      tasks.add(task);
      task.resume();
    }
  }
}
