package dev.urlsession.autoconfigure.event;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.urlsession.DataDelegate;
import dev.urlsession.DataTask;
import dev.urlsession.DownloadDelegate;
import dev.urlsession.DownloadTask;
import dev.urlsession.ReadResult;
import dev.urlsession.Request;
import dev.urlsession.Response;
import dev.urlsession.ResponseDisposition;
import dev.urlsession.Session;
import dev.urlsession.SessionDelegate;
import dev.urlsession.SessionException;
import dev.urlsession.SessionRegistry;
import dev.urlsession.SessionTask;
import dev.urlsession.StreamTask;
import dev.urlsession.TaskMetrics;
import dev.urlsession.WebSocketMessage;
import dev.urlsession.WebSocketTask;
import dev.urlsession.autoconfigure.UrlSessionAutoConfiguration;
import dev.urlsession.autoconfigure.actuate.UrlSessionsEndpoint;
import dev.urlsession.autoconfigure.client.SessionClientHttpRequestFactory;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import okio.Buffer;
import org.awaitility.Awaitility;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.event.EventListener;
import org.springframework.core.annotation.Order;
import org.springframework.web.client.RestClient;

/** Delegate events of named sessions, published as application events. */
@Timeout(60)
class SessionEventsTests {
  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(UrlSessionAutoConfiguration.class))
      .withBean(EventRecorder.class)
      .withPropertyValues("urlsession.sessions.api.type=ephemeral", "urlsession.events.progress-interval=0");

  @StartStop final MockWebServer server = new MockWebServer();

  private static Session api(AssertableApplicationContext context) {
    return context.getBean(SessionRegistry.class).session("api");
  }

  @Test
  void delegateTaskFollowingARedirectPublishesEveryStepInOrderOnTheDelegateQueue() {
    server.enqueue(new MockResponse.Builder().code(302).addHeader("Location", "/b").build());
    server.enqueue(new MockResponse.Builder().addHeader("Content-Type", "text/plain").body("hello").build());
    runner.run(context -> {
      EventRecorder recorder = context.getBean(EventRecorder.class);
      DataTask task = api(context).dataTask(server.url("/a").uri());
      task.resume();
      // Waiting on the task's own future must not move its events off the delegate queue.
      task.completion().get(10, SECONDS);
      DataTaskCompletedEvent completed = recorder.await(DataTaskCompletedEvent.class, task);
      List<UrlSessionEvent> events = recorder.of(task);
      assertThat(events).map(e -> (Class) e.getClass()).containsExactly(TaskCreatedEvent.class,
          TaskRedirectedEvent.class, TaskResponseReceivedEvent.class, TaskProgressEvent.class,
          DataTaskCompletedEvent.class);
      assertThat(events).allSatisfy(e -> {
        assertThat(e.getSessionName()).isEqualTo("api");
        assertThat(e.getSession()).isSameAs(api(context));
        assertThat(((TaskEvent) e).getTask()).isSameAs(task);
      });
      TaskRedirectedEvent redirected = (TaskRedirectedEvent) events.get(1);
      assertThat(redirected.getRedirectResponse().statusCode()).isEqualTo(302);
      assertThat(redirected.getNewRequest().url().getPath()).isEqualTo("/b");
      assertThat(((TaskResponseReceivedEvent) events.get(2)).getResponse().statusCode()).isEqualTo(200);
      TaskProgressEvent progress = (TaskProgressEvent) events.get(3);
      assertThat(progress.getBytesReceived()).isEqualTo(5);
      assertThat(progress.getBytesExpectedToReceive()).isEqualTo(5);
      assertThat(progress.getFractionCompleted()).isEqualTo(1.0);
      assertThat(completed.isSuccessful()).isTrue();
      assertThat(completed.getError()).isNull();
      assertThat(completed.getResponse().statusCode()).isEqualTo(200);
      assertThat(completed.getBytesReceived()).isEqualTo(5);
      assertThat(recorder.threads).allSatisfy(t -> assertThat(t).startsWith("urlsession-delegate-"));
      assertThat(completed.toString()).isEqualTo("DataTaskCompletedEvent{session=api, task=" + task.taskIdentifier()
          + ", successful}");
    });
  }

  @Test
  void futureTaskPublishesCreatedRedirectedAndCompletedEvents() {
    server.enqueue(new MockResponse.Builder().code(302).addHeader("Location", "/b").build());
    server.enqueue(new MockResponse.Builder().body("hello").build());
    runner.run(context -> {
      EventRecorder recorder = context.getBean(EventRecorder.class);
      api(context).data(Request.get(server.url("/a").uri())).get(10, SECONDS);
      DataTaskCompletedEvent completed = recorder.await(DataTaskCompletedEvent.class, null);
      assertThat(recorder.of(completed.getTask())).map(e -> (Class) e.getClass()).containsExactly(
          TaskCreatedEvent.class, TaskRedirectedEvent.class, DataTaskCompletedEvent.class);
      assertThat(completed.getResponse().statusCode()).isEqualTo(200);
      assertThat(completed.getBytesReceived()).isEqualTo(5);
    });
  }

  @Test
  void failedTaskPublishesACompletedEventWithTheError() throws IOException {
    URI refused;
    try (ServerSocket socket = new ServerSocket(0)) {
      refused = URI.create("http://127.0.0.1:" + socket.getLocalPort() + "/");
    }
    runner.run(context -> {
      EventRecorder recorder = context.getBean(EventRecorder.class);
      api(context).dataTask(refused).resume();
      TaskCompletedEvent completed = recorder.await(TaskCompletedEvent.class, null);
      assertThat(completed.isSuccessful()).isFalse();
      assertThat(completed.getError().code()).isEqualTo(SessionException.Code.CANNOT_CONNECT_TO_HOST);
    });
  }

  @Test
  void progressEventsAreRateLimitedPerTaskWithALastOneBeforeCompletion() {
    byte[] body = new byte[256 * 1024];
    server.enqueue(new MockResponse.Builder().body(new Buffer().write(body))
        .throttleBody(16 * 1024, 10, MILLISECONDS).build());
    runner.withPropertyValues("urlsession.events.progress-interval=1h").run(context -> {
      EventRecorder recorder = context.getBean(EventRecorder.class);
      DataTask task = api(context).dataTask(server.url("/big").uri());
      task.resume();
      recorder.await(DataTaskCompletedEvent.class, task);
      List<UrlSessionEvent> events = recorder.of(task);
      List<TaskProgressEvent> progress = events.stream()
          .filter(TaskProgressEvent.class::isInstance).map(TaskProgressEvent.class::cast).toList();
      assertThat(progress).hasSize(2);
      assertThat(progress.get(0).getBytesReceived()).isPositive();
      assertThat(progress.get(1).getBytesReceived()).isEqualTo(body.length);
      assertThat(events.get(events.size() - 2)).isSameAs(progress.get(1));
    });
  }

  @Test
  void progressIntervalZeroPublishesAnEventForEveryPieceOfData() {
    server.enqueue(new MockResponse.Builder().body(new Buffer().write(new byte[64 * 1024]))
        .throttleBody(8 * 1024, 10, MILLISECONDS).build());
    runner.withBean("counting", SessionDelegate.class, CountingDelegate::new)
        .withPropertyValues("urlsession.sessions.api.delegate-bean=counting").run(context -> {
          EventRecorder recorder = context.getBean(EventRecorder.class);
          DataTask task = api(context).dataTask(server.url("/").uri());
          task.resume();
          recorder.await(DataTaskCompletedEvent.class, task);
          CountingDelegate delegate = context.getBean(CountingDelegate.class);
          assertThat(delegate.dataCalls).isGreaterThan(1);
          assertThat(recorder.of(task)).filteredOn(TaskProgressEvent.class::isInstance).hasSize(delegate.dataCalls);
          assertThat(delegate.bytes).isEqualTo(64 * 1024);
        });
  }

  @Test
  void uploadPublishesUploadProgress() {
    server.enqueue(new MockResponse.Builder().body("stored").build());
    runner.run(context -> {
      EventRecorder recorder = context.getBean(EventRecorder.class);
      byte[] body = new byte[32 * 1024];
      api(context).upload(Request.builder(server.url("/up").uri()).method("PUT").build(), body).get(10, SECONDS);
      DataTaskCompletedEvent completed = recorder.await(DataTaskCompletedEvent.class, null);
      List<TaskProgressEvent> progress = recorder.of(completed.getTask()).stream()
          .filter(TaskProgressEvent.class::isInstance).map(TaskProgressEvent.class::cast).toList();
      assertThat(progress).isNotEmpty();
      assertThat(progress.get(progress.size() - 1).getBytesSent()).isEqualTo(body.length);
      assertThat(progress.get(progress.size() - 1).getBytesExpectedToSend()).isEqualTo(body.length);
    });
  }

  @Test
  void throwingListenerCannotBreakTheSession() {
    server.enqueue(new MockResponse.Builder().body("one").build());
    server.enqueue(new MockResponse.Builder().body("two").build());
    runner.withBean(ThrowingListener.class).run(context -> {
      EventRecorder recorder = context.getBean(EventRecorder.class);
      Session api = api(context);
      DataTask first = api.dataTask(server.url("/1").uri());
      first.resume();
      recorder.await(DataTaskCompletedEvent.class, first);
      DataTask second = api.dataTask(server.url("/2").uri());
      second.resume();
      DataTaskCompletedEvent completed = recorder.await(DataTaskCompletedEvent.class, second);
      assertThat(completed.isSuccessful()).isTrue();
      assertThat(recorder.of(first)).hasSize(4);
      assertThat(recorder.of(second)).hasSize(4);
      assertThat(context.getBean(ThrowingListener.class).calls).isEqualTo(8);
    });
  }

  @Test
  void delegateBeanDecidesTheResponseDispositionAndHearsTheCompletion() {
    server.enqueue(new MockResponse.Builder().body("unwanted").build());
    runner.withBean("cancelling", SessionDelegate.class, CancellingDelegate::new)
        .withPropertyValues("urlsession.sessions.api.delegate-bean=cancelling").run(context -> {
          EventRecorder recorder = context.getBean(EventRecorder.class);
          DataTask task = api(context).dataTask(server.url("/").uri());
          task.resume();
          DataTaskCompletedEvent completed = recorder.await(DataTaskCompletedEvent.class, task);
          assertThat(completed.getError().code()).isEqualTo(SessionException.Code.CANCELLED);
          assertThat(recorder.of(task)).map(e -> (Class) e.getClass()).containsExactly(TaskCreatedEvent.class,
              TaskResponseReceivedEvent.class, DataTaskCompletedEvent.class);
          CancellingDelegate delegate = context.getBean(CancellingDelegate.class);
          assertThat(delegate.completedWith.code()).isEqualTo(SessionException.Code.CANCELLED);
        });
  }

  @Test
  void delegateBeanDecidesRedirects() {
    server.enqueue(new MockResponse.Builder().code(302).addHeader("Location", "/b").body("moved").build());
    runner.withBean("refusing", SessionDelegate.class, RefusingRedirectsDelegate::new)
        .withPropertyValues("urlsession.sessions.api.delegate-bean=refusing").run(context -> {
          EventRecorder recorder = context.getBean(EventRecorder.class);
          DataTask task = api(context).dataTask(server.url("/a").uri());
          task.resume();
          DataTaskCompletedEvent completed = recorder.await(DataTaskCompletedEvent.class, task);
          assertThat(completed.getResponse().statusCode()).isEqualTo(302);
          assertThat(recorder.of(task)).map(e -> (Class) e.getClass()).containsExactly(TaskCreatedEvent.class,
              TaskRedirectedEvent.class, TaskResponseReceivedEvent.class, TaskProgressEvent.class,
              DataTaskCompletedEvent.class);
        });
  }

  @Test
  void delegateBeanGetsEveryNotificationForwarded() {
    server.enqueue(new MockResponse.Builder().body("hello").build());
    runner.withBean("counting", SessionDelegate.class, CountingDelegate::new)
        .withPropertyValues("urlsession.sessions.api.delegate-bean=counting").run(context -> {
          EventRecorder recorder = context.getBean(EventRecorder.class);
          Session api = api(context);
          DataTask task = api.dataTask(server.url("/").uri());
          task.resume();
          recorder.await(DataTaskCompletedEvent.class, task);
          api.finishTasksAndInvalidate();
          SessionInvalidatedEvent invalidated = recorder.await(SessionInvalidatedEvent.class, null);
          assertThat(invalidated.getError()).isNull();
          CountingDelegate delegate = context.getBean(CountingDelegate.class);
          assertThat(delegate.calls).containsExactly("didCreateTask", "didReceiveData",
              "didFinishCollectingMetrics", "didComplete", "didBecomeInvalid");
          assertThat(recorder.events.get(recorder.events.size() - 1)).isSameAs(invalidated);
        });
  }

  @Test
  void downloadTaskPublishesProgressAndACompletedEventWhileTheDelegateBeanGetsTheFile() {
    server.enqueue(new MockResponse.Builder().body("file body").build());
    runner.withBean("downloads", SessionDelegate.class, FileDelegate::new)
        .withPropertyValues("urlsession.sessions.api.delegate-bean=downloads").run(context -> {
          EventRecorder recorder = context.getBean(EventRecorder.class);
          DownloadTask task = api(context).downloadTask(server.url("/f").uri());
          task.resume();
          TaskCompletedEvent completed = recorder.await(TaskCompletedEvent.class, task);
          assertThat(completed).isNotInstanceOf(DataTaskCompletedEvent.class);
          assertThat(completed.isSuccessful()).isTrue();
          assertThat(recorder.of(task)).map(e -> (Class) e.getClass()).containsExactly(TaskCreatedEvent.class,
              TaskProgressEvent.class, DownloadFinishedEvent.class, TaskCompletedEvent.class);
          assertThat(context.getBean(FileDelegate.class).content).isEqualTo("file body");
          DownloadFinishedEvent finished = recorder.await(DownloadFinishedEvent.class, task);
          assertThat(finished.getLocation().getFileName().toString()).isNotBlank();
          assertThat(finished.getLocation()).doesNotExist(); // deleted once the listeners returned
        });
  }

  @Test
  void delegateBeanAnsweringBecomeStreamGetsTheStreamTaskWhoseEventsFollowTheDataTasks() {
    server.enqueue(new MockResponse.Builder().body("streamed body").build());
    runner.withBean("streaming", SessionDelegate.class, StreamingDelegate::new)
        .withPropertyValues("urlsession.sessions.api.delegate-bean=streaming").run(context -> {
          EventRecorder recorder = context.getBean(EventRecorder.class);
          DataTask task = api(context).dataTask(server.url("/s").uri());
          task.resume();
          StreamTask stream = context.getBean(StreamingDelegate.class).stream.get(10, SECONDS);
          UrlSessionsEndpoint.SessionTasksDescriptor listed =
              new UrlSessionsEndpoint(context.getBean(SessionRegistry.class)).session("api");
          assertThat(listed.tasks()).filteredOn(t -> t.id() == stream.taskIdentifier()).singleElement()
              .satisfies(t -> {
                assertThat(t.kind()).isEqualTo("stream");
                assertThat(t.state()).isEqualTo("running");
                assertThat(t.method()).isEqualTo("GET"); // the request of the data task it continues
                assertThat(t.url()).endsWith("/s");
              });
          ReadResult r = stream.readData(100, 100, Duration.ZERO).get(10, SECONDS);
          assertThat(new String(r.data(), StandardCharsets.UTF_8)).isEqualTo("streamed body");
          assertThat(r.atEof()).isTrue();
          TaskCompletedEvent completed = recorder.await(TaskCompletedEvent.class, stream);
          assertThat(completed.isSuccessful()).isTrue();
          task.completion().get(10, SECONDS);
          CountDownLatch drained = new CountDownLatch(1);
          api(context).delegateQueue().execute(drained::countDown);
          assertThat(drained.await(5, SECONDS)).isTrue();
          // The data task ends at the hand-over without a completed event; the stream task goes on.
          assertThat(recorder.of(task)).map(e -> (Class) e.getClass()).containsExactly(TaskCreatedEvent.class,
              TaskResponseReceivedEvent.class);
          assertThat(recorder.of(stream)).map(e -> e instanceof StreamClosedEvent c ? "closed " + c.getSide()
              : e.getClass().getSimpleName()).containsExactly("closed WRITE", "closed READ", "TaskCompletedEvent");
        });
  }

  @Test
  void restClientRequestsOnASessionPublishResponseProgressAndCompletedEvents() {
    server.enqueue(new MockResponse.Builder().body("hello").build());
    runner.run(context -> {
      EventRecorder recorder = context.getBean(EventRecorder.class);
      RestClient client = RestClient.builder().requestFactory(new SessionClientHttpRequestFactory(api(context)))
          .build();
      assertThat(client.get().uri(server.url("/").uri()).retrieve().body(String.class)).isEqualTo("hello");
      DataTaskCompletedEvent completed = recorder.await(DataTaskCompletedEvent.class, null);
      assertThat(recorder.of(completed.getTask())).map(e -> (Class) e.getClass()).containsExactly(
          TaskCreatedEvent.class, TaskResponseReceivedEvent.class, TaskProgressEvent.class,
          DataTaskCompletedEvent.class);
    });
  }

  @Test
  void eventsWhenDisabledAreNotPublished() {
    server.enqueue(new MockResponse.Builder().body("hello").build());
    runner.withPropertyValues("urlsession.events.enabled=false").run(context -> {
      Session api = api(context);
      api.data(Request.get(server.url("/").uri())).get(10, SECONDS);
      CountDownLatch drained = new CountDownLatch(1);
      api.delegateQueue().execute(drained::countDown);
      assertThat(drained.await(5, SECONDS)).isTrue();
      assertThat(context.getBean(EventRecorder.class).events).isEmpty();
      assertThat(api.delegate()).isNull();
    });
  }

  /** Records every session event, and the thread it arrived on. */
  @Test
  void webSocketTaskPublishesCreatedOpenedClosedCompletedAndIsListedWhileOpen() {
    server.enqueue(new MockResponse.Builder().setHeader("Sec-WebSocket-Protocol", "chat")
        .webSocketUpgrade(new okhttp3.WebSocketListener() {
          @Override
          public void onMessage(okhttp3.WebSocket ws, String text) {
            ws.send(text);
          }

          @Override
          public void onClosing(okhttp3.WebSocket ws, int code, String reason) {
            ws.close(code, reason);
          }
        }).build());
    runner.run(context -> {
      EventRecorder recorder = context.getBean(EventRecorder.class);
      URI url = URI.create("ws://" + server.getHostName() + ":" + server.getPort() + "/live");
      WebSocketTask task = api(context).webSocketTask(url, List.of("chat"));
      task.resume();
      task.send(WebSocketMessage.text("ping"));
      assertThat(task.receive().get(10, SECONDS)).isEqualTo(WebSocketMessage.text("ping"));
      assertThat(api(context).statistics().tasks("websocket", SessionTask.State.RUNNING)).isEqualTo(1);
      var listed = new dev.urlsession.autoconfigure.actuate.UrlSessionsEndpoint(context.getBean(SessionRegistry.class))
          .session("api");
      assertThat(listed.tasks()).singleElement().satisfies(t -> {
        assertThat(t.kind()).isEqualTo("websocket");
        assertThat(t.state()).isEqualTo("running");
      });
      task.cancel(dev.urlsession.CloseCode.NORMAL_CLOSURE, "bye".getBytes(StandardCharsets.UTF_8));
      TaskCompletedEvent completed = recorder.await(TaskCompletedEvent.class, task);
      assertThat(completed.isSuccessful()).isTrue();
      List<UrlSessionEvent> events = recorder.of(task);
      assertThat(events).map(e -> (Class) e.getClass()).containsExactly(TaskCreatedEvent.class,
          WebSocketOpenedEvent.class, WebSocketClosedEvent.class, TaskCompletedEvent.class);
      assertThat(((WebSocketOpenedEvent) events.get(1)).getProtocol()).isEqualTo("chat");
      WebSocketClosedEvent closed = (WebSocketClosedEvent) events.get(2);
      assertThat(closed.getCloseCode()).isEqualTo(dev.urlsession.CloseCode.NORMAL_CLOSURE);
      assertThat(closed.getReason()).isEqualTo("bye".getBytes(StandardCharsets.UTF_8));
      assertThat(closed.getTask()).isSameAs(task);
    });
  }

  static final class EventRecorder {
    final List<UrlSessionEvent> events = new CopyOnWriteArrayList<>();
    final List<String> threads = new CopyOnWriteArrayList<>();

    @EventListener
    @Order(1)
    void on(UrlSessionEvent event) {
      events.add(event);
      threads.add(Thread.currentThread().getName());
    }

    List<UrlSessionEvent> of(SessionTask task) {
      return events.stream().filter(e -> e instanceof TaskEvent && ((TaskEvent) e).getTask() == task).toList();
    }

    /** The first event of {@code type} (for {@code task}, when given), waiting for it. */
    <T extends UrlSessionEvent> T await(Class<T> type, @Nullable SessionTask task) {
      return Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> events.stream()
          .filter(type::isInstance)
          .filter(e -> task == null || ((TaskEvent) e).getTask() == task)
          .map(type::cast).findFirst().orElse(null), e -> e != null);
    }
  }

  /** A listener that throws for every event; ordered after the recorder. */
  static final class ThrowingListener {
    volatile int calls;

    @EventListener
    @Order(2)
    void on(UrlSessionEvent event) {
      calls++;
      throw new IllegalStateException("listener failure (expected by the test)");
    }
  }

  /** Counts the notifications it gets; implements no decision method. */
  static final class CountingDelegate implements DataDelegate {
    final List<String> calls = new CopyOnWriteArrayList<>();
    volatile int dataCalls;
    volatile long bytes;

    @Override
    public void didCreateTask(Session session, SessionTask task) {
      calls.add("didCreateTask");
    }

    @Override
    public void didReceiveData(Session session, DataTask task, byte[] data) {
      if (dataCalls++ == 0) {
        calls.add("didReceiveData");
      }
      bytes += data.length;
    }

    @Override
    public void didFinishCollectingMetrics(Session session, SessionTask task, TaskMetrics metrics) {
      calls.add("didFinishCollectingMetrics");
    }

    @Override
    public void didComplete(Session session, SessionTask task, @Nullable SessionException error) {
      calls.add("didComplete");
    }

    @Override
    public void didBecomeInvalid(Session session, @Nullable SessionException error) {
      calls.add("didBecomeInvalid");
    }
  }

  /** Cancels every task when its response arrives. */
  static final class CancellingDelegate implements DataDelegate {
    volatile SessionException completedWith;

    @Override
    public void didReceiveResponse(Session session, DataTask task, Response response,
        Consumer<ResponseDisposition> completionHandler) {
      completionHandler.accept(ResponseDisposition.CANCEL);
    }

    @Override
    public void didComplete(Session session, SessionTask task, @Nullable SessionException error) {
      completedWith = error;
    }
  }

  /** Turns every data task into a stream task, and keeps it. */
  static final class StreamingDelegate implements DataDelegate {
    final CompletableFuture<StreamTask> stream = new CompletableFuture<>();

    @Override
    public void didReceiveResponse(Session session, DataTask task, Response response,
        Consumer<ResponseDisposition> completionHandler) {
      completionHandler.accept(ResponseDisposition.BECOME_STREAM);
    }

    @Override
    public void didBecomeStreamTask(Session session, DataTask task, StreamTask streamTask) {
      stream.complete(streamTask);
    }
  }

  /** Follows no redirect. */
  static final class RefusingRedirectsDelegate implements DataDelegate {
    @Override
    public void willPerformHttpRedirection(Session session, SessionTask task, Response redirect,
        Request newRequest, Consumer<@Nullable Request> completionHandler) {
      completionHandler.accept(null);
    }
  }

  /** Reads downloaded files. */
  static final class FileDelegate implements DownloadDelegate {
    volatile String content;

    @Override
    public void didFinishDownloadingTo(Session session, DownloadTask task, Path location) {
      try {
        content = Files.readString(location, StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  @Test
  void streamTaskPublishesCreatedBothSidesClosedAndCompletedAndIsListedByTheEndpoint() throws Exception {
    try (ServerSocket peer = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      Thread serving = new Thread(() -> {
        try (java.net.Socket s = peer.accept()) {
          s.getInputStream().readAllBytes(); // until the task closes its write side
        } catch (IOException e) {
          // the test fails on its own assertions
        }
      });
      serving.setDaemon(true);
      serving.start();
      runner.run(context -> {
        EventRecorder recorder = context.getBean(EventRecorder.class);
        StreamTask task = api(context).streamTask("localhost", peer.getLocalPort());
        task.resume();
        task.write("x".getBytes(StandardCharsets.UTF_8), Duration.ZERO).get(10, SECONDS);
        UrlSessionsEndpoint.SessionTasksDescriptor listed =
            new UrlSessionsEndpoint(context.getBean(SessionRegistry.class)).session("api");
        assertThat(listed.tasks()).singleElement().satisfies(t -> {
          assertThat(t.kind()).isEqualTo("stream");
          assertThat(t.state()).isEqualTo("running");
          assertThat(t.method()).isNull();
          assertThat(t.url()).isNull();
          assertThat(t.countOfBytesSent()).isEqualTo(1);
        });
        task.closeWrite();
        assertThat(task.readData(1, 10, Duration.ZERO).get(10, SECONDS).atEof()).isTrue();
        TaskCompletedEvent completed = recorder.await(TaskCompletedEvent.class, task);
        assertThat(completed.isSuccessful()).isTrue();
        assertThat(recorder.of(task)).map(e -> e instanceof StreamClosedEvent c ? "closed " + c.getSide()
            : e.getClass().getSimpleName()).containsExactly("TaskCreatedEvent", "closed WRITE", "closed READ",
            "TaskCompletedEvent");
      });
    }
  }
}
