package dev.urlsession.internal;

/*
 * Why these rules are written here rather than taken from httpclient5-cache (issue 5 asks for this
 * note).
 *
 * httpclient5-cache 5.6 does implement RFC 9111, but only behind its exec chain: every rule class
 * (ResponseCachingPolicy, CacheValidityPolicy, CachedResponseSuitabilityChecker,
 * ConditionalRequestBuilder, CacheControlHeaderParser) is package-private in
 * org.apache.hc.client5.http.impl.cache. The public parts are data types (HttpCacheEntry,
 * ResponseCacheControl, RequestCacheControl) and HttpCacheEntryFactory, which need
 * core5 HttpRequest/HttpResponse objects and give no storability, freshness or policy decisions.
 * Using the rules would mean either the whole caching exec chain (CachingHttpAsyncClientBuilder,
 * whose store, keys and LRU we must own to get Apple's URLCache API, StoragePolicy, the 5% rule
 * and removeCachedResponses(since)) or a split-package hack into its internals. Its defaults also
 * describe a shared cache (sharedCache=true, maxObjectSize 8 KiB), and nothing here maps to
 * Apple's CachePolicy values. So the module is not a dependency: the rules below are plain
 * functions of our own Request/Response types, with no I/O and no clock (callers pass "now"), and
 * each cites the RFC 9111 (or RFC 9110) section it implements. HttpClient 5's DateUtils is not
 * used for HTTP dates either: it cannot turn the asctime form (no zone) into an Instant, which
 * RFC 9110 5.6.7 requires recipients to accept.
 */

import dev.urlsession.CachePolicy;
import dev.urlsession.Headers;
import dev.urlsession.Request;
import dev.urlsession.Response;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * The HTTP caching rules of a <em>private</em> cache (RFC 9111), and the decision each Apple {@link
 * CachePolicy} makes. Pure functions: no I/O, no clock, no exceptions for malformed header values
 * (a malformed {@code Cache-Control} directive, {@code Date} or {@code Age} is treated as absent; a
 * malformed {@code Expires} means "already expired", RFC 9111 5.3).
 */
public final class CacheRules {
  private CacheRules() {}

  /** RFC 9111 1.2.2: the value to use for delta-seconds that overflow. */
  static final long MAX_DELTA_SECONDS = 2147483648L;

  /** RFC 9111 4.2.2 heuristic: this fraction of the time since Last-Modified... */
  private static final int HEURISTIC_DIVISOR = 10;

  /** ...capped at this. */
  static final Duration MAX_HEURISTIC_LIFETIME = Duration.ofHours(24);

  /**
   * RFC 9110 15.1: status codes that are heuristically cacheable (206 excluded: see isStorable).
   */
  private static final boolean[] HEURISTICALLY_CACHEABLE =
      statuses(200, 203, 204, 300, 301, 308, 404, 405, 410, 414, 501);

  /**
   * The final status codes this cache understands well enough to store (RFC 9111 3, 5.2.2.3): the
   * codes registered by RFC 9110 except 206 (partial content is not assembled here) and 304 (it
   * only updates a stored response).
   */
  private static final boolean[] UNDERSTOOD =
      statuses(
          200, 201, 202, 203, 204, 205, 300, 301, 302, 303, 305, 307, 308, 400, 401, 402, 403, 404,
          405, 406, 407, 408, 409, 410, 411, 412, 413, 414, 415, 416, 417, 421, 422, 426, 500, 501,
          502, 503, 504, 505);

  /** A lookup table of the given status codes (100-599), so that a lookup boxes nothing. */
  private static boolean[] statuses(int... codes) {
    boolean[] table = new boolean[600];
    for (int code : codes) {
      table[code] = true;
    }
    return table;
  }

  private static boolean in(boolean[] table, int status) {
    return status >= 0 && status < table.length && table[status];
  }

