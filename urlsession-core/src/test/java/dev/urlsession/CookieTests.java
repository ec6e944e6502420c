package dev.urlsession;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link Cookie}: RFC 6265 parsing and matching, and the cookie CVEs of RELIABILITY.md row 11. */
@Timeout(30)
class CookieTests {
  private static final URI EXAMPLE = URI.create("https://www.example.com/docs/web/index.html");
  private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

  private static List<Cookie> parse(URI url, String... setCookie) {
    return Cookie.cookies(List.of(setCookie), url, NOW);
  }

  private static Cookie parseOne(URI url, String setCookie) {
    List<Cookie> cookies = parse(url, setCookie);
    assertThat(cookies).as(setCookie).hasSize(1);
    return cookies.get(0);
  }

  // --- name and value ---

  @Test
  void setCookieWhenNameAndValueArePresentIsParsed() {
    Cookie c = parseOne(EXAMPLE, " sid = 31d4d96e407aad42 ");
    assertThat(c.name()).isEqualTo("sid");
    assertThat(c.value()).isEqualTo("31d4d96e407aad42");
    assertThat(c.version()).isZero();
    assertThat(c.isSecure()).isFalse();
    assertThat(c.isHttpOnly()).isFalse();
    assertThat(c.sameSite()).isNull();
    assertThat(c.isSessionOnly()).isTrue();
    assertThat(c.expiresDate()).isNull();
  }

  @Test
  void setCookieWhenValueContainsEqualsKeepsIt() {
    assertThat(parseOne(EXAMPLE, "a=b=c==").value()).isEqualTo("b=c==");
  }

  @Test
  void setCookieWhenValueIsEmptyIsKept() {
    assertThat(parseOne(EXAMPLE, "a=; Path=/").value()).isEmpty();
  }

  @Test
  void setCookieWhenNameOrEqualsIsMissingIsRefused() {
    assertThat(parse(EXAMPLE, "name", "=v", "   =v", ";attr=v", "", "   ")).isEmpty();
  }

  @Test
  void setCookieWhenAnAttributeHasNoNameIgnoresTheAttribute() {
    Cookie c = parseOne(EXAMPLE, "a=b; =x; ; Path=/p");
    assertThat(c.path()).isEqualTo("/p");
  }

  @Test
  void setCookieWhenItHoldsAControlCharacterIsRefused() {
    assertThat(parse(EXAMPLE, "a=b\u0001c", "a=b\nc", "a=b\rc", "a\u007f=b", "a=b\u0000",
        "a=b; Path=/\u0000", "a=b; Domain=example.com\u000b")).isEmpty();
  }

  @Test
  void setCookieWhenItHoldsAHorizontalTabKeepsIt() {
    assertThat(parseOne(EXAMPLE, "a=b\tc").value()).isEqualTo("b\tc");
  }

  @Test
  void setCookieWhenItHoldsACharacterAboveLatin1IsRefused() {
    assertThat(parse(EXAMPLE, "a=\u20ac")).isEmpty();
  }

  @Test
  void setCookieWhenLongerThan4096BytesIsRefused() {
    String exactly = "a=" + "x".repeat(4096 - 2);
    assertThat(parse(EXAMPLE, exactly)).hasSize(1);
    assertThat(parse(EXAMPLE, exactly + "x")).isEmpty();
    assertThat(parse(EXAMPLE, "a=b; Path=/" + "p".repeat(4096))).isEmpty();
  }

  @Test
  void cookiesWhenUrlHasNoHostIsEmpty() {
    assertThat(Cookie.cookies(List.of("a=b"), URI.create("file:/tmp/x"))).isEmpty();
  }

