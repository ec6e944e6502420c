package dev.urlsession;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@link CookieStorage}: storing, matching, accept policies, limits, persistence, concurrency. */
@Timeout(60)
class CookieStorageTests {
  private static final URI HTTPS = URI.create("https://www.example.com/");
  private static final URI HTTP = URI.create("http://www.example.com/");

  @TempDir Path dir;

  /** Persistent storages of the test, flushed before the temporary directory is deleted. */
  private final List<CookieStorage> opened = new CopyOnWriteArrayList<>();

  @AfterEach
  void flushBeforeTheDirectoryGoes() {
    // a pending coalesced write would otherwise recreate the deleted directory
    opened.forEach(CookieStorage::flush);
  }

  private CookieStorage open(Path file) {
    CookieStorage s = CookieStorage.persistent(file);
    opened.add(s);
    return s;
  }

  private CookieStorage open(Path file, Clock clock) {
    CookieStorage s = CookieStorage.create(file, clock);
    opened.add(s);
    return s;
  }

  /** A clock tests move by hand. */
  static final class MutableClock extends Clock {
    private final AtomicReference<Instant> now;

    MutableClock(Instant start) {
      this.now = new AtomicReference<>(start);
    }

    void advance(Duration d) {
      now.updateAndGet(i -> i.plus(d));
    }