  /**
   * Fields a 304 must not change in the stored response (RFC 9111 3.2): Content-Length, and the
   * connection-specific and proxy fields a cache never stores (RFC 9111 3.1).
   */
  private static final Set<String> NOT_UPDATED_BY_304 =
      Set.of(
          "content-length",
          "connection",
          "keep-alive",
          "proxy-connection",
          "te",
          "trailer",
          "transfer-encoding",
          "upgrade",
          "proxy-authenticate",
          "proxy-authentication-info",
          "proxy-authorization");

  // ---------------------------------------------------------------------------------------------
  // Storing (RFC 9111 3)

  /**
   * Whether a private cache may store {@code response} to {@code request} (RFC 9111 3):
   *
   * <ul>
   *   <li>the method is {@code GET} (the only method this cache understands);
   *   <li>the status is final and understood: not 1xx, not 206, not 304 (3, 5.2.2.3);
   *   <li>neither the request nor the response carries {@code no-store} (5.2.1.5, 5.2.2.5), unless
   *       the response also has {@code must-understand} and an understood status (5.2.2.3);
   *   <li>the response is not {@code Vary: *} (4.1: it can never be selected);
   *   <li>and the response has explicit freshness or permission: {@code public}, {@code private}, a
   *       valid {@code max-age}, an {@code Expires} field, or a heuristically cacheable status (RFC
   *       9110 15.1).
   * </ul>
   *
   * <p>{@code private} responses and requests with {@code Authorization} are storable: the
   * restrictions of 3.5 and 5.2.2.7 apply to shared caches only, and {@code s-maxage} is ignored.
   */
  public static boolean isStorable(Request request, Response response) {
    if (!"GET".equals(request.method())) {
      return false;
    }
    int status = response.statusCode();
    if (status < 200 || !in(UNDERSTOOD, status)) {
      return false;
    }
    CacheDirectives req = CacheDirectives.of(request.headers());
    CacheDirectives res = CacheDirectives.of(response.headers());
    if (req.has("no-store")) {
      return false;
    }
    if (res.has("no-store") && !res.has("must-understand")) {
      return false;
    }
    if (isVaryStar(response)) {
      return false;
    }
    return res.has("public")
        || res.has("private")
        || res.seconds("max-age") >= 0
        || response.headers().contains("Expires")
        || in(HEURISTICALLY_CACHEABLE, status);
  }

  // ---------------------------------------------------------------------------------------------
  // Freshness and age (RFC 9111 4.2)

  /**
   * The freshness lifetime of {@code response} for a private cache (RFC 9111 4.2.1): {@code
   * max-age} if valid (s-maxage is for shared caches); else {@code Expires} minus {@code Date}
   * (zero when {@code Expires} is invalid, 5.3); else, when there is no explicit expiration and the
   * status is heuristically cacheable or the response is {@code public}, 10% of {@code Date} minus
   * {@code Last-Modified} capped at 24 hours (4.2.2). A malformed {@code max-age} with no valid
   * {@code Expires} is invalid freshness information: zero, not heuristic (4.2.1).
   *
   * @param responseTime when the response was received: the {@code Date} when that is absent or
   *     invalid (RFC 9110 6.6.1)
   */
  public static Duration freshnessLifetime(Response response, Instant responseTime) {
    return freshnessLifetime(response, responseTime, CacheDirectives.of(response.headers()));
  }

