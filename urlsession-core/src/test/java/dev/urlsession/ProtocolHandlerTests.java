package dev.urlsession;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.urlsession.SessionException.Code;
import dev.urlsession.spi.ProtocolHandler;
import dev.urlsession.spi.ProtocolHandlers;
import dev.urlsession.spi.ProtocolLoad;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Custom protocol handlers go through the same loading path as HTTP. */
@Timeout(30)
class ProtocolHandlerTests {
  @StartStop final MockWebServer server = new MockWebServer();
  final RecordingDelegate delegate = new RecordingDelegate();

  /** Answers {@code greeting:} URLs with the path as a text body, in two pieces. */
  static final class GreetingHandler implements ProtocolHandler {
    final List<String> started = new CopyOnWriteArrayList<>();

    @Override
    public boolean canHandle(Request request) {
      return "greeting".equals(request.url().getScheme());
    }

    @Override
    public void startLoading(ProtocolLoad load) {
      started.add(load.request().url().toString());
      String text = "hello " + load.request().url().getSchemeSpecificPart();
      byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
      load.client().didReceiveResponse(Response.builder(load.request().url()).mimeType("text/plain")
          .expectedContentLength(bytes.length).build(), CacheStoragePolicy.NOT_ALLOWED);
      load.client().didLoadData(java.util.Arrays.copyOfRange(bytes, 0, 3));
      load.client().didLoadData(java.util.Arrays.copyOfRange(bytes, 3, bytes.length));
      load.client().didFinishLoading();
    }

    @Override
    public void stopLoading(ProtocolLoad load) {}
  }

  Session session(ProtocolHandler... handlers) {
    return Session.create(SessionConfiguration.ephemeral().toBuilder()
        .protocolHandlers(List.of(handlers)).build(), delegate, null);
  }

  @Test
  void customSchemeIsLoadedByItsHandlerWithTheUsualDelegateSequence() throws Exception {
    try (Session session = session(new GreetingHandler())) {
      DataTask task = session.dataTask(URI.create("greeting:world"));
      task.resume();
      assertThat(delegate.awaitCompletion()).isNull();
      delegate.assertEvents("didCreateTask", "didReceiveResponse 0", "didReceiveData",
          "didFinishCollectingMetrics", "didComplete null");
      assertThat(delegate.body.toString(StandardCharsets.UTF_8)).isEqualTo("hello world");
      assertThat(task.response().statusCode()).isZero();
      assertThat(task.response().mimeType()).isEqualTo("text/plain");
      assertThat(task.countOfBytesExpectedToReceive()).isEqualTo(11);
      assertThat(delegate.metrics.transactionMetrics().get(0).networkProtocolName()).isNull();
    }
  }

  @Test
  void configuredHandlersAreConsultedBeforeTheBuiltInHttpHandler() throws Exception {
    ProtocolHandler intercept = new ProtocolHandler() {
      @Override
      public boolean canHandle(Request request) {
        return request.url().getPath().startsWith("/intercepted");
      }

      @Override
      public void startLoading(ProtocolLoad load) {
        load.client().didReceiveResponse(Response.builder(load.request().url()).statusCode(299).build(),
            CacheStoragePolicy.NOT_ALLOWED);
        load.client().didFinishLoading();
      }

      @Override
      public void stopLoading(ProtocolLoad load) {}
    };
    try (Session session = session(intercept)) {
      session.dataTask(server.url("/intercepted").uri()).resume();
      assertThat(delegate.awaitCompletion()).isNull();
      assertThat(delegate.events).contains("didReceiveResponse 299");
      assertThat(server.getRequestCount()).isZero();
    }
  }

