package dev.urlsession.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.urlsession.CachePolicy;
import dev.urlsession.CachedResponse;
import dev.urlsession.Headers;
import dev.urlsession.Request;
import dev.urlsession.Response;
import dev.urlsession.internal.CacheRules.Action;
import dev.urlsession.internal.CacheRules.Decision;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link CacheRules}: RFC 9111 for a private cache and Apple's cache policies
 * (URLSESSION-BEHAVIOUR.md 9.1), on a fixed clock.
 */
class FreshnessRulesTests {
  static final URI URL = URI.create("https://example.org/a");

  /** "now" of every test: Sun, 06 Nov 1994 08:49:37 GMT. */
  static final Instant NOW = Instant.parse("1994-11-06T08:49:37Z");

  static final String NOW_HTTP = "Sun, 06 Nov 1994 08:49:37 GMT";

  static Response response(int status, String... headers) {
    Response.Builder b = Response.builder(URL).statusCode(status);
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return b.build();
  }

  static Request request(String... headers) {
    Request.Builder b = Request.builder(URL);
    for (int i = 0; i < headers.length; i += 2) {
      b.addHeader(headers[i], headers[i + 1]);
    }
    return b.build();
  }

  static String http(Instant t) {
    return java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME.format(
        t.atZone(java.time.ZoneOffset.UTC));
  }

  /** An entry received at NOW - {@code ageSeconds}, with no transit delay. */
  static CacheEntry entry(long ageSeconds, String... headers) {
    Instant received = NOW.minusSeconds(ageSeconds);
    return new CacheEntry(
        new CachedResponse(response(200, headers), new byte[] {1}), received, received, received);
  }

  @Nested
  class Storable {
    @Test
    void isStorableWhenGet200WithoutDirectivesIsTrueByHeuristic() {
      assertThat(CacheRules.isStorable(request(), response(200))).isTrue();
    }

    @Test
    void isStorableWhenMethodIsNotGetIsFalse() {
      Request post = Request.builder(URL).method("POST").build();
      Request head = Request.builder(URL).method("HEAD").build();

      assertThat(CacheRules.isStorable(post, response(200, "Cache-Control", "max-age=60")))
          .isFalse();
      assertThat(CacheRules.isStorable(head, response(200, "Cache-Control", "max-age=60")))
          .isFalse();
    }

    @Test
    void isStorableWhenResponseHasNoStoreIsFalse() {
      assertThat(
              CacheRules.isStorable(
                  request(), response(200, "Cache-Control", "max-age=60, no-store")))
          .isFalse();
    }

    @Test
    void isStorableWhenRequestHasNoStoreIsFalse() {
      assertThat(CacheRules.isStorable(request("Cache-Control", "no-store"), response(200)))
          .isFalse();
    }

    @Test
    void isStorableWhenNoStoreComesWithMustUnderstandAndAnUnderstoodStatusIsTrue() {
      assertThat(
              CacheRules.isStorable(
                  request(),
                  response(200, "Cache-Control", "no-store, must-understand, max-age=60")))
          .isTrue();
    }

    @Test
    void isStorableWhenPrivateIsTrueForAPrivateCache() {
      assertThat(CacheRules.isStorable(request(), response(302, "Cache-Control", "private")))
          .isTrue();
    }

    @Test
    void isStorableWhenRequestHasAuthorizationIsTrueForAPrivateCache() {
      assertThat(CacheRules.isStorable(request("Authorization", "Basic dTpw"), response(200)))
          .isTrue();
    }

    @Test
    void isStorableWhenStatusNotHeuristicallyCacheableNeedsExplicitFreshness() {
      assertThat(CacheRules.isStorable(request(), response(302))).isFalse();
      assertThat(CacheRules.isStorable(request(), response(500))).isFalse();
      assertThat(CacheRules.isStorable(request(), response(201))).isFalse();
      assertThat(CacheRules.isStorable(request(), response(302, "Cache-Control", "max-age=60")))
          .isTrue();
      assertThat(CacheRules.isStorable(request(), response(500, "Expires", NOW_HTTP))).isTrue();
      assertThat(CacheRules.isStorable(request(), response(201, "Cache-Control", "public")))
          .isTrue();
    }

