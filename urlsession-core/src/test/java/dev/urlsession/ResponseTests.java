package dev.urlsession;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link Response}: values derived from headers (URLSESSION-BEHAVIOUR.md 8.2) and a
 * {@code suggestedFilename} that is never a path (RELIABILITY.md row 6).
 */
class ResponseTests {
  static final URI URL = URI.create("https://example.org/files/report.pdf");

  static Response withContentType(String contentType) {
    return Response.builder(URL).statusCode(200).header("Content-Type", contentType).build();
  }

  static Response withDisposition(String disposition) {
    return withDisposition(URL, disposition);
  }

  static Response withDisposition(URI url, String disposition) {
    return Response.builder(url).statusCode(200).header("Content-Disposition", disposition).build();
  }

  static void assertSafe(String name) {
    assertThat(name).isNotEmpty();
    assertThat(name).doesNotContain("/", "\\", "..");
    assertThat(name).doesNotStartWith(".");
    assertThat(name.chars().noneMatch(c -> c < 0x20 || c == 0x7f))
        .as("no control characters in %s", name)
        .isTrue();
  }

  @Test
  void reasonPhraseWhenSetIsKeptAndCopiedByToBuilder() {
    Response r = Response.builder(URL).statusCode(500).reasonPhrase("Server Error").build();

    assertThat(r.reasonPhrase()).isEqualTo("Server Error");
    assertThat(r.toBuilder().build().reasonPhrase()).isEqualTo("Server Error");
    assertThat(r.toBuilder().reasonPhrase(null).build().reasonPhrase()).isNull();
    assertThat(Response.builder(URL).statusCode(200).build().reasonPhrase()).isNull();
    assertThat(Response.builder(URL).statusCode(200).reasonPhrase("").build().reasonPhrase()).isEmpty();
    assertThat(Response.builder(URL).statusCode(200).reasonPhrase("d\u00e9j\u00e0\tvu").build().reasonPhrase())
        .isEqualTo("d\u00e9j\u00e0\tvu");
  }

  @ParameterizedTest
  @ValueSource(strings = {"OK\r\nX-Injected: 1", "a\nb", "a\u0000b", "a\u007fb", "\u20ac"})
  void reasonPhraseWhenItHoldsAControlCharacterIsRejected(String phrase) {
    assertThatThrownBy(() -> Response.builder(URL).reasonPhrase(phrase))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("reasonPhrase");
  }

  @Test
  void builderWhenNothingSetHasEmptyDefaults() {
    Response r = Response.builder(URL).build();

    assertThat(r.url()).isEqualTo(URL);
    assertThat(r.statusCode()).isZero();
    assertThat(r.headers().isEmpty()).isTrue();
    assertThat(r.mimeType()).isNull();
    assertThat(r.textEncodingName()).isNull();
    assertThat(r.expectedContentLength()).isEqualTo(-1);
  }

  @Test
  void builderWhenUrlNullIsRejectedNamingUrl() {
    assertThatThrownBy(() -> Response.builder(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("url");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
    "text/html|text/html",
    "Text/HTML|text/html",
    "TEXT/HTML; charset=UTF-8|text/html",
    "application/json;charset=utf-8|application/json",
    " application/XML ; q=1 |application/xml",
    "multipart/form-data; boundary=ABC|multipart/form-data",
  })
  void mimeTypeWhenContentTypeHasCaseAndParametersIsLowerCaseWithoutParameters(
      String contentType, String expected) {
    assertThat(withContentType(contentType).mimeType()).isEqualTo(expected);
  }

  @Test
  void mimeTypeWhenContentTypeHasOnlyParametersIsNull() {
    assertThat(withContentType("; charset=utf-8").mimeType()).isNull();
    assertThat(withContentType("").mimeType()).isNull();
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
    "text/html; charset=UTF-8|utf-8",
    "text/html;charset=utf-8|utf-8",
    "text/html; Charset=ISO-8859-1|iso-8859-1",
    "text/html; CHARSET=\"Shift_JIS\"|shift_jis",
    "text/plain; format=flowed; charset=\"UTF-16LE\"|utf-16le",
    "text/plain ; charset = windows-1252 |windows-1252",
  })
  void textEncodingNameWhenCharsetPresentIsLowerCaseAndUnquoted(String contentType, String expected) {
    assertThat(withContentType(contentType).textEncodingName()).isEqualTo(expected);
  }

