package dev.urlsession;

/**
 * Where a response may be cached (Apple's {@code URLCache.StoragePolicy}).
 *
 * @since 0.1.0
 */
public enum CacheStoragePolicy {
  /** In memory and on disk. */
  ALLOWED,
  /** In memory only. */
  ALLOWED_IN_MEMORY_ONLY,
  /** Not at all. */
  NOT_ALLOWED
}
