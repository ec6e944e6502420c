package dev.urlsession;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link Request}: defaults, method normalisation, header rules and injection defences
 * (URLSESSION-BEHAVIOUR.md 8.2, RELIABILITY.md rows 3 and 4).
 */
class RequestTests {
  static final URI URL = URI.create("https://example.org/a?b=c");

  @Test
  void getWhenBuiltWithDefaultsHasAppleDefaults() {
    Request r = Request.get(URL);

    assertThat(r.url()).isEqualTo(URL);
    assertThat(r.method()).isEqualTo("GET");
    assertThat(r.headers().isEmpty()).isTrue();
    assertThat(r.headers()).isEqualTo(Headers.empty());
    assertThat(r.body()).isNull();
    assertThat(r.bodyLength()).isEqualTo(-1);
    assertThat(r.timeoutInterval()).isEqualTo(Duration.ofSeconds(60));
    assertThat(Request.DEFAULT_TIMEOUT_INTERVAL).isEqualTo(Duration.ofSeconds(60));
    assertThat(r.isTimeoutIntervalSet()).isFalse();
    assertThat(r.cachePolicy()).isEqualTo(CachePolicy.USE_PROTOCOL_CACHE_POLICY);
    assertThat(r.shouldHandleCookies()).isTrue();
    assertThat(r.mainDocumentUrl()).isNull();
    assertThat(r.properties()).isEmpty();
  }

  @Test
  void builderWhenNothingSetEqualsGetShorthand() {
    Request r = Request.builder(URL).build();

    assertThat(r.method()).isEqualTo("GET");
    assertThat(r.headers().isEmpty()).isTrue();
    assertThat(r.body()).isNull();
    assertThat(r.isTimeoutIntervalSet()).isFalse();
    assertThat(r.toString()).isEqualTo("Request{GET https://example.org/a?b=c}");
  }

