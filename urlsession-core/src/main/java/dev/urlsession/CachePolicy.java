package dev.urlsession;

/**
 * How a request uses the session's {@code HttpCache} (Apple's {@code URLRequest.CachePolicy}).
 *
 * @since 0.1.0
 */
public enum CachePolicy {
  /** RFC 9111 freshness and revalidation: the default. */
  USE_PROTOCOL_CACHE_POLICY,
  /** Always load from the origin; the response may still be stored. */
  RELOAD_IGNORING_LOCAL_CACHE_DATA,
  /** Like {@link #RELOAD_IGNORING_LOCAL_CACHE_DATA}, and asks intermediaries not to answer from their caches. */
  RELOAD_IGNORING_LOCAL_AND_REMOTE_CACHE_DATA,
  /** Use a cached response whatever its age; load only on a miss. */
  RETURN_CACHE_DATA_ELSE_LOAD,
  /** Use a cached response whatever its age; fail with {@code CANNOT_LOAD_FROM_NETWORK} on a miss. */
  RETURN_CACHE_DATA_DONT_LOAD,
  /** Revalidate any cached response with the origin before use. */
  RELOAD_REVALIDATING_CACHE_DATA
}
