package dev.urlsession.demo;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.urlsession.DataTask;
import dev.urlsession.Request;
import dev.urlsession.Session;
import dev.urlsession.SessionConfiguration;
import dev.urlsession.SessionRegistry;
import dev.urlsession.autoconfigure.event.DataTaskCompletedEvent;
import dev.urlsession.autoconfigure.event.TaskCreatedEvent;
import dev.urlsession.autoconfigure.event.TaskEvent;
import dev.urlsession.autoconfigure.event.TaskProgressEvent;
import dev.urlsession.autoconfigure.event.TaskRedirectedEvent;
import dev.urlsession.autoconfigure.event.TaskResponseReceivedEvent;
import dev.urlsession.autoconfigure.event.UrlSessionEvent;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.event.EventListener;

/** The demo application: named sessions from application.yml, injected, making real requests. */
@SpringBootTest
@Timeout(60)
class DemoApplicationTests {
  @Autowired
  @Qualifier("api")
  Session api;

  @Autowired
  @Qualifier("private")
  Session privateSession;

  @Autowired
  Session primary;

  @Autowired
  SessionRegistry registry;

  @Autowired
  LoopbackServer server;

  @Autowired
  Greetings greetings;

  @Autowired
  EventRecorder recorder;

  @Autowired
  MeterRegistry meters;

  @Test
  void namedSessionsFromApplicationYmlAreInjectedByName() {
    assertThat(registry.names()).containsExactly("api", "private");
    assertThat(api).isSameAs(registry.session("api"));
    assertThat(privateSession).isSameAs(registry.session("private"));
    assertThat(primary).isSameAs(api);
    SessionConfiguration apiConfiguration = api.configuration();
    assertThat(apiConfiguration.kind()).isEqualTo(SessionConfiguration.Kind.DEFAULT);
    assertThat(apiConfiguration.httpMaximumConnectionsPerHost()).isEqualTo(8);
    assertThat(apiConfiguration.httpAdditionalHeaders()).isEqualTo(Map.of("User-Agent", "shop/1.0"));
    assertThat(apiConfiguration.timeoutIntervalForRequest()).isEqualTo(Duration.ofSeconds(30));
    assertThat(privateSession.configuration().kind()).isEqualTo(SessionConfiguration.Kind.EPHEMERAL);
    assertThat(privateSession.configuration().timeoutIntervalForRequest()).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void apiSessionSendsItsConfiguredUserAgent() throws Exception {
    byte[] body = api.data(Request.get(server.baseUrl().resolve("/agent"))).get(10, SECONDS).body();
    assertThat(new String(body, StandardCharsets.UTF_8).trim()).isEqualTo("shop/1.0");
  }

  @Test
  void privateSessionFollowsARedirectAndPublishesEveryStepAsAnEvent() throws Exception {
    DataTask task = privateSession.dataTask(server.baseUrl().resolve("/old"));
    task.resume();
    assertThat(task.completion().get(10, SECONDS).error()).isNull();
    assertThat(task.response().url().getPath()).isEqualTo("/hello");
    Awaitility.await().atMost(Duration.ofSeconds(10))
        .until(() -> recorder.of(task).stream().anyMatch(DataTaskCompletedEvent.class::isInstance));
    assertThat(recorder.of(task)).map(e -> (Class) e.getClass()).containsExactly(TaskCreatedEvent.class,
        TaskRedirectedEvent.class, TaskResponseReceivedEvent.class, TaskProgressEvent.class,
        DataTaskCompletedEvent.class);
    assertThat(recorder.of(task)).allSatisfy(e -> assertThat(e.getSessionName()).isEqualTo("private"));
  }

  @Test
  void httpInterfaceClientRunsOnTheApiSessionAndIsTimedUnderItsUriTemplate() {
    java.util.function.LongSupplier samples = () -> {
      io.micrometer.core.instrument.Timer timer = meters.find("http.client.requests").tag("client.name", "api")
          .tag("uri", "/greetings/{name}").tag("status", "200").timer();
      return timer == null ? 0 : timer.count();
    };
    long before = samples.getAsLong(); // the demo's own run at start-up may have recorded one
    assertThat(greetings.greet("test").trim()).isEqualTo("Hello, test!");
    // The sample is recorded when the task completes, just after the body was read.
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> samples.getAsLong() == before + 1);
  }

  @TestConfiguration(proxyBeanMethods = false)
  static class Recording {
    @Bean
    EventRecorder eventRecorder() {
      return new EventRecorder();
    }
  }

  static final class EventRecorder {
    private final List<UrlSessionEvent> events = new CopyOnWriteArrayList<>();

    @EventListener
    void on(UrlSessionEvent event) {
      events.add(event);
    }

    List<UrlSessionEvent> of(DataTask task) {
      return events.stream().filter(e -> e instanceof TaskEvent && ((TaskEvent) e).getTask() == task).toList();
    }
  }
}