    @Test
    void isStorableWhenOnlySharedMaxAgeIsGivenIgnoresIt() {
      assertThat(CacheRules.isStorable(request(), response(302, "Cache-Control", "s-maxage=60")))
          .isFalse();
    }

    @ParameterizedTest
    @ValueSource(ints = {100, 206, 304})
    void isStorableWhenStatusIsInterimPartialOrNotModifiedIsFalse(int status) {
      assertThat(CacheRules.isStorable(request(), response(status, "Cache-Control", "max-age=60")))
          .isFalse();
    }

    @Test
    void isStorableWhenVaryIsStarIsFalse() {
      assertThat(CacheRules.isStorable(request(), response(200, "Vary", "Accept, *"))).isFalse();
      assertThat(CacheRules.isStorable(request(), response(200, "Vary", "Accept"))).isTrue();
    }

    @Test
    void isStorableWhenResponseHasNoCacheIsTrueButAlwaysRevalidated() {
      Response r = response(200, "Cache-Control", "no-cache, max-age=60", "ETag", "\"1\"");

      assertThat(CacheRules.isStorable(request(), r)).isTrue();
      assertThat(CacheRules.needsRevalidation(request(), r, NOW, NOW, NOW)).isTrue();
    }
  }

  @Nested
  class Lifetime {
    @Test
    void freshnessLifetimeWhenMaxAgeAndExpiresArePresentUsesMaxAge() {
      Response r =
          response(
              200,
              "Cache-Control",
              "max-age=60",
              "Date",
              NOW_HTTP,
              "Expires",
              http(NOW.plusSeconds(3600)));

      assertThat(CacheRules.freshnessLifetime(r, NOW)).isEqualTo(Duration.ofSeconds(60));
    }

    @Test
    void freshnessLifetimeWhenOnlySharedMaxAgeIsGivenIgnoresIt() {
      Response r = response(200, "Cache-Control", "s-maxage=600, public");

      assertThat(CacheRules.freshnessLifetime(r, NOW)).isZero();
    }

    @Test
    void freshnessLifetimeWhenExpiresIsGivenIsExpiresMinusDate() {
      Response r =
          response(200, "Date", http(NOW.minusSeconds(100)), "Expires", http(NOW.plusSeconds(200)));

      assertThat(CacheRules.freshnessLifetime(r, NOW)).isEqualTo(Duration.ofSeconds(300));
    }

    @Test
    void freshnessLifetimeWhenDateIsAbsentMeasuresExpiresFromTheResponseTime() {
      Response r = response(200, "Expires", http(NOW.plusSeconds(200)));

      assertThat(CacheRules.freshnessLifetime(r, NOW.minusSeconds(50)))
          .isEqualTo(Duration.ofSeconds(250));
    }

    @ParameterizedTest
    @ValueSource(
        strings = {"0", "-1", "never", "Sun, 32 Nov 1994 08:49:37 GMT", "", "Sun, 06 Nov 1994"})
    void freshnessLifetimeWhenExpiresIsInvalidIsZero(String expires) {
      Response r =
          response(
              200,
              "Date",
              NOW_HTTP,
              "Expires",
              expires,
              "Last-Modified",
              http(NOW.minusSeconds(86400)));

      assertThat(CacheRules.freshnessLifetime(r, NOW)).isZero();
      assertThat(CacheRules.isFresh(r, NOW, NOW, NOW)).isFalse();
    }

    @Test
    void freshnessLifetimeWhenExpiresIsBeforeDateIsZero() {
      Response r = response(200, "Date", NOW_HTTP, "Expires", http(NOW.minusSeconds(10)));

      assertThat(CacheRules.freshnessLifetime(r, NOW)).isZero();
    }

