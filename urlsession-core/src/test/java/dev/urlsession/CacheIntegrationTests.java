package dev.urlsession;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.urlsession.SessionException.Code;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.Consumer;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Data tasks through the session's HttpCache with every cache policy (URLSESSION-BEHAVIOUR.md 9.1, 3.9). */
@Timeout(30)
class CacheIntegrationTests {
  @StartStop final MockWebServer server = new MockWebServer();
  final HttpCache cache = HttpCache.create(1024 * 1024, 0, null);
  RecordingDelegate delegate = new RecordingDelegate();
  Session session = Session.create(SessionConfiguration.ephemeral().toBuilder().httpCache(cache).build(), delegate, null);

  @AfterEach
  void tearDown() {
    session.invalidateAndCancel();
  }

  String get(String path, CachePolicy policy) throws Exception {
    Request r = Request.builder(server.url(path).uri()).cachePolicy(policy).build();
    return new String(session.data(r).get(10, SECONDS).body(), StandardCharsets.UTF_8);
  }

  @Test
  void freshResponseIsServedFromTheCacheWithoutTheNetwork() throws Exception {
    server.enqueue(new MockResponse.Builder().addHeader("Cache-Control", "max-age=60").body("fresh").build());
    assertThat(get("/f", CachePolicy.USE_PROTOCOL_CACHE_POLICY)).isEqualTo("fresh");
    session.dataTask(server.url("/f").uri()).resume();
    assertThat(delegate.awaitCompletion()).isNull();
    // The first task (a future) reports its metrics too; the second, from the cache, looks the same.
    delegate.assertEvents("didCreateTask", "didFinishCollectingMetrics", "didCreateTask",
        "didReceiveResponse 200", "didReceiveData", "didFinishCollectingMetrics", "didComplete null");
    assertThat(delegate.body.toString(StandardCharsets.UTF_8)).isEqualTo("fresh");
    assertThat(server.getRequestCount()).isEqualTo(1);
    assertThat(cache.cachedResponse(Request.get(server.url("/f").uri()))).isNotNull();
  }

  @Test
  void staleResponseWithAnEtagIsRevalidatedAnd304AnswersFromTheCache() throws Exception {
    server.enqueue(new MockResponse.Builder().addHeader("Cache-Control", "no-cache").addHeader("ETag", "\"e1\"")
        .body("validated body").build());
    server.enqueue(new MockResponse.Builder().code(304).addHeader("ETag", "\"e1\"").build());
    assertThat(get("/v", CachePolicy.USE_PROTOCOL_CACHE_POLICY)).isEqualTo("validated body");
    DataResponse second = session.data(Request.get(server.url("/v").uri())).get(10, SECONDS);
    assertThat(new String(second.body(), StandardCharsets.UTF_8)).isEqualTo("validated body");
    assertThat(second.response().statusCode()).isEqualTo(200);
    server.takeRequest(5, SECONDS);
    RecordedRequest revalidation = server.takeRequest(5, SECONDS);
    assertThat(revalidation.getHeaders().get("If-None-Match")).isEqualTo("\"e1\"");
  }

  @Test
  void theBodyGivenToTheCallerIsNotTheCachedOne() throws Exception {
    server.enqueue(new MockResponse.Builder().addHeader("Cache-Control", "max-age=60").body("mine").build());
    byte[] body = session.data(Request.get(server.url("/m").uri())).get(10, SECONDS).body();
    assertThat(body).asString(StandardCharsets.UTF_8).isEqualTo("mine");
    Arrays.fill(body, (byte) 'x');
    assertThat(get("/m", CachePolicy.RETURN_CACHE_DATA_DONT_LOAD)).isEqualTo("mine");
    assertThat(server.getRequestCount()).isEqualTo(1);
  }

  @Test
  void aDelegateWritingToItsDataDoesNotChangeTheCachedBody() throws Exception {
    RecordingDelegate scribbler = new RecordingDelegate() {
      @Override
      public void didReceiveData(Session s, DataTask task, byte[] data) {
        super.didReceiveData(s, task, data);
        Arrays.fill(data, (byte) 'x');
      }
    };
    Session scribbling =
        Session.create(SessionConfiguration.ephemeral().toBuilder().httpCache(cache).build(), scribbler, null);
    try {
      server.enqueue(new MockResponse.Builder().addHeader("Cache-Control", "max-age=60").body("theirs").build());
      scribbling.dataTask(server.url("/d").uri()).resume();
      assertThat(scribbler.awaitCompletion()).isNull();
      assertThat(scribbler.body.toString(StandardCharsets.UTF_8)).isEqualTo("theirs");
      assertThat(get("/d", CachePolicy.RETURN_CACHE_DATA_DONT_LOAD)).isEqualTo("theirs");
      assertThat(server.getRequestCount()).isEqualTo(1);
    } finally {
      scribbling.invalidateAndCancel();
    }
  }

  @Test
  void returnCacheDataDontLoadFailsOnAMissWithCannotLoadFromNetwork() throws Exception {
    session.dataTask(Request.builder(server.url("/miss").uri())
        .cachePolicy(CachePolicy.RETURN_CACHE_DATA_DONT_LOAD).build()).resume();
    SessionException e = delegate.awaitCompletion();
    assertThat(e.code()).isEqualTo(Code.CANNOT_LOAD_FROM_NETWORK);
    assertThat(e.code().value()).isEqualTo(-2000);
    assertThat(server.getRequestCount()).isZero();
  }