  @ParameterizedTest
  @CsvSource({
    "get, GET",
    "Get, GET",
    "gEt, GET",
    "GET, GET",
    "post, POST",
    "Post, POST",
    "delete, DELETE",
    "head, HEAD",
    "put, PUT",
    "connect, CONNECT",
    "patch, patch",
    "Patch, Patch",
    "PATCH, PATCH",
    "options, options",
    "trace, trace",
    "foo, foo",
    "PROPFIND, PROPFIND",
  })
  void methodWhenSetIsNormalisedOnlyForAppleMethods(String given, String expected) {
    assertThat(Request.builder(URL).method(given).build().method()).isEqualTo(expected);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " ", "GET ", " GET", "G ET", "GET\r\n", "GET\r\nX-Injected: 1", "GET\n",
      "GE\u0000T", "GET\t", "GET/1", "GET(", "M\u00e9thode"})
  void methodWhenNotATokenIsRejected(String method) {
    assertThatThrownBy(() -> Request.builder(URL).method(method))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("method");
  }

  @Test
  void methodWhenNullIsRejected() {
    assertThatThrownBy(() -> Request.builder(URL).method(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("method");
  }

  @Test
  void headerWhenSetTwiceInOtherCaseReplacesKeepingFirstSpelling() {
    Request r = Request.builder(URL)
        .header("Accept", "text/html")
        .header("ACCEPT", "application/json")
        .build();

    assertThat(r.headers().names()).containsExactly("Accept");
    assertThat(r.headers().all("accept")).containsExactly("application/json");
    assertThat(r.header("aCcept")).isEqualTo("application/json");
  }

  @Test
  void addHeaderWhenCalledTwiceAppendsValues() {
    Request r = Request.builder(URL)
        .addHeader("Accept", "application/xml")
        .addHeader("accept", "text/html")
        .build();

    assertThat(r.headers().all("ACCEPT")).containsExactly("application/xml", "text/html");
    assertThat(r.headers().names()).containsExactly("Accept");
    assertThat(r.headers().toMap()).containsExactly(Map.entry("Accept", "application/xml, text/html"));
  }

  @Test
  void headerWhenSetAfterAddHeaderReplacesAllValues() {
    Request r = Request.builder(URL)
        .addHeader("X-A", "1")
        .addHeader("X-B", "b")
        .addHeader("x-a", "2")
        .header("X-a", "3")
        .build();

    assertThat(r.headers().all("x-a")).containsExactly("3");
    assertThat(r.headers().names()).containsExactly("X-A", "X-B");
  }

  @Test
  void removeHeaderWhenNameDiffersInCaseRemovesIt() {
    Request r = Request.builder(URL).header("X-A", "1").addHeader("x-a", "2").removeHeader("X-a").build();

    assertThat(r.headers().isEmpty()).isTrue();
  }

  @Test
  void headersWhenGivenReplaceEveryExistingHeader() {
    Headers replacement = Headers.builder().add("X-New", "1").add("x-new", "2").build();

    Request r = Request.builder(URL).header("X-Old", "o").headers(replacement).build();

    assertThat(r.headers()).isEqualTo(replacement);
    assertThat(r.header("X-Old")).isNull();
  }

  @ParameterizedTest
  @ValueSource(strings = {"Content-Length", "content-length", "CONTENT-LENGTH", "Transfer-Encoding",
      "transfer-ENCODING", "Host", "HOST", "host", "Connection", "connection", "Keep-Alive", "keep-alive",
      "Proxy-Connection", "PROXY-CONNECTION", "TE", "te", "Te", "Trailer", "trailer", "Upgrade", "UPGRADE",
      "Expect", "expect", "Proxy-Authorization", "proxy-authorization", "Proxy-Authenticate",
      "Proxy-Anything", "WWW-Authenticate"})
  void headerWhenReservedIsIgnoredInEverySetter(String name) {
    Headers headers = Headers.builder().add("Accept", "*/*").add(name, "1").build();

    Request r = Request.builder(URL).header(name, "1").addHeader(name, "2").header("X-Kept", "k").build();
    Request replaced = Request.builder(URL).headers(headers).build();

    assertThat(r.headers().names()).containsExactly("X-Kept");
    assertThat(r.header(name)).isNull();
    assertThat(replaced.headers().names()).containsExactly("Accept");
  }

  @ParameterizedTest
  @ValueSource(strings = {"Content-Length", "Host", "Transfer-Encoding", "Proxy-Authorization"})
  void headerWhenReservedHasCrLfOrNulInItsValueIsStillRejected(String name) {
    assertThatThrownBy(() -> Request.builder(URL).header(name, "1\r\nX-Injected: evil"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(name);
    assertThatThrownBy(() -> Request.builder(URL).addHeader(name, "1\u0000"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(name);
    assertThatThrownBy(() -> Request.builder(URL).header("Bad Name", "1"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void headersWhenReservedNameGivenKeepsTheOthers() {
    Request.Builder b = Request.builder(URL).header("X-Drop", "1");
    Headers mixed = Headers.builder().add("X-Other", "2").add("Host", "evil").add("x-other", "3").build();

    Request r = b.headers(mixed).build();

    assertThat(r.headers().names()).containsExactly("X-Other");
    assertThat(r.headers().all("X-Other")).containsExactly("2", "3");
  }

  @ParameterizedTest
  @ValueSource(strings = {"a\rb", "a\nb", "a\r\nb", "a\u0000b", "ok\r\nX-Injected: evil", "\r\n\r\nGET / HTTP/1.1",
      "folded\r\n value", "a\u007fb", "a\u000bb", "a\u000cb"})
  void headerWhenValueHasCrLfNulOrControlIsRejected(String value) {
    assertThatThrownBy(() -> Request.builder(URL).header("X-Test", value))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("X-Test");
    assertThatThrownBy(() -> Request.builder(URL).addHeader("X-Test", value))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("X-Test");
  }

  @ParameterizedTest
  @ValueSource(strings = {"X Test", "X:Test", "X-Test:", "X\r\nInjected", "", "X\u0000"})
  void headerWhenNameIsNotATokenIsRejected(String name) {
    assertThatThrownBy(() -> Request.builder(URL).header(name, "v"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Request.builder(URL).addHeader(name, "v"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void headerWhenNameOrValueNullIsRejected() {
    assertThatThrownBy(() -> Request.builder(URL).header(null, "v"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Request.builder(URL).header("X-A", null))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Request.builder(URL).addHeader("X-A", null))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Request.builder(URL).headers(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("headers");
  }

  @ParameterizedTest
  @ValueSource(strings = {"/relative/path", "relative", "//example.org/no-scheme", "?q=1", ""})
  void urlWhenRelativeIsRejectedNamingUrl(String url) {
    URI relative = URI.create(url);

    assertThatThrownBy(() -> Request.builder(relative))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("url");
    assertThatThrownBy(() -> Request.get(relative))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("url");
    assertThatThrownBy(() -> Request.builder(URL).url(relative))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("url");
  }

  @Test
  void urlWhenNullIsRejectedNamingUrl() {
    assertThatThrownBy(() -> Request.builder(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("url");
    assertThatThrownBy(() -> Request.get(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("url");
    assertThatThrownBy(() -> Request.builder(URL).url(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("url");
  }

  @Test
  void urlWhenChangedOnBuilderIsUsed() {
    URI other = URI.create("http://localhost:8080/x");

    assertThat(Request.builder(URL).url(other).build().url()).isEqualTo(other);
  }

  @Test
  void bodyWhenInputArrayChangedAfterSetIsUnaffected() {
    byte[] input = {1, 2, 3};
    Request.Builder b = Request.builder(URL).method("POST").body(input);

    input[0] = 99;
    Request r = b.build();

    assertThat(r.body()).containsExactly(1, 2, 3);
    assertThat(r.bodyLength()).isEqualTo(3);
  }

  @Test
  void bodyWhenReturnedArrayChangedRequestIsUnaffected() {
    Request r = Request.builder(URL).method("POST").body(new byte[] {1, 2, 3}).build();

    byte[] out = r.body();
    out[0] = 99;

    assertThat(r.body()).containsExactly(1, 2, 3);
    assertThat(r.body()).isNotSameAs(r.body());
  }

  @Test
  void bodyWhenEmptyIsTreatedAsNone() {
    Request r = Request.builder(URL).method("POST").body(new byte[0]).build();

    assertThat(r.body()).isNull();
    assertThat(r.bodyLength()).isEqualTo(-1);
  }

  @Test
  void bodyWhenSetToNullRemovesIt() {
    Request r = Request.builder(URL).body(new byte[] {1}).body(null).build();

    assertThat(r.body()).isNull();
    assertThat(r.bodyLength()).isEqualTo(-1);
  }

  @ParameterizedTest
  @ValueSource(longs = {0, -1, -60_000})
  void timeoutIntervalWhenNotPositiveIsRejectedNamingIt(long millis) {
    assertThatThrownBy(() -> Request.builder(URL).timeoutInterval(Duration.ofMillis(millis)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("timeoutInterval");
  }

  @Test
  void timeoutIntervalWhenNullIsRejectedNamingIt() {
    assertThatThrownBy(() -> Request.builder(URL).timeoutInterval(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("timeoutInterval");
  }

  @Test
  void timeoutIntervalWhenSetToDefaultValueIsMarkedSet() {
    Request r = Request.builder(URL).timeoutInterval(Duration.ofSeconds(60)).build();

    assertThat(r.timeoutInterval()).isEqualTo(Duration.ofSeconds(60));
    assertThat(r.isTimeoutIntervalSet()).isTrue();
  }

  @Test
  void timeoutIntervalWhenRejectedLeavesPreviousValue() {
    Request.Builder b = Request.builder(URL).timeoutInterval(Duration.ofSeconds(5));

    assertThatThrownBy(() -> b.timeoutInterval(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);

    assertThat(b.build().timeoutInterval()).isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void cachePolicyWhenNullIsRejectedNamingIt() {
    assertThatThrownBy(() -> Request.builder(URL).cachePolicy(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cachePolicy");
  }

  @Test
  void toBuilderWhenBuiltAgainKeepsEveryField() {
    URI mainDocument = URI.create("https://example.org/");
    Object marker = new Object();
    Request original = Request.builder(URL)
        .method("PATCH")
        .header("Accept", "application/json")
        .addHeader("X-Multi", "1")
        .addHeader("x-multi", "2")
        .body(new byte[] {4, 5, 6})
        .timeoutInterval(Duration.ofSeconds(7))
        .cachePolicy(CachePolicy.RETURN_CACHE_DATA_DONT_LOAD)
        .shouldHandleCookies(false)
        .mainDocumentUrl(mainDocument)
        .property("handled", marker)
        .property("count", 3)
        .build();

    Request copy = original.toBuilder().build();

    assertThat(copy).isNotSameAs(original);
    assertThat(copy.url()).isEqualTo(URL);
    assertThat(copy.method()).isEqualTo("PATCH");
    assertThat(copy.headers()).isEqualTo(original.headers());
    assertThat(copy.headers().all("X-MULTI")).containsExactly("1", "2");
    assertThat(copy.body()).containsExactly(4, 5, 6);
    assertThat(copy.timeoutInterval()).isEqualTo(Duration.ofSeconds(7));
    assertThat(copy.isTimeoutIntervalSet()).isTrue();
    assertThat(copy.cachePolicy()).isEqualTo(CachePolicy.RETURN_CACHE_DATA_DONT_LOAD);
    assertThat(copy.shouldHandleCookies()).isFalse();
    assertThat(copy.mainDocumentUrl()).isEqualTo(mainDocument);
    assertThat(copy.property("handled")).isSameAs(marker);
    assertThat(copy.properties()).containsExactly(Map.entry("handled", marker), Map.entry("count", 3));
  }

  @Test
  void toBuilderWhenTimeoutNeverSetKeepsItUnset() {
    Request copy = Request.get(URL).toBuilder().build();

    assertThat(copy.isTimeoutIntervalSet()).isFalse();
    assertThat(copy.timeoutInterval()).isEqualTo(Duration.ofSeconds(60));
  }

  @Test
  void toBuilderWhenChangedLeavesOriginalUnchanged() {
    Request original = Request.builder(URL).header("X-A", "1").body(new byte[] {1}).property("p", "v").build();

    Request changed = original.toBuilder()
        .method("POST")
        .header("X-A", "2")
        .addHeader("X-B", "3")
        .body(new byte[] {2})
        .property("p", null)
        .build();

    assertThat(original.method()).isEqualTo("GET");
    assertThat(original.headers().all("X-A")).containsExactly("1");
    assertThat(original.header("X-B")).isNull();
    assertThat(original.body()).containsExactly(1);
    assertThat(original.property("p")).isEqualTo("v");
    assertThat(changed.method()).isEqualTo("POST");
    assertThat(changed.headers().all("X-A")).containsExactly("2");
    assertThat(changed.body()).containsExactly(2);
    assertThat(changed.property("p")).isNull();
  }

  @Test
  void builderWhenChangedAfterBuildDoesNotAffectBuiltRequest() {
    Request.Builder b = Request.builder(URL).header("X-A", "1");
    Request built = b.build();

    b.header("X-A", "2").addHeader("X-B", "b").method("POST").property("k", "v");

    assertThat(built.headers().all("X-A")).containsExactly("1");
    assertThat(built.header("X-B")).isNull();
    assertThat(built.method()).isEqualTo("GET");
    assertThat(built.properties()).isEmpty();
  }

  @Test
  void propertyWhenSetIsReadableAndWhenSetToNullIsRemoved() {
    Request set = Request.builder(URL).property("a", "1").property("b", 2).build();
    Request removed = set.toBuilder().property("a", null).build();

    assertThat(set.property("a")).isEqualTo("1");
    assertThat(set.property("b")).isEqualTo(2);
    assertThat(set.property("missing")).isNull();
    assertThat(removed.property("a")).isNull();
    assertThat(removed.properties()).containsExactly(Map.entry("b", 2));
  }

  @Test
  void propertiesWhenModifiedThrowUnsupportedOperation() {
    Request withProps = Request.builder(URL).property("a", "1").build();
    Request without = Request.get(URL);

    assertThatThrownBy(() -> withProps.properties().put("x", "y"))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> without.properties().put("x", "y"))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void propertyWhenKeyNullIsRejected() {
    assertThatThrownBy(() -> Request.builder(URL).property(null, "v"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("property key");
  }

  @Test
  void bodyAndBodyStreamReplaceEachOther() {
    java.util.function.Supplier<java.io.InputStream> stream = () -> new java.io.ByteArrayInputStream(new byte[1]);

    Request streamed = Request.builder(URL).body(new byte[] {1, 2}).bodyStream(stream).build();
    assertThat(streamed.bodyStream()).isSameAs(stream);
    assertThat(streamed.body()).isNull();
    assertThat(streamed.bodyLength()).isEqualTo(-1);

    Request bytes = streamed.toBuilder().body(new byte[] {3}).build();
    assertThat(bytes.bodyStream()).isNull();
    assertThat(bytes.body()).containsExactly(3);

    assertThat(streamed.toBuilder().body(null).build().bodyStream()).isNull();
    assertThat(streamed.toBuilder().build().bodyStream()).isSameAs(stream);
  }

  @ParameterizedTest
  @CsvSource({"Content-Length, 1234, 1234", "content-length, ' 0 ', 0", "Content-Length, -1, -1",
      "Content-Length, 12a, -1", "Content-Length, 99999999999999999999, -1"})
  void contentLengthIsDeclaredNeverAHeader(String name, String value, long declared) {
    Request r = Request.builder(URL).header(name, value).build();

    assertThat(r.declaredContentLength()).isEqualTo(declared);
    assertThat(r.headers().contains("Content-Length")).isFalse();
  }

  @Test
  void contentLengthWhenRemovedOrHeadersReplacedIsForgotten() {
    Request.Builder b = Request.builder(URL).addHeader("Content-Length", "10");
    assertThat(b.build().declaredContentLength()).isEqualTo(10);
    assertThat(b.removeHeader("content-length").build().declaredContentLength()).isEqualTo(-1);
    b.header("Content-Length", "10");
    assertThat(b.headers(Headers.of(Map.of("Accept", "*/*"))).build().declaredContentLength()).isEqualTo(-1);
    assertThat(b.headers(Headers.of(Map.of("Content-Length", "7"))).build().declaredContentLength()).isEqualTo(7);
    assertThat(Request.get(URL).declaredContentLength()).isEqualTo(-1);
  }
}