    @Test
    void freshnessLifetimeWhenOnlyLastModifiedIsTenPercentOfItsAge() {
      Response r = response(200, "Date", NOW_HTTP, "Last-Modified", http(NOW.minusSeconds(10_000)));

      assertThat(CacheRules.freshnessLifetime(r, NOW)).isEqualTo(Duration.ofSeconds(1_000));
    }

    @Test
    void freshnessLifetimeWhenHeuristicExceedsADayIsCappedAt24Hours() {
      Response r =
          response(200, "Date", NOW_HTTP, "Last-Modified", http(NOW.minus(Duration.ofDays(365))));

      assertThat(CacheRules.freshnessLifetime(r, NOW)).isEqualTo(Duration.ofHours(24));
    }

    @Test
    void freshnessLifetimeWhenStatusIsNotHeuristicallyCacheableHasNoHeuristicUnlessPublic() {
      String lastModified = http(NOW.minusSeconds(10_000));

      assertThat(
              CacheRules.freshnessLifetime(
                  response(302, "Date", NOW_HTTP, "Last-Modified", lastModified), NOW))
          .isZero();
      assertThat(
              CacheRules.freshnessLifetime(
                  response(
                      302,
                      "Date",
                      NOW_HTTP,
                      "Last-Modified",
                      lastModified,
                      "Cache-Control",
                      "public"),
                  NOW))
          .isEqualTo(Duration.ofSeconds(1_000));
    }

    @Test
    void freshnessLifetimeWhenLastModifiedIsAfterDateIsZero() {
      Response r = response(200, "Date", NOW_HTTP, "Last-Modified", http(NOW.plusSeconds(100)));

      assertThat(CacheRules.freshnessLifetime(r, NOW)).isZero();
    }