  /** {@link #freshnessLifetime(Response, Instant)} with the response's directives already parsed. */
  private static Duration freshnessLifetime(Response response, Instant responseTime, CacheDirectives cc) {
    long maxAge = cc.seconds("max-age");
    if (maxAge >= 0) {
      return Duration.ofSeconds(maxAge);
    }
    String expiresValue = response.header("Expires");
    if (expiresValue != null) {
      Instant expires = HttpDates.httpDate(expiresValue);
      if (expires == null) {
        return Duration.ZERO;
      }
      return nonNegative(Duration.between(dateValue(response, responseTime), expires));
    }
    if (maxAge == CacheDirectives.INVALID) {
      return Duration.ZERO;
    }
    if (!in(HEURISTICALLY_CACHEABLE, response.statusCode()) && !cc.has("public")) {
      return Duration.ZERO;
    }
    String lastModifiedValue = response.header("Last-Modified");
    Instant lastModified = lastModifiedValue == null ? null : HttpDates.httpDate(lastModifiedValue);
    if (lastModified == null) {
      return Duration.ZERO;
    }
    Duration sinceModified = Duration.between(lastModified, dateValue(response, responseTime));
    if (sinceModified.isNegative() || sinceModified.isZero()) {
      return Duration.ZERO;
    }
    Duration heuristic = sinceModified.dividedBy(HEURISTIC_DIVISOR);
    return heuristic.compareTo(MAX_HEURISTIC_LIFETIME) > 0 ? MAX_HEURISTIC_LIFETIME : heuristic;
  }

  /**
   * The current age of a stored response (RFC 9111 4.2.3):
   *
   * <pre>
   * apparent_age = max(0, response_time - date_value)
   * corrected_age_value = age_value + (response_time - request_time)
   * corrected_initial_age = max(apparent_age, corrected_age_value)
   * current_age = corrected_initial_age + (now - response_time)
   * </pre>
   *
   * An absent or invalid {@code Age} counts as 0, an absent or invalid {@code Date} as {@code
   * responseTime}; negative differences (clock skew) count as 0.
   */
  public static Duration currentAge(
      Response response, Instant requestTime, Instant responseTime, Instant now) {
    long ageValue = 0;
    String age = response.header("Age");
    if (age != null) {
      long parsed = CacheDirectives.deltaSeconds(age.trim());
      ageValue = parsed >= 0 ? parsed : 0;
    }
    Duration apparentAge =
        nonNegative(Duration.between(dateValue(response, responseTime), responseTime));
    Duration responseDelay = nonNegative(Duration.between(requestTime, responseTime));
    Duration correctedAgeValue = Duration.ofSeconds(ageValue).plus(responseDelay);
    Duration correctedInitialAge =
        apparentAge.compareTo(correctedAgeValue) > 0 ? apparentAge : correctedAgeValue;
    Duration residentTime = nonNegative(Duration.between(responseTime, now));
    return correctedInitialAge.plus(residentTime);
  }

  /** Whether the freshness lifetime exceeds the current age (RFC 9111 4.2). */
  public static boolean isFresh(
      Response response, Instant requestTime, Instant responseTime, Instant now) {
    return freshnessLifetime(response, responseTime)
            .compareTo(currentAge(response, requestTime, responseTime, now))
        > 0;
  }

  /** {@link #isFresh(Response, Instant, Instant, Instant)} of a cache entry. */
  public static boolean isFresh(CacheEntry entry, Instant now) {
    return isFresh(
        entry.cachedResponse().response(), entry.requestTime(), entry.responseTime(), now);
  }