    @Override
    public Instant instant() {
      return now.get();
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

  private static Cookie cookie(String name, String value, String domain) {
    return Cookie.builder(name, value).domain(domain).build();
  }

  private static Cookie persistentCookie(String name, String value, String domain) {
    return Cookie.builder(name, value).domain(domain).expiresDate(Instant.now().plus(Duration.ofDays(1))).build();
  }

  private static List<Cookie> setCookie(String... values) {
    return Cookie.cookies(List.of(values), HTTPS);
  }

  // --- storing and reading ---

  @Test
  void setCookieThenCookiesForUrlReturnsIt() {
    CookieStorage s = CookieStorage.inMemory();
    s.setCookie(cookie("a", "1", "www.example.com"));
    assertThat(s.cookies(HTTPS)).extracting(Cookie::value).containsExactly("1");
    assertThat(s.cookies(URI.create("https://other.example.com/"))).isEmpty();
    assertThat(s.cookies()).hasSize(1);
  }

  @Test
  void setCookieWhenSameNameDomainAndPathReplacesAndKeepsTheCreationTime() {
    MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    CookieStorage s = CookieStorage.create(null, clock);
    s.setCookie(cookie("a", "1", "www.example.com"));
    clock.advance(Duration.ofSeconds(1));
    s.setCookie(cookie("b", "2", "www.example.com"));
    clock.advance(Duration.ofSeconds(1));
    Instant beforeReplacing = clock.instant();
    s.setCookie(cookie("a", "3", "www.example.com"));
    assertThat(s.cookies(HTTPS)).extracting(Cookie::value).containsExactly("3", "2");
    s.removeCookies(beforeReplacing);
    assertThat(s.cookies()).extracting(Cookie::value).containsExactly("3", "2");
  }

  @Test
  void setCookieWhenDomainOrPathDiffersKeepsBoth() {
    CookieStorage s = CookieStorage.inMemory();
    s.setCookie(cookie("a", "host", "www.example.com"));
    s.setCookie(cookie("a", "domain", ".example.com"));
    s.setCookie(Cookie.builder("a", "path").domain("www.example.com").path("/x").build());
    assertThat(s.cookies()).hasSize(3);
  }

  @Test
  void cookiesForUrlAreSortedByLongerPathThenEarlierCreation() {
    MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    CookieStorage s = CookieStorage.create(null, clock);
    s.setCookie(Cookie.builder("root1", "v").domain("www.example.com").path("/").build());
    s.setCookie(Cookie.builder("deep", "v").domain("www.example.com").path("/a/b").build());
    s.setCookie(Cookie.builder("root2", "v").domain(".example.com").path("/").build());
    s.setCookie(Cookie.builder("mid", "v").domain("www.example.com").path("/a").build());
    s.setCookie(Cookie.builder("other", "v").domain("www.example.com").path("/z").build());
    assertThat(s.cookies(URI.create("https://www.example.com/a/b/c")))
        .extracting(Cookie::name).containsExactly("deep", "mid", "root1", "root2");
  }

  @Test
  void cookiesForUrlSendsSecureCookiesOnlyOverHttps() {
    CookieStorage s = CookieStorage.inMemory();
    s.setCookie(Cookie.builder("s", "1").domain("www.example.com").secure(true).build());
    s.setCookie(cookie("p", "2", "www.example.com"));
    assertThat(s.cookies(HTTPS)).extracting(Cookie::name).containsExactly("s", "p");
    assertThat(s.cookies(HTTP)).extracting(Cookie::name).containsExactly("p");
    assertThat(Cookie.requestHeaderFields(s.cookies(HTTP))).containsExactly(Map.entry("Cookie", "p=2"));
  }

  @Test
  void cookiesForUrlWithoutHostIsEmpty() {
    CookieStorage s = CookieStorage.inMemory();
    s.setCookie(cookie("a", "1", "www.example.com"));
    assertThat(s.cookies(URI.create("file:/x"))).isEmpty();
  }

  @Test
  void setCookieWhenExpiredDeletesTheStoredOne() {
    CookieStorage s = CookieStorage.inMemory();
    s.setCookie(cookie("a", "1", "www.example.com"));
    s.setCookie(Cookie.builder("a", "2").domain("www.example.com").expiresDate(Instant.now().minusSeconds(5)).build());
    assertThat(s.cookies()).isEmpty();
  }

  @Test
  void setCookiesWithMaxAgeZeroOrNegativeDeletes() {
    CookieStorage s = CookieStorage.inMemory();
    s.setCookies(setCookie("a=1; Path=/", "b=2; Path=/", "c=3; Path=/"), HTTPS, null);
    s.setCookies(setCookie("a=x; Max-Age=0; Path=/", "b=x; Max-Age=-1; Path=/",
        "c=x; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT"), HTTPS, null);
    assertThat(s.cookies()).isEmpty();
  }

  @Test
  void expiredCookiesArePurgedOnAccess() {
    MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    CookieStorage s = CookieStorage.create(null, clock);
    s.setCookie(Cookie.builder("a", "1").domain("www.example.com").expiresDate(clock.instant().plusSeconds(10)).build());
    s.setCookie(cookie("b", "2", "www.example.com"));
    assertThat(s.cookies(HTTPS)).hasSize(2);
    clock.advance(Duration.ofSeconds(10));
    assertThat(s.cookies(HTTPS)).extracting(Cookie::name).containsExactly("b");
    assertThat(s.cookies()).extracting(Cookie::name).containsExactly("b");
  }

  @Test
  void deleteCookieRemovesTheCookieWithTheSameNameDomainAndPath() {
    CookieStorage s = CookieStorage.inMemory();
    s.setCookie(cookie("a", "1", "www.example.com"));
    s.setCookie(cookie("b", "2", "www.example.com"));
    s.deleteCookie(cookie("a", "other value", "WWW.example.com"));
    assertThat(s.cookies()).extracting(Cookie::name).containsExactly("b");
    s.deleteCookie(cookie("missing", "x", "www.example.com"));
    assertThat(s.cookies()).hasSize(1);
  }

  @Test
  void removeCookiesSinceRemovesThoseCreatedAtOrAfter() {
    MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    CookieStorage s = CookieStorage.create(null, clock);
    s.setCookie(cookie("old", "1", "www.example.com"));
    clock.advance(Duration.ofSeconds(1));
    Instant since = clock.instant();
    s.setCookie(cookie("exact", "2", "www.example.com"));
    clock.advance(Duration.ofSeconds(1));
    s.setCookie(cookie("new", "3", "www.example.com"));
    s.removeCookies(since);
    assertThat(s.cookies()).extracting(Cookie::name).containsExactly("old");
  }

  @Test
  void removeAllEmptiesTheStorage() {
    CookieStorage s = CookieStorage.inMemory();
    s.setCookie(cookie("a", "1", "www.example.com"));
    s.removeAll();
    assertThat(s.cookies()).isEmpty();
  }

  @Test
  void sortedCookiesUsesTheComparator() {
    CookieStorage s = CookieStorage.inMemory();
    s.setCookie(cookie("b", "1", "www.example.com"));
    s.setCookie(cookie("c", "1", "www.example.com"));
    s.setCookie(cookie("a", "1", "www.example.com"));
    assertThat(s.sortedCookies(Comparator.comparing(Cookie::name)))
        .extracting(Cookie::name).containsExactly("a", "b", "c");
    assertThat(s.sortedCookies(Comparator.comparing(Cookie::name).reversed()))
        .extracting(Cookie::name).containsExactly("c", "b", "a");
  }

  @Test
  void storagesAreIndependentAndSharedIsASingleton() {
    CookieStorage a = CookieStorage.inMemory();
    CookieStorage b = CookieStorage.inMemory();
    a.setCookie(cookie("a", "1", "www.example.com"));
    assertThat(b.cookies()).isEmpty();
    assertThat(CookieStorage.shared()).isSameAs(CookieStorage.shared()).isNotSameAs(a);
  }

  @Test
  void nullArgumentsThrowNamingThem() {
    CookieStorage s = CookieStorage.inMemory();
    assertThatThrownBy(() -> s.setCookie(null)).hasMessageContaining("cookie");
    assertThatThrownBy(() -> s.cookies(null)).hasMessageContaining("url");
    assertThatThrownBy(() -> s.setCookies(List.of(), null, null)).hasMessageContaining("url");
    assertThatThrownBy(() -> s.cookieAcceptPolicy(null)).hasMessageContaining("cookieAcceptPolicy");
    assertThatThrownBy(() -> s.removeCookies(null)).hasMessageContaining("since");
    assertThatThrownBy(() -> CookieStorage.persistent(null)).hasMessageContaining("file");
  }

  // --- accept policies and validation against the URL ---

  @Test
  void cookieAcceptPolicyDefaultsToOnlyFromMainDocumentDomain() {
    assertThat(CookieStorage.inMemory().cookieAcceptPolicy())
        .isEqualTo(CookieAcceptPolicy.ONLY_FROM_MAIN_DOCUMENT_DOMAIN);
  }

  @Test
  void setCookiesWhenPolicyIsAlwaysStoresThirdPartyCookies() {
    CookieStorage s = CookieStorage.inMemory();
    s.cookieAcceptPolicy(CookieAcceptPolicy.ALWAYS);
    URI tracker = URI.create("https://tracker.example.net/pixel");
    s.setCookies(Cookie.cookies(List.of("t=1"), tracker), tracker, URI.create("https://www.example.com/"));
    assertThat(s.cookies(tracker)).hasSize(1);
  }

  @Test
  void setCookiesWhenPolicyIsNeverStoresNothing() {
    CookieStorage s = CookieStorage.inMemory();
    s.cookieAcceptPolicy(CookieAcceptPolicy.NEVER);
    s.setCookies(setCookie("a=1"), HTTPS, null);
    s.setCookies(setCookie("b=1"), HTTPS, HTTPS);
    s.setCookie(cookie("c", "1", "www.example.com"));
    assertThat(s.cookies()).isEmpty();
    s.cookieAcceptPolicy(CookieAcceptPolicy.ALWAYS);
    s.setCookie(cookie("c", "1", "www.example.com"));
    assertThat(s.cookies()).hasSize(1);
  }

  @Test
  void setCookiesWhenPolicyIsOnlyFromMainDocumentDomainStoresCookiesWhoseDomainTheMainHostMatches() {
    CookieStorage s = CookieStorage.inMemory();
    URI api = URI.create("https://api.example.com/v1");
    URI www = URI.create("https://www.example.com/page");
    URI deeper = URI.create("https://cdn.www.example.com/a");
    URI tracker = URI.create("https://tracker.example.net/pixel");
    URI apex = URI.create("https://example.com/");
    URI main = www;
    s.setCookies(Cookie.cookies(List.of("sibling=1", "shared=1; Domain=example.com"), api), api, main);
    s.setCookies(Cookie.cookies(List.of("own=1"), www), www, main);
    s.setCookies(Cookie.cookies(List.of("below=1", "mainDomain=1; Domain=www.example.com"), deeper), deeper, main);
    s.setCookies(Cookie.cookies(List.of("third=1"), tracker), tracker, main);
    s.setCookies(Cookie.cookies(List.of("apex=1"), apex), apex, main);
    assertThat(s.cookies()).extracting(Cookie::name)
        .containsExactlyInAnyOrder("shared", "own", "mainDomain", "apex");
  }

  @Test
  void setCookiesWhenPolicyIsAlwaysStoresSiblingHostCookies() {
    CookieStorage s = CookieStorage.inMemory();
    s.cookieAcceptPolicy(CookieAcceptPolicy.ALWAYS);
    URI api = URI.create("https://api.example.com/v1");
    s.setCookies(Cookie.cookies(List.of("sibling=1"), api), api, URI.create("https://www.example.com/"));
    assertThat(s.cookies()).extracting(Cookie::name).containsExactly("sibling");
  }

  @Test
  void setCookiesWhenMainDocumentIsNullTreatsTheUrlAsTheMainDocument() {
    CookieStorage s = CookieStorage.inMemory();
    URI tracker = URI.create("https://tracker.example.net/pixel");
    s.setCookies(Cookie.cookies(List.of("t=1"), tracker), tracker, null);
    assertThat(s.cookies(tracker)).hasSize(1);
  }

  @Test
  void setCookiesWhenMainDocumentHostIsAPublicSuffixSiblingIsRefused() {
    CookieStorage s = CookieStorage.inMemory();
    URI a = URI.create("https://alice.github.io/");
    s.setCookies(Cookie.cookies(List.of("t=1"), a), a, URI.create("https://mallory.github.io/"));
    assertThat(s.cookies()).isEmpty();
  }

  @Test
  void setCookiesSkipsCookiesNotValidForTheUrlHost() {
    CookieStorage s = CookieStorage.inMemory();
    s.cookieAcceptPolicy(CookieAcceptPolicy.ALWAYS);
    s.setCookies(List.of(
        cookie("otherHost", "1", "other.com"),
        cookie("sibling", "1", "api.example.com"),
        cookie("domain", "1", ".example.com"),
        cookie("host", "1", "www.example.com"),
        cookie("child", "1", ".sub.www.example.com")), HTTPS, null);
    assertThat(s.cookies()).extracting(Cookie::name).containsExactly("domain", "host");
  }

  @Test
  void setCookiesWhenServerSetsPublicSuffixOrIpDomainsStoresAndSendsNone() {
    CookieStorage s = CookieStorage.inMemory();
    s.cookieAcceptPolicy(CookieAcceptPolicy.ALWAYS);
    URI coUk = URI.create("https://www.example.co.uk/");
    s.setCookies(Cookie.cookies(List.of("a=1; Domain=co.UK", "b=1; Domain=CO.uk."), coUk), coUk, null);
    s.setCookies(Cookie.cookies(List.of("c=1; Domain=com."), HTTPS), HTTPS, null);
    URI localhost = URI.create("http://localhost:8080/");
    s.setCookies(Cookie.cookies(List.of("d=1; Domain=127.0.0.1"), localhost), localhost, null);
    assertThat(s.cookies()).isEmpty();
    assertThat(s.cookies(URI.create("https://another.co.uk/"))).isEmpty();
    assertThat(s.cookies(URI.create("https://another.com/"))).isEmpty();
    assertThat(s.cookies(URI.create("http://127.0.0.1/"))).isEmpty();
  }

  @Test
  void setCookiesOverHttpWhenItWouldShadowASecureCookieIsRefused() {
    CookieStorage s = CookieStorage.inMemory();
    s.setCookies(setCookie("sid=good; Secure; Path=/"), HTTPS, null);
    s.setCookies(Cookie.cookies(List.of("sid=evil; Path=/"), HTTP), HTTP, null);
    s.setCookies(Cookie.cookies(List.of("other=ok; Path=/"), HTTP), HTTP, null);
    assertThat(s.cookies(HTTPS)).extracting(Cookie::value).containsExactly("good", "ok");
    s.setCookies(setCookie("sid=replaced; Path=/"), HTTPS, null);
    assertThat(s.cookies(HTTP)).extracting(Cookie::value).containsExactly("replaced", "ok");
  }

  @Test
  void setCookiesWhenASecureCookieComesOverPlainHttpIsRefusedExceptOnLoopback() {
    CookieStorage s = CookieStorage.inMemory();
    Cookie secure = Cookie.builder("s", "1").domain("www.example.com").secure(true).build();
    s.setCookies(List.of(secure), HTTP, null);
    assertThat(s.cookies()).isEmpty();
    s.setCookies(List.of(secure), HTTPS, null);
    assertThat(s.cookies()).hasSize(1);
    URI localhost = URI.create("http://localhost:8080/");
    s.setCookies(List.of(Cookie.builder("s", "1").originUrl(localhost).secure(true).build()), localhost, null);
    assertThat(s.cookies()).hasSize(2);
  }

  // --- limits ---

  @Test
  void setCookieWhenDomainHasMoreThan50EvictsTheLeastRecentlyUsed() {
    CookieStorage s = CookieStorage.inMemory();
    for (int i = 0; i < 50; i++) {
      s.setCookie(Cookie.builder("c" + i, "v").domain("www.example.com").path("/p" + i).build());
    }
    assertThat(s.cookies(URI.create("https://www.example.com/p0"))).extracting(Cookie::name).containsExactly("c0");
    s.setCookie(cookie("new", "v", "api.example.com"));
    List<String> names = s.cookies().stream().map(Cookie::name).toList();
    assertThat(names).hasSize(50).contains("c0", "new").doesNotContain("c1");
    s.setCookie(cookie("elsewhere", "v", "example.org"));
    assertThat(s.cookies()).hasSize(51);
  }

  @Test
  void setCookieWhenMoreThan3000EvictsTheLeastRecentlyUsed() {
    CookieStorage s = CookieStorage.inMemory();
    for (int i = 0; i < 3000; i++) {
      s.setCookie(cookie("c", "v", "host" + i + ".example" + i + ".com"));
    }
    assertThat(s.cookies(URI.create("https://host0.example0.com/"))).hasSize(1);
    s.setCookie(cookie("c", "v", "one-more.example.org"));
    List<String> domains = s.cookies().stream().map(Cookie::domain).toList();
    assertThat(domains).hasSize(3000).contains("host0.example0.com", "one-more.example.org")
        .doesNotContain("host1.example1.com");
  }

  // --- persistence ---

  @Test
  void persistentStorageWhenFlushedIsReadByAnotherInstance() {
    Path file = dir.resolve("cookies");
    Instant expires = Instant.parse("2099-01-02T03:04:05.678Z");
    CookieStorage first = open(file);
    first.setCookie(Cookie.builder("sid", "a\tb %41 \u00e9= ").domain(".example.com").path("/a b")
        .expiresDate(expires).secure(true).httpOnly(true).sameSite("Strict").build());
    first.setCookie(Cookie.builder("plain", "").domain("127.0.0.1").expiresDate(expires).build());
    first.flush();

    CookieStorage second = open(file);
    List<Cookie> cookies = second.cookies();
    assertThat(cookies).extracting(Cookie::name).containsExactly("sid", "plain");
    Cookie sid = cookies.get(0);
    assertThat(sid.value()).isEqualTo("a\tb %41 \u00e9= ");
    assertThat(sid.domain()).isEqualTo(".example.com");
    assertThat(sid.path()).isEqualTo("/a b");
    assertThat(sid.expiresDate()).isEqualTo(expires);
    assertThat(sid.isSecure()).isTrue();
    assertThat(sid.isHttpOnly()).isTrue();
    assertThat(sid.sameSite()).isEqualTo("Strict");
    Cookie plain = cookies.get(1);
    assertThat(plain.value()).isEmpty();
    assertThat(plain.isHostOnly()).isTrue();
    assertThat(plain.sameSite()).isNull();
  }

  @Test
  void persistentStorageKeepsCreationTimesAcrossInstances() {
    Path file = dir.resolve("cookies");
    MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    CookieStorage first = open(file, clock);
    Instant expires = clock.instant().plus(Duration.ofDays(30));
    first.setCookie(Cookie.builder("old", "1").domain("www.example.com").expiresDate(expires).build());
    clock.advance(Duration.ofHours(1));
    Instant since = clock.instant();
    first.setCookie(Cookie.builder("new", "1").domain("www.example.com").expiresDate(expires).build());
    first.flush();

    CookieStorage second = open(file, clock);
    second.removeCookies(since);
    assertThat(second.cookies()).extracting(Cookie::name).containsExactly("old");
  }

  @Test
  void persistentStorageDoesNotWriteSessionCookies() throws Exception {
    Path file = dir.resolve("cookies");
    CookieStorage first = open(file);
    first.setCookie(cookie("session", "secret-session-value", "www.example.com"));
    first.setCookie(persistentCookie("kept", "1", "www.example.com"));
    first.flush();
    assertThat(Files.readString(file)).doesNotContain("secret-session-value");
    assertThat(open(file).cookies()).extracting(Cookie::name).containsExactly("kept");
  }

  @Test
  void persistentStorageDoesNotLoadExpiredCookies() {
    Path file = dir.resolve("cookies");
    MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    CookieStorage first = open(file, clock);
    first.setCookie(Cookie.builder("a", "1").domain("www.example.com").expiresDate(clock.instant().plusSeconds(60)).build());
    first.flush();
    clock.advance(Duration.ofMinutes(2));
    assertThat(open(file, clock).cookies()).isEmpty();
  }

  @Test
  void persistentStorageWritesChangesWithoutFlush() {
    Path file = dir.resolve("sub/dir/cookies");
    CookieStorage first = open(file);
    first.setCookie(persistentCookie("a", "1", "www.example.com"));
    await().atMost(Duration.ofSeconds(10))
        .until(() -> CookieStorage.persistent(file).cookies().size() == 1);
    first.deleteCookie(persistentCookie("a", "1", "www.example.com"));
    await().atMost(Duration.ofSeconds(10))
        .until(() -> CookieStorage.persistent(file).cookies().isEmpty());
  }

  @Test
  void persistentStorageFileIsReadableByTheOwnerOnly() throws Exception {
    Assumptions.assumeTrue(dir.getFileSystem().supportedFileAttributeViews().contains("posix"));
    Path file = dir.resolve("cookies");
    CookieStorage s = open(file);
    s.setCookie(persistentCookie("a", "1", "www.example.com"));
    s.flush();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    try (var files = Files.list(dir)) {
      assertThat(files).containsExactly(file);
    }
  }

  @Test
  void persistentStorageWhenFileIsGarbageStartsEmptyAndWorksAfterwards() throws Exception {
    Path file = dir.resolve("cookies");
    Files.write(file, new byte[] {0, 1, 2, (byte) 0xff, 'x', '\n', '\t'});
    CookieStorage s = open(file);
    assertThat(s.cookies()).isEmpty();
    s.setCookie(persistentCookie("a", "1", "www.example.com"));
    s.flush();
    assertThat(open(file).cookies()).extracting(Cookie::name).containsExactly("a");
  }

  @Test
  void persistentStorageWhenFileIsCorruptLogsAWarning() throws Exception {
    Path file = dir.resolve("cookies");
    Files.writeString(file, "urlsession-cookies 1\nnot a cookie\n");
    PrintStream original = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      assertThat(open(file).cookies()).isEmpty();
    } finally {
      System.setErr(original);
    }
    assertThat(captured.toString(StandardCharsets.UTF_8)).contains("WARN").contains(file.toString());
  }