  @Test
  void handlerRedirectGoesThroughTheRedirectDelegateAndAGuardPropertyStopsRecursion() throws Exception {
    server.enqueue(new MockResponse.Builder().body("from http").build());
    ProtocolHandler redirector = new ProtocolHandler() {
      @Override
      public boolean canHandle(Request request) {
        return request.property("handled") == null && request.url().getPath().equals("/start");
      }

      @Override
      public void startLoading(ProtocolLoad load) {
        Request next = load.request().toBuilder().url(load.request().url().resolve("/next"))
            .property("handled", Boolean.TRUE).build();
        load.client().wasRedirectedTo(next, Response.builder(load.request().url()).statusCode(302).build());
        load.client().didFinishLoading();
      }

      @Override
      public void stopLoading(ProtocolLoad load) {}
    };
    try (Session session = session(redirector)) {
      session.dataTask(server.url("/start").uri()).resume();
      assertThat(delegate.awaitCompletion()).isNull();
      delegate.assertEvents("didCreateTask", "willPerformHttpRedirection 302 /next", "didReceiveResponse 200",
          "didReceiveData", "didFinishCollectingMetrics", "didComplete null");
      assertThat(server.takeRequest(5, SECONDS).getTarget()).isEqualTo("/next");
    }
  }

  @Test
  void handlerFailureCompletesTheTaskWithItsError() throws Exception {
    ProtocolHandler failing = new ProtocolHandler() {
      @Override
      public boolean canHandle(Request request) {
        return "broken".equals(request.url().getScheme());
      }

      @Override
      public void startLoading(ProtocolLoad load) {
        load.client().didFail(new SessionException(Code.RESOURCE_UNAVAILABLE, load.request().url()));
      }

      @Override
      public void stopLoading(ProtocolLoad load) {}
    };
    try (Session session = session(failing)) {
      session.dataTask(URI.create("broken://x")).resume();
      assertThat(delegate.awaitCompletion().code()).isEqualTo(Code.RESOURCE_UNAVAILABLE);
    }
  }

  @Test
  void handlerThatThrowsFailsTheTaskInsteadOfBreakingTheSession() throws Exception {
    ProtocolHandler throwing = new ProtocolHandler() {
      @Override
      public boolean canHandle(Request request) {
        return "throws".equals(request.url().getScheme());
      }

      @Override
      public void startLoading(ProtocolLoad load) {
        throw new IllegalStateException("handler bug");
      }

      @Override
      public void stopLoading(ProtocolLoad load) {}
    };
    try (Session session = session(throwing)) {
      session.dataTask(URI.create("throws://x")).resume();
      assertThat(delegate.awaitCompletion().code()).isEqualTo(Code.UNKNOWN);
    }
  }

  @Test
  void globallyRegisteredHandlersServeTheSharedSessionOnly() throws Exception {
    GreetingHandler handler = new GreetingHandler();
    ProtocolHandlers.register(handler);
    try {
      DataResponse r = Session.shared().data(Request.get(URI.create("greeting:shared"))).get(10, SECONDS);
      assertThat(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo("hello shared");
      try (Session own = Session.create(SessionConfiguration.ephemeral(), delegate, null)) {
        own.dataTask(URI.create("greeting:own")).resume();
        assertThat(delegate.awaitCompletion().code()).isEqualTo(Code.UNSUPPORTED_URL);
      }
      assertThat(handler.started).containsExactly("greeting:shared");
    } finally {
      assertThat(ProtocolHandlers.unregister(handler)).isTrue();
    }
  }

  @Test
  void httpMaximumConnectionsPerHostBoundsConcurrentConnections() throws Exception {
    for (int i = 0; i < 6; i++) {
      server.enqueue(new MockResponse.Builder().headersDelay(200, java.util.concurrent.TimeUnit.MILLISECONDS)
          .body("r").build());
    }
    try (Session session = Session.create(SessionConfiguration.ephemeral().toBuilder()
        .httpMaximumConnectionsPerHost(2).build())) {
      List<java.util.concurrent.CompletableFuture<DataResponse>> all = new java.util.ArrayList<>();
      for (int i = 0; i < 6; i++) {
        all.add(session.data(Request.get(server.url("/" + i).uri())));
      }
      for (var f : all) {
        f.get(10, SECONDS);
      }
      java.util.Set<Integer> connections = new java.util.HashSet<>();
      for (int i = 0; i < 6; i++) {
        connections.add(server.takeRequest(5, SECONDS).getConnectionIndex());
      }
      assertThat(connections).hasSize(2);
    }
  }
}