  /**
   * Whether the stored response may not be used for {@code request} without asking the origin (RFC
   * 9111 4.2, 4.3):
   *
   * <ul>
   *   <li>the response has {@code no-cache} (5.2.2.4; the field-name form is treated as the bare
   *       form);
   *   <li>the request has {@code no-cache} (5.2.1.4), or {@code Pragma: no-cache} and no {@code
   *       Cache-Control} (5.4);
   *   <li>the request's {@code max-age} is below the current age (5.2.1.1) or its {@code min-fresh}
   *       above the remaining freshness (5.2.1.3);
   *   <li>the response is stale, unless the request's {@code max-stale} accepts that staleness
   *       (5.2.1.2) and the response has no {@code must-revalidate} (5.2.2.2).
   * </ul>
   */
  public static boolean needsRevalidation(
      Request request, Response response, Instant requestTime, Instant responseTime, Instant now) {
    CacheDirectives res = CacheDirectives.of(response.headers());
    if (res.has("no-cache")) {
      return true;
    }
    CacheDirectives req = CacheDirectives.of(request.headers());
    if (req.has("no-cache")) {
      return true;
    }
    if (!request.headers().contains("Cache-Control") && pragmaNoCache(request.headers())) {
      return true;
    }
    Duration lifetime = freshnessLifetime(response, responseTime, res);
    if (lifetime.isZero() && !req.has("max-stale")) {
      return true; // never fresh, whatever its age: no need to work the age out
    }
    Duration age = currentAge(response, requestTime, responseTime, now);
    long maxAge = req.seconds("max-age");
    if (maxAge >= 0 && age.compareTo(Duration.ofSeconds(maxAge)) > 0) {
      return true;
    }
    long minFresh = req.seconds("min-fresh");
    if (minFresh >= 0 && lifetime.minus(age).compareTo(Duration.ofSeconds(minFresh)) < 0) {
      return true;
    }
    if (lifetime.compareTo(age) > 0) {
      return false;
    }
    if (res.has("must-revalidate") || !req.has("max-stale")) {
      return true;
    }
    if (req.value("max-stale") == null) {
      return false; // any staleness accepted
    }
    long maxStale = req.seconds("max-stale");
    return maxStale < 0 || age.minus(lifetime).compareTo(Duration.ofSeconds(maxStale)) > 0;
  }

  /** {@link #needsRevalidation(Request, Response, Instant, Instant, Instant)} of an entry. */
  public static boolean needsRevalidation(Request request, CacheEntry entry, Instant now) {
    return needsRevalidation(
        request, entry.cachedResponse().response(), entry.requestTime(), entry.responseTime(), now);
  }

  // ---------------------------------------------------------------------------------------------
  // Validation (RFC 9111 4.3)

  /** Whether the response has a validator: an {@code ETag} or a valid {@code Last-Modified}. */
  public static boolean hasValidator(Response response) {
    String etag = response.header("ETag");
    if (etag != null && !etag.isBlank()) {
      return true;
    }
    String lastModified = response.header("Last-Modified");
    return lastModified != null && HttpDates.httpDate(lastModified) != null;
  }

  /**
   * The header fields that make a request for {@code stored} conditional (RFC 9111 4.3.1, RFC 9110
   * 13.1): {@code If-None-Match} with the {@code ETag}, {@code If-Modified-Since} with the {@code
   * Last-Modified} value as received. Empty when there is no validator.
   */
  public static Headers conditionalHeaders(Response stored) {
    Headers.Builder b = Headers.builder();
    String etag = stored.header("ETag");
    if (etag != null && !etag.isBlank()) {
      b.add("If-None-Match", etag.trim());
    }
    String lastModified = stored.header("Last-Modified");
    if (lastModified != null && HttpDates.httpDate(lastModified) != null) {
      b.add("If-Modified-Since", lastModified.trim());
    }
    return b.build();
  }

  /**
   * The stored response updated by a {@code 304 Not Modified} (RFC 9111 4.3.4 and 3.2): every field
   * of the 304 replaces the stored field of that name, except {@code Content-Length} and connection
   * or proxy fields (and those the 304's {@code Connection} names). The status code and URL stay
   * those of the stored response, so the caller gets, say, a 200 with the cached body.
   */
  public static Response mergeNotModified(Response stored, Response notModified) {
    Set<String> excluded = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
    excluded.addAll(NOT_UPDATED_BY_304);
    for (String connection : notModified.headers().all("Connection")) {
      for (String option : connection.split(",")) {
        excluded.add(option.trim());
      }
    }
    Headers.Builder merged = stored.headers().toBuilder();
    Headers update = notModified.headers();
    for (String name : update.names()) {
      if (excluded.contains(name)) {
        continue;
      }
      merged.remove(name);
      for (String value : update.all(name)) {
        merged.add(name, value);
      }
    }
    return Response.builder(stored.url())
        .statusCode(stored.statusCode())
        .headers(merged.build())
        .build();
  }

