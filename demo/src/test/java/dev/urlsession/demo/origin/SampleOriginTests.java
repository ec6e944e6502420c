package dev.urlsession.demo.origin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIOException;
import static org.assertj.core.api.Assertions.tuple;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The sample origin over real HTTP, with the JDK's client as the peer. */
@Timeout(60)
class SampleOriginTests {
  private static final int MIB = 1 << 20;

  private SampleOrigin origin;
  private HttpClient client;

  @BeforeEach
  void start() throws IOException {
    origin = new SampleOrigin(0);
    client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10))
        .build();
  }

  @AfterEach
  void stop() {
    origin.close();
  }

  private HttpResponse<byte[]> get(String path, String... headers) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(origin.baseUrl().resolve(path)).timeout(Duration.ofSeconds(30));
    if (headers.length > 0) {
      request.headers(headers);
    }
    return client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  @Test
  void fileWhenRequestedWholeIsTheGeneratedContentWithItsValidators() throws Exception {
    HttpResponse<byte[]> r = get("/files/1MiB.bin");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo(SampleContent.bytes(MIB));
    assertThat(r.headers().firstValue("Content-Length")).hasValue(String.valueOf(MIB));
    assertThat(r.headers().firstValue("ETag")).hasValue("\"sample-1048576\"");
    assertThat(r.headers().firstValue("Last-Modified")).hasValue("Thu, 01 Jan 2026 00:00:00 GMT");
    assertThat(r.headers().firstValue("Accept-Ranges")).hasValue("bytes");
    assertThat(r.headers().firstValue("Content-Disposition")).hasValue("attachment; filename=\"1MiB.bin\"");
    assertThat(origin.served()).containsExactly(new SampleOrigin.Served("/files/1MiB.bin", null, 200, MIB));
  }

  @Test
  void checksumWhenRequestedIsTheSha256OfTheFileInSha256sumFormat() throws Exception {
    String expected = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(get("/files/1MiB.bin").body()));
    HttpResponse<byte[]> r = get("/files/1MiB.bin.sha256?rate=2MiB");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(new String(r.body(), StandardCharsets.US_ASCII)).isEqualTo(expected + "  1MiB.bin\n");
  }

  @Test
  void rangeWhenItsValidatorMatchesIsServedAsPartialContent() throws Exception {
    byte[] whole = SampleContent.bytes(MIB);
    HttpResponse<byte[]> byTag = get("/files/1MiB.bin", "Range", "bytes=1000-1999", "If-Range", "\"sample-1048576\"");
    assertThat(byTag.statusCode()).isEqualTo(206);
    assertThat(byTag.headers().firstValue("Content-Range")).hasValue("bytes 1000-1999/1048576");
    assertThat(byTag.body()).isEqualTo(Arrays.copyOfRange(whole, 1000, 2000));

    HttpResponse<byte[]> byDate = get("/files/1MiB.bin", "Range", "bytes=1048000-", "If-Range",
        "Thu, 01 Jan 2026 00:00:00 GMT");
    assertThat(byDate.statusCode()).isEqualTo(206);
    assertThat(byDate.headers().firstValue("Content-Range")).hasValue("bytes 1048000-1048575/1048576");
    assertThat(byDate.body()).isEqualTo(Arrays.copyOfRange(whole, 1048000, MIB));
  }

  @Test
  void rangeWhenIfRangeNamesAnotherVersionIsIgnoredAndTheWholeFileSent() throws Exception {
    HttpResponse<byte[]> r = get("/files/1MiB.bin", "Range", "bytes=1000-", "If-Range", "\"sample-999\"");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Range")).isEmpty();
    assertThat(r.body()).hasSize(MIB);
  }

  @Test
  void rangeWhenBeyondTheEndIsRefusedWith416() throws Exception {
    HttpResponse<byte[]> r = get("/files/1MiB.bin", "Range", "bytes=1048576-");
    assertThat(r.statusCode()).isEqualTo(416);
    assertThat(r.headers().firstValue("Content-Range")).hasValue("bytes */1048576");
  }

  @Test
  void fileWhenAlreadyHeldIsNotModified() throws Exception {
    HttpResponse<byte[]> r = get("/files/1MiB.bin", "If-None-Match", "\"sample-1048576\"");
    assertThat(r.statusCode()).isEqualTo(304);
    assertThat(r.body()).isEmpty();
  }

  @Test
  void fileWhenRateLimitedTakesAtLeastItsSizeOverTheRate() throws Exception {
    long began = System.nanoTime();
    HttpResponse<byte[]> r = get("/files/256KiB.bin?rate=512KiB");
    long elapsedMillis = (System.nanoTime() - began) / 1_000_000;
    assertThat(r.body()).isEqualTo(SampleContent.bytes(256 * 1024));
    assertThat(elapsedMillis).isGreaterThanOrEqualTo(450); // a lower bound only: a busy machine is slower
  }

  @Test
  void flakyFileWhenRequestedAnswers503EveryThirdTimeAndCutsTheOthersAfterTwoMiB() throws Exception {
    HttpResponse<byte[]> first = get("/flaky/5MiB.bin");
    assertThat(first.statusCode()).isEqualTo(503);
    assertThat(first.headers().firstValue("Retry-After")).hasValue("1");

    // A cut connection may lose what was still in the socket buffers: the client reads at most
    // what the origin wrote; the origin's own count below is exact.
    assertThat(readUntilCut("/flaky/5MiB.bin", null)).isPositive().isLessThanOrEqualTo(2 * MIB);
    assertThat(readUntilCut("/flaky/5MiB.bin", "bytes=" + 2 * MIB + "-")).isPositive().isLessThanOrEqualTo(2 * MIB);
    assertThat(get("/flaky/5MiB.bin", "Range", "bytes=" + 4 * MIB + "-").statusCode()).isEqualTo(503);
    HttpResponse<byte[]> last = get("/flaky/5MiB.bin", "Range", "bytes=" + 4 * MIB + "-");
    assertThat(last.statusCode()).isEqualTo(206);
    assertThat(last.body()).isEqualTo(Arrays.copyOfRange(SampleContent.bytes(5 * MIB), 4 * MIB, 5 * MIB));
    assertThat(origin.served()).extracting(SampleOrigin.Served::status, SampleOrigin.Served::bytes).containsExactly(
        tuple(503, 17L), tuple(200, 2L * MIB), tuple(206, 2L * MIB), tuple(503, 17L), tuple(206, (long) MIB));
  }

  /** Reads the body until the origin cuts the connection; returns how many bytes came. */
  private long readUntilCut(String path, String range) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(origin.baseUrl().resolve(path)).timeout(Duration.ofSeconds(30));
    if (range != null) {
      request.header("Range", range);
    }
    HttpResponse<InputStream> r = client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
    assertThat(r.headers().firstValue("Content-Length")).hasValueSatisfying(v -> assertThat(Long.parseLong(v))
        .isGreaterThan(2 * MIB));
    long[] count = {0};
    try (InputStream in = r.body()) {
      byte[] buffer = new byte[8192];
      assertThatIOException().isThrownBy(() -> {
        for (int n; (n = in.read(buffer)) >= 0; ) {
          count[0] += n;
        }
      });
    }
    return count[0];
  }

  @Test
  void slowFileWhenRequestedAnswersAfterASecond() throws Exception {
    long began = System.nanoTime();
    HttpResponse<byte[]> r = get("/slow/1KiB.bin");
    assertThat(r.body()).isEqualTo(SampleContent.bytes(1024));
    assertThat((System.nanoTime() - began) / 1_000_000).isGreaterThanOrEqualTo(1000);
  }

  @Test
  void catalogWhenReadListsTheSamplesWithTheOriginsUrls() throws Exception {
    String json = new String(get("/catalog").body(), StandardCharsets.UTF_8);
    for (Sample sample : origin.catalog()) {
      assertThat(json).contains("\"url\":\"" + sample.url() + "\"", "\"size\":" + sample.size());
      assertThat(URI.create(sample.url()).getPort()).isEqualTo(origin.baseUrl().getPort());
    }
    assertThat(origin.catalog()).extracting(Sample::title)
        .containsExactly("1 MiB", "16 MiB", "64 MiB", "Slow 4 MiB", "Flaky 8 MiB");
  }

  @Test
  void unknownPathOrMethodIsRefused() throws Exception {
    assertThat(get("/files/huge.bin").statusCode()).isEqualTo(404);
    assertThat(get("/files/2GiB.bin").statusCode()).isEqualTo(404);
    assertThat(get("/nothing").statusCode()).isEqualTo(404);
    HttpResponse<byte[]> post = client.send(HttpRequest.newBuilder(origin.baseUrl().resolve("/files/1KiB.bin"))
        .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofByteArray());
    assertThat(post.statusCode()).isEqualTo(405);
  }
}