  @Test
  void persistentStorageWhenFileIsTruncatedStartsEmpty() throws Exception {
    Path file = dir.resolve("cookies");
    CookieStorage first = open(file);
    for (int i = 0; i < 5; i++) {
      first.setCookie(persistentCookie("c" + i, "value" + i, "www.example.com"));
    }
    first.flush();
    byte[] full = Files.readAllBytes(file);
    for (int length : new int[] {0, 10, full.length / 2, full.length - 1}) {
      byte[] truncated = new byte[length];
      System.arraycopy(full, 0, truncated, 0, length);
      Files.write(file, truncated);
      assertThat(open(file).cookies()).as("truncated to %d bytes", length).isEmpty();
    }
    String text = new String(full, StandardCharsets.US_ASCII);
    int lastCookieLine = text.lastIndexOf('\n', text.lastIndexOf('\n', text.length() - 2) - 1) + 1;
    String withoutOneLine = text.substring(0, lastCookieLine) + text.substring(text.indexOf('\n', lastCookieLine) + 1);
    Files.writeString(file, withoutOneLine);
    assertThat(open(file).cookies()).isEmpty();
  }

  @Test
  void persistentStorageWhenAByteIsChangedStartsEmpty() throws Exception {
    Path file = dir.resolve("cookies");
    CookieStorage first = open(file);
    first.setCookie(persistentCookie("a", "value", "www.example.com"));
    first.flush();
    String text = Files.readString(file);
    Files.writeString(file, text.replace("value", "valve"));
    assertThat(open(file).cookies()).isEmpty();
  }