  // ---------------------------------------------------------------------------------------------
  // Cache keys (RFC 9111 2 and 4.1)

  /** The primary cache key (RFC 9111 2): the target URI without its fragment. */
  public static String primaryKey(URI url) {
    String s = url.toString();
    int hash = s.indexOf('#');
    return hash < 0 ? s : s.substring(0, hash);
  }

  /** Whether the response has {@code Vary: *}, which no request ever matches (RFC 9111 4.1). */
  public static boolean isVaryStar(Response response) {
    for (String value : response.headers().all("Vary")) {
      for (String name : value.split(",")) {
        if (name.trim().equals("*")) {
          return true;
        }
      }
    }
    return false;
  }

  /** The request field names the response varies on, lower-case, distinct and sorted. */
  public static List<String> varyNames(Response response) {
    if (!response.headers().contains("Vary")) {
      return List.of();
    }
    Set<String> names = new TreeSet<>();
    for (String value : response.headers().all("Vary")) {
      for (String name : value.split(",")) {
        String n = name.trim();
        if (!n.isEmpty()) {
          names.add(n.toLowerCase(Locale.ROOT));
        }
      }
    }
    return names.isEmpty() ? List.of() : List.copyOf(names);
  }

  /**
   * The full cache key of a request for a response that varies on {@code varyNames} (RFC 9111 4.1):
   * the primary key followed by each named request field, its lines combined and the whitespace
   * around list elements normalised. An absent field differs from an empty one.
   */
  public static String variantKey(URI url, List<String> varyNames, Headers requestHeaders) {
    if (varyNames.isEmpty()) {
      return primaryKey(url);
    }
    StringBuilder key = new StringBuilder(primaryKey(url));
    for (String name : varyNames) {
      key.append('\n').append(name);
      List<String> values = requestHeaders.all(name);
      if (values.isEmpty()) {
        key.append('!');
        continue;
      }
      key.append(':');
      List<String> elements = new ArrayList<>();
      for (String value : values) {
        for (String element : value.split(",", -1)) {
          elements.add(element.trim());
        }
      }
      key.append(String.join(", ", elements));
    }
    return key.toString();
  }

  // ---------------------------------------------------------------------------------------------
  // Apple's cache policies (URLSESSION-BEHAVIOUR.md 9.1)

  /** What a task does about the cache before loading. */
  public enum Action {
    /** Answer with the entry; no network. */
    USE_CACHED,
    /**
     * Send the request with {@link Decision#requestHeaders()} (conditional fields); a 304 is merged
     * into the entry with {@link #mergeNotModified}, anything else replaces it.
     */
    REVALIDATE,
    /** Send the request (with {@link Decision#requestHeaders()} added, if any). */
    LOAD,
    /** Fail with {@code SessionException.Code.CANNOT_LOAD_FROM_NETWORK}: nothing cached. */
    FAIL
  }

  /**
   * The outcome of {@link #decide}.
   *
   * @param action what to do
   * @param entry the entry to answer with or revalidate; null for {@code LOAD} and {@code FAIL}
   * @param requestHeaders fields to set on the outgoing request (replacing same-named ones)
   */
  public record Decision(Action action, @Nullable CacheEntry entry, Headers requestHeaders) {
    public Decision {
      Checks.notNull(action, "action");
      Checks.notNull(requestHeaders, "requestHeaders");
    }

    /** {@code request} with {@link #requestHeaders()} set. */
    public Request applyTo(Request request) {
      if (requestHeaders.isEmpty()) {
        return request;
      }
      Request.Builder b = request.toBuilder();
      for (String name : requestHeaders.names()) {
        b.removeHeader(name);
        for (String value : requestHeaders.all(name)) {
          b.addHeader(name, value);
        }
      }
      return b.build();
    }
  }

