package dev.urlsession.autoconfigure.observation;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import brave.Tracing;
import brave.handler.MutableSpan;
import brave.handler.SpanHandler;
import brave.propagation.ThreadLocalCurrentTraceContext;
import brave.propagation.TraceContext;
import brave.sampler.Sampler;
import dev.urlsession.DataResponse;
import dev.urlsession.Request;
import dev.urlsession.Session;
import dev.urlsession.SessionRegistry;
import dev.urlsession.autoconfigure.UrlSessionAutoConfiguration;
import dev.urlsession.autoconfigure.client.SessionClientHttpRequestFactory;
import dev.urlsession.spi.SessionListener;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistryAssert;
import io.micrometer.tracing.brave.bridge.BraveBaggageManager;
import io.micrometer.tracing.brave.bridge.BraveCurrentTraceContext;
import io.micrometer.tracing.brave.bridge.BravePropagator;
import io.micrometer.tracing.brave.bridge.BraveTracer;
import io.micrometer.tracing.brave.bridge.W3CPropagation;
import io.micrometer.tracing.handler.DefaultTracingObservationHandler;
import io.micrometer.tracing.handler.PropagatingSenderTracingObservationHandler;
import java.net.URI;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.web.client.RestClient;

/**
 * The http.client.requests observation, tracing propagation and session meters of the named
 * sessions, with Boot's own observation and metrics auto-configuration, against MockWebServer.
 */
