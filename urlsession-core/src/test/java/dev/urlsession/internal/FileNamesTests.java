package dev.urlsession.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.urlsession.Response;
import java.net.URI;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class FileNamesTests {
  static String name(String url, String disposition, String contentType) {
    Response.Builder b = Response.builder(URI.create(url)).statusCode(200);
    if (disposition != null) {
      b.header("Content-Disposition", disposition);
    }
    if (contentType != null) {
      b.header("Content-Type", contentType);
    }
    return b.build().suggestedFilename();
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', nullValues = "NULL", value = {
      "attachment; filename=\"report.pdf\"|report.pdf",
      "attachment; filename=plain.txt|plain.txt",
      "attachment; filename=\"a.txt\"; filename=\"b.txt\"|b.txt",
      "attachment; filename=\"EURO rates.txt\"; filename*=utf-8''%e2%82%ac%20rates.txt|€ rates.txt",
      "attachment; filename*=UTF-8''na%C3%AFve.txt; filename=\"naive.txt\"|naïve.txt",
      "attachment; filename*=iso-8859-1'en'%A3%20rates.txt|£ rates.txt",
      "attachment; filename*=UTF-8''..%2F..%2Fetc%2Fpasswd|passwd",
      "attachment; filename=\"../../etc/passwd\"|passwd",
      "attachment; filename=\"..\\\\..\\\\windows\\\\win.ini\"|win.ini",
      "attachment; filename=\"/abs/path/x.bin\"|x.bin",
      "attachment; filename=\".hidden\"|hidden",
      "attachment; filename=\"CON.txt\"|_CON.txt",
      "attachment; filename=\"quote\\\"d.txt\"|quote_d.txt",
      "attachment; filename*=UTF-8''bad%zzescape; filename=\"fallback.txt\"|fallback.txt",
      "attachment; filename*=koi8-r''x; filename=\"ascii.txt\"|ascii.txt"})
  void contentDispositionGivesABareSafeName(String disposition, String expected) {
    assertThat(name("https://example.org/ignored.bin", disposition, null)).isEqualTo(expected);
  }

  @Test
  void controlCharactersAndSeparatorsNeverSurvive() {
    // Headers cannot carry control characters at all; a decoded filename* or URL segment can.
    String n = FileNames.sanitize("a\u0001b:c*d?.txt");
    assertThat(n).isEqualTo("a_b_c_d_.txt");
    assertThat(name("https://example.org/x", "attachment; filename*=UTF-8''a%01b%0Ac.txt", null))
        .isEqualTo("a_b_c.txt");
    assertThat(n).doesNotContain("/", "\\", "..");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "attachment; filename*=UTF-8''%E2%80%AEgpj.exe|gpj.exe",
      "attachment; filename*=UTF-8''invoice%E2%81%A6%E2%80%AEfdp.js%E2%81%A9.txt|invoicefdp.js.txt",
      "attachment; filename*=UTF-8''a%E2%80%8Eb%E2%80%8Fc%D8%9Cd%E2%80%AAe%E2%80%ABf%E2%80%ACg%E2%80%ADh.txt|abcdefgh.txt",
      "attachment; filename*=UTF-8''%E2%81%A7%E2%81%A8x.txt|x.txt"})
  void suggestedFilenameWhenNameHasBidiControlsStripsThem(String disposition, String expected) {
    assertThat(name("https://example.org/ignored.bin", disposition, null)).isEqualTo(expected);
  }

  @Test
  void suggestedFilenameWhenUrlSegmentHasBidiOverrideStripsIt() {
    assertThat(name("https://example.org/%E2%80%AEgpj.exe", null, null)).isEqualTo("gpj.exe");
    assertThat(FileNames.sanitize("\u202E\u2066\u200F")).isNull(); // nothing usable left
  }

  @Test
  void withoutDispositionTheUrlAndMimeTypeDecide() {
    assertThat(name("https://example.org/dir/data.csv", null, "text/csv")).isEqualTo("data.csv");
    assertThat(name("https://example.org/dir/readme", null, "text/plain; charset=utf-8")).isEqualTo("readme.txt");
    assertThat(name("https://example.org/", null, "application/json")).isEqualTo("Unknown.json");
    assertThat(name("https://example.org/", null, null)).isEqualTo("Unknown");
    assertThat(name("https://example.org/..", null, null)).isEqualTo("Unknown");
  }

  @Test
  void longNamesAreCutKeepingTheExtension() {
    String n = name("https://example.org/x", "attachment; filename=\"" + "a".repeat(400) + ".tar.gz\"", null);
    assertThat(n.getBytes(java.nio.charset.StandardCharsets.UTF_8).length).isLessThanOrEqualTo(255);
    assertThat(n).endsWith(".gz");
  }
}