  @Test
  void cookiesWhenArgumentIsNullThrowsNamingIt() {
    assertThatThrownBy(() -> Cookie.cookies((List<String>) null, EXAMPLE))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("setCookieValues");
    assertThatThrownBy(() -> Cookie.cookies(Map.of(), null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("url");
  }

  // --- header maps and folding ---

  @Test
  void cookiesFromHeaderMapWhenFoldedWithCommasSplitsButNotInsideExpires() {
    Map<String, String> fields = Map.of(
        "Content-Type", "text/html",
        "set-cookie", "a=1; Expires=Wed, 01 Jan 2031 12:30:00 GMT; Path=/, b=2; Path=/x,c=3");
    List<Cookie> cookies = Cookie.cookies(fields, EXAMPLE);
    assertThat(cookies).extracting(Cookie::name).containsExactly("a", "b", "c");
    assertThat(cookies.get(0).expiresDate()).isEqualTo(Instant.parse("2031-01-01T12:30:00Z"));
    assertThat(cookies.get(1).path()).isEqualTo("/x");
  }

  @Test
  void cookiesFromHeaderMapWhenValueHoldsACommaKeepsIt() {
    List<Cookie> cookies = Cookie.cookies(Map.of("Set-Cookie", "a=1,2,3; Path=/"), EXAMPLE);
    assertThat(cookies).singleElement().extracting(Cookie::value).isEqualTo("1,2,3");
  }

  @Test
  void cookiesFromHeaderMapMatchesTheFieldNameIgnoringCase() {
    Map<String, String> fields = new LinkedHashMap<>();
    fields.put("Set-Cookie", "a=1");
    fields.put("SET-COOKIE", "b=2");
    fields.put("Set-Cookie2", "c=3");
    assertThat(Cookie.cookies(fields, EXAMPLE)).extracting(Cookie::name).containsExactly("a", "b");
  }

  @Test
  void cookiesFromListDoesNotSplitAtCommas() {
    assertThat(parseOne(EXAMPLE, "a=1, b=2").value()).isEqualTo("1, b=2");
  }

  // --- domain ---

  @Test
  void setCookieWithoutDomainIsHostOnlyForTheResponseHost() {
    Cookie c = parseOne(URI.create("https://WWW.Example.COM/"), "a=b");
    assertThat(c.domain()).isEqualTo("www.example.com");
    assertThat(c.isHostOnly()).isTrue();
    assertThat(c.matches(URI.create("https://www.example.com/"))).isTrue();
    assertThat(c.matches(URI.create("https://sub.www.example.com/"))).isFalse();
    assertThat(c.matches(URI.create("https://example.com/"))).isFalse();
  }

  @Test
  void setCookieWithDomainIsADomainCookieWithALeadingDotInLowerCase() {
    for (String attribute : List.of("Domain=eXample.COM", "domain=.example.com", "DOMAIN=example.com.")) {
      Cookie c = parseOne(EXAMPLE, "a=b; " + attribute);
      assertThat(c.domain()).as(attribute).isEqualTo(".example.com");
      assertThat(c.isHostOnly()).isFalse();
    }
  }

  @Test
  void domainCookieMatchesTheDomainAndSubdomainsButNotLookalikes() {
    Cookie c = parseOne(EXAMPLE, "a=b; Domain=example.com; Path=/");
    assertThat(c.matches(URI.create("https://example.com/"))).isTrue();
    assertThat(c.matches(URI.create("https://a.b.example.com/"))).isTrue();
    assertThat(c.matches(URI.create("https://EXAMPLE.com./"))).isTrue();
    assertThat(c.matches(URI.create("https://superexample.com/"))).isFalse();
    assertThat(c.matches(URI.create("https://example.com.evil.net/"))).isFalse();
  }

  @Test
  void setCookieWhenDomainDoesNotMatchTheHostIsRefused() {
    assertThat(parse(URI.create("http://127.0.0.1/"), "a=b; domain=.swift.org")).isEmpty();
    assertThat(parse(EXAMPLE, "a=b; Domain=other.com", "a=b; Domain=superexample.com",
        "a=b; Domain=sub.www.example.com", "a=b; Domain=ample.com")).isEmpty();
  }

  @Test
  void setCookieWhenDomainAttributeIsEmptyIgnoresIt() {
    Cookie c = parseOne(EXAMPLE, "a=b; Domain=");
    assertThat(c.domain()).isEqualTo("www.example.com");
    assertThat(c.isHostOnly()).isTrue();
  }

  @Test
  void setCookieWhenDomainIsMalformedIsRefused() {
    assertThat(parse(EXAMPLE, "a=b; Domain=..example.com", "a=b; Domain=exa mple.com",
        "a=b; Domain=.", "a=b; Domain=example..com")).isEmpty();
  }

  @Test
  void setCookieWhenDomainIsAPublicSuffixIsRefused() {
    URI coUk = URI.create("https://www.example.co.uk/");
    assertThat(parse(coUk, "a=b; Domain=co.uk", "a=b; Domain=co.UK", "a=b; Domain=CO.UK.",
        "a=b; Domain=.co.uk", "a=b; Domain=uk")).isEmpty();
    assertThat(parse(EXAMPLE, "a=b; Domain=com", "a=b; Domain=com.", "a=b; Domain=COM.",
        "a=b; Domain=.com.")).isEmpty();
    assertThat(parse(URI.create("https://x.github.io/"), "a=b; Domain=github.io")).isEmpty();
    assertThat(parse(URI.create("http://foo.localhost/"), "a=b; Domain=localhost")).isEmpty();
  }

  @Test
  void setCookieWhenTheHostItselfIsAPublicSuffixMakesAHostOnlyCookie() {
    Cookie c = parseOne(URI.create("http://localhost:8080/"), "a=b; Domain=localhost");
    assertThat(c.domain()).isEqualTo("localhost");
    assertThat(c.isHostOnly()).isTrue();
    assertThat(c.matches(URI.create("http://localhost/x"))).isTrue();
    assertThat(c.matches(URI.create("http://foo.localhost/x"))).isFalse();
  }

  @Test
  void setCookieWhenDomainIsAnIpAddressOfAnotherHostIsRefused() {
    assertThat(parse(URI.create("http://localhost/"), "a=b; Domain=127.0.0.1")).isEmpty();
    assertThat(parse(URI.create("http://127.0.0.1/"), "a=b; Domain=0.0.1", "a=b; Domain=127.0.0.2",
        "a=b; Domain=1")).isEmpty();
    assertThat(parse(URI.create("http://[::1]/"), "a=b; Domain=::2")).isEmpty();
  }

  @Test
  void setCookieWhenDomainIsTheResponseIpAddressIsHostOnly() {
    Cookie c = parseOne(URI.create("http://127.0.0.1:9000/"), "a=b; Domain=127.0.0.1");
    assertThat(c.domain()).isEqualTo("127.0.0.1");
    assertThat(c.isHostOnly()).isTrue();
    assertThat(c.matches(URI.create("http://127.0.0.1/"))).isTrue();
    assertThat(parseOne(URI.create("http://[::1]/"), "a=b").domain()).isEqualTo("::1");
  }

  @Test
  void setCookieWhenDomainIsInternationalisedIsConvertedToAscii() {
    URI url = URI.create("https://www.xn--bcher-kva.example/");
    Cookie c = Cookie.cookies(Map.of("Set-Cookie", "a=b; Domain=B\u00fcCHER.example"), url).get(0);
    assertThat(c.domain()).isEqualTo(".xn--bcher-kva.example");
    assertThat(c.matches(url)).isTrue();
  }

  @Test
  void setCookieWhenHostHasATrailingDotUsesTheHostWithoutIt() {
    Cookie c = parseOne(URI.create("https://Example.com./"), "a=b");
    assertThat(c.domain()).isEqualTo("example.com");
    assertThat(c.matches(URI.create("https://example.com/"))).isTrue();
  }

  // --- path ---

  @Test
  void setCookieWithoutPathUsesTheDefaultPathOfTheUrl() {
    assertThat(parseOne(EXAMPLE, "a=b").path()).isEqualTo("/docs/web");
    assertThat(parseOne(URI.create("https://example.com/foo"), "a=b").path()).isEqualTo("/");
    assertThat(parseOne(URI.create("https://example.com/"), "a=b").path()).isEqualTo("/");
    assertThat(parseOne(URI.create("https://example.com"), "a=b").path()).isEqualTo("/");
    assertThat(parseOne(URI.create("https://example.com/a/b/"), "a=b").path()).isEqualTo("/a/b");
  }

  @Test
  void setCookieWhenPathIsEmptyOrRelativeUsesTheDefaultPath() {
    assertThat(parseOne(EXAMPLE, "a=b; Path=").path()).isEqualTo("/docs/web");
    assertThat(parseOne(EXAMPLE, "a=b; Path=relative").path()).isEqualTo("/docs/web");
    assertThat(parseOne(EXAMPLE, "a=b; Path=/x; Path=y").path()).isEqualTo("/docs/web");
    assertThat(parseOne(EXAMPLE, "a=b; Path=/x").path()).isEqualTo("/x");
  }

  @Test
  void pathMatchingFollowsRfc6265() {
    Cookie c = Cookie.builder("a", "b").domain("example.com").path("/foo").build();
    assertThat(c.matches(URI.create("https://example.com/foo"))).isTrue();
    assertThat(c.matches(URI.create("https://example.com/foo/"))).isTrue();
    assertThat(c.matches(URI.create("https://example.com/foo/bar"))).isTrue();
    assertThat(c.matches(URI.create("https://example.com/foo?q=1"))).isTrue();
    assertThat(c.matches(URI.create("https://example.com/foobar"))).isFalse();
    assertThat(c.matches(URI.create("https://example.com/fo"))).isFalse();
    assertThat(c.matches(URI.create("https://example.com/"))).isFalse();
    assertThat(c.matches(URI.create("https://example.com/FOO"))).isFalse();

    Cookie slash = Cookie.builder("a", "b").domain("example.com").path("/foo/").build();
    assertThat(slash.matches(URI.create("https://example.com/foo/bar"))).isTrue();
    assertThat(slash.matches(URI.create("https://example.com/foo"))).isFalse();

    Cookie root = Cookie.builder("a", "b").domain("example.com").build();
    assertThat(root.matches(URI.create("https://example.com"))).isTrue();
    assertThat(root.matches(URI.create("https://example.com/anything/at/all"))).isTrue();
  }

  // --- flags ---

  @Test
  void setCookieWithSecureHttpOnlyAndSameSiteKeepsThem() {
    Cookie c = parseOne(EXAMPLE, "a=b; secure; HTTPONLY; SameSite=strict");
    assertThat(c.isSecure()).isTrue();
    assertThat(c.isHttpOnly()).isTrue();
    assertThat(c.sameSite()).isEqualTo("Strict");
    assertThat(parseOne(EXAMPLE, "a=b; SameSite=LAX").sameSite()).isEqualTo("Lax");
    assertThat(parseOne(EXAMPLE, "a=b; SameSite=None; Secure").sameSite()).isEqualTo("None");
    assertThat(parseOne(EXAMPLE, "a=b; SameSite=bogus").sameSite()).isNull();
  }

  @Test
  void setCookieWhenSecureHasAValueIsStillSecure() {
    assertThat(parseOne(EXAMPLE, "a=b; Secure=1").isSecure()).isTrue();
  }

  @Test
  void secureCookieIsOnlySentOverHttps() {
    Cookie c = parseOne(EXAMPLE, "a=b; Secure; Path=/");
    assertThat(c.matches(URI.create("https://www.example.com/"))).isTrue();
    assertThat(c.matches(URI.create("wss://www.example.com/"))).isTrue();
    assertThat(c.matches(URI.create("http://www.example.com/"))).isFalse();
    assertThat(c.matches(URI.create("ws://www.example.com/"))).isFalse();
    Cookie plain = parseOne(EXAMPLE, "a=b; Path=/");
    assertThat(plain.matches(URI.create("http://www.example.com/"))).isTrue();
  }

  @Test
  void setCookieWhenSecureOverPlainHttpIsRefusedExceptOnLoopback() {
    assertThat(parse(URI.create("http://www.example.com/"), "a=b; Secure")).isEmpty();
    assertThat(parse(URI.create("http://localhost:8080/"), "a=b; Secure")).hasSize(1);
    assertThat(parse(URI.create("http://127.0.0.1:8080/"), "a=b; Secure")).hasSize(1);
  }

  @Test
  void setCookieWhenPrefixRequirementsAreNotMetIsRefused() {
    assertThat(parse(EXAMPLE, "__Secure-a=b", "__secure-a=b; Path=/",
        "__Host-a=b; Path=/", "__Host-a=b; Secure", "__Host-a=b; Secure; Path=/; Domain=example.com",
        "__HOST-a=b; Path=/x; Secure")).isEmpty();
    assertThat(parse(EXAMPLE, "__Secure-a=b; Secure; Domain=example.com", "__Host-a=b; Secure; Path=/"))
        .hasSize(2);
  }

  // --- expiry ---

  @Test
  void setCookieWithMaxAgeExpiresThatManySecondsFromNow() {
    Cookie c = parseOne(EXAMPLE, "a=b; Max-Age=3600");
    assertThat(c.expiresDate()).isEqualTo(NOW.plusSeconds(3600));
    assertThat(c.isSessionOnly()).isFalse();
  }

  @Test
  void setCookieWithMaxAgeZeroOrNegativeIsExpired() {
    for (String maxAge : List.of("0", "-1", "-99999999999999999999")) {
      Cookie c = parseOne(EXAMPLE, "a=b; Max-Age=" + maxAge);
      assertThat(c.expiresDate()).as(maxAge).isNotNull().isBefore(NOW);
      assertThat(c.isExpired(NOW)).isTrue();
      assertThat(c.matches(EXAMPLE)).isFalse();
    }
  }

  @Test
  void setCookieWhenMaxAgeIsHugeIsCapped() {
    Cookie c = parseOne(EXAMPLE, "a=b; Max-Age=99999999999999999999999");
    assertThat(c.expiresDate()).isEqualTo(Instant.parse("9999-12-31T23:59:59Z"));
  }

  @Test
  void setCookieWhenMaxAgeIsInvalidIgnoresIt() {
    assertThat(parseOne(EXAMPLE, "a=b; Max-Age=12a").isSessionOnly()).isTrue();
    assertThat(parseOne(EXAMPLE, "a=b; Max-Age=-").isSessionOnly()).isTrue();
    assertThat(parseOne(EXAMPLE, "a=b; Max-Age=").isSessionOnly()).isTrue();
  }

  @Test
  void setCookieWhenMaxAgeAndExpiresAreBothPresentMaxAgeWins() {
    Instant inAMinute = NOW.plusSeconds(60);
    assertThat(parseOne(EXAMPLE, "a=b; Expires=Wed, 01 Jan 2031 12:30:00 GMT; Max-Age=60").expiresDate())
        .isEqualTo(inAMinute);
    assertThat(parseOne(EXAMPLE, "a=b; Max-Age=60; Expires=Wed, 01 Jan 2031 12:30:00 GMT").expiresDate())
        .isEqualTo(inAMinute);
    assertThat(parseOne(EXAMPLE, "a=b; Max-Age=0; Expires=Wed, 01 Jan 2031 12:30:00 GMT").isExpired(NOW))
        .isTrue();
    assertThat(parseOne(EXAMPLE, "a=b; Max-Age=x; Expires=Wed, 01 Jan 2031 12:30:00 GMT").expiresDate())
        .isEqualTo(Instant.parse("2031-01-01T12:30:00Z"));
  }

  @Test
  void expiresDateParsesTheFormatsOfRfc6265() {
    Instant expected = Instant.parse("2031-01-01T12:30:00Z");
    for (String date : List.of(
        "Wed, 01 Jan 2031 12:30:00 GMT",
        "Wednesday, 01-Jan-31 12:30:00 GMT",
        "Wed, 01-Jan-2031 12:30:00 GMT",
        "Wed Jan  1 12:30:00 2031",
        "Wed Jan 1 12:30:00 2031 GMT",
        "01 JAN 2031 12:30:00",
        "1 January 2031 12:30:00 UTC",
        "2031 Jan 01 12:30:00")) {
      assertThat(Cookie.parseDate(date)).as(date).isEqualTo(expected);
    }
  }

  @Test
  void expiresDateWithTwoDigitYearsUses1970To2069() {
    assertThat(Cookie.parseDate("01 Jan 70 00:00:00")).isEqualTo(Instant.parse("1970-01-01T00:00:00Z"));
    assertThat(Cookie.parseDate("01 Jan 69 00:00:00")).isEqualTo(Instant.parse("2069-01-01T00:00:00Z"));
  }

  @Test
  void expiresDateWhenInvalidIsIgnored() {
    for (String date : List.of("", "tomorrow", "Wed, 30 Feb 2031 12:30:00 GMT",
        "Wed, 01 Jan 2031 24:00:00 GMT", "Wed, 01 Jan 2031 12:60:00 GMT", "Wed, 01 Foo 2031 12:30:00",
        "Wed, 01 Jan 1600 12:30:00", "Wed, 32 Jan 2031 12:30:00", "Wed, 01 Jan 2031")) {
      assertThat(Cookie.parseDate(date)).as(date).isNull();
    }
    assertThat(parseOne(EXAMPLE, "a=b; Expires=tomorrow").isSessionOnly()).isTrue();
  }

  @Test
  void setCookieWithPastExpiresIsExpired() {
    Cookie c = parseOne(EXAMPLE, "a=b; Expires=Thu, 01 Jan 1970 00:00:00 GMT");
    assertThat(c.isExpired(NOW)).isTrue();
    assertThat(c.matches(EXAMPLE)).isFalse();
  }

  // --- request header fields ---

  @Test
  void requestHeaderFieldsJoinsNameValuePairs() {
    List<Cookie> cookies = parse(EXAMPLE, "a=1", "b=2; Path=/; Secure");
    assertThat(Cookie.requestHeaderFields(cookies)).containsExactly(Map.entry("Cookie", "a=1; b=2"));
  }

  @Test
  void requestHeaderFieldsWhenEmptyIsAnEmptyMap() {
    assertThat(Cookie.requestHeaderFields(List.of())).isEmpty();
  }

  @Test
  void requestHeaderFieldsIsAValidHeaderValue() {
    Map<String, String> fields = Cookie.requestHeaderFields(parse(EXAMPLE, "a=x\ty", "b=\u00e9"));
    assertThat(Headers.of(fields).first("Cookie")).isEqualTo("a=x\ty; b=\u00e9");
  }

  // --- builder ---

  @Test
  void builderWhenDomainHasNoLeadingDotMakesAHostOnlyCookie() {
    Cookie c = Cookie.builder("a", "b").domain("Swift.ORG.").build();
    assertThat(c.domain()).isEqualTo("swift.org");
    assertThat(c.isHostOnly()).isTrue();
    assertThat(c.matches(URI.create("https://swift.org/"))).isTrue();
    assertThat(c.matches(URI.create("https://www.swift.org/"))).isFalse();
  }

  @Test
  void builderWhenDomainHasALeadingDotMakesADomainCookie() {
    Cookie c = Cookie.builder("a", "b").domain(".Swift.ORG").build();
    assertThat(c.domain()).isEqualTo(".swift.org");
    assertThat(c.isHostOnly()).isFalse();
    assertThat(c.matches(URI.create("https://swift.org/"))).isTrue();
    assertThat(c.matches(URI.create("https://www.swift.org/"))).isTrue();
    assertThat(c.matches(URI.create("https://superswift.org/"))).isFalse();
  }

  @Test
  void builderWithOriginUrlIsHostOnlyForItsHost() {
    Cookie c = Cookie.builder("a", "b").originUrl(URI.create("https://API.example.com:8443/x")).build();
    assertThat(c.domain()).isEqualTo("api.example.com");
    assertThat(c.path()).isEqualTo("/");
    Cookie withDomain = Cookie.builder("a", "b").originUrl(URI.create("https://api.example.com/"))
        .domain(".example.com").build();
    assertThat(withDomain.domain()).isEqualTo(".example.com");
  }

  @Test
  void builderKeepsEveryAttribute() {
    Instant expires = Instant.parse("2030-05-06T07:08:09Z");
    Cookie c = Cookie.builder("a", "b").domain("example.com").path("/p").expiresDate(expires)
        .secure(true).httpOnly(true).sameSite("Lax").build();
    assertThat(c.path()).isEqualTo("/p");
    assertThat(c.expiresDate()).isEqualTo(expires);
    assertThat(c.isSessionOnly()).isFalse();
    assertThat(c.isSecure()).isTrue();
    assertThat(c.isHttpOnly()).isTrue();
    assertThat(c.sameSite()).isEqualTo("Lax");
  }

  @Test
  void builderWithoutDomainOrOriginUrlThrows() {
    assertThatThrownBy(() -> Cookie.builder("a", "b").build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("domain");
  }

  @Test
  void builderWhenDomainIsAPublicSuffixOrAnIpDomainThrows() {
    assertThatThrownBy(() -> Cookie.builder("a", "b").domain(".co.UK."))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("public suffix");
    assertThatThrownBy(() -> Cookie.builder("a", "b").domain(".com"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("public suffix");
    assertThatThrownBy(() -> Cookie.builder("a", "b").domain(".127.0.0.1"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("IP address");
    assertThat(Cookie.builder("a", "b").domain("localhost").build().domain()).isEqualTo("localhost");
    assertThat(Cookie.builder("a", "b").domain("127.0.0.1").build().domain()).isEqualTo("127.0.0.1");
  }

  @Test
  void builderWhenArgumentsAreInvalidThrowsNamingTheOption() {
    assertThatThrownBy(() -> Cookie.builder("", "b")).hasMessageContaining("cookie name");
    assertThatThrownBy(() -> Cookie.builder("a=b", "c")).hasMessageContaining("cookie name");
    assertThatThrownBy(() -> Cookie.builder(" a", "c")).hasMessageContaining("cookie name");
    assertThatThrownBy(() -> Cookie.builder("a;", "c")).hasMessageContaining("cookie name");
    assertThatThrownBy(() -> Cookie.builder("a", "b\r\nSet-Cookie: x=y")).hasMessageContaining("cookie value");
    assertThatThrownBy(() -> Cookie.builder("a", "b;c")).hasMessageContaining("cookie value");
    assertThatThrownBy(() -> Cookie.builder("a", "\u20ac")).hasMessageContaining("cookie value");
    assertThatThrownBy(() -> Cookie.builder("a", null)).hasMessageContaining("cookie value");
    assertThatThrownBy(() -> Cookie.builder("a", "b").path("x")).hasMessageContaining("cookie path");
    assertThatThrownBy(() -> Cookie.builder("a", "b").path("/\n")).hasMessageContaining("cookie path");
    assertThatThrownBy(() -> Cookie.builder("a", "b").domain("exa mple.com")).hasMessageContaining("cookie domain");
    assertThatThrownBy(() -> Cookie.builder("a", "b").domain(".")).hasMessageContaining("cookie domain");
    assertThatThrownBy(() -> Cookie.builder("a", "b").originUrl(URI.create("file:/x")))
        .hasMessageContaining("cookie originUrl");
    assertThatThrownBy(() -> Cookie.builder("a", "b").sameSite("")).hasMessageContaining("cookie sameSite");
  }

  @Test
  void builderWhenLargerThan4096BytesThrows() {
    String big = "x".repeat(4096);
    assertThatThrownBy(() -> Cookie.builder("a", big).domain("example.com").build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("4096");
  }

  @Test
  void builderWhenExpiresDateIsNullMakesASessionCookie() {
    Cookie c = Cookie.builder("a", "b").domain("example.com").expiresDate(NOW).expiresDate(null).build();
    assertThat(c.isSessionOnly()).isTrue();
  }

  // --- identity ---

  @Test
  void equalityIsByNameDomainAndPath() {
    Cookie a = Cookie.builder("a", "1").domain("example.com").path("/").build();
    Cookie sameKey = Cookie.builder("a", "2").domain("EXAMPLE.com").secure(true)
        .expiresDate(NOW.plus(1, ChronoUnit.DAYS)).build();
    assertThat(a).isEqualTo(sameKey).hasSameHashCodeAs(sameKey);
    assertThat(a).isNotEqualTo(Cookie.builder("A", "1").domain("example.com").build());
    assertThat(a).isNotEqualTo(Cookie.builder("a", "1").domain(".example.com").build());
    assertThat(a).isNotEqualTo(Cookie.builder("a", "1").domain("example.com").path("/x").build());
  }

  @Test
  void toStringDoesNotRevealTheValue() {
    Cookie c = Cookie.builder("sid", "s3cr3t").domain("example.com").secure(true).build();
    assertThat(c.toString()).contains("sid", "example.com").doesNotContain("s3cr3t");
  }

  @Test
  void matchesWhenExpiredIsFalse() {
    Cookie c = Cookie.builder("a", "b").domain("example.com").expiresDate(Instant.now().minusSeconds(1)).build();
    assertThat(c.matches(URI.create("https://example.com/"))).isFalse();
  }
}
