package dev.urlsession.internal;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The delegate queue goes on after whatever a delegate throws. */
class SerialQueueTests {
  final ExecutorService pool = Executors.newCachedThreadPool(SerialQueue.daemonThreads("serial-queue-test-"));

  @AfterEach
  void shutdown() {
    pool.shutdownNow();
  }

  @Test
  void workQueuedBehindAnErrorStillRuns() throws Exception {
    SerialQueue queue = new SerialQueue(pool);
    List<String> ran = new CopyOnWriteArrayList<>();
    CountDownLatch last = new CountDownLatch(1);
    queue.offer(() -> ran.add("first"));
    queue.offer(() -> {
      throw new AssertionError("a failed assertion in a delegate");
    });
    queue.offer(() -> ran.add("after the error"));
    queue.offer(last::countDown);
    queue.kick();

    assertThat(last.await(10, SECONDS)).isTrue();
    assertThat(ran).containsExactly("first", "after the error");
  }

  @Test
  void workQueuedBehindAVirtualMachineErrorRunsOnAnotherThread() throws Exception {
    SerialQueue queue = new SerialQueue(pool);
    List<String> threads = new CopyOnWriteArrayList<>();
    CountDownLatch last = new CountDownLatch(1);
    queue.offer(() -> threads.add(Thread.currentThread().getName()));
    queue.offer(() -> {
      throw new StackOverflowError("thrown by the test");
    });
    queue.offer(() -> {
      threads.add(Thread.currentThread().getName());
      last.countDown();
    });
    queue.kick();

    assertThat(last.await(10, SECONDS)).isTrue();
    assertThat(threads).hasSize(2);
    assertThat(threads.get(1)).isNotEqualTo(threads.get(0)); // the thread the error ended is gone
  }

  @Test
  void anExceptionIsLoggedAndTheSameDrainGoesOn() throws Exception {
    SerialQueue queue = new SerialQueue(pool);
    List<String> threads = new CopyOnWriteArrayList<>();
    CountDownLatch last = new CountDownLatch(1);
    queue.offer(() -> threads.add(Thread.currentThread().getName()));
    queue.offer(() -> {
      throw new IllegalStateException("thrown by the test");
    });
    queue.offer(() -> {
      threads.add(Thread.currentThread().getName());
      last.countDown();
    });
    queue.kick();

    assertThat(last.await(10, SECONDS)).isTrue();
    assertThat(threads).hasSize(2).containsOnly(threads.get(0));
  }
}
