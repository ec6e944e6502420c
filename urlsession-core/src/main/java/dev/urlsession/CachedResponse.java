package dev.urlsession;

import dev.urlsession.internal.Checks;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A response and its body as kept by an {@link HttpCache} (Apple's {@code CachedURLResponse}).
 *
 * <pre>{@code
 * CachedResponse cached = new CachedResponse(response, body);
 * cache.storeCachedResponse(cached, request);
 * }</pre>
 *
 * <p>Two instances are equal when their responses have the same URL, status code and header fields,
 * their bodies the same bytes, their user info equal maps (or both none) and their storage
 * policies are the same.
 *
 * <p>Instances are immutable and thread-safe: the body is copied on the way in and on the way out,
 * and the user info map is an unmodifiable copy (its values themselves are not copied).
 *
 * @since 0.1.0
 */
public final class CachedResponse {
  private final Response response;
  private final byte[] data;
  private final @Nullable Map<String, Object> userInfo;
  private final CacheStoragePolicy storagePolicy;

  /**
   * A cached response with no user info and the {@link CacheStoragePolicy#ALLOWED} policy.
   *
   * @param response the response metadata
   * @param data the body, copied
   * @throws IllegalArgumentException if an argument is null
   */
  public CachedResponse(Response response, byte[] data) {
    this(response, data, null, CacheStoragePolicy.ALLOWED);
  }

  /**
   * A cached response.
   *
   * @param response the response metadata
   * @param data the body, copied
   * @param userInfo application data kept with the entry, copied; {@code null} for none. On disk
   *     only {@code String}, {@code Boolean}, {@code Integer}, {@code Long} and {@code Double}
   *     values survive a restart; other values are kept in memory only, and an entry read back
   *     without any reports none.
   * @param storagePolicy where the entry may be kept
   * @throws IllegalArgumentException if {@code response}, {@code data} or {@code storagePolicy} is
   *     null, or {@code userInfo} holds a null key or value
   */
  public CachedResponse(
      Response response,
      byte[] data,
      @Nullable Map<String, Object> userInfo,
      CacheStoragePolicy storagePolicy) {
    this.response = Checks.notNull(response, "response");
    this.data = Checks.notNull(data, "data").clone();
    this.storagePolicy = Checks.notNull(storagePolicy, "storagePolicy");
    if (userInfo == null) {
      this.userInfo = null;
    } else {
      Map<String, Object> copy = new LinkedHashMap<>();
      userInfo.forEach(
          (k, v) -> {
            Checks.argument(k != null, "userInfo must not contain a null key");
            Checks.argument(v != null, "userInfo must not contain a null value (key " + k + ")");
            copy.put(k, v);
          });
      this.userInfo = Collections.unmodifiableMap(copy);
    }
  }

  /** The response metadata; never null. */
  public Response response() {
    return response;
  }

  /** A copy of the body; never null, empty for a response without body. */
  public byte[] data() {
    return data.clone();
  }

  /**
   * The application data stored with the entry, unmodifiable; {@code null} when it was made
   * without any (as Apple's {@code userInfo} is nil).
   */
  public @Nullable Map<String, Object> userInfo() {
    return userInfo;
  }

  /** Where the entry may be kept; never null. */
  public CacheStoragePolicy storagePolicy() {
    return storagePolicy;
  }

  /** The body length, without copying. */
  int dataLength() {
    return data.length;
  }

  /** The body itself, for the cache's own serialization: callers must not modify it. */
  byte[] dataUnsafe() {
    return data;
  }

  @Override
  public boolean equals(@Nullable Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof CachedResponse)) {
      return false;
    }
    CachedResponse other = (CachedResponse) o;
    return response.statusCode() == other.response.statusCode()
        && response.url().equals(other.response.url())
        && response.headers().equals(other.response.headers())
        && Arrays.equals(data, other.data)
        && Objects.equals(userInfo, other.userInfo)
        && storagePolicy == other.storagePolicy;
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        response.url(),
        response.statusCode(),
        response.headers(),
        Arrays.hashCode(data),
        userInfo,
        storagePolicy);
  }

  @Override
  public String toString() {
    return "CachedResponse{"
        + response.statusCode()
        + " "
        + response.url()
        + ", "
        + data.length
        + " bytes, "
        + storagePolicy
        + "}";
  }
}