@Timeout(120)
class UrlSessionObservationAutoConfigurationTests {
  @StartStop final MockWebServer server = new MockWebServer();

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(ObservationAutoConfiguration.class, MetricsAutoConfiguration.class,
          SimpleMetricsExportAutoConfiguration.class, CompositeMeterRegistryAutoConfiguration.class,
          UrlSessionAutoConfiguration.class, UrlSessionObservationAutoConfiguration.class))
      .withPropertyValues("urlsession.sessions.api.type=ephemeral");

  private URI url(String path) {
    return server.url(path).uri();
  }

  private static DataResponse get(Session session, URI url) throws Exception {
    return session.data(Request.get(url)).get(10, SECONDS);
  }

  @Test
  void aTaskWithARedirectIsOneObservationWithSpringsKeysAndTheSessionName() {
    TestObservationRegistry observations = TestObservationRegistry.create();
    runner.withBean(ObservationRegistry.class, () -> observations).run(context -> {
      server.enqueue(new MockResponse.Builder().code(302).addHeader("Location", "/b").build());
      server.enqueue(new MockResponse.Builder().code(404).body("gone").build());
      Session api = context.getBean("api", Session.class);
      assertThat(get(api, url("/a/123?token=abc")).response().statusCode()).isEqualTo(404);
      TestObservationRegistryAssert.assertThat(observations).hasNumberOfObservationsEqualTo(1)
          .hasSingleObservationThat().hasNameEqualTo("http.client.requests")
          .hasContextualNameEqualTo("http get")
          .hasBeenStarted().hasBeenStopped()
          .hasLowCardinalityKeyValue("method", "GET")
          .hasLowCardinalityKeyValue("uri", "none")
          .hasLowCardinalityKeyValue("status", "404")
          .hasLowCardinalityKeyValue("outcome", "CLIENT_ERROR")
          .hasLowCardinalityKeyValue("exception", "none")
          .hasLowCardinalityKeyValue("client.name", "api")
          .hasLowCardinalityKeyValue("urlsession.task.kind", "data")
          .hasHighCardinalityKeyValue("http.url", server.url("/a/123").toString() + "?token=******");
    });
  }

  @Test
  void aWebSocketTaskIsOneObservationFromItsHandshakeWithStatus101AndKindWebsocket() {
    TestObservationRegistry observations = TestObservationRegistry.create();
    runner.withBean(ObservationRegistry.class, () -> observations).run(context -> {
      server.enqueue(new MockResponse.Builder().webSocketUpgrade(new okhttp3.WebSocketListener() {
        @Override
        public void onClosing(okhttp3.WebSocket ws, int code, String reason) {
          ws.close(code, reason);
        }
      }).build());
      Session api = context.getBean("api", Session.class);
      dev.urlsession.WebSocketTask task = api.webSocketTask(
          URI.create("ws://" + server.getHostName() + ":" + server.getPort() + "/socket"));
      task.resume();
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> task.response() != null);
      task.cancel(dev.urlsession.CloseCode.NORMAL_CLOSURE, null);
      task.completion().get(10, java.util.concurrent.TimeUnit.SECONDS);
      TestObservationRegistryAssert.assertThat(observations).hasNumberOfObservationsEqualTo(1)
          .hasSingleObservationThat().hasNameEqualTo("http.client.requests")
          .hasBeenStarted().hasBeenStopped()
          .hasLowCardinalityKeyValue("method", "GET")
          .hasLowCardinalityKeyValue("status", "101")
          .hasLowCardinalityKeyValue("urlsession.task.kind", "websocket");
    });
  }

  @Test
  void aFailedTaskHasTheCauseAsExceptionAndNoStatus() {
    TestObservationRegistry observations = TestObservationRegistry.create();
    runner.withBean(ObservationRegistry.class, () -> observations).run(context -> {
      int port;
      try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
        port = s.getLocalPort();
      }
      Session api = context.getBean("api", Session.class);
      CompletableFuture<DataResponse> f = api.data(Request.get(URI.create("http://127.0.0.1:" + port + "/")));
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(f::isDone);
      TestObservationRegistryAssert.assertThat(observations).hasSingleObservationThat()
          .hasLowCardinalityKeyValue("status", "CLIENT_ERROR")
          .hasLowCardinalityKeyValue("outcome", "UNKNOWN")
          .hasLowCardinalityKeyValue("exception", "ConnectException") // not HttpClient's subclass
          .hasHighCardinalityKeyValue("urlsession.error.code", "CANNOT_CONNECT_TO_HOST")
          .hasError();
    });
  }

  @Test
  void theTraceparentOfTheTasksSpanReachesTheServerOnEveryHop() {
    List<MutableSpan> spans = new CopyOnWriteArrayList<>();
    ThreadLocalCurrentTraceContext braveContext = ThreadLocalCurrentTraceContext.newBuilder().build();
    BraveBaggageManager baggage = new BraveBaggageManager();
    Tracing tracing = Tracing.newBuilder().currentTraceContext(braveContext).traceId128Bit(true)
        .propagationFactory(new W3CPropagation(baggage, List.of())).sampler(Sampler.ALWAYS_SAMPLE)
        .addSpanHandler(new SpanHandler() {
          @Override
          public boolean end(TraceContext context, MutableSpan span, Cause cause) {
            spans.add(span);
            return true;
          }
        }).build();
    BraveTracer tracer = new BraveTracer(tracing.tracer(), new BraveCurrentTraceContext(braveContext), baggage);
    try {
      // As Boot's tracing auto-configuration does: the sender handler first, the default one for other contexts.
      runner.withBean(ObservationHandler.FirstMatchingCompositeObservationHandler.class,
              () -> new ObservationHandler.FirstMatchingCompositeObservationHandler(
                  new PropagatingSenderTracingObservationHandler<>(tracer, new BravePropagator(tracing)),
                  new DefaultTracingObservationHandler(tracer)))
          .run(context -> {
            server.enqueue(new MockResponse.Builder().code(307).addHeader("Location", "/next").build());
            server.enqueue(new MockResponse.Builder().body("ok").build());
            Session api = context.getBean("api", Session.class);
            ObservationRegistry registry = context.getBean(ObservationRegistry.class);
            // A parent observation in scope on the thread that resumes the task, as a server request's would be.
            Observation parent = Observation.start("parent", registry);
            try (Observation.Scope scope = parent.openScope()) {
              get(api, URI.create("http://127.0.0.1:" + server.getPort() + "/start"));
            } finally {
              parent.stop();
            }
            RecordedRequest first = server.takeRequest(5, SECONDS);
            RecordedRequest second = server.takeRequest(5, SECONDS);
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> spans.size() == 2);
            MutableSpan client = spans.stream().filter(s -> s.kind() == brave.Span.Kind.CLIENT).findFirst().orElseThrow();
            MutableSpan root = spans.stream().filter(s -> s != client).findFirst().orElseThrow();
            String traceparent = "00-" + client.traceId() + "-" + client.id() + "-01";
            assertThat(first.getHeaders().get("traceparent")).isEqualTo(traceparent);
            assertThat(second.getHeaders().get("traceparent")).isEqualTo(traceparent);
            assertThat(client.parentId()).isEqualTo(root.id());
            assertThat(client.traceId()).isEqualTo(root.traceId());
            assertThat(client.name()).isEqualTo("http get");
            assertThat(client.tag("client.name")).isEqualTo("api");
            assertThat(client.remoteIp()).isEqualTo("127.0.0.1");
            assertThat(client.remotePort()).isEqualTo(server.getPort());
          });
    } finally {
      tracing.close();
    }
  }

  @Test
  void metricsCountTheTaskOnceAndTheSessionsRedirectsBytesCacheAndChallenges() {
    runner.run(context -> {
      MeterRegistry meters = context.getBean(MeterRegistry.class);
      Session api = context.getBean("api", Session.class);
      server.enqueue(new MockResponse.Builder().code(301).addHeader("Location", "/b").build());
      server.enqueue(new MockResponse.Builder().code(301).addHeader("Location", "/c").build());
      server.enqueue(new MockResponse.Builder().addHeader("Cache-Control", "max-age=60").body("hello").build());
      get(api, url("/a"));
      get(api, url("/c")); // from the cache
      server.enqueue(new MockResponse.Builder().code(401).addHeader("WWW-Authenticate", "Basic realm=\"r\"").build());
      api.data(Request.get(url("/private")), new dev.urlsession.TaskDelegate() {
        @Override
        public void didReceiveChallenge(Session s, dev.urlsession.SessionTask t, dev.urlsession.AuthenticationChallenge c,
            dev.urlsession.ChallengeHandler h) {
          h.cancelAuthenticationChallenge();
        }
      }).handle((r, e) -> r).get(10, SECONDS);

      Timer ok = meters.get("http.client.requests").tag("client.name", "api").tag("status", "200").timer();
      assertThat(ok.count()).isEqualTo(2); // the redirected task once, the cached one once
      assertThat(ok.getId().getTag("uri")).isEqualTo("none");
      assertThat(ok.getId().getTag("urlsession.task.kind")).isEqualTo("data");
      assertThat(ok.getId().getTag("outcome")).isEqualTo("SUCCESS");
      assertThat(meters.get("http.client.requests").tag("exception", "SessionException").timer().count()).isEqualTo(1);
      assertThat(meters.get("urlsession.redirects").tag("session", "api").counter().count()).isEqualTo(2);
      assertThat(meters.get("urlsession.cache.requests").tag("result", "hit").counter().count()).isEqualTo(1);
      // The cache is consulted for every request: /a, /b, /c and /private missed.
      assertThat(meters.get("urlsession.cache.requests").tag("result", "miss").counter().count()).isEqualTo(4);
      assertThat(meters.get("urlsession.authentication.challenges").tag("method", "http_basic").counter().count())
          .isEqualTo(1);
      assertThat(meters.get("urlsession.bytes.received").tag("session", "api").tag("kind", "data").counter().count())
          .isEqualTo(10); // "hello" twice
      assertThat(meters.get("urlsession.pool.max").tag("session", "api").gauge().value()).isPositive();
      assertThat(meters.get("urlsession.tasks.active").tag("kind", "data").tag("state", "running").gauge().value())
          .isZero();
    });
  }

  @Test
  void gaugesShowRunningTasksAndLeasedConnections() {
    runner.run(context -> {
      MeterRegistry meters = context.getBean(MeterRegistry.class);
      Session api = context.getBean("api", Session.class);
      server.enqueue(new MockResponse.Builder().bodyDelay(10, SECONDS).body("slow").build());
      dev.urlsession.DownloadTask task = api.downloadTask(url("/slow"));
      task.resume();
      Gauge leased = meters.get("urlsession.pool.leased").tag("session", "api").gauge();
      Gauge running = meters.get("urlsession.tasks.active").tag("kind", "download").tag("state", "running").gauge();
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> leased.value() == 1.0);
      assertThat(running.value()).isEqualTo(1.0);
      task.cancel();
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> running.value() == 0.0);
    });
  }

  @Test
  void restClientsUriTemplateIsTheUriTag() {
    runner.run(context -> {
      MeterRegistry meters = context.getBean(MeterRegistry.class);
      RestClient client = RestClient.builder()
          .requestFactory(new SessionClientHttpRequestFactory(context.getBean("api", Session.class)))
          .baseUrl(server.url("/").toString()).build();
      server.enqueue(new MockResponse.Builder().body("ann").build());
      server.enqueue(new MockResponse.Builder().body("bob").build());
      client.get().uri("/users/{id}", 1).retrieve().body(String.class);
      client.get().uri("/users/{id}", 2).retrieve().body(String.class);
      // A task's sample is recorded when it completes, just after RestClient has read the body.
      Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
          assertThat(meters.get("http.client.requests").tag("uri", "/users/{id}").timer().count())
              .as("%s", meters.find("http.client.requests").timers().stream()
                  .map(t -> t.getId() + "=" + t.count()).toList()).isEqualTo(2));
      assertThat(meters.get("http.client.requests").tag("client.name", "api").timers())
          .extracting(t -> t.getId().getTag("uri")).containsExactly("/users/{id}");
    });
  }

  @Test
  void oneHundredThousandDistinctUrlsMakeABoundedNumberOfMeters() {
    runner.withPropertyValues("urlsession.observation.max-uri-tags=50").run(context -> {
      MeterRegistry meters = context.getBean(MeterRegistry.class);
      Session api = context.getBean("api", Session.class);
      // data: URLs go through the whole task path (listener, observation, completion) without a network.
      List<CompletableFuture<DataResponse>> pending = new java.util.ArrayList<>();
      for (int i = 0; i < 100_000; i++) {
        Request.Builder b = Request.builder(URI.create("data:,user" + i));
        if (i % 2 == 0) {
          // Half of them carry a template built from the value: the mistake the cap exists for.
          b.property(SessionListener.URI_TEMPLATE_PROPERTY, "/users/" + i);
        }
        pending.add(api.data(b.build()));
        if (pending.size() == 1_000) {
          for (CompletableFuture<DataResponse> f : pending) {
            f.get(10, SECONDS);
          }
          pending.clear();
        }
      }
      for (CompletableFuture<DataResponse> f : pending) {
        f.get(10, SECONDS);
      }
      java.util.Collection<Meter> timers = meters.find("http.client.requests").meters();
      Set<String> uris = new HashSet<>();
      timers.forEach(m -> uris.add(m.getId().getTag("uri")));
      assertThat(uris).hasSize(52).contains("none", UriTagLimit.OTHER);
      assertThat(timers).hasSize(52);
      assertThat(meters.get("http.client.requests").tag("uri", "none").timer().count()).isEqualTo(50_000);
      assertThat(meters.get("http.client.requests").tag("uri", UriTagLimit.OTHER).timer().count())
          .isEqualTo(50_000 - 50);
      assertThat(meters.getMeters().size()).isLessThan(400);
    });
  }

  @Test
  void bootsObservationPropertySwitchesTheTimerOffButNotTheSessionMeters() {
    runner.withPropertyValues("management.observations.enable.http.client.requests=false").run(context -> {
      MeterRegistry meters = context.getBean(MeterRegistry.class);
      server.enqueue(new MockResponse.Builder().body("ok").build());
      get(context.getBean("api", Session.class), url("/ok"));
      assertThat(meters.find("http.client.requests").meters()).isEmpty();
      assertThat(server.takeRequest(5, SECONDS).getHeaders().get("traceparent")).isNull();
      assertThat(meters.get("urlsession.bytes.received").tag("kind", "data").counter().count()).isEqualTo(2);
    });
  }

  @Test
  void withObservationButWithoutMicrometerCoreTasksAreStillObserved() {
    TestObservationRegistry observations = TestObservationRegistry.create();
    // A tracing-only application: Micrometer's observation API, no meter registry.
    new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(ObservationAutoConfiguration.class, UrlSessionAutoConfiguration.class,
            UrlSessionObservationAutoConfiguration.class))
        .withPropertyValues("urlsession.sessions.api.type=ephemeral")
        .withClassLoader(new FilteredClassLoader(MeterRegistry.class))
        .withBean(ObservationRegistry.class, () -> observations).run(context -> {
          assertThat(context).hasNotFailed();
          server.enqueue(new MockResponse.Builder().body("ok").build());
          get(context.getBean("api", Session.class), url("/ok"));
          TestObservationRegistryAssert.assertThat(observations).hasSingleObservationThat()
              .hasLowCardinalityKeyValue("client.name", "api");
        });
  }

  @Test
  void nothingIsObservedWhenSwitchedOffOrWithoutMicrometer() {
    runner.withPropertyValues("urlsession.observation.enabled=false").run(context -> {
      assertThat(context.getBean(SessionRegistry.class).session("api").configuration().sessionListenerFactory())
          .isNull();
    });
    runner.withClassLoader(new FilteredClassLoader(ObservationRegistry.class)).run(context -> {
      assertThat(context).hasNotFailed().doesNotHaveBean(UrlSessionObservationAutoConfiguration.class);
    });
  }
}
