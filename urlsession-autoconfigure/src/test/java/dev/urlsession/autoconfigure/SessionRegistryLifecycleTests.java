package dev.urlsession.autoconfigure;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import dev.urlsession.DataResponse;
import dev.urlsession.Request;
import dev.urlsession.Session;
import dev.urlsession.SessionConfiguration;
import dev.urlsession.SessionException;
import dev.urlsession.SessionRegistry;
import dev.urlsession.autoconfigure.event.SessionInvalidatedEvent;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.context.LifecycleAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.event.EventListener;

/** Sessions are finished and invalidated when the context closes, within the shutdown phase timeout. */
@Timeout(60)
class SessionRegistryLifecycleTests {
  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(UrlSessionAutoConfiguration.class, LifecycleAutoConfiguration.class))
      .withBean(InvalidationRecorder.class)
      .withPropertyValues("urlsession.sessions.api.type=ephemeral", "urlsession.sessions.private.type=ephemeral");

  @StartStop final MockWebServer server = new MockWebServer();

  @Test
  void contextCloseLetsRunningTasksCompleteThenInvalidatesEverySession() {
    server.enqueue(new MockResponse.Builder().headersDelay(500, java.util.concurrent.TimeUnit.MILLISECONDS)
        .body("late but complete").build());
    runner.withPropertyValues("spring.lifecycle.timeout-per-shutdown-phase=20s").run(context -> {
      SessionRegistry registry = context.getBean(SessionRegistry.class);
      Session api = registry.session("api");
      CompletableFuture<DataResponse> running = api.data(Request.get(server.url("/slow").uri()));
      server.takeRequest(5, SECONDS);
      InvalidationRecorder recorder = context.getBean(InvalidationRecorder.class);
      context.close();
      // close() returned: the task completed normally first, then both sessions became invalid.
      assertThat(running).isCompletedWithValueMatching(r -> r.response().statusCode() == 200);
      assertThat(recorder.sessions).containsExactlyInAnyOrder("api", "private");
      assertThatIllegalStateException().isThrownBy(() -> api.dataTask(URI.create("http://127.0.0.1/")));
      assertThatIllegalStateException().isThrownBy(() -> registry.session("private").dataTask(URI.create("http://127.0.0.1/")));
    });
  }

  @Test
  void contextCloseCancelsTasksStillRunningAfterTheShutdownPhaseTimeout() throws Exception {
    // A peer that takes connections (the kernel's backlog does) and never answers.
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      URI url = URI.create("http://127.0.0.1:" + silent.getLocalPort() + "/stuck");
      runner.withPropertyValues("spring.lifecycle.timeout-per-shutdown-phase=300ms").run(context -> {
        Session api = context.getBean(SessionRegistry.class).session("api");
        CompletableFuture<DataResponse> stuck = api.data(Request.get(url));
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> !api.allTasks().get(5, SECONDS).isEmpty());
        long start = System.nanoTime();
        context.close();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        assertThat(stuck).failsWithin(Duration.ofSeconds(5)).withThrowableOfType(ExecutionException.class)
            .havingCause().isInstanceOfSatisfying(SessionException.class,
                e -> assertThat(e.code()).isEqualTo(SessionException.Code.CANCELLED));
      });
    }
  }

  @Test
  void sessionsAreStoppedAfterTheWebServerInALateShutdownPhase() {
    runner.run(context -> {
      SessionRegistryLifecycle lifecycle = context.getBean(SessionRegistryLifecycle.class);
      assertThat(lifecycle.isRunning()).isTrue();
      assertThat(lifecycle.getPhase()).isEqualTo(SessionRegistryLifecycle.PHASE)
          .isLessThan(SmartLifecycle.DEFAULT_PHASE - 2048);
      assertThat(lifecycle.isAutoStartup()).isTrue();
    });
  }

  @Test
  void pausingAndRestartingTheContextLeavesTheSessionsWorking() {
    server.enqueue(new MockResponse.Builder().body("after restart").build());
    runner.run(context -> {
      Session api = context.getBean(SessionRegistry.class).session("api");
      context.pause(); // what Spring's test context cache does to a context it is not using
      assertThat(context.getBean(SessionRegistryLifecycle.class).isRunning()).isTrue();
      context.restart();
      DataResponse response = api.data(Request.get(server.url("/again").uri())).get(10, SECONDS);
      assertThat(response.response().statusCode()).isEqualTo(200);
      assertThat(context.getBean(InvalidationRecorder.class).sessions).isEmpty();
    });
  }

  @Test
  void stopWithNoSessionCallsBackAtOnce() {
    SessionRegistryLifecycle lifecycle = new SessionRegistryLifecycle(new SessionRegistry());
    lifecycle.start();
    CountDownLatch stopped = new CountDownLatch(1);
    lifecycle.stop(stopped::countDown);
    assertThat(stopped.getCount()).isZero();
    assertThat(lifecycle.isRunning()).isFalse();
  }

  @Test
  void stopFinishesEverySessionOnceEvenWhenRegisteredTwiceAndLeavesTheSharedSessionAlone() throws Exception {
    SessionRegistry registry = new SessionRegistry();
    Session session = Session.create(SessionConfiguration.ephemeral());
    registry.register("a", session);
    registry.register("b", session);
    registry.register("shared", Session.shared());
    SessionRegistryLifecycle lifecycle = new SessionRegistryLifecycle(registry);
    lifecycle.start();
    CountDownLatch stopped = new CountDownLatch(1);
    lifecycle.stop(stopped::countDown);
    assertThat(stopped.await(10, SECONDS)).isTrue();
    assertThatIllegalStateException().isThrownBy(() -> session.dataTask(URI.create("http://127.0.0.1/")));
    assertThat(Session.shared().dataTask(URI.create("http://127.0.0.1/"))).isNotNull();
  }

  @Test
  void destroyWithoutStopCancelsEverySession() {
    SessionRegistry registry = new SessionRegistry();
    Session session = Session.create(SessionConfiguration.ephemeral());
    registry.register("a", session);
    new SessionRegistryLifecycle(registry).destroy();
    assertThatIllegalStateException().isThrownBy(() -> session.dataTask(URI.create("http://127.0.0.1/")));
  }

  /** Records the names of the sessions that became invalid. */
  static final class InvalidationRecorder {
    final List<String> sessions = new CopyOnWriteArrayList<>();

    @EventListener
    void on(SessionInvalidatedEvent event) {
      sessions.add(event.getSessionName());
    }
  }
}
