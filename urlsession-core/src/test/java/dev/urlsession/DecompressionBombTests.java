package dev.urlsession;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import okio.Buffer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Decompression bombs never exhaust the heap (RELIABILITY.md row 5, issue 18 item 1): a child JVM
 * with {@code -Xmx64m} and {@code -XX:+ExitOnOutOfMemoryError} loads real bombs served by
 * MockWebServer: 10 GiB of zeros as gzip (about 10 MiB on the wire) and as Brotli (8 KB). Before
 * bounded decoding, one 256 KiB window of such a body inflated into one 256 MiB array on an I/O
 * thread. Now each load ends with {@code DATA_LENGTH_EXCEEDS_MAXIMUM} from the decoding ratio, or,
 * with the ratio off, decodes a whole gigabyte in bounded chunks.
 */
@Timeout(300)
class DecompressionBombTests {
  static byte[] gzipBomb10GiB;
  static byte[] gzipBomb1GiB;
  static byte[] brotliBomb10GiB;

  @StartStop final MockWebServer server = new MockWebServer();

  @BeforeAll
  static void makeBombs() throws IOException {
    gzipBomb10GiB = GzipBomb.of(10L << 30);
    gzipBomb1GiB = GzipBomb.of(1L << 30);
    try (InputStream in = DecompressionBombTests.class.getResourceAsStream("/encoded/zeros-10gib.br")) {
      brotliBomb10GiB = in.readAllBytes();
    }
  }

  @BeforeEach
  void serveBombs() {
    server.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        String path = request.getUrl().encodedPath();
        boolean brotli = path.endsWith(".br");
        byte[] body = path.startsWith("/1g") ? gzipBomb1GiB : brotli ? brotliBomb10GiB : gzipBomb10GiB;
        return new MockResponse.Builder().addHeader("Content-Encoding", brotli ? "br" : "gzip")
            .addHeader("Content-Type", "application/octet-stream")
            .body(new Buffer().write(body)).build();
      }
    });
  }

  String runChild(String... args) throws Exception {
    String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new ArrayList<>(List.of(javaBin, "-Xmx64m", "-XX:+ExitOnOutOfMemoryError",
        "-cp", System.getProperty("java.class.path"), DecompressionBombMain.class.getName()));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(240, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(output).isZero();
    assertThat(output).doesNotContain("OutOfMemoryError").contains("HEAP max=");
    return output.lines().filter(l -> l.startsWith("RESULT ")).findFirst().orElseThrow().substring(7);
  }

  String url(String path) {
    return server.url(path).toString();
  }

  @Test
  void dataTaskWithCompletionHandlerWhenGzipBombFailsWithDataLengthExceedsMaximum() throws Exception {
    assertThat(runChild("data", url("/bomb.gz"))).isEqualTo("DATA_LENGTH_EXCEEDS_MAXIMUM");
  }

  @Test
  void downloadTaskWhenGzipBombFailsWithDataLengthExceedsMaximum() throws Exception {
    assertThat(runChild("download", url("/bomb.gz"))).isEqualTo("DATA_LENGTH_EXCEEDS_MAXIMUM");
  }

  @Test
  void discardingDelegateWhenGzipBombFailsWithDataLengthExceedsMaximum() throws Exception {
    assertThat(runChild("discard", url("/bomb.gz"), "200")).isEqualTo("DATA_LENGTH_EXCEEDS_MAXIMUM");
  }

  @Test
  void discardingDelegateWhenBrotliBombFailsWithDataLengthExceedsMaximum() throws Exception {
    assertThat(runChild("discard", url("/bomb.br"), "200")).isEqualTo("DATA_LENGTH_EXCEEDS_MAXIMUM");
  }

  @Test
  void discardingDelegateWhenRatioIsOffDecodesAGigabyteInBoundedChunks() throws Exception {
    assertThat(runChild("discard", url("/1g.gz"), "0")).isEqualTo("OK " + (1L << 30));
  }
}
