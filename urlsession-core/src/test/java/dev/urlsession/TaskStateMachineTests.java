package dev.urlsession;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.urlsession.SessionException.Code;
import dev.urlsession.SessionTask.State;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import okio.Buffer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Every transition of URLSESSION-BEHAVIOUR.md 2.2. */
@Timeout(30)
class TaskStateMachineTests {
  @StartStop final MockWebServer server = new MockWebServer();
  final RecordingDelegate delegate = new RecordingDelegate();
  final Session session = Session.create(SessionConfiguration.ephemeral(), delegate, null);

  @AfterEach
  void tearDown() {
    session.invalidateAndCancel();
  }

  @Test
  void newTaskIsSuspendedAndDoesNothingUntilResumed() throws Exception {
    DataTask task = session.dataTask(server.url("/").uri());
    assertThat(task.state()).isEqualTo(State.SUSPENDED);
    assertThat(task.taskIdentifier()).isEqualTo(1);
    assertThat(session.dataTask(server.url("/").uri()).taskIdentifier()).isEqualTo(2);
    assertThat(session.allTasks().get(5, SECONDS)).isEmpty();
    assertThat(server.getRequestCount()).isZero();
    assertThat(task.response()).isNull();
    assertThat(task.error()).isNull();
  }

  @Test
  void suspendBeforeFirstResumeNestsSoTwoResumesAreNeeded() throws Exception {
    server.enqueue(new MockResponse.Builder().body("x").build());
    DataTask task = session.dataTask(server.url("/").uri());
    task.suspend();
    task.resume();
    assertThat(task.state()).isEqualTo(State.SUSPENDED);
    assertThat(session.allTasks().get(5, SECONDS)).isEmpty();
    task.resume();
    assertThat(task.state()).isIn(State.RUNNING, State.COMPLETED);
    assertThat(delegate.awaitCompletion()).isNull();
    assertThat(task.state()).isEqualTo(State.COMPLETED);
  }

  @Test
  void resumeOnRunningTaskIsANoOp() throws Exception {
    server.enqueue(new MockResponse.Builder().headersDelay(300, TimeUnit.MILLISECONDS).body("x").build());
    DataTask task = session.dataTask(server.url("/").uri());
    task.resume();
    task.resume();
    task.resume();
    assertThat(task.state()).isEqualTo(State.RUNNING);
    assertThat(delegate.awaitCompletion()).isNull();
    assertThat(server.getRequestCount()).isEqualTo(1);
    assertThat(delegate.events).filteredOn(e -> e.startsWith("didComplete")).hasSize(1);
  }

