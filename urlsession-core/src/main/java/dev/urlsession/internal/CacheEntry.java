package dev.urlsession.internal;

import dev.urlsession.CachedResponse;
import java.time.Instant;

/**
 * A stored response with the times the RFC 9111 rules need.
 *
 * @param cachedResponse the response and body as stored
 * @param requestTime when the request that produced the response was sent ({@code request_time} of
 *     RFC 9111 section 4.2.3)
 * @param responseTime when the response was received ({@code response_time})
 * @param storedTime when the entry was put in the cache (for {@code removeCachedResponses(since)})
 */
public record CacheEntry(
    CachedResponse cachedResponse, Instant requestTime, Instant responseTime, Instant storedTime) {
  public CacheEntry {
    Checks.notNull(cachedResponse, "cachedResponse");
    Checks.notNull(requestTime, "requestTime");
    Checks.notNull(responseTime, "responseTime");
    Checks.notNull(storedTime, "storedTime");
  }
}
