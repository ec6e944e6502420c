package dev.urlsession;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.urlsession.internal.CacheEntry;
import dev.urlsession.internal.CacheFileFormat;
import java.io.IOException;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link HttpCache}: keys, storage policies, LRU capacities, the 5% rule, persistence and damaged
 * files (URLSESSION-BEHAVIOUR.md 9.1, issue 5).
 */
@Timeout(60)
class HttpCacheTests {
  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  @TempDir Path dir;

  /** A clock tests move by hand. */
  static final class TestClock extends Clock {
    private volatile Instant now;

    TestClock(Instant now) {
      this.now = now;
    }

    void advanceSeconds(long seconds) {
      now = now.plusSeconds(seconds);
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }
  }

  final TestClock clock = new TestClock(T0);

  HttpCache memoryCache(long memoryCapacity) {
    return new HttpCache(memoryCapacity, 0, null, clock);
  }

  /** The caches with a directory this test made: their files are written by the cache writer thread. */
  final List<HttpCache> diskCaches = new ArrayList<>();

  HttpCache diskCache(long memoryCapacity, long diskCapacity) {
    return opened(new HttpCache(memoryCapacity, diskCapacity, dir, clock));
  }

  HttpCache opened(HttpCache cache) {
    diskCaches.add(cache);
    return cache;
  }

  /** The writer must be done before the temporary directory goes. */
  @org.junit.jupiter.api.AfterEach
  void writeQueuedFiles() {
    written();
  }