  @ParameterizedTest
  @ValueSource(strings = {"text/html", "application/octet-stream; name=x", "text/plain; charset=", "text/plain; charset=\"\""})
  void textEncodingNameWhenNoUsableCharsetIsNull(String contentType) {
    assertThat(withContentType(contentType).textEncodingName()).isNull();
  }

  @Test
  void mimeTypeAndEncodingWhenContentTypeHeaderIsLowerCaseNameAreStillDerived() {
    Response r = Response.builder(URL).header("content-type", "Image/PNG; CharSet=Binary").build();

    assertThat(r.mimeType()).isEqualTo("image/png");
    assertThat(r.textEncodingName()).isEqualTo("binary");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
    "0|0",
    "42|42",
    "9223372036854775807|9223372036854775807",
    "-1|-1",
    "-5|-1",
    "abc|-1",
    "12abc|-1",
    "1.5|-1",
    "1, 1|-1",
    "99999999999999999999|-1",
  })
  void expectedContentLengthWhenHeaderGivenIsParsedOrMinusOne(String contentLength, long expected) {
    Response r = Response.builder(URL).statusCode(200).header("Content-Length", contentLength).build();

    assertThat(r.expectedContentLength()).isEqualTo(expected);
  }

  @Test
  void expectedContentLengthWhenHeaderAbsentIsMinusOne() {
    assertThat(Response.builder(URL).statusCode(200).build().expectedContentLength()).isEqualTo(-1);
  }

  @Test
  void builderWhenValuesSetExplicitlyOverridesHeaders() {
    Response r = Response.builder(URL)
        .statusCode(200)
        .header("Content-Type", "text/html; charset=utf-8")
        .header("Content-Length", "20")
        .mimeType("Application/XML")
        .textEncodingName("ISO-8859-1")
        .expectedContentLength(10)
        .build();

    assertThat(r.mimeType()).isEqualTo("application/xml");
    assertThat(r.textEncodingName()).isEqualTo("iso-8859-1");
    assertThat(r.expectedContentLength()).isEqualTo(10);
    assertThat(r.header("Content-Length")).isEqualTo("20");
  }

  @Test
  void builderWhenValuesSetExplicitlyToUnknownOverridesHeaders() {
    Response r = Response.builder(URL)
        .header("Content-Type", "text/html; charset=utf-8")
        .header("Content-Length", "20")
        .mimeType(null)
        .textEncodingName(null)
        .expectedContentLength(-1)
        .build();

    assertThat(r.mimeType()).isNull();
    assertThat(r.textEncodingName()).isNull();
    assertThat(r.expectedContentLength()).isEqualTo(-1);
  }

  @ParameterizedTest
  @ValueSource(longs = {-2, -100, Long.MIN_VALUE})
  void expectedContentLengthWhenBelowMinusOneIsRejected(long length) {
    assertThatThrownBy(() -> Response.builder(URL).expectedContentLength(length))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("expectedContentLength");
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 100, 101, 200, 204, 304, 404, 500, 599, 999})
  void statusCodeWhenZeroOrThreeDigitsIsAccepted(int status) {
    assertThat(Response.builder(URL).statusCode(status).build().statusCode()).isEqualTo(status);
  }

  @ParameterizedTest
  @ValueSource(ints = {-1, -200, 1, 10, 99, 1000, 1200, Integer.MAX_VALUE, Integer.MIN_VALUE})
  void statusCodeWhenOutOfRangeIsRejected(int status) {
    assertThatThrownBy(() -> Response.builder(URL).statusCode(status))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("statusCode");
  }

  @Test
  void headerWhenNameDiffersInCaseIsFound() {
    Response r = Response.builder(URL).header("X-Custom", "v").build();

    assertThat(r.header("x-custom")).isEqualTo("v");
    assertThat(r.headers().first("X-CUSTOM")).isEqualTo("v");
  }

  @Test
  void headerWhenValueHasCrLfIsRejected() {
    assertThatThrownBy(() -> Response.builder(URL).header("X-A", "a\r\nb"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void toBuilderWhenBuiltAgainKeepsEveryValue() {
    Response original = Response.builder(URL)
        .statusCode(206)
        .header("Content-Type", "text/plain; charset=utf-8")
        .header("Content-Length", "5")
        .header("X-A", "1")
        .build();

    Response copy = original.toBuilder().build();

    assertThat(copy.url()).isEqualTo(URL);
    assertThat(copy.statusCode()).isEqualTo(206);
    assertThat(copy.headers()).isEqualTo(original.headers());
    assertThat(copy.mimeType()).isEqualTo("text/plain");
    assertThat(copy.textEncodingName()).isEqualTo("utf-8");
    assertThat(copy.expectedContentLength()).isEqualTo(5);
  }

  @Test
  void toStringWhenHttpShowsStatusAndUrl() {
    assertThat(Response.builder(URL).statusCode(404).build().toString())
        .isEqualTo("Response{404 https://example.org/files/report.pdf}");
    assertThat(Response.builder(URL).build().toString())
        .isEqualTo("Response{https://example.org/files/report.pdf}");
  }

  // ---- suggestedFilename ----

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
    "attachment; filename=\"quoted name.txt\"|quoted name.txt",
    "attachment; filename=unquoted.txt|unquoted.txt",
    "attachment;filename=nospace.bin|nospace.bin",
    "Attachment; FILENAME=\"upper.txt\"|upper.txt",
    "inline; filename = spaced.txt |spaced.txt",
    "attachment; filename=\"first.txt\"; filename=\"second.txt\"|second.txt",
    "attachment; filename=junk%2F..; filename=last.txt|last.txt",
    "attachment; size=12; filename=\"after-size.txt\"; creation-date=\"x\"|after-size.txt",
  })
  void suggestedFilenameWhenContentDispositionHasFilenameUsesItLastOneWinning(
      String disposition, String expected) {
    String name = withDisposition(disposition).suggestedFilename();

    assertThat(name).isEqualTo(expected);
    assertSafe(name);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
    "attachment; filename=\"../../etc/passwd\"|passwd",
    "attachment; filename=../../etc/passwd|passwd",
    "attachment; filename=..\\..\\x|x",
    "attachment; filename=..\\..\\windows\\system32\\evil.dll|evil.dll",
    "attachment; filename=\"..\\\\..\\\\x\"|x",
    "attachment; filename=\"..\\..\\windows\\system32\\evil.dll\"|evil.dll",
    "attachment; filename=\"/abs/path\"|path",
    "attachment; filename=/etc/shadow|shadow",
    "attachment; filename=C:\\Windows\\evil.exe|evil.exe",
    "attachment; filename=\"C:\\Windows\\evil.exe\"|evil.exe",
    "attachment; filename=\"c:evil.txt\"|c_evil.txt",
    "attachment; filename=\".bashrc\"|bashrc",
    "attachment; filename=\"...hidden\"|hidden",
    "attachment; filename=\"../.ssh/authorized_keys\"|authorized_keys",
    "attachment; filename=\"dir/../../.profile\"|profile",
    "attachment; filename=\"a\tb.txt\"|a_b.txt",
    "attachment; filename=\"x\t../..\t.txt\"|_.txt",
    "attachment; filename=\"what?*<>.txt\"|what____.txt",
  })
  void suggestedFilenameWhenDispositionAttemptsTraversalIsBareSafeName(String disposition, String expected) {
    String name = withDisposition(disposition).suggestedFilename();

    assertThat(name).isEqualTo(expected);
    assertSafe(name);
  }

  @ParameterizedTest
  @ValueSource(strings = {
    "attachment; filename=\"..\"",
    "attachment; filename=..",
    "attachment; filename=\"../..\"",
    "attachment; filename=\"/\"",
    "attachment; filename=\"a/\"",
    "attachment; filename=\"\\\\\"",
    "attachment; filename=\"...\"",
    "attachment; filename=\"\"",
    "attachment; filename=",
    "attachment; filename=\"   \"",
  })
  void suggestedFilenameWhenDispositionLeavesNothingUsableFallsBackToUrl(String disposition) {
    String name = withDisposition(disposition).suggestedFilename();

    assertThat(name).isEqualTo("report.pdf");
  }

  @Test
  void suggestedFilenameWhenDispositionAndUrlUnusableIsUnknown() {
    String name = withDisposition(URI.create("https://example.org/dir/"), "attachment; filename=\"../\"")
        .suggestedFilename();

    assertThat(name).isEqualTo("Unknown");
  }

  @Test
  void suggestedFilenameWhenExtendedFilenameAttemptsTraversalIsBareSafeName() {
    String name = withDisposition("attachment; filename*=UTF-8''..%2F..%2Fetc%2Fpasswd").suggestedFilename();

    assertThat(name).isEqualTo("passwd");
    assertSafe(name);
  }

  @Test
  void suggestedFilenameWhenNameIsVeryLongIsCappedAt255Characters() {
    String longName = "a".repeat(300) + ".txt";

    String name = withDisposition("attachment; filename=\"" + longName + "\"").suggestedFilename();

    assertThat(name).hasSize(255).isEqualTo("a".repeat(251) + ".txt");
  }

  @Test
  void suggestedFilenameWhenNoDispositionUsesUrlLastSegment() {
    assertThat(Response.builder(URL).statusCode(200).build().suggestedFilename()).isEqualTo("report.pdf");
    assertThat(Response.builder(URI.create("https://h/a/b/archive.tar.gz?x=1#f")).build().suggestedFilename())
        .isEqualTo("archive.tar.gz");
  }

  @Test
  void suggestedFilenameWhenDispositionHasNoFilenameUsesUrlLastSegment() {
    assertThat(withDisposition("inline").suggestedFilename()).isEqualTo("report.pdf");
    assertThat(withDisposition("attachment; name=\"field\"").suggestedFilename()).isEqualTo("report.pdf");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
    "http://h/..%2F..%2Fetc%2Fpasswd|passwd",
    "http://h/a/..%5C..%5Cwin.ini|win.ini",
    "http://h/x%0Ay.txt|x_y.txt",
    "http://h/x%00y.txt|x_y.txt",
    "http://h/%2Eenv|env",
    "http://h/dir/%2E%2E%2E%2Fsecret|secret",
  })
  void suggestedFilenameWhenUrlPathHasEncodedTraversalIsBareSafeName(String url, String expected) {
    String name = Response.builder(URI.create(url)).statusCode(200).build().suggestedFilename();

    assertThat(name).isEqualTo(expected);
    assertSafe(name);
  }

  @ParameterizedTest
  @ValueSource(strings = {"https://example.org", "https://example.org/", "https://example.org/dir/",
      "http://h/%2E%2E", "http://h/a/..%2F", "data:,hello", "mailto:someone@example.org"})
  void suggestedFilenameWhenNothingUsableIsUnknown(String url) {
    assertThat(Response.builder(URI.create(url)).build().suggestedFilename()).isEqualTo("Unknown");
  }

  @Test
  void suggestedFilenameWhenQuotedFilenameContainsSemicolonKeepsWholeName() {
    assertThat(withDisposition("attachment; filename=\"a;b.txt\"").suggestedFilename()).isEqualTo("a;b.txt");
  }

  @Test
  void suggestedFilenameWhenExtendedFilenamePresentPrefersItDecoded() {
    String name = withDisposition("attachment; filename=\"fallback.pdf\"; filename*=UTF-8''r%C3%A9sum%C3%A9.pdf")
        .suggestedFilename();

    assertThat(name).isEqualTo("r\u00e9sum\u00e9.pdf");
  }

  @Test
  void suggestedFilenameWhenQuotedFilenameHasEscapedQuoteUnescapesIt() {
    assertThat(withDisposition("attachment; filename=\"say \\\"hi\\\".txt\"").suggestedFilename())
        .isEqualTo("say _hi_.txt");
  }

  @Test
  void suggestedFilenameWhenExtendedFilenameIsMalformedUsesPlainFilename() {
    assertThat(withDisposition("attachment; filename*=UTF-8''bad%zz.txt; filename=plain.txt").suggestedFilename())
        .isEqualTo("plain.txt");
  }

  @Test
  void suggestedFilenameWhenNameHasNoExtensionTakesOneFromMimeType() {
    Response r = Response.builder(URI.create("https://example.org/download"))
        .statusCode(200)
        .header("Content-Type", "application/pdf")
        .build();

    assertThat(r.suggestedFilename()).isEqualTo("download.pdf");
  }
}
