package dev.urlsession;

import static org.assertj.core.api.Assertions.assertThat;

import dev.urlsession.internal.CacheRules;
import dev.urlsession.internal.TransactionRecorder;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * {@link CacheStage} on its own, over an in-memory {@link HttpCache}: what it decides, what a 304
 * gives back, what it keeps of a body and what it proposes to store. No server, no session.
 */
class CacheStageTests {
  static final URI URL = URI.create("https://example.org/catalog");
  final HttpCache cache = HttpCache.create(1024 * 1024, 0, null);
  final CacheStage stage = new CacheStage(cache, CachePolicy.USE_PROTOCOL_CACHE_POLICY);

  static Response response(int status, String... headers) {
    Response.Builder b = Response.builder(URL).statusCode(status);
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return b.build();
  }

  void store(String body, String... headers) {
    cache.storeCachedResponse(new CachedResponse(response(200, headers), body.getBytes(StandardCharsets.UTF_8)),
        Request.get(URL));
  }

  @Test
  void decideWhenTheRequestIsNotAnHttpGetLeavesTheCacheOut() {
    assertThat(stage.decide(Request.builder(URL).method("POST").body(new byte[1]).build())).isNull();
    assertThat(stage.decide(Request.get(URI.create("ftp://example.org/file")))).isNull();
    assertThat(new CacheStage(null, CachePolicy.USE_PROTOCOL_CACHE_POLICY).decide(Request.get(URL))).isNull();
  }

  @Test
  void decideWhenNothingIsStoredLoadsAndUnderCacheOnlyPolicyFails() {
    assertThat(stage.decide(Request.get(URL)).action()).isEqualTo(CacheRules.Action.LOAD);
    Request cacheOnly = Request.builder(URL).cachePolicy(CachePolicy.RETURN_CACHE_DATA_DONT_LOAD).build();
    assertThat(stage.decide(cacheOnly).action()).isEqualTo(CacheRules.Action.FAIL);
    CacheStage strict = new CacheStage(cache, CachePolicy.RETURN_CACHE_DATA_DONT_LOAD);
    assertThat(strict.decide(Request.get(URL)).action()).isEqualTo(CacheRules.Action.FAIL);
  }

  @Test
  void decideWhenAFreshResponseIsStoredAnswersFromTheCache() {
    store("cached", "Cache-Control", "max-age=3600");
    CacheRules.Decision d = stage.decide(Request.get(URL));
    assertThat(d.action()).isEqualTo(CacheRules.Action.USE_CACHED);
    stage.begin(d, Request.get(URL));
    assertThat(stage.fromCache()).isTrue();
    assertThat(stage.revalidates()).isFalse();
  }

  @Test
  void aNotModifiedAnswerToARevalidationGivesTheStoredBodyWithRefreshedHeaders() {
    store("stored body", "Cache-Control", "no-cache", "ETag", "\"v1\"", "X-Version", "old");
    CacheRules.Decision d = stage.decide(Request.get(URL));
    assertThat(d.action()).isEqualTo(CacheRules.Action.REVALIDATE);
    assertThat(d.applyTo(Request.get(URL)).header("If-None-Match")).isEqualTo("\"v1\"");
    stage.begin(d, Request.get(URL));
    assertThat(stage.revalidates()).isTrue();

    CacheStage.NotModified nm = stage.onResponse(response(304, "ETag", "\"v1\"", "X-Version", "new"),
        new TransactionRecorder(Request.get(URL)));
    assertThat(nm).isNotNull();
    assertThat(nm.response().statusCode()).isEqualTo(200);
    assertThat(nm.response().header("X-Version")).isEqualTo("new");
    assertThat(new String(nm.body(), StandardCharsets.UTF_8)).isEqualTo("stored body");
    assertThat(stage.revalidates()).isFalse();
    assertThat(stage.fromCache()).isTrue();
    nm.refresh().run();
    assertThat(cache.cachedResponse(Request.get(URL)).response().header("X-Version")).isEqualTo("new");
  }