  /** Waits until the files of every store made so far are written (a store returns before). */
  void written() {
    for (HttpCache c : diskCaches) {
      try {
        assertThat(c.awaitWrites(10_000)).as("files written within 10 s").isTrue();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  static Request get(String url, String... headers) {
    Request.Builder b = Request.builder(URI.create(url));
    for (int i = 0; i < headers.length; i += 2) {
      b.addHeader(headers[i], headers[i + 1]);
    }
    return b.build();
  }

  static CachedResponse cached(String url, String body, String... headers) {
    return cached(url, body.getBytes(StandardCharsets.UTF_8), CacheStoragePolicy.ALLOWED, headers);
  }

  static CachedResponse cached(
      String url, byte[] body, CacheStoragePolicy policy, String... headers) {
    Response.Builder r = Response.builder(URI.create(url)).statusCode(200);
    for (int i = 0; i < headers.length; i += 2) {
      r.header(headers[i], headers[i + 1]);
    }
    return new CachedResponse(r.build(), body, null, policy);
  }

  static String url(int i) {
    return String.format("https://example.org/%03d", i);
  }

  List<Path> entryFiles() throws IOException {
    written();
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .filter(p -> CacheFileFormat.isEntryFileName(p.getFileName().toString()))
          .toList();
    }
  }

  Path onlyEntryFile() throws IOException {
    List<Path> files = entryFiles();
    assertThat(files).hasSize(1);
    return files.get(0);
  }

  // --- keys -----------------------------------------------------------------------------------

  @Test
  void cachedResponseWhenStoredReturnsAnEqualEntry() {
    HttpCache cache = memoryCache(1 << 20);
    CachedResponse c = cached("https://example.org/a", "body", "ETag", "\"1\"");

    cache.storeCachedResponse(c, get("https://example.org/a"));

    assertThat(cache.cachedResponse(get("https://example.org/a"))).isEqualTo(c);
    assertThat(cache.cachedResponse(get("https://example.org/b"))).isNull();
  }

  @Test
  void storeCachedResponseWhenStoredTwiceForOneRequestKeepsOnlyTheLast() {
    HttpCache cache = memoryCache(1 << 20);
    cache.storeCachedResponse(
        cached("https://example.org/a", "first version"), get("https://example.org/a"));
    long oneEntry = cache.currentMemoryUsage();
    CachedResponse second = cached("https://example.org/a", "second version");

    cache.storeCachedResponse(second, get("https://example.org/a"));

    assertThat(cache.cachedResponse(get("https://example.org/a"))).isEqualTo(second);
    assertThat(cache.currentMemoryUsage()).isEqualTo(oneEntry + 1);
  }

  @Test
  void cachedResponseWhenUrlsDifferOnlyInFragmentIsAHit() {
    HttpCache cache = memoryCache(1 << 20);
    cache.storeCachedResponse(
        cached("https://example.org/a", "x"), get("https://example.org/a#one"));

    assertThat(cache.cachedResponse(get("https://example.org/a#two"))).isNotNull();
    assertThat(cache.cachedResponse(get("https://example.org/a"))).isNotNull();
  }

  @Test
  void cachedResponseWhenMethodIsNotGetIsAMiss() {
    HttpCache cache = memoryCache(1 << 20);
    cache.storeCachedResponse(cached("https://example.org/a", "x"), get("https://example.org/a"));

    Request head = Request.builder(URI.create("https://example.org/a")).method("HEAD").build();
    assertThat(cache.cachedResponse(head)).isNull();
  }

  @Test
  void storeCachedResponseWhenMethodIsNotGetIgnoresIt() {
    HttpCache cache = memoryCache(1 << 20);
    Request post = Request.builder(URI.create("https://example.org/a")).method("POST").build();

    cache.storeCachedResponse(cached("https://example.org/a", "x"), post);

    assertThat(cache.cachedResponse(get("https://example.org/a"))).isNull();
    assertThat(cache.currentMemoryUsage()).isZero();
  }

  @Test
  void cachedResponseWhenVaryHeaderDiffersIsAMiss() {
    HttpCache cache = memoryCache(1 << 20);
    cache.storeCachedResponse(
        cached("https://example.org/a", "json", "Vary", "Accept"),
        get("https://example.org/a", "Accept", "application/json"));

    assertThat(cache.cachedResponse(get("https://example.org/a", "Accept", "text/xml"))).isNull();
    assertThat(cache.cachedResponse(get("https://example.org/a"))).isNull();
    assertThat(cache.cachedResponse(get("https://example.org/a", "accept", "application/json")))
        .isNotNull();
  }

  @Test
  void cachedResponseWhenVaryNamesAHeaderAbsentFromBothRequestsIsAHit() {
    HttpCache cache = memoryCache(1 << 20);
    cache.storeCachedResponse(
        cached("https://example.org/a", "x", "Vary", "Accept-Language"),
        get("https://example.org/a"));

    assertThat(cache.cachedResponse(get("https://example.org/a", "Accept", "a/b"))).isNotNull();
    assertThat(cache.cachedResponse(get("https://example.org/a", "Accept-Language", "fr")))
        .isNull();
  }

  @Test
  void cachedResponseWhenTwoVariantsAreStoredSelectsByVaryValues() {
    HttpCache cache = memoryCache(1 << 20);
    CachedResponse json = cached("https://example.org/a", "json", "Vary", "Accept");
    CachedResponse xml = cached("https://example.org/a", "xml", "Vary", "Accept");
    cache.storeCachedResponse(json, get("https://example.org/a", "Accept", "application/json"));
    cache.storeCachedResponse(xml, get("https://example.org/a", "Accept", "text/xml"));

    assertThat(cache.cachedResponse(get("https://example.org/a", "Accept", "application/json")))
        .isEqualTo(json);
    assertThat(cache.cachedResponse(get("https://example.org/a", "Accept", "text/xml")))
        .isEqualTo(xml);
  }

  @Test
  void storeCachedResponseWhenVaryIsStarIgnoresIt() {
    HttpCache cache = memoryCache(1 << 20);

    cache.storeCachedResponse(
        cached("https://example.org/a", "x", "Vary", "*"), get("https://example.org/a"));

    assertThat(cache.cachedResponse(get("https://example.org/a"))).isNull();
    assertThat(cache.currentMemoryUsage()).isZero();
  }

  @Test
  void removeCachedResponseWhenUrlHasVariantsRemovesThemAll() {
    HttpCache cache = diskCache(1 << 20, 1 << 20);
    cache.storeCachedResponse(
        cached("https://example.org/a", "1", "Vary", "Accept"),
        get("https://example.org/a", "Accept", "a/1"));
    cache.storeCachedResponse(
        cached("https://example.org/a", "2", "Vary", "Accept"),
        get("https://example.org/a", "Accept", "a/2"));
    cache.storeCachedResponse(cached("https://example.org/b", "b"), get("https://example.org/b"));

    cache.removeCachedResponse(
        Request.builder(URI.create("https://example.org/a#x")).method("DELETE").build());

    assertThat(cache.cachedResponse(get("https://example.org/a", "Accept", "a/1"))).isNull();
    assertThat(cache.cachedResponse(get("https://example.org/a", "Accept", "a/2"))).isNull();
    assertThat(cache.cachedResponse(get("https://example.org/b"))).isNotNull();
  }

  // --- storage policies -----------------------------------------------------------------------

  @Test
  void storeCachedResponseWhenPolicyIsNotAllowedStoresNothing() throws IOException {
    HttpCache cache = diskCache(1 << 20, 1 << 20);

    cache.storeCachedResponse(
        cached("https://example.org/a", new byte[10], CacheStoragePolicy.NOT_ALLOWED),
        get("https://example.org/a"));

    assertThat(cache.cachedResponse(get("https://example.org/a"))).isNull();
    assertThat(cache.currentMemoryUsage()).isZero();
    assertThat(cache.currentDiskUsage()).isZero();
    assertThat(entryFiles()).isEmpty();
  }

  @Test
  void createWhenAnotherCacheOfTheDirectoryJustStoredSeesEveryEntry() {
    HttpCache first = diskCache(0, 10 << 20);
    for (int i = 0; i < 50; i++) {
      first.storeCachedResponse(cached(url(i), "body " + i), get(url(i)));
    }

    HttpCache second = diskCache(0, 10 << 20); // waits for the files the first one queued

    for (int i = 0; i < 50; i++) {
      CachedResponse c = second.cachedResponse(get(url(i)));
      assertThat(c).as(url(i)).isNotNull();
      assertThat(new String(c.data(), StandardCharsets.UTF_8)).isEqualTo("body " + i);
    }
    assertThat(second.currentDiskUsage()).isEqualTo(first.currentDiskUsage());
  }

  @Test
  void removeCachedResponseWhenItsFileIsStillQueuedLeavesNoFile() throws IOException {
    HttpCache cache = diskCache(0, 10 << 20);
    for (int i = 0; i < 20; i++) {
      cache.storeCachedResponse(cached(url(i), new byte[2000], CacheStoragePolicy.ALLOWED), get(url(i)));
      cache.removeCachedResponse(get(url(i)));
    }
    cache.storeCachedResponse(cached(url(99), "kept"), get(url(99)));

    assertThat(entryFiles()).containsExactly(dir.resolve(CacheFileFormat.fileName(url(99))));
    assertThat(cache.currentDiskUsage()).isEqualTo(Files.size(dir.resolve(CacheFileFormat.fileName(url(99)))));
    assertThat(cache.cachedResponse(get(url(0)))).isNull();
    assertThat(new String(cache.cachedResponse(get(url(99))).data(), StandardCharsets.UTF_8)).isEqualTo("kept");
  }

  @Test
  void storeCachedResponseWhenPolicyIsInMemoryOnlyNeverWritesTheDisk() throws IOException {
    HttpCache cache = diskCache(1 << 20, 1 << 20);

    cache.storeCachedResponse(
        cached("https://example.org/a", new byte[10], CacheStoragePolicy.ALLOWED_IN_MEMORY_ONLY),
        get("https://example.org/a"));

    assertThat(cache.cachedResponse(get("https://example.org/a"))).isNotNull();
    assertThat(cache.currentMemoryUsage()).isPositive();
    assertThat(cache.currentDiskUsage()).isZero();
    written();
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files).isEmpty();
    }
  }

