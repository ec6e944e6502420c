package dev.urlsession;

import dev.urlsession.internal.BodyBuffer;
import dev.urlsession.internal.CacheEntry;
import dev.urlsession.internal.CacheRules;
import dev.urlsession.internal.TransactionRecorder;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A data task's use of the HTTP cache (URLSESSION-BEHAVIOUR.md 9.1): before a load, what the
 * cache says ({@link #decide}: answer from it, revalidate, load, or fail under a cache-only
 * policy); on a 304 to a revalidation, the stored response with its refreshed headers; while the
 * body arrives, a copy kept while it fits the cache's entry limit; at the end, the response to
 * store. Owns its fields; the task calls it holding its lock (except {@link #decide}, which looks
 * the cache up and takes none).
 */
final class CacheStage {
  private static final Logger log = LoggerFactory.getLogger(CacheStage.class);

  private final @Nullable HttpCache cache;
  private final CachePolicy sessionPolicy;
  /** The request the cache entry is keyed by (without conditional headers); null: not cached. */
  private @Nullable Request key;
  /** The entry a conditional request is revalidating. */
  private @Nullable CacheEntry revalidating;
  /** Whether the body being delivered came from the cache (so it is not stored again). */
  private boolean fromCache;
  /**
   * The body for the cache, while it stays under the cache's entry size limit. Its chunks may be
   * those of the task's collected body: the cache takes a copy when the task completes.
   */
  private @Nullable BodyBuffer buffer;
  private long limit;

  CacheStage(@Nullable HttpCache cache, CachePolicy sessionPolicy) {
    this.cache = cache;
    this.sessionPolicy = sessionPolicy;
  }

  /** A 304 to a revalidation: the stored response with refreshed headers, and its body. */
  record NotModified(Response response, byte[] body, @Nullable Runnable refresh) {}

  /**
   * What the cache says about loading {@code request}, or null when the cache is not involved:
   * not a GET over http(s), or no cache (then {@code RETURN_CACHE_DATA_DONT_LOAD} fails: nothing
   * is cached, and the network is forbidden). Takes no lock.
   */
  CacheRules.@Nullable Decision decide(Request request) {
    String scheme = request.url().getScheme();
    if (!"GET".equals(request.method())
        || !("http".equalsIgnoreCase(scheme) || "https".equalsIgnoreCase(scheme))) {
      return null;
    }
    CachePolicy policy = request.cachePolicy() != CachePolicy.USE_PROTOCOL_CACHE_POLICY
        ? request.cachePolicy() : sessionPolicy;
    if (cache == null) {
      return policy == CachePolicy.RETURN_CACHE_DATA_DONT_LOAD
          ? new CacheRules.Decision(CacheRules.Action.FAIL, null, Headers.empty()) : null;
    }
    try {
      return CacheRules.decide(policy, request, cache.entry(request), Instant.now());
    } catch (RuntimeException e) {
      log.warn("Cache lookup failed for {}; loading from the network", SessionException.redact(request.url()), e);
      return null;
    }
  }

  /** A load begins after {@code decision} (null: the cache is not involved) for {@code keyRequest}. */
  void begin(CacheRules.@Nullable Decision decision, Request keyRequest) {
    key = decision == null ? null : keyRequest;
    fromCache = decision != null && decision.action() == CacheRules.Action.USE_CACHED;
    revalidating = decision != null && decision.action() == CacheRules.Action.REVALIDATE ? decision.entry() : null;
    buffer = null;
  }

  /** Whether the body being delivered comes from the cache. */
  boolean fromCache() {
    return fromCache;
  }

  /** Whether a response to the load is the answer to a revalidation (a 304 or a new response). */
  boolean revalidates() {
    return revalidating != null;
  }

  /**
   * A response arrived: when it is the 304 to a revalidation, the stored response merged with it
   * (RFC 9111 4.3.4), whose body the task delivers, and the refresh of the stored entry;
   * otherwise null. The revalidation is over either way.
   */
  @Nullable NotModified onResponse(Response r, TransactionRecorder exchange) {
    CacheEntry stale = revalidating;
    revalidating = null;
    if (stale == null || r.statusCode() != 304) {
      return null;
    }
    Instant requested = exchange.requestStart != null ? exchange.requestStart : exchange.fetchStart;
    CachedResponse old = stale.cachedResponse();
    Response merged = CacheRules.mergeNotModified(old.response(), r);
    CachedResponse updated = new CachedResponse(merged, old.data(), old.userInfo(), old.storagePolicy());
    HttpCache c = cache;
    Request k = key;
    Instant received = Instant.now();
    Runnable refresh = c != null && k != null ? () -> c.store(updated, k, requested, received) : null;
    fromCache = true;
    return new NotModified(merged, old.data(), refresh);
  }

  /** The final response of a load from the network: its body is kept while it may be stored. */
  void bodyFollows(Response r) {
    if (cache != null && key != null && !fromCache && CacheRules.isStorable(key, r)) {
      limit = cache.entryLimit();
      buffer = limit > 0 ? new BodyBuffer() : null;
    }
  }

  /**
   * Keeps a chunk for the cache while the body stays small enough to be stored. A chunk handed to
   * a delegate belongs to it, which may write to it, so the cache keeps a copy ({@code copy}).
   */
  void keep(byte[] chunk, boolean copy) {
    if (buffer == null) {
      return;
    }
    if ((long) buffer.size() + chunk.length > limit) {
      buffer = null; // too large to cache
    } else {
      buffer.add(copy ? chunk.clone() : chunk);
    }
  }

  /**
   * The response to store once the task succeeded with {@code r}, or null: nothing to store.
   * The body is copied now, before the task hands its collected body over.
   */
  private @Nullable CachedResponse proposal(@Nullable Response r) {
    BodyBuffer body = buffer;
    buffer = null;
    if (cache == null || key == null || body == null || fromCache || r == null) {
      return null;
    }
    return new CachedResponse(r, body.toByteArray());
  }

  /** How {@code willCacheResponse} is asked of a delegate. */
  interface Asker {
    void ask(CachedResponse proposed, Consumer<@Nullable CachedResponse> handler);
  }

  /**
   * A body from the network that may be cached, at the task's success: offers it to
   * {@code willCacheResponse} of {@code delegate} (through {@code post}, before the completion) or, without one,
   * returns the store, which the completion runs first. Caller holds the task's lock.
   */
  @Nullable Runnable propose(@Nullable Response r, List<TransactionRecorder> loads, @Nullable DataDelegate delegate,
      Consumer<Runnable> post, Function<DataDelegate, Asker> asking) {
    CachedResponse proposed = proposal(r);
    if (proposed == null || loads.isEmpty()) {
      return null;
    }
    TransactionRecorder t = loads.get(loads.size() - 1);
    Instant requested = t.requestStart != null ? t.requestStart : t.fetchStart;
    Instant received = t.responseStart != null ? t.responseStart : Instant.now();
    if (delegate == null) {
      return () -> store(proposed, requested, received);
    }
    AtomicBoolean answered = new AtomicBoolean();
    Consumer<@Nullable CachedResponse> handler = chosen -> {
      if (!answered.compareAndSet(false, true)) {
        throw new IllegalStateException("the completion handler of willCacheResponse was already called");
      }
      if (chosen != null) {
        store(chosen, requested, received);
      }
    };
    Asker asker = asking.apply(delegate);
    post.accept(() -> asker.ask(proposed, handler));
    return null;
  }

  /** Stores {@code chosen} (the proposal, or what {@code willCacheResponse} made of it). */
  private void store(CachedResponse chosen, Instant requested, Instant received) {
    HttpCache c = cache;
    Request k = key;
    if (c != null && k != null) {
      c.store(chosen, k, requested, received);
    }
  }

  /** The task completes: the body kept for the cache goes. */
  void drop() {
    buffer = null;
  }
}