  @Test
  void aNewResponseToARevalidationEndsItWithoutAnAnswerFromTheCache() {
    store("stored body", "Cache-Control", "no-cache", "ETag", "\"v1\"");
    CacheRules.Decision d = stage.decide(Request.get(URL));
    stage.begin(d, Request.get(URL));
    assertThat(stage.onResponse(response(200, "ETag", "\"v2\""), new TransactionRecorder(Request.get(URL)))).isNull();
    assertThat(stage.revalidates()).isFalse();
    assertThat(stage.fromCache()).isFalse();
  }

  @Test
  void aStorableBodyIsProposedAndStoredWhenNoDelegateIsAsked() throws Exception {
    Request request = Request.get(URL);
    stage.begin(stage.decide(request), request);
    Response r = response(200, "Cache-Control", "max-age=60");
    stage.bodyFollows(r);
    byte[] first = "hello ".getBytes(StandardCharsets.UTF_8);
    stage.keep(first, true);
    first[0] = 'j'; // the delegate wrote to its chunk: the cache kept a copy
    stage.keep("world".getBytes(StandardCharsets.UTF_8), false);
    TransactionRecorder exchange = new TransactionRecorder(request);
    Runnable store = stage.propose(r, List.of(exchange), null, posted -> { }, d -> (p, h) -> { });
    assertThat(store).isNotNull();
    store.run();
    CachedResponse stored = cache.cachedResponse(request);
    assertThat(new String(stored.data(), StandardCharsets.UTF_8)).isEqualTo("hello world");
  }

  @Test
  void aBodyLargerThanTheEntryLimitOrFromTheCacheIsNeverProposed() {
    HttpCache small = HttpCache.create(100, 0, null); // entries may hold about 5 % of it
    CacheStage limited = new CacheStage(small, CachePolicy.USE_PROTOCOL_CACHE_POLICY);
    Request request = Request.get(URL);
    limited.begin(limited.decide(request), request);
    Response r = response(200, "Cache-Control", "max-age=60");
    limited.bodyFollows(r);
    limited.keep(new byte[64], false);
    assertThat(limited.propose(r, List.of(new TransactionRecorder(request)), null, posted -> { }, d -> (p, h) -> { }))
        .isNull();

    store("cached", "Cache-Control", "max-age=3600");
    CacheRules.Decision hit = stage.decide(request);
    stage.begin(hit, request);
    stage.bodyFollows(hit.entry().cachedResponse().response());
    stage.keep("cached".getBytes(StandardCharsets.UTF_8), false);
    assertThat(stage.propose(hit.entry().cachedResponse().response(), List.of(new TransactionRecorder(request)),
        null, posted -> { }, d -> (p, h) -> { })).isNull();
  }

  @Test
  void aDelegateAskedAboutTheProposalDecidesWhatIsStored() {
    Request request = Request.get(URL);
    stage.begin(stage.decide(request), request);
    Response r = response(200, "Cache-Control", "max-age=60");
    stage.bodyFollows(r);
    stage.keep("original".getBytes(StandardCharsets.UTF_8), false);
    AtomicReference<CachedResponse> asked = new AtomicReference<>();
    List<Runnable> posted = new java.util.ArrayList<>();
    Runnable store = stage.propose(r, List.of(new TransactionRecorder(request)), new DataDelegate() { }, posted::add,
        d -> (proposed, handler) -> {
          asked.set(proposed);
          handler.accept(new CachedResponse(proposed.response(), "replaced".getBytes(StandardCharsets.UTF_8)));
        });
    assertThat(store).isNull(); // the delegate decides, on the queue
    assertThat(posted).hasSize(1);
    posted.get(0).run();
    assertThat(new String(asked.get().data(), StandardCharsets.UTF_8)).isEqualTo("original");
    assertThat(new String(cache.cachedResponse(request).data(), StandardCharsets.UTF_8)).isEqualTo("replaced");
  }
}