    @ParameterizedTest
    @ValueSource(
        strings = {
          "max-age=abc",
          "max-age=-5",
          "max-age",
          "max-age=",
          "max-age=1.5",
          "max-age=\"12"
        })
    void freshnessLifetimeWhenMaxAgeIsMalformedIgnoresItAndUsesNoHeuristic(String cacheControl) {
      Response noExpires =
          response(
              200,
              "Cache-Control",
              cacheControl,
              "Date",
              NOW_HTTP,
              "Last-Modified",
              http(NOW.minusSeconds(10_000)));
      Response withExpires =
          response(
              200,
              "Cache-Control",
              cacheControl,
              "Date",
              NOW_HTTP,
              "Expires",
              http(NOW.plusSeconds(30)));

      assertThat(CacheRules.freshnessLifetime(noExpires, NOW)).isZero();
      assertThat(CacheRules.freshnessLifetime(withExpires, NOW)).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void freshnessLifetimeWhenMaxAgeIsRepeatedUsesTheFirst() {
      Response r =
          Response.builder(URL)
              .statusCode(200)
              .header("Cache-Control", "max-age=10, max-age=99")
              .header("Cache-Control", "max-age=500")
              .build();

      assertThat(CacheRules.freshnessLifetime(r, NOW)).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void freshnessLifetimeWhenDirectivesAreSpreadOverLinesCombinesThem() {
      Response r =
          Response.builder(URL)
              .statusCode(200)
              .header("Cache-Control", "public")
              .header("Cache-Control", "MAX-AGE=70")
              .build();

      assertThat(CacheRules.freshnessLifetime(r, NOW)).isEqualTo(Duration.ofSeconds(70));
    }

    @Test
    void freshnessLifetimeWhenMaxAgeIsQuotedAcceptsIt() {
      assertThat(
              CacheRules.freshnessLifetime(response(200, "Cache-Control", "max-age=\"60\""), NOW))
          .isEqualTo(Duration.ofSeconds(60));
    }

    @Test
    void freshnessLifetimeWhenMaxAgeOverflowsIsCappedAtTwoToThe31() {
      Response r = response(200, "Cache-Control", "max-age=99999999999999999999999999");

      assertThat(CacheRules.freshnessLifetime(r, NOW)).isEqualTo(Duration.ofSeconds(2147483648L));
    }

    @ParameterizedTest
    @ValueSource(
        strings = {
          ",,,",
          "=",
          "\"",
          "max-age=60;; @@@",
          "no-cache=\"unterminated",
          "=60, max-age",
          "private=\"a\\\"b\", max-age=5x",
          "\t, no-store ,"
        })
    void freshnessLifetimeWhenCacheControlIsGarbageNeverThrows(String cacheControl) {
      Response r =
          response(
              200, "Cache-Control", cacheControl, "Date", "garbage", "Age", "-3", "Expires", "x");

      assertThatCode(
              () -> {
                CacheRules.isStorable(request("Cache-Control", cacheControl), r);
                CacheRules.freshnessLifetime(r, NOW);
                CacheRules.currentAge(r, NOW, NOW, NOW);
                CacheRules.needsRevalidation(
                    request("Cache-Control", cacheControl), r, NOW, NOW, NOW);
                CacheRules.decide(
                    CachePolicy.USE_PROTOCOL_CACHE_POLICY,
                    request(),
                    entry(0, "Cache-Control", cacheControl),
                    NOW);
              })
          .doesNotThrowAnyException();
    }

    @Test
    void freshnessLifetimeWhenDirectiveFollowsGarbageStillReadsIt() {
      assertThat(
              CacheRules.freshnessLifetime(response(200, "Cache-Control", "@@@, max-age=30"), NOW))
          .isEqualTo(Duration.ofSeconds(30));
    }
  }

  @Nested
  class Age {
    @Test
    void currentAgeWhenDateAgeAndDelayAreKnownFollowsRfc9111Section423() {
      Instant requestTime = NOW.minusSeconds(62);
      Instant responseTime = NOW.minusSeconds(60); // 2 s response delay
      Response r = response(200, "Date", http(responseTime.minusSeconds(12)), "Age", "5");

      // apparent 12 s; corrected age value 5 + 2 = 7 s; initial max(12, 7) = 12 s; resident 60 s
      assertThat(CacheRules.currentAge(r, requestTime, responseTime, NOW))
          .isEqualTo(Duration.ofSeconds(72));
    }

    @Test
    void currentAgeWhenAgeHeaderExceedsApparentAgeUsesCorrectedAgeValue() {
      Instant requestTime = NOW.minusSeconds(13);
      Instant responseTime = NOW.minusSeconds(10);
      Response r = response(200, "Date", http(responseTime), "Age", "100");

      assertThat(CacheRules.currentAge(r, requestTime, responseTime, NOW))
          .isEqualTo(Duration.ofSeconds(113));
    }

    @Test
    void currentAgeWhenDateIsInTheFutureCountsNoApparentAge() {
      Response r = response(200, "Date", http(NOW.plusSeconds(3600)));

      assertThat(CacheRules.currentAge(r, NOW.minusSeconds(5), NOW.minusSeconds(5), NOW))
          .isEqualTo(Duration.ofSeconds(5));
    }

    @ParameterizedTest
    @ValueSource(strings = {"-1", "abc", "1.5", "", " "})
    void currentAgeWhenAgeOrDateIsMalformedTreatsThemAsAbsent(String bad) {
      Response r = response(200, "Date", bad, "Age", bad);

      assertThat(CacheRules.currentAge(r, NOW.minusSeconds(5), NOW.minusSeconds(5), NOW))
          .isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void isFreshWhenAgeReachesMaxAgeIsFalse() {
      assertThat(CacheRules.isFresh(entry(59, "Cache-Control", "max-age=60"), NOW)).isTrue();
      assertThat(CacheRules.isFresh(entry(60, "Cache-Control", "max-age=60"), NOW)).isFalse();
    }
  }

  @Nested
  class Revalidation {
    @Test
    void needsRevalidationWhenFreshIsFalse() {
      assertThat(
              CacheRules.needsRevalidation(
                  request(), entry(10, "Cache-Control", "max-age=60"), NOW))
          .isFalse();
    }

    @Test
    void needsRevalidationWhenStaleIsTrue() {
      assertThat(
              CacheRules.needsRevalidation(
                  request(), entry(61, "Cache-Control", "max-age=60"), NOW))
          .isTrue();
    }

    @Test
    void needsRevalidationWhenResponseHasNoCacheIsTrueEvenWhenFresh() {
      assertThat(
              CacheRules.needsRevalidation(
                  request(),
                  entry(0, "Cache-Control", "max-age=600, no-cache=\"Set-Cookie\""),
                  NOW))
          .isTrue();
    }

    @Test
    void needsRevalidationWhenRequestHasNoCacheIsTrue() {
      assertThat(
              CacheRules.needsRevalidation(
                  request("Cache-Control", "no-cache"),
                  entry(0, "Cache-Control", "max-age=600"),
                  NOW))
          .isTrue();
    }

    @Test
    void needsRevalidationWhenRequestHasPragmaNoCacheWithoutCacheControlIsTrue() {
      CacheEntry fresh = entry(0, "Cache-Control", "max-age=600");

      assertThat(CacheRules.needsRevalidation(request("Pragma", "no-cache"), fresh, NOW)).isTrue();
      assertThat(
              CacheRules.needsRevalidation(
                  request("Pragma", "no-cache", "Cache-Control", "max-stale"), fresh, NOW))
          .isFalse();
    }

    @Test
    void needsRevalidationWhenRequestMaxAgeIsBelowCurrentAgeIsTrue() {
      CacheEntry entry = entry(40, "Cache-Control", "max-age=600");

      assertThat(CacheRules.needsRevalidation(request("Cache-Control", "max-age=30"), entry, NOW))
          .isTrue();
      assertThat(CacheRules.needsRevalidation(request("Cache-Control", "max-age=40"), entry, NOW))
          .isFalse();
    }

    @Test
    void needsRevalidationWhenRequestMinFreshExceedsRemainingFreshnessIsTrue() {
      CacheEntry entry = entry(60, "Cache-Control", "max-age=100");

      assertThat(CacheRules.needsRevalidation(request("Cache-Control", "min-fresh=50"), entry, NOW))
          .isTrue();
      assertThat(CacheRules.needsRevalidation(request("Cache-Control", "min-fresh=40"), entry, NOW))
          .isFalse();
    }

    @Test
    void needsRevalidationWhenRequestAcceptsStalenessIsFalseWithinTheLimit() {
      CacheEntry staleBy5 = entry(65, "Cache-Control", "max-age=60");
      CacheEntry staleBy20 = entry(80, "Cache-Control", "max-age=60");

      assertThat(
              CacheRules.needsRevalidation(request("Cache-Control", "max-stale"), staleBy20, NOW))
          .isFalse();
      assertThat(
              CacheRules.needsRevalidation(request("Cache-Control", "max-stale=10"), staleBy5, NOW))
          .isFalse();
      assertThat(
              CacheRules.needsRevalidation(
                  request("Cache-Control", "max-stale=10"), staleBy20, NOW))
          .isTrue();
    }

    @Test
    void needsRevalidationWhenStaleWithMustRevalidateIgnoresMaxStale() {
      CacheEntry entry = entry(80, "Cache-Control", "max-age=60, must-revalidate");

      assertThat(CacheRules.needsRevalidation(request("Cache-Control", "max-stale"), entry, NOW))
          .isTrue();
      assertThat(
              CacheRules.needsRevalidation(
                  request(), entry(10, "Cache-Control", "max-age=60, must-revalidate"), NOW))
          .isFalse();
    }
  }

  @Nested
  class Validators {
    @Test
    void conditionalHeadersWhenETagAndLastModifiedArePresentSendsBoth() {
      String lastModified = http(NOW.minusSeconds(100));
      Headers h =
          CacheRules.conditionalHeaders(
              response(200, "ETag", "W/\"v1\"", "Last-Modified", lastModified));

      assertThat(h.first("If-None-Match")).isEqualTo("W/\"v1\"");
      assertThat(h.first("If-Modified-Since")).isEqualTo(lastModified);
      assertThat(h.size()).isEqualTo(2);
    }

    @Test
    void conditionalHeadersWhenNoValidatorIsEmpty() {
      Response r = response(200, "Last-Modified", "yesterday");

      assertThat(CacheRules.conditionalHeaders(r).isEmpty()).isTrue();
      assertThat(CacheRules.hasValidator(r)).isFalse();
      assertThat(CacheRules.hasValidator(response(200, "ETag", "\"x\""))).isTrue();
      assertThat(CacheRules.hasValidator(response(200, "Last-Modified", NOW_HTTP))).isTrue();
    }

    @Test
    void mergeNotModifiedWhen304CarriesNewFieldsUpdatesThemAndKeepsTheRest() {
      Response stored =
          response(
              200,
              "Content-Type",
              "text/plain",
              "Content-Length",
              "5",
              "ETag",
              "\"1\"",
              "Cache-Control",
              "max-age=10",
              "Date",
              http(NOW.minusSeconds(100)),
              "X-Old",
              "kept");
      Response notModified =
          response(
              304,
              "Cache-Control",
              "max-age=600",
              "Date",
              NOW_HTTP,
              "Content-Length",
              "0",
              "Connection",
              "X-Hop",
              "X-Hop",
              "dropped",
              "Keep-Alive",
              "timeout=5",
              "X-New",
              "added");

      Response merged = CacheRules.mergeNotModified(stored, notModified);

      assertThat(merged.statusCode()).isEqualTo(200);
      assertThat(merged.url()).isEqualTo(URL);
      assertThat(merged.header("Cache-Control")).isEqualTo("max-age=600");
      assertThat(merged.headers().all("Date")).containsExactly(NOW_HTTP);
      assertThat(merged.header("Content-Length")).isEqualTo("5");
      assertThat(merged.expectedContentLength()).isEqualTo(5);
      assertThat(merged.header("Content-Type")).isEqualTo("text/plain");
      assertThat(merged.header("ETag")).isEqualTo("\"1\"");
      assertThat(merged.header("X-Old")).isEqualTo("kept");
      assertThat(merged.header("X-New")).isEqualTo("added");
      assertThat(merged.headers().contains("X-Hop")).isFalse();
      assertThat(merged.headers().contains("Keep-Alive")).isFalse();
      assertThat(merged.headers().contains("Connection")).isFalse();
      assertThat(CacheRules.isFresh(merged, NOW, NOW, NOW)).isTrue();
    }
  }

  @Nested
  class Dates {
    @ParameterizedTest
    @ValueSource(
        strings = {
          "Sun, 06 Nov 1994 08:49:37 GMT",
          "Sunday, 06-Nov-94 08:49:37 GMT",
          "Sun Nov  6 08:49:37 1994",
          "Mon, 06 Nov 1994 08:49:37 GMT", // wrong day name: ignored
          "sun, 6 nov 1994 08:49:37 utc",
          "Sun, 06 Nov 1994 10:49:37 +0200"
        })
    void httpDateWhenInAnyRfc9110FormReturnsTheInstant(String value) {
      assertThat(HttpDates.httpDate(value)).isEqualTo(NOW);
    }

    @ParameterizedTest
    @ValueSource(
        strings = {
          "",
          "0",
          "-1",
          "Sun, 06 Nov 1994 08:49:37",
          "Sun, 06 Foo 1994 08:49:37 GMT",
          "Sun, 31 Feb 1994 08:49:37 GMT",
          "Sun, 06 Nov 1994 25:49:37 GMT",
          "Sun, 06 Nov 19940 08:49:37 GMT",
          "Sun, 06 Nov 1994 08:49 GMT",
          "Sun, 06 Nov 1994 08:49:37 PST",
          "Sun, 06-Nov 08:49:37 GMT",
          "Sun Nov 6 08:49:37",
          "2024-01-01T00:00:00Z",
          ",,,,,"
        })
    void httpDateWhenMalformedReturnsNull(String value) {
      assertThat(HttpDates.httpDate(value)).isNull();
    }

    @Test
    void httpDateWhenTwoDigitYearIsBelow70ReadsItAsThisCentury() {
      assertThat(HttpDates.httpDate("Thursday, 01-Jan-30 00:00:00 GMT"))
          .isEqualTo(Instant.parse("2030-01-01T00:00:00Z"));
    }
  }

  @Nested
  class Keys {
    @Test
    void primaryKeyWhenUrlHasFragmentDropsIt() {
      assertThat(CacheRules.primaryKey(URI.create("https://example.org/a?q=1#frag")))
          .isEqualTo("https://example.org/a?q=1");
    }

    @Test
    void varyNamesWhenSpreadOverLinesAreLowerCasedSortedAndDistinct() {
      Response r =
          Response.builder(URL)
              .statusCode(200)
              .header("Vary", "Accept-Language, accept")
              .header("Vary", "ACCEPT")
              .build();

      assertThat(CacheRules.varyNames(r)).containsExactly("accept", "accept-language");
    }

    @Test
    void variantKeyWhenValuesDifferOnlyInListWhitespaceIsEqual() {
      List<String> vary = List.of("accept-encoding");
      Headers a = Headers.builder().add("Accept-Encoding", "gzip,deflate").build();
      Headers b =
          Headers.builder()
              .add("accept-encoding", "gzip")
              .add("Accept-Encoding", " deflate")
              .build();

      assertThat(CacheRules.variantKey(URL, vary, a))
          .isEqualTo(CacheRules.variantKey(URL, vary, b));
    }

    @Test
    void variantKeyWhenFieldIsAbsentDiffersFromEmpty() {
      List<String> vary = List.of("x-v");

      assertThat(CacheRules.variantKey(URL, vary, Headers.empty()))
          .isNotEqualTo(CacheRules.variantKey(URL, vary, Headers.builder().add("X-V", "").build()));
    }
  }

  @Nested
  class Policies {
    final CacheEntry fresh = entry(10, "Cache-Control", "max-age=60", "ETag", "\"1\"");
    final CacheEntry staleWithValidator =
        entry(100, "Cache-Control", "max-age=60", "ETag", "\"1\"");
    final CacheEntry staleWithoutValidator = entry(100, "Cache-Control", "max-age=60");
    final CacheEntry freshWithoutValidator = entry(10, "Cache-Control", "max-age=60");

    Decision decide(CachePolicy policy, CacheEntry entry) {
      return CacheRules.decide(policy, request(), entry, NOW);
    }

    @Test
    void decideWhenProtocolPolicyAndEntryIsFreshUsesIt() {
      Decision d = decide(CachePolicy.USE_PROTOCOL_CACHE_POLICY, fresh);

      assertThat(d.action()).isEqualTo(Action.USE_CACHED);
      assertThat(d.entry()).isSameAs(fresh);
      assertThat(d.requestHeaders().isEmpty()).isTrue();
    }

    @Test
    void decideWhenProtocolPolicyAndEntryIsStaleWithValidatorRevalidates() {
      Decision d = decide(CachePolicy.USE_PROTOCOL_CACHE_POLICY, staleWithValidator);

      assertThat(d.action()).isEqualTo(Action.REVALIDATE);
      assertThat(d.entry()).isSameAs(staleWithValidator);
      assertThat(d.requestHeaders().first("If-None-Match")).isEqualTo("\"1\"");
      assertThat(d.applyTo(request()).header("If-None-Match")).isEqualTo("\"1\"");
    }

    @Test
    void decideWhenProtocolPolicyAndEntryIsStaleWithoutValidatorLoads() {
      assertThat(decide(CachePolicy.USE_PROTOCOL_CACHE_POLICY, staleWithoutValidator).action())
          .isEqualTo(Action.LOAD);
    }

    @Test
    void decideWhenProtocolPolicyAndNoEntryLoads() {
      Decision d = decide(CachePolicy.USE_PROTOCOL_CACHE_POLICY, null);

      assertThat(d.action()).isEqualTo(Action.LOAD);
      assertThat(d.entry()).isNull();
      Request r = request();
      assertThat(d.applyTo(r)).isSameAs(r);
    }

    @Test
    void decideWhenProtocolPolicyAndResponseSaysNoCacheRevalidatesAFreshEntry() {
      CacheEntry noCache =
          entry(
              0,
              "Cache-Control",
              "no-cache, max-age=600",
              "Last-Modified",
              http(NOW.minusSeconds(500)));
      Decision d = decide(CachePolicy.USE_PROTOCOL_CACHE_POLICY, noCache);

      assertThat(d.action()).isEqualTo(Action.REVALIDATE);
      assertThat(d.requestHeaders().first("If-Modified-Since"))
          .isEqualTo(http(NOW.minusSeconds(500)));
    }

    @Test
    void decideWhenReloadIgnoringLocalDataLoadsEvenWithAFreshEntry() {
      Decision d = decide(CachePolicy.RELOAD_IGNORING_LOCAL_CACHE_DATA, fresh);

      assertThat(d.action()).isEqualTo(Action.LOAD);
      assertThat(d.requestHeaders().isEmpty()).isTrue();
    }

    @Test
    void decideWhenReloadIgnoringLocalAndRemoteDataLoadsWithNoCacheFields() {
      Decision d = decide(CachePolicy.RELOAD_IGNORING_LOCAL_AND_REMOTE_CACHE_DATA, fresh);
      Request sent = d.applyTo(Request.builder(URL).header("cache-control", "max-age=5").build());

      assertThat(d.action()).isEqualTo(Action.LOAD);
      assertThat(sent.headers().all("Cache-Control")).containsExactly("no-cache");
      assertThat(sent.header("Pragma")).isEqualTo("no-cache");
    }

    @Test
    void decideWhenReturnCacheDataElseLoadUsesAnyEntryAndLoadsOnAMiss() {
      assertThat(decide(CachePolicy.RETURN_CACHE_DATA_ELSE_LOAD, staleWithoutValidator).action())
          .isEqualTo(Action.USE_CACHED);
      assertThat(decide(CachePolicy.RETURN_CACHE_DATA_ELSE_LOAD, null).action())
          .isEqualTo(Action.LOAD);
    }

    @Test
    void decideWhenReturnCacheDataDontLoadUsesAnyEntryAndFailsOnAMiss() {
      assertThat(decide(CachePolicy.RETURN_CACHE_DATA_DONT_LOAD, staleWithoutValidator).action())
          .isEqualTo(Action.USE_CACHED);
      Decision miss = decide(CachePolicy.RETURN_CACHE_DATA_DONT_LOAD, null);
      assertThat(miss.action()).isEqualTo(Action.FAIL);
      assertThat(miss.entry()).isNull();
    }

    @Test
    void decideWhenReloadRevalidatingRevalidatesAnyEntryWithAValidator() {
      assertThat(decide(CachePolicy.RELOAD_REVALIDATING_CACHE_DATA, fresh).action())
          .isEqualTo(Action.REVALIDATE);
      assertThat(decide(CachePolicy.RELOAD_REVALIDATING_CACHE_DATA, freshWithoutValidator).action())
          .isEqualTo(Action.LOAD);
      assertThat(decide(CachePolicy.RELOAD_REVALIDATING_CACHE_DATA, null).action())
          .isEqualTo(Action.LOAD);
    }
  }
}