  private static final Headers NO_CACHE_HEADERS =
      Headers.builder().add("Cache-Control", "no-cache").add("Pragma", "no-cache").build();

  /**
   * The decision of {@code policy} for {@code request}, given the matching entry (or none):
   *
   * <ul>
   *   <li>{@code USE_PROTOCOL_CACHE_POLICY}: none → load; usable without revalidation ({@link
   *       #needsRevalidation}) → use; else with a validator → revalidate; else load;
   *   <li>{@code RELOAD_IGNORING_LOCAL_CACHE_DATA}: load;
   *   <li>{@code RELOAD_IGNORING_LOCAL_AND_REMOTE_CACHE_DATA}: load with {@code Cache-Control:
   *       no-cache} and {@code Pragma: no-cache};
   *   <li>{@code RETURN_CACHE_DATA_ELSE_LOAD}: any entry, whatever its age → use; none → load;
   *   <li>{@code RETURN_CACHE_DATA_DONT_LOAD}: any entry → use; none → fail;
   *   <li>{@code RELOAD_REVALIDATING_CACHE_DATA}: entry with a validator → revalidate; else load.
   * </ul>
   *
   * @param entry the entry {@code HttpCache} selected for the request (method, URL and Vary already
   *     matched), or null
   * @param now the current time
   */
  public static Decision decide(
      CachePolicy policy, Request request, @Nullable CacheEntry entry, Instant now) {
    Checks.notNull(policy, "policy");
    Checks.notNull(request, "request");
    Checks.notNull(now, "now");
    switch (policy) {
      case RELOAD_IGNORING_LOCAL_CACHE_DATA:
        return load();
      case RELOAD_IGNORING_LOCAL_AND_REMOTE_CACHE_DATA:
        return new Decision(Action.LOAD, null, NO_CACHE_HEADERS);
      case RETURN_CACHE_DATA_ELSE_LOAD:
        return entry != null ? use(entry) : load();
      case RETURN_CACHE_DATA_DONT_LOAD:
        return entry != null ? use(entry) : new Decision(Action.FAIL, null, Headers.empty());
      case RELOAD_REVALIDATING_CACHE_DATA:
        return entry != null && hasValidator(entry.cachedResponse().response())
            ? revalidate(entry)
            : load();
      case USE_PROTOCOL_CACHE_POLICY:
      default:
        if (entry == null) {
          return load();
        }
        if (!needsRevalidation(request, entry, now)) {
          return use(entry);
        }
        return hasValidator(entry.cachedResponse().response()) ? revalidate(entry) : load();
    }
  }

  private static Decision load() {
    return new Decision(Action.LOAD, null, Headers.empty());
  }

  private static Decision use(CacheEntry entry) {
    return new Decision(Action.USE_CACHED, entry, Headers.empty());
  }

  private static Decision revalidate(CacheEntry entry) {
    return new Decision(
        Action.REVALIDATE, entry, conditionalHeaders(entry.cachedResponse().response()));
  }

  // ---------------------------------------------------------------------------------------------
  // Field parsing

  private static Duration nonNegative(Duration d) {
    return d.isNegative() ? Duration.ZERO : d;
  }

  /** {@code Date}, or {@code responseTime} when absent or invalid (RFC 9110 6.6.1). */
  static Instant dateValue(Response response, Instant responseTime) {
    String date = response.header("Date");
    Instant parsed = date == null ? null : HttpDates.httpDate(date);
    return parsed == null ? responseTime : parsed;
  }

  private static boolean pragmaNoCache(Headers headers) {
    for (String value : headers.all("Pragma")) {
      for (String element : value.split(",")) {
        if (element.trim().equalsIgnoreCase("no-cache")) {
          return true;
        }
      }
    }
    return false;
  }

}