  @Test
  void suspendedRunningTaskDeliversNoDataUntilResumedAndThenCompletesWithAllBytes() throws Exception {
    byte[] body = new byte[512 * 1024];
    new java.util.Random(1).nextBytes(body);
    server.enqueue(new MockResponse.Builder().body(new Buffer().write(body))
        .throttleBody(64 * 1024, 50, TimeUnit.MILLISECONDS).build());
    DataTask task = session.dataTask(server.url("/big").uri());
    task.resume();
    Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> task.countOfBytesReceived() > 0);
    task.suspend();
    assertThat(task.state()).isEqualTo(State.SUSPENDED);
    // Still a live task while suspended after running.
    assertThat(session.allTasks().get(5, SECONDS)).containsExactly(task);
    int deliveredWhileSuspended = delegate.body.size();
    Awaitility.await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2))
        .until(() -> delegate.body.size() == deliveredWhileSuspended);
    assertThat(task.state()).isEqualTo(State.SUSPENDED);
    task.resume();
    assertThat(delegate.awaitCompletion()).isNull();
    assertThat(delegate.body.toByteArray()).isEqualTo(body);
  }

  @Test
  void taskWhoseLoadFinishedWhileSuspendedCompletesOnResumeAndLetsTheSessionBecomeInvalid() throws Exception {
    server.enqueue(new MockResponse.Builder().body("small").build());
    java.util.concurrent.CompletableFuture<Void> allowed = new java.util.concurrent.CompletableFuture<>();
    RecordingDelegate recorder = new RecordingDelegate() {
      @Override
      public void didReceiveResponse(Session session, DataTask task, Response response,
          java.util.function.Consumer<ResponseDisposition> handler) {
        task.suspend(); // the body and its end arrive while the task is suspended
        super.didReceiveResponse(session, task, response, handler);
        allowed.complete(null);
      }
    };
    Session s = Session.create(SessionConfiguration.ephemeral(), recorder, null);
    DataTask task = s.dataTask(server.url("/small").uri());
    task.resume();
    allowed.get(10, SECONDS);
    server.takeRequest(10, SECONDS);
    assertThat(task.state()).isEqualTo(State.SUSPENDED);
    task.resume();
    assertThat(recorder.awaitCompletion()).isNull();
    assertThat(recorder.body.toString(java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("small");
    recorder.assertEvents("didCreateTask", "didReceiveResponse 200", "didReceiveData",
        "didFinishCollectingMetrics", "didComplete null");
    // The session lets go of the task (statistics count the tasks it still holds).
    Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> s.statistics().tasks().isEmpty());
    s.finishTasksAndInvalidate();
    recorder.invalid.get(10, SECONDS);
  }

  @Test
  void suspendedTaskIsNotSubjectToTheIdleTimeout() throws Exception {
    server.enqueue(new MockResponse.Builder().body("quick").build());
    DataTask task = session.dataTask(Request.builder(server.url("/").uri())
        .timeoutInterval(Duration.ofMillis(200)).build());
    task.suspend();
    task.resume();
    task.resume();
    assertThat(delegate.awaitCompletion()).isNull();
    assertThat(task.state()).isEqualTo(State.COMPLETED);
  }

  @Test
  void cancelOnSuspendedNeverResumedTaskCompletesItCancelled() throws Exception {
    DataTask task = session.dataTask(server.url("/").uri());
    task.cancel();
    assertThat(task.state()).isIn(State.CANCELING, State.COMPLETED);
    assertThat(delegate.awaitCompletion().code()).isEqualTo(Code.CANCELLED);
    assertThat(task.completion().get(5, SECONDS).state()).isEqualTo(State.COMPLETED);
  }

  @Test
  void cancelOnRunningTaskGoesThroughCancelingToCompleted() throws Exception {
    server.enqueue(new MockResponse.Builder().headersDelay(5, SECONDS).body("x").build());
    DataTask task = session.dataTask(server.url("/").uri());
    task.resume();
    server.takeRequest(5, SECONDS);
    // Hold the delegate queue so the transition to COMPLETED is observable.
    java.util.concurrent.CountDownLatch hold = new java.util.concurrent.CountDownLatch(1);
    session.delegateQueue().execute(() -> {
      try {
        hold.await(5, SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    task.cancel();
    assertThat(task.state()).isEqualTo(State.CANCELING);
    task.resume();
    task.suspend();
    task.cancel();
    assertThat(task.state()).isEqualTo(State.CANCELING);
    hold.countDown();
    assertThat(delegate.awaitCompletion().code()).isEqualTo(Code.CANCELLED);
    assertThat(task.state()).isEqualTo(State.COMPLETED);
    assertThat(delegate.events).filteredOn(e -> e.startsWith("didComplete")).hasSize(1);
  }

  @Test
  void completedTaskCannotBeRestartedSuspendedOrCancelled() throws Exception {
    server.enqueue(new MockResponse.Builder().body("once").build());
    DataTask task = session.dataTask(server.url("/").uri());
    task.resume();
    assertThat(delegate.awaitCompletion()).isNull();
    task.resume();
    task.suspend();
    task.cancel();
    assertThat(task.state()).isEqualTo(State.COMPLETED);
    assertThat(task.error()).isNull();
    assertThat(server.getRequestCount()).isEqualTo(1);
    assertThat(delegate.events).filteredOn(e -> e.startsWith("didComplete")).containsExactly("didComplete null");
  }

  @Test
  void taskDelegateMustBeSetBeforeResume() {
    server.enqueue(new MockResponse.Builder().headersDelay(1, SECONDS).body("x").build());
    DataTask task = session.dataTask(server.url("/").uri());
    task.delegate(new RecordingDelegate());
    task.resume();
    assertThatThrownBy(() -> task.delegate(null)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("before resume()");
  }

  @Test
  void taskDelegateCallsFallBackToTheSessionDelegateForMethodsItDoesNotImplement() throws Exception {
    server.enqueue(new MockResponse.Builder().body("split").build());
    StringBuilder taskData = new StringBuilder();
    DataTask task = session.dataTask(server.url("/").uri());
    task.delegate(new DataDelegate() {
      @Override
      public void didReceiveData(Session s, DataTask t, byte[] data) {
        taskData.append(new String(data, StandardCharsets.UTF_8));
      }
    });
    task.resume();
    assertThat(delegate.awaitCompletion()).isNull();
    assertThat(taskData.toString()).isEqualTo("split");
    delegate.assertEvents("didCreateTask", "didReceiveResponse 200", "didFinishCollectingMetrics",
        "didComplete null");
  }

  @Test
  void priorityAndDescriptionAreKeptAndPriorityIsValidated() {
    DataTask task = session.dataTask(server.url("/").uri());
    assertThat(task.priority()).isEqualTo(SessionTask.DEFAULT_PRIORITY);
    task.priority(SessionTask.HIGH_PRIORITY);
    task.taskDescription("thumbnail 7");
    assertThat(task.priority()).isEqualTo(0.75f);
    assertThat(task.taskDescription()).isEqualTo("thumbnail 7");
    assertThatThrownBy(() -> task.priority(1.5f)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> task.priority(Float.NaN)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void progressCancelCancelsTheTask() throws Exception {
    DataTask task = session.dataTask(server.url("/").uri());
    task.progress().cancel();
    assertThat(delegate.awaitCompletion().code()).isEqualTo(Code.CANCELLED);
    assertThat(task.progress().isCancelled()).isTrue();
  }
}