  @Test
  void returnCacheDataDontLoadWithoutACacheFailsWithCannotLoadFromNetwork() throws Exception {
    // Nothing can be cached, and the network is forbidden: the request is never sent.
    RecordingDelegate d = new RecordingDelegate();
    try (Session noCache = Session.create(SessionConfiguration.ephemeral().toBuilder().httpCache(null).build(), d,
        null)) {
      noCache.dataTask(Request.builder(server.url("/nothing").uri())
          .cachePolicy(CachePolicy.RETURN_CACHE_DATA_DONT_LOAD).build()).resume();
      assertThat(d.awaitCompletion().code()).isEqualTo(Code.CANNOT_LOAD_FROM_NETWORK);
    }
    RecordingDelegate viaSession = new RecordingDelegate();
    try (Session noCache = Session.create(SessionConfiguration.ephemeral().toBuilder().httpCache(null)
        .requestCachePolicy(CachePolicy.RETURN_CACHE_DATA_DONT_LOAD).build(), viaSession, null)) {
      noCache.dataTask(server.url("/nothing").uri()).resume();
      assertThat(viaSession.awaitCompletion().code()).isEqualTo(Code.CANNOT_LOAD_FROM_NETWORK);
    }
    assertThat(server.getRequestCount()).isZero();
  }

  @Test
  void returnCacheDataElseLoadUsesEvenAStaleEntry() throws Exception {
    server.enqueue(new MockResponse.Builder().addHeader("Cache-Control", "max-age=0").addHeader("Last-Modified",
        "Mon, 02 Nov 2026 10:00:00 GMT").body("old but fine").build());
    assertThat(get("/s", CachePolicy.USE_PROTOCOL_CACHE_POLICY)).isEqualTo("old but fine");
    assertThat(get("/s", CachePolicy.RETURN_CACHE_DATA_ELSE_LOAD)).isEqualTo("old but fine");
    assertThat(get("/s", CachePolicy.RETURN_CACHE_DATA_DONT_LOAD)).isEqualTo("old but fine");
    assertThat(server.getRequestCount()).isEqualTo(1);
  }

  @Test
  void reloadIgnoringLocalCacheDataGoesToTheNetworkAndReloadIgnoringRemoteAddsNoCache() throws Exception {
    server.enqueue(new MockResponse.Builder().addHeader("Cache-Control", "max-age=60").body("one").build());
    server.enqueue(new MockResponse.Builder().addHeader("Cache-Control", "max-age=60").body("two").build());
    server.enqueue(new MockResponse.Builder().addHeader("Cache-Control", "max-age=60").body("three").build());
    assertThat(get("/r", CachePolicy.USE_PROTOCOL_CACHE_POLICY)).isEqualTo("one");
    assertThat(get("/r", CachePolicy.RELOAD_IGNORING_LOCAL_CACHE_DATA)).isEqualTo("two");
    assertThat(get("/r", CachePolicy.RELOAD_IGNORING_LOCAL_AND_REMOTE_CACHE_DATA)).isEqualTo("three");
    server.takeRequest(5, SECONDS);
    server.takeRequest(5, SECONDS);
    assertThat(server.takeRequest(5, SECONDS).getHeaders().get("Cache-Control")).isEqualTo("no-cache");
    // The last network answer is what the cache now holds.
    assertThat(get("/r", CachePolicy.USE_PROTOCOL_CACHE_POLICY)).isEqualTo("three");
  }

  @Test
  void willCacheResponseCanVetoTheEntry() throws Exception {
    session.invalidateAndCancel();
    delegate = new RecordingDelegate() {
      @Override
      public void willCacheResponse(Session s, DataTask t, CachedResponse proposed,
          Consumer<@Nullable CachedResponse> handler) {
        recordEvent(t, "willCacheResponse " + proposed.data().length);
        handler.accept(null);
      }
    };
    session = Session.create(SessionConfiguration.ephemeral().toBuilder().httpCache(cache).build(), delegate, null);
    server.enqueue(new MockResponse.Builder().addHeader("Cache-Control", "max-age=60").body("veto").build());
    session.dataTask(server.url("/w").uri()).resume();
    assertThat(delegate.awaitCompletion()).isNull();
    delegate.assertEvents("didCreateTask", "didReceiveResponse 200", "didReceiveData", "willCacheResponse 4",
        "didFinishCollectingMetrics", "didComplete null");
    assertThat(cache.cachedResponse(Request.get(server.url("/w").uri()))).isNull();
  }

  @Test
  void noStoreResponsesAreNotCached() throws Exception {
    server.enqueue(new MockResponse.Builder().addHeader("Cache-Control", "no-store, max-age=60").body("secret").build());
    server.enqueue(new MockResponse.Builder().body("again").build());
    assertThat(get("/n", CachePolicy.USE_PROTOCOL_CACHE_POLICY)).isEqualTo("secret");
    assertThat(get("/n", CachePolicy.USE_PROTOCOL_CACHE_POLICY)).isEqualTo("again");
    assertThat(server.getRequestCount()).isEqualTo(2);
  }

  @Test
  void sessionWithoutACacheAlwaysLoads() throws Exception {
    try (Session none = Session.create(SessionConfiguration.ephemeral().toBuilder().httpCache(null).build())) {
      server.enqueue(new MockResponse.Builder().addHeader("Cache-Control", "max-age=60").body("a").build());
      server.enqueue(new MockResponse.Builder().addHeader("Cache-Control", "max-age=60").body("b").build());
      assertThat(new String(none.data(Request.get(server.url("/x").uri())).get(10, SECONDS).body())).isEqualTo("a");
      assertThat(new String(none.data(Request.get(server.url("/x").uri())).get(10, SECONDS).body())).isEqualTo("b");
    }
  }
}