  @Test
  void storeCachedResponseWhenPolicyIsAllowedWritesOneFileNamedBySha256() throws IOException {
    HttpCache cache = diskCache(1 << 20, 1 << 20);

    cache.storeCachedResponse(cached("https://example.org/a", "x"), get("https://example.org/a"));

    Path file = onlyEntryFile();
    assertThat(file.getFileName().toString())
        .isEqualTo(CacheFileFormat.fileName("https://example.org/a"));
    assertThat(cache.currentDiskUsage()).isEqualTo(Files.size(file));
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files).hasSize(1); // no temporary file left behind
    }
  }

  @Test
  void cachedResponseWhenMemoryCapacityIsZeroIsServedFromDisk() throws IOException {
    HttpCache cache = diskCache(0, 1 << 20);
    CachedResponse c = cached("https://example.org/a", "on disk only");

    cache.storeCachedResponse(c, get("https://example.org/a"));

    assertThat(cache.currentMemoryUsage()).isZero();
    assertThat(entryFiles()).hasSize(1);
    assertThat(cache.cachedResponse(get("https://example.org/a"))).isEqualTo(c);
  }

  @Test
  void diskCapacityWhenSetToZeroDeletesDiskEntriesAndKeepsMemoryOnes() throws IOException {
    HttpCache cache = diskCache(1 << 20, 1 << 20);
    cache.storeCachedResponse(cached("https://example.org/a", "x"), get("https://example.org/a"));
    assertThat(entryFiles()).hasSize(1);

    cache.diskCapacity(0);

    assertThat(entryFiles()).isEmpty();
    assertThat(cache.currentDiskUsage()).isZero();
    assertThat(cache.diskCapacity()).isZero();
    assertThat(cache.cachedResponse(get("https://example.org/a"))).isNotNull();
  }

  @Test
  void memoryCapacityWhenSetToZeroEvictsMemoryEntries() {
    HttpCache cache = memoryCache(1 << 20);
    cache.storeCachedResponse(cached("https://example.org/a", "x"), get("https://example.org/a"));

    cache.memoryCapacity(0);

    assertThat(cache.currentMemoryUsage()).isZero();
    assertThat(cache.memoryCapacity()).isZero();
    assertThat(cache.cachedResponse(get("https://example.org/a"))).isNull();
  }

  @Test
  void removeAllCachedResponsesWhenCalledEmptiesBothTiers() throws IOException {
    HttpCache cache = diskCache(1 << 20, 1 << 20);
    cache.storeCachedResponse(cached("https://example.org/a", "x"), get("https://example.org/a"));
    cache.storeCachedResponse(cached("https://example.org/b", "y"), get("https://example.org/b"));

    cache.removeAllCachedResponses();

    assertThat(cache.currentMemoryUsage()).isZero();
    assertThat(cache.currentDiskUsage()).isZero();
    assertThat(entryFiles()).isEmpty();
    assertThat(cache.cachedResponse(get("https://example.org/a"))).isNull();
  }

  @Test
  void removeCachedResponsesSinceWhenEntriesAreOlderKeepsThem() throws IOException {
    HttpCache cache = diskCache(1 << 20, 1 << 20);
    cache.storeCachedResponse(
        cached("https://example.org/old", "x"), get("https://example.org/old"));
    clock.advanceSeconds(60);
    Instant since = clock.instant();
    cache.storeCachedResponse(
        cached("https://example.org/new", "y"), get("https://example.org/new"));
    clock.advanceSeconds(60);
    cache.storeCachedResponse(
        cached("https://example.org/newer", "z"), get("https://example.org/newer"));

    cache.removeCachedResponses(since);

    assertThat(cache.cachedResponse(get("https://example.org/old"))).isNotNull();
    assertThat(cache.cachedResponse(get("https://example.org/new"))).isNull();
    assertThat(cache.cachedResponse(get("https://example.org/newer"))).isNull();
    assertThat(entryFiles()).hasSize(1);
  }

  @Test
  void entryWhenStoredWithTimesKeepsThemForAgeCalculation() {
    HttpCache cache = memoryCache(1 << 20);
    Instant sent = T0.minusSeconds(3);
    Instant received = T0.minusSeconds(1);

    cache.store(cached("https://example.org/a", "x"), get("https://example.org/a"), sent, received);

    CacheEntry entry = cache.entry(get("https://example.org/a"));
    assertThat(entry).isNotNull();
    assertThat(entry.requestTime()).isEqualTo(sent);
    assertThat(entry.responseTime()).isEqualTo(received);
    assertThat(entry.storedTime()).isEqualTo(T0);
  }

  // --- capacities -----------------------------------------------------------------------------

  /**
   * Every entry of these tests costs this much in memory: a 1000-byte body, a 23-char URL and the
   * entry's own objects (see {@link HttpCache#approximateSize}).
   */
  static final long ENTRY_SIZE =
      HttpCache.approximateSize(cached(url(0), new byte[1000], CacheStoragePolicy.ALLOWED));

  @Test
  void storeCachedResponseWhenMemoryIsFullEvictsTheLeastRecentlyUsed() {
    HttpCache cache = memoryCache(20 * ENTRY_SIZE);
    for (int i = 0; i < 20; i++) {
      cache.storeCachedResponse(
          cached(url(i), new byte[1000], CacheStoragePolicy.ALLOWED), get(url(i)));
    }
    assertThat(cache.currentMemoryUsage()).isEqualTo(20 * ENTRY_SIZE);
    assertThat(cache.cachedResponse(get(url(0)))).isNotNull(); // now most recently used

    cache.storeCachedResponse(
        cached(url(20), new byte[1000], CacheStoragePolicy.ALLOWED), get(url(20)));

    assertThat(cache.cachedResponse(get(url(1)))).isNull();
    assertThat(cache.cachedResponse(get(url(0)))).isNotNull();
    assertThat(cache.cachedResponse(get(url(2)))).isNotNull();
    assertThat(cache.cachedResponse(get(url(20)))).isNotNull();
    assertThat(cache.currentMemoryUsage()).isEqualTo(20 * ENTRY_SIZE);
  }

  @Test
  void memoryCapacityWhenLoweredEvictsLeastRecentlyUsedFirst() {
    HttpCache cache = memoryCache(20 * ENTRY_SIZE);
    for (int i = 0; i < 4; i++) {
      cache.storeCachedResponse(
          cached(url(i), new byte[1000], CacheStoragePolicy.ALLOWED), get(url(i)));
    }
    cache.cachedResponse(get(url(0)));

    cache.memoryCapacity(2 * ENTRY_SIZE);

    assertThat(cache.currentMemoryUsage()).isEqualTo(2 * ENTRY_SIZE);
    assertThat(cache.cachedResponse(get(url(0)))).isNotNull();
    assertThat(cache.cachedResponse(get(url(3)))).isNotNull();
    assertThat(cache.cachedResponse(get(url(1)))).isNull();
    assertThat(cache.cachedResponse(get(url(2)))).isNull();
  }

  @Test
  void storeCachedResponseWhenDiskIsFullDeletesTheLeastRecentlyUsedFile() throws IOException {
    HttpCache cache = diskCache(0, 10 << 20);
    cache.storeCachedResponse(
        cached(url(99), new byte[1000], CacheStoragePolicy.ALLOWED), get(url(99)));
    long fileSize = cache.currentDiskUsage();
    cache.removeAllCachedResponses();
    cache.diskCapacity(20 * fileSize);
    for (int i = 0; i < 20; i++) {
      cache.storeCachedResponse(
          cached(url(i), new byte[1000], CacheStoragePolicy.ALLOWED), get(url(i)));
    }
    assertThat(cache.currentDiskUsage()).isEqualTo(20 * fileSize);
    assertThat(cache.cachedResponse(get(url(0)))).isNotNull();

    cache.storeCachedResponse(
        cached(url(20), new byte[1000], CacheStoragePolicy.ALLOWED), get(url(20)));

    written();
    assertThat(Files.exists(dir.resolve(CacheFileFormat.fileName(url(1))))).isFalse();
    assertThat(Files.exists(dir.resolve(CacheFileFormat.fileName(url(0))))).isTrue();
    assertThat(cache.cachedResponse(get(url(1)))).isNull();
    assertThat(cache.cachedResponse(get(url(0)))).isNotNull();
    assertThat(entryFiles()).hasSize(20);
    assertThat(cache.currentDiskUsage()).isEqualTo(20 * fileSize);
  }

  @Test
  void storeCachedResponseWhenLargerThanFivePercentOfMemoryOnlyCacheIgnoresIt() {
    HttpCache cache = memoryCache(100_000);
    String u = "https://example.org/a";
    long overhead = HttpCache.approximateSize(cached(u, new byte[0], CacheStoragePolicy.ALLOWED));

    cache.storeCachedResponse(
        cached(u, new byte[(int) (5_000 - overhead + 1)], CacheStoragePolicy.ALLOWED), get(u));
    assertThat(cache.cachedResponse(get(u))).isNull();

    cache.storeCachedResponse(
        cached(u, new byte[(int) (5_000 - overhead)], CacheStoragePolicy.ALLOWED), get(u));
    assertThat(cache.cachedResponse(get(u))).isNotNull();
  }

  @Test
  void storeCachedResponseWhenLargerThanFivePercentOfDiskIgnoresItEvenIfMemoryCouldHoldIt()
      throws IOException {
    HttpCache cache = diskCache(100 << 20, 100_000);
    String u = "https://example.org/a";
    byte[] tooBig = new byte[5_000 - u.length() + 1];

    cache.storeCachedResponse(cached(u, tooBig, CacheStoragePolicy.ALLOWED), get(u));

    assertThat(cache.cachedResponse(get(u))).isNull();
    assertThat(cache.currentMemoryUsage()).isZero();
    assertThat(entryFiles()).isEmpty();

    cache.storeCachedResponse(cached(u, tooBig, CacheStoragePolicy.ALLOWED_IN_MEMORY_ONLY), get(u));

    assertThat(cache.cachedResponse(get(u))).isNotNull();
    assertThat(entryFiles()).isEmpty();
  }

  @Test
  void storeCachedResponseWhenEntryFitsDiskButNotFivePercentOfMemoryKeepsItOnDiskOnly()
      throws IOException {
    HttpCache cache = diskCache(100_000, 10 << 20);
    String u = "https://example.org/a";

    cache.storeCachedResponse(cached(u, new byte[10_000], CacheStoragePolicy.ALLOWED), get(u));

    assertThat(cache.currentMemoryUsage()).isZero();
    assertThat(entryFiles()).hasSize(1);
    assertThat(cache.cachedResponse(get(u))).isNotNull();
  }

  @Test
  void capacitiesWhenNegativeAreRejectedNamingTheOption() {
    HttpCache cache = memoryCache(1);

    assertThatThrownBy(() -> cache.memoryCapacity(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("memoryCapacity");
    assertThatThrownBy(() -> cache.diskCapacity(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("diskCapacity");
    assertThatThrownBy(() -> HttpCache.create(-5, 0, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("memoryCapacity");
    assertThatThrownBy(() -> HttpCache.create(0, -5, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("diskCapacity");
  }

  @Test
  void sharedWhenCalledTwiceReturnsOneMemoryOnlyCacheOf4MiB() {
    assertThat(HttpCache.shared()).isSameAs(HttpCache.shared());
    assertThat(HttpCache.shared().memoryCapacity()).isEqualTo(4L * 1024 * 1024);
    assertThat(HttpCache.shared().diskCapacity()).isZero();
  }

  // --- persistence and damaged files ----------------------------------------------------------

  @Test
  void cachedResponseWhenAnotherInstanceStoredInTheDirectoryIsAHit() {
    HttpCache first = diskCache(1 << 20, 1 << 20);
    CachedResponse c =
        new CachedResponse(
            Response.builder(URI.create("https://example.org/a"))
                .statusCode(203)
                .header("Content-Type", "text/plain; charset=utf-8")
                .header("Vary", "Accept")
                .header("X-Multi", "1")
                .header("X-Multi", "2")
                .build(),
            "persisted ✓".getBytes(StandardCharsets.UTF_8),
            Map.of("s", "v", "n", 7L, "i", 3, "b", true, "d", 1.5, "o", new Object()),
            CacheStoragePolicy.ALLOWED);
    first.store(
        c, get("https://example.org/a", "Accept", "x/y"), T0.minusSeconds(2), T0.minusSeconds(1));
    long usage = first.currentDiskUsage();

    HttpCache second = diskCache(1 << 20, 1 << 20);

    assertThat(second.currentDiskUsage()).isEqualTo(usage);
    assertThat(second.cachedResponse(get("https://example.org/a", "Accept", "other"))).isNull();
    CacheEntry entry = second.entry(get("https://example.org/a", "Accept", "x/y"));
    assertThat(entry).isNotNull();
    CachedResponse restored = entry.cachedResponse();
    // The user info value that cannot be written (a plain Object) stays behind.
    assertThat(restored).isNotEqualTo(c).isEqualTo(new CachedResponse(c.response(), c.data(),
        Map.of("s", "v", "n", 7L, "i", 3, "b", true, "d", 1.5), c.storagePolicy()));
    assertThat(restored.response().mimeType()).isEqualTo("text/plain");
    assertThat(restored.response().textEncodingName()).isEqualTo("utf-8");
    assertThat(restored.userInfo())
        .containsOnly(
            Map.entry("s", "v"),
            Map.entry("n", 7L),
            Map.entry("i", 3),
            Map.entry("b", true),
            Map.entry("d", 1.5));
    assertThat(entry.requestTime()).isEqualTo(T0.minusSeconds(2));
    assertThat(entry.responseTime()).isEqualTo(T0.minusSeconds(1));
    assertThat(entry.storedTime()).isEqualTo(T0);
  }

  @Test
  void cachedResponseWhenStoredWithoutUserInfoIsReadBackFromDiskWithout() {
    CachedResponse c = cached("https://example.org/plain", "body");
    diskCache(1 << 20, 1 << 20).storeCachedResponse(c, get("https://example.org/plain"));

    CachedResponse restored = diskCache(1 << 20, 1 << 20).cachedResponse(get("https://example.org/plain"));

    assertThat(restored).isEqualTo(c);
    assertThat(restored.userInfo()).isNull();
  }

  @Test
  void removeCachedResponsesSinceWhenEntriesWereLoadedFromDiskUsesTheirStoredTimes()
      throws IOException {
    HttpCache first = diskCache(1 << 20, 1 << 20);
    first.storeCachedResponse(
        cached("https://example.org/old", "x"), get("https://example.org/old"));
    clock.advanceSeconds(10);
    first.storeCachedResponse(
        cached("https://example.org/new", "y"), get("https://example.org/new"));

    HttpCache second = diskCache(1 << 20, 1 << 20);
    second.removeCachedResponses(T0.plusSeconds(5));

    assertThat(second.cachedResponse(get("https://example.org/old"))).isNotNull();
    assertThat(second.cachedResponse(get("https://example.org/new"))).isNull();
    assertThat(entryFiles()).hasSize(1);
  }

  @Test
  void cachedResponseWhenFileBodyIsCorruptedIsAMissAndDeletesTheFile() throws IOException {
    diskCache(1 << 20, 1 << 20)
        .storeCachedResponse(
            cached("https://example.org/a", "some body bytes"), get("https://example.org/a"));
    Path file = onlyEntryFile();
    byte[] bytes = Files.readAllBytes(file);
    bytes[bytes.length - 10] ^= 0x55; // inside the body
    Files.write(file, bytes);

    HttpCache second = diskCache(1 << 20, 1 << 20);

    assertThat(second.cachedResponse(get("https://example.org/a"))).isNull();
    assertThat(Files.exists(file)).isFalse();
    assertThat(second.currentDiskUsage()).isZero();
  }

  @Test
  void cachedResponseWhenFileIsCorruptedWhileRunningIsAMissAndDeletesTheFile() throws IOException {
    HttpCache cache = diskCache(0, 1 << 20);
    cache.storeCachedResponse(
        cached("https://example.org/a", "some body bytes"), get("https://example.org/a"));
    Path file = onlyEntryFile();
    byte[] bytes = Files.readAllBytes(file);
    bytes[bytes.length - 1] ^= 0x01; // the checksum itself
    Files.write(file, bytes);

    assertThat(cache.cachedResponse(get("https://example.org/a"))).isNull();
    assertThat(Files.exists(file)).isFalse();
    assertThat(cache.currentDiskUsage()).isZero();
    cache.storeCachedResponse(
        cached("https://example.org/a", "again"), get("https://example.org/a"));
    assertThat(cache.cachedResponse(get("https://example.org/a"))).isNotNull();
  }

  @Test
  void createWhenFileMetadataIsCorruptedDeletesItAtStartup() throws IOException {
    diskCache(1 << 20, 1 << 20)
        .storeCachedResponse(cached("https://example.org/a", "x"), get("https://example.org/a"));
    Path file = onlyEntryFile();
    byte[] bytes = Files.readAllBytes(file);
    bytes[20] ^= 0x7f; // inside the metadata
    Files.write(file, bytes);

    HttpCache second = diskCache(1 << 20, 1 << 20);
    written(); // the directory is opened and indexed on the writer thread

    assertThat(Files.exists(file)).isFalse();
    assertThat(second.currentDiskUsage()).isZero();
    assertThat(second.cachedResponse(get("https://example.org/a"))).isNull();
  }

  @Test
  void createWhenFileIsTruncatedIgnoresAndDeletesIt() throws IOException {
    diskCache(1 << 20, 1 << 20)
        .storeCachedResponse(
            cached("https://example.org/a", "a body of some length"), get("https://example.org/a"));
    Path file = onlyEntryFile();
    long size = Files.size(file);
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ch.truncate(size - 7);
    }

    HttpCache second = diskCache(1 << 20, 1 << 20);

    assertThat(second.cachedResponse(get("https://example.org/a"))).isNull();
    assertThat(Files.exists(file)).isFalse();
  }

  @Test
  void createWhenDirectoryHoldsForeignEmptyAndTemporaryFilesSurvivesAndCleansOnlyItsOwn()
      throws IOException {
    Path garbage = dir.resolve("a".repeat(64));
    Files.write(garbage, "not a cache entry at all".getBytes(StandardCharsets.UTF_8));
    Path empty = dir.resolve("b".repeat(64));
    Files.createFile(empty);
    Path wrongVersion = dir.resolve("c".repeat(64));
    Files.write(
        wrongVersion,
        new byte[] {0x55, 0x53, 0x48, 0x43, 0, 0, 0, 99, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
    Path temp = dir.resolve("d".repeat(64) + ".123.tmp");
    Files.write(temp, new byte[3]);
    Path foreign = dir.resolve("README.txt");
    Files.write(foreign, new byte[3]);
    Path foreignTemp = dir.resolve("notes.tmp");
    Files.write(foreignTemp, new byte[3]);

    HttpCache cache = diskCache(1 << 20, 1 << 20);
    written(); // the directory is opened and indexed on the writer thread

    assertThat(garbage).doesNotExist();
    assertThat(empty).doesNotExist();
    assertThat(wrongVersion).doesNotExist();
    assertThat(temp).doesNotExist();
    assertThat(foreign).exists();
    assertThat(foreignTemp).exists();
    assertThat(cache.currentDiskUsage()).isZero();
    cache.storeCachedResponse(cached("https://example.org/a", "x"), get("https://example.org/a"));
    assertThat(cache.cachedResponse(get("https://example.org/a"))).isNotNull();
  }

  @Test
  void createWhenAnEntryFileIsRenamedTreatsItAsCorrupt() throws IOException {
    diskCache(1 << 20, 1 << 20)
        .storeCachedResponse(cached("https://example.org/a", "x"), get("https://example.org/a"));
    Path moved =
        Files.move(onlyEntryFile(), dir.resolve(CacheFileFormat.fileName("https://example.org/b")));

    HttpCache second = diskCache(1 << 20, 1 << 20);
    written(); // the directory is opened and indexed on the writer thread

    assertThat(moved).doesNotExist();
    assertThat(second.cachedResponse(get("https://example.org/b"))).isNull();
    assertThat(second.cachedResponse(get("https://example.org/a"))).isNull();
  }

  @Test
  void createWhenDiskCapacityIsBelowWhatIsStoredTrimsAtStartup() throws IOException {
    HttpCache first = diskCache(0, 1 << 20);
    for (int i = 0; i < 4; i++) {
      first.storeCachedResponse(
          cached(url(i), new byte[1000], CacheStoragePolicy.ALLOWED), get(url(i)));
    }
    long fileSize = first.currentDiskUsage() / 4;

    HttpCache second = diskCache(0, 2 * fileSize);

    assertThat(second.currentDiskUsage()).isLessThanOrEqualTo(2 * fileSize);
    assertThat(entryFiles()).hasSize(2);
  }

  @Test
  void createWhenDirectoryIsReadOnlyWorksInMemoryOnly() throws IOException {
    assumeTrue(
        dir.getFileSystem().supportedFileAttributeViews().contains("posix"),
        "needs POSIX permissions");
    Path readOnly = Files.createDirectory(dir.resolve("ro"));
    Set<PosixFilePermission> original = Files.getPosixFilePermissions(readOnly);
    Files.setPosixFilePermissions(readOnly, PosixFilePermissions.fromString("r-xr-xr-x"));
    try {
      assumeFalse(Files.isWritable(readOnly), "this user ignores file permissions (root?)");

      HttpCache cache = opened(new HttpCache(1 << 20, 1 << 20, readOnly, clock));
      cache.storeCachedResponse(cached("https://example.org/a", "x"), get("https://example.org/a"));
      written(); // the write fails on the writer thread: the entry stays in memory only

      assertThat(cache.cachedResponse(get("https://example.org/a"))).isNotNull();
      assertThat(cache.currentDiskUsage()).isZero();
      try (Stream<Path> files = Files.list(readOnly)) {
        assertThat(files).isEmpty();
      }
    } finally {
      Files.setPosixFilePermissions(readOnly, original);
    }
  }

  @Test
  void createWhenDirectoryPathIsARegularFileWorksInMemoryOnly() throws IOException {
    Path notADirectory = Files.write(dir.resolve("file"), new byte[] {1, 2, 3});

    HttpCache cache = new HttpCache(1 << 20, 1 << 20, notADirectory, clock);
    cache.storeCachedResponse(cached("https://example.org/a", "x"), get("https://example.org/a"));

    assertThat(cache.cachedResponse(get("https://example.org/a"))).isNotNull();
    assertThat(cache.currentDiskUsage()).isZero();
    assertThat(Files.readAllBytes(notADirectory)).containsExactly(1, 2, 3);
  }

  @Test
  void createWhenDirectoryIsMissingCreatesIt() {
    Path nested = dir.resolve("x/y/z");

    HttpCache cache = new HttpCache(1 << 20, 1 << 20, nested, clock);
    cache.storeCachedResponse(cached("https://example.org/a", "x"), get("https://example.org/a"));

    assertThat(nested).isDirectory();
    assertThat(cache.currentDiskUsage()).isPositive();
  }

  // --- concurrency ----------------------------------------------------------------------------

  @Test
  void storeAndReadWhenEightThreadsShareTheCacheNeverFailAndRespectCapacities() throws Exception {
    long memoryCapacity = 40_000;
    long diskCapacity = 60_000;
    HttpCache cache = opened(new HttpCache(memoryCapacity, diskCapacity, dir, Clock.systemUTC()));
    int threads = 8;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<?>> futures = new ArrayList<>();
    try {
      for (int t = 0; t < threads; t++) {
        futures.add(
            pool.submit(
                () -> {
                  start.await(10, TimeUnit.SECONDS);
                  ThreadLocalRandom random = ThreadLocalRandom.current();
                  for (int i = 0; i < 400; i++) {
                    String u = url(random.nextInt(60));
                    int op = random.nextInt(10);
                    if (op < 5) {
                      CacheStoragePolicy policy =
                          random.nextBoolean()
                              ? CacheStoragePolicy.ALLOWED
                              : CacheStoragePolicy.ALLOWED_IN_MEMORY_ONLY;
                      cache.storeCachedResponse(
                          cached(u, new byte[random.nextInt(1, 1900)], policy), get(u));
                    } else if (op < 9) {
                      CachedResponse c = cache.cachedResponse(get(u));
                      if (c != null) {
                        assertThat(c.response().url().toString()).isEqualTo(u);
                      }
                    } else {
                      cache.removeCachedResponse(get(u));
                    }
                    assertThat(cache.currentMemoryUsage()).isBetween(0L, memoryCapacity);
                    assertThat(cache.currentDiskUsage()).isBetween(0L, diskCapacity);
                  }
                  return null;
                }));
      }
      start.countDown();
      for (Future<?> f : futures) {
        f.get(30, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
      assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    long onDisk = 0;
    for (Path p : entryFiles()) {
      onDisk += Files.size(p);
    }
    assertThat(cache.currentDiskUsage()).isEqualTo(onDisk).isLessThanOrEqualTo(diskCapacity);
    assertThat(cache.currentMemoryUsage()).isLessThanOrEqualTo(memoryCapacity);
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.filter(p -> p.toString().endsWith(".tmp"))).isEmpty();
    }
    HttpCache reloaded = new HttpCache(memoryCapacity, diskCapacity, dir, Clock.systemUTC());
    assertThat(reloaded.currentDiskUsage()).isEqualTo(onDisk);
  }
}