  @Test
  void persistentStorageWhenFileCannotBeReadStartsEmpty() throws Exception {
    Path file = dir.resolve("cookies");
    Files.createDirectories(file);
    CookieStorage s = open(file);
    assertThat(s.cookies()).isEmpty();
    s.setCookie(cookie("a", "1", "www.example.com"));
    assertThat(s.cookies()).hasSize(1);
  }

  @Test
  void escapingKeepsEveryFieldOnOneLine() {
    String nasty = "a\tb\nc\rd%0Ae \u00e9\u20ac\u0000";
    String escaped = CookieStorage.escape(nasty);
    assertThat(escaped).matches("[!-~]*");
    assertThat(CookieStorage.unescape(escaped)).isEqualTo(nasty);
    assertThatThrownBy(() -> CookieStorage.unescape("%4")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> CookieStorage.unescape("%zz")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> CookieStorage.unescape("a b")).isInstanceOf(IllegalArgumentException.class);
  }

  // --- concurrency ---

  @Test
  void concurrentSettingAndReadingRespectsTheLimits() throws Exception {
    CookieStorage s = open(dir.resolve("cookies"));
    s.cookieAcceptPolicy(CookieAcceptPolicy.ALWAYS);
    int threads = 8;
    int perThread = 1000;
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<Integer>> results = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        Callable<Integer> work = () -> {
          start.await(10, TimeUnit.SECONDS);
          int seen = 0;
          for (int i = 0; i < perThread; i++) {
            // every thread writes one shared domain (the per-domain limit) and many others (the total)
            URI url = i % 2 == 0
                ? URI.create("https://www.shared.com/")
                : URI.create("https://h" + i + ".site" + thread + "-" + i + ".com/");
            Instant expires = i % 3 == 0 ? null : Instant.now().plus(Duration.ofDays(1));
            Cookie c = Cookie.builder("t" + thread + "c" + i, "v").originUrl(url).expiresDate(expires).build();
            s.setCookies(List.of(c), url, null);
            seen += s.cookies(url).size();
            if (i % 100 == 0) {
              s.cookies();
              s.sortedCookies(Comparator.comparing(Cookie::name));
            }
            if (i % 250 == 0) {
              s.deleteCookie(c);
            }
          }
          return seen;
        };
        results.add(pool.submit(work));
      }
      start.countDown();
      for (Future<Integer> f : results) {
        assertThat(f.get(30, TimeUnit.SECONDS)).isPositive();
      }
    } finally {
      pool.shutdownNow();
      assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }
    List<Cookie> all = s.cookies();
    assertThat(all).hasSizeLessThanOrEqualTo(CookieStorage.MAX_COOKIES).hasSizeGreaterThan(2000);
    Map<String, Integer> perDomain = new HashMap<>();
    for (Cookie c : all) {
      perDomain.merge(c.domain(), 1, Integer::sum);
    }
    assertThat(perDomain.get("www.shared.com")).isPositive();
    assertThat(perDomain.values()).allMatch(n -> n <= CookieStorage.MAX_COOKIES_PER_DOMAIN);

    s.flush();
    List<Cookie> reloaded = open(dir.resolve("cookies")).cookies();
    assertThat(reloaded).hasSize((int) all.stream().filter(c -> !c.isSessionOnly()).count());
  }
}
