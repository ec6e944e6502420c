package dev.urlsession;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.code_intelligence.jazzer.mutation.annotation.NotNull;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.CRC32;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fuzzing (Jazzer, issue 18) of the parsers of outside input in the public package: Set-Cookie
 * fields, the cookie file, Content-Range, resume data and the suggested file name of a response.
 * Each target accepts any input and may fail only with the exception its parser documents, and
 * checks the guarantees a hostile input must not break (a cookie only for its own host, a safe
 * file name). Findings are kept under {@code src/test/resources/dev/urlsession/
 * ParsersFuzzTestsInputs/<method>/} and replayed by every build; fuzzing for longer: SECURITY.md,
 * "Fuzzing". The internal parsers: {@link dev.urlsession.internal.InternalParsersFuzzTests}.
 */
class ParsersFuzzTests {
  static final String[] HOSTS = {"https://www.example.co.uk/a/b", "http://127.0.0.1:8080/x", "http://localhost/",
      "https://sub.example.org/", "https://example.com/p?q", "http://[::1]/"};
  static final List<String> PUBLIC_SUFFIXES = List.of("com", "org", "uk", "co.uk", "example.co.uk.", "");
  @TempDir static Path dir;

  /**
   * Set-Cookie fields, one per field and folded with commas: invalid cookies are skipped, and a
   * cookie that is kept is for the response's own host (or a domain above it that is no public
   * suffix), Secure only from https or loopback.
   */
  @FuzzTest
  void setCookie(FuzzedDataProvider data) {
    URI url = URI.create(data.pickValue(HOSTS));
    String field = data.consumeString(5000);
    String folded = data.consumeRemainingAsString();
    check(Cookie.cookies(List.of(field), url), url);
    check(Cookie.cookies(Map.of("Set-Cookie", folded), url), url);
  }

  private static void check(List<Cookie> cookies, URI url) {
    String host = url.getHost().toLowerCase(Locale.ROOT);
    if (host.startsWith("[")) {
      host = host.substring(1, host.length() - 1);
    }
    for (Cookie c : cookies) {
      String domain = c.domain().startsWith(".") ? c.domain().substring(1) : c.domain();
      assertThat(domain).as(c.toString()).isEqualTo(domain.toLowerCase(Locale.ROOT)).doesNotEndWith(".");
      assertThat(host.equals(domain) || host.endsWith("." + domain)).as("%s kept for %s", c, host).isTrue();
      assertThat(PUBLIC_SUFFIXES).as(c.toString()).doesNotContain(domain);
      if (c.isSecure()) {
        assertThat(url.getScheme().equals("https") || host.equals("127.0.0.1") || host.equals("localhost")
            || host.equals("::1")).as("%s from %s", c, url).isTrue();
      }
      for (char ch : (c.name() + c.value()).toCharArray()) {
        assertThat(ch < 0x20 && ch != '\t' || ch == 0x7f || ch > 0xff).as("control char in %s", c).isFalse();
      }
    }
  }

  /**
   * A cookie file: read as far as it is intact, else ignored; never thrown. Half the inputs are
   * framed with a valid header, count and checksum, so the rows themselves are reached.
   */
  @FuzzTest
  void cookieFile(FuzzedDataProvider data) throws IOException {
    boolean framed = data.consumeBoolean();
    byte[] bytes = framed ? frameCookieRows(data.consumeRemainingAsString()) : data.consumeRemainingAsBytes();
    Path file = dir.resolve("cookies");
    Files.write(file, bytes);
    try {
      CookieStorage storage = CookieStorage.create(file, Clock.fixed(Instant.ofEpochSecond(1_800_000_000L),
          ZoneOffset.UTC));
      for (Cookie c : storage.cookies()) {
        assertThat(c.domain()).isNotNull();
      }
    } finally {
      Files.deleteIfExists(file);
    }
  }

  /** A cookie file's text as {@code CookieStorage} writes it, around {@code rows}. */
  static byte[] frameCookieRows(String rows) {
    String text = rows.endsWith("\n") || rows.isEmpty() ? rows : rows + "\n";
    String body = "urlsession-cookies 1\n" + text;
    long count = text.isEmpty() ? 0 : text.chars().filter(ch -> ch == '\n').count();
    CRC32 crc = new CRC32();
    crc.update(body.getBytes(StandardCharsets.US_ASCII));
    return (body + "end " + count + " " + String.format("%08x", crc.getValue()) + "\n")
        .getBytes(StandardCharsets.ISO_8859_1);
  }

  /**
   * A 206's Content-Range against the offset asked for and the length recorded: the complete
   * length only when the range starts at the offset and fits in it, else -2; never thrown.
   */
  @FuzzTest
  void contentRange(@NotNull String value, long offset, long recorded) {
    Response.Builder b = Response.builder(URI.create("https://example.org/f")).statusCode(206);
    try {
      b.header("Content-Range", value);
    } catch (IllegalArgumentException notRepresentable) {
      return;
    }
    long total = FileSink.contentRangeTotal(b.build(), offset, recorded);
    assertThat(total).isGreaterThanOrEqualTo(-2);
    if (total >= 0) {
      assertThat(total).isGreaterThan(offset);
      if (recorded >= 0) {
        assertThat(total).isEqualTo(recorded);
      }
    }
  }

  /** Resume data bytes: a ResumeData, or IllegalArgumentException; never another throwable. */
  @FuzzTest
  void resumeData(byte @NotNull [] bytes) {
    ResumeData data;
    try {
      data = ResumeData.from(bytes);
    } catch (IllegalArgumentException refused) {
      return;
    }
    assertThat(data.bytesReceived()).isNotNegative();
    assertThat(data.url()).isNotNull();
    assertThat(data.partialFile()).isNotNull();
    assertThat(data.toByteArray()).isEqualTo(bytes);
  }

  /**
   * A response's suggested file name from its Content-Disposition, URL path and MIME type: always
   * a bare name that is safe to create in a directory.
   */
  @FuzzTest
  void suggestedFilename(FuzzedDataProvider data) {
    String path = data.consumeString(300);
    URI url;
    try {
      url = new URI("https", "example.org", "/" + path, null);
    } catch (java.net.URISyntaxException notAUrl) {
      return;
    }
    Response.Builder b = Response.builder(url).statusCode(200);
    try {
      if (data.consumeBoolean()) {
        b.header("Content-Type", data.pickValue(new String[] {"application/pdf", "text/plain", "image/png",
            "application/octet-stream"}));
      }
      b.header("Content-Disposition", data.consumeRemainingAsString());
    } catch (IllegalArgumentException notRepresentable) {
      return;
    }
    String name = b.build().suggestedFilename();
    assertThat(name).isNotEmpty().doesNotContain("/", "\\", "\0").doesNotStartWith(".");
    assertThat(name.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(255);
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean bidi = (c >= '\u202A' && c <= '\u202E') || (c >= '\u2066' && c <= '\u2069') || c == '\u200E'
          || c == '\u200F' || c == '\u061C';
      assertThat(c < 0x20 || c == 0x7f || bidi).as("char U+%04X in %s", (int) c, name).isFalse();
    }
  }
}
