package dev.urlsession;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.urlsession.SessionException.Code;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import okio.Buffer;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Transparent content decoding over HTTP/1.1: Brotli as Apple decodes it, and the decoding ratio
 * that refuses decompression bombs (gzip and Brotli) with {@code DATA_LENGTH_EXCEEDS_MAXIMUM}.
 * The child-JVM proof that a bomb never exhausts a small heap is {@link DecompressionBombTests}.
 */
@Timeout(60)
class ContentDecodingTests {
  @StartStop final MockWebServer server = new MockWebServer();
  final RecordingDelegate delegate = new RecordingDelegate();
  Session session = Session.create(SessionConfiguration.ephemeral(), delegate, null);
  @TempDir Path temp;

  @AfterEach
  void close() {
    session.invalidateAndCancel();
  }

  URI url(String path) {
    return server.url(path).uri();
  }

  static byte[] resource(String name) throws IOException {
    try (InputStream in = ContentDecodingTests.class.getResourceAsStream("/encoded/" + name)) {
      assertThat(in).as(name).isNotNull();
      return in.readAllBytes();
    }
  }

  /** The text {@code encoded/text.br} holds (see the README beside it). */
  static byte[] brotliText() {
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < 5000; i++) {
      text.append("line ").append(i).append(": the quick brown fox jumps over the lazy dog\n");
    }
    return text.toString().getBytes(StandardCharsets.US_ASCII);
  }

  MockResponse encoded(String encoding, byte[] body) {
    return new MockResponse.Builder().addHeader("Content-Encoding", encoding)
        .body(new Buffer().write(body)).build();
  }

  @Test
  void dataTaskWhenBodyIsBrotliDeliversTheDecodedBytes() throws Exception {
    byte[] br = resource("text.br");
    server.enqueue(encoded("br", br));
    DataTask task = session.dataTask(url("/br"));

    task.resume();

    assertThat(delegate.awaitCompletion()).isNull();
    delegate.assertEvents("didCreateTask", "didReceiveResponse 200", "didReceiveData",
        "didFinishCollectingMetrics", "didComplete null");
    assertThat(delegate.body.toByteArray()).isEqualTo(brotliText());
    assertThat(task.countOfBytesReceived()).isEqualTo(brotliText().length);
    assertThat(task.response().header("Content-Encoding")).isEqualTo("br");
    TransactionMetrics m = delegate.metrics.transactionMetrics().get(0);
    assertThat(m.countOfResponseBodyBytesReceived()).isEqualTo(br.length);
    assertThat(m.countOfResponseBodyBytesAfterDecoding()).isEqualTo(brotliText().length);
    RecordedRequest r = server.takeRequest(5, SECONDS);
    assertThat(r.getHeaders().get("Accept-Encoding")).isEqualTo("gzip, deflate, br");
  }

  @Test
  void dataTaskWhenCompletionHandlerAndBrotliGetsTheDecodedBody() throws Exception {
    server.enqueue(encoded("br", resource("text.br")));
    CompletableFuture<byte[]> body = new CompletableFuture<>();

    session.dataTask(url("/br"), (data, response, error) -> {
      if (error != null) {
        body.completeExceptionally(error);
      } else {
        body.complete(data);
      }
    }).resume();

    assertThat(body.get(10, SECONDS)).isEqualTo(brotliText());
  }

  @Test
  void downloadTaskWhenServerSendsBrotliAnywayWritesTheDecodedBytes() throws Exception {
    server.enqueue(encoded("br", resource("text.br")));
    CompletableFuture<byte[]> file = new CompletableFuture<>();
    CompletableFuture<@Nullable SessionException> done = new CompletableFuture<>();
    DownloadDelegate downloads = new DownloadDelegate() {
      @Override
      public void didFinishDownloadingTo(Session s, DownloadTask t, Path location) {
        try {
          file.complete(Files.readAllBytes(location));
        } catch (IOException e) {
          file.completeExceptionally(e);
        }
      }

      @Override
      public void didComplete(Session s, SessionTask t, @Nullable SessionException error) {
        done.complete(error);
      }
    };
    session.invalidateAndCancel();
    session = Session.create(SessionConfiguration.ephemeral(), downloads, null);

    session.downloadTask(url("/file")).resume();

    assertThat(done.get(10, SECONDS)).isNull();
    assertThat(file.get(10, SECONDS)).isEqualTo(brotliText());
    assertThat(server.takeRequest(5, SECONDS).getHeaders().get("Accept-Encoding")).isEqualTo("identity");
  }

  @Test
  void dataTaskWhenBrotliIsCorruptFailsWithCannotDecodeRawData() throws Exception {
    byte[] br = resource("text.br");
    server.enqueue(encoded("br", java.util.Arrays.copyOf(br, br.length / 2)));

    session.dataTask(url("/bad")).resume();

    SessionException error = delegate.awaitCompletion();
    assertThat(error.code()).isEqualTo(Code.CANNOT_DECODE_RAW_DATA);
  }

  @Test
  void dataTaskWhenApplicationAsksForBrotliItselfGetsTheEncodedBytes() throws Exception {
    byte[] br = resource("text.br");
    server.enqueue(encoded("br", br));

    session.dataTask(Request.builder(url("/raw")).header("Accept-Encoding", "br").build()).resume();

    assertThat(delegate.awaitCompletion()).isNull();
    assertThat(delegate.body.toByteArray()).isEqualTo(br);
  }

  @Test
  void dataTaskWhenGzipBombFailsWithDataLengthExceedsMaximumAndStopsReading() throws Exception {
    byte[] bomb = GzipBomb.of(1L << 30); // 1 GiB of zeros in about 1 MiB
    server.enqueue(encoded("gzip", bomb));
    DataTask task = session.dataTask(url("/bomb"));

    task.resume();

    SessionException error = delegate.awaitCompletion();
    assertThat(error.code()).isEqualTo(Code.DATA_LENGTH_EXCEEDS_MAXIMUM);
    assertThat(error.failingUrl()).isEqualTo(url("/bomb"));
    assertThat(error.getMessage()).contains("200 times");
    delegate.assertEvents("didCreateTask", "didReceiveResponse 200", "didReceiveData",
        "didFinishCollectingMetrics", "didComplete DATA_LENGTH_EXCEEDS_MAXIMUM");
    // Refused soon after the 8 MiB floor: far from the gigabyte.
    assertThat(task.countOfBytesReceived()).isBetween(8L << 20, 9L << 20);
  }

  @Test
  void dataTaskWhenBrotliBombFailsWithDataLengthExceedsMaximum() throws Exception {
    server.enqueue(encoded("br", resource("zeros-10gib.br")));

    session.dataTask(url("/bomb.br")).resume();

    assertThat(delegate.awaitCompletion().code()).isEqualTo(Code.DATA_LENGTH_EXCEEDS_MAXIMUM);
    assertThat(delegate.body.size()).isBetween(8 << 20, 9 << 20);
  }

  @Test
  void dataTaskWhenRatioIsOffDecodesAHighlyCompressedBodyWhole() throws Exception {
    session.invalidateAndCancel();
    session = Session.create(SessionConfiguration.ephemeral().toBuilder().maximumContentDecodingRatio(0).build(),
        delegate, null);
    server.enqueue(encoded("gzip", GzipBomb.of(64L << 20)));

    session.dataTask(url("/zeros")).resume();

    assertThat(delegate.awaitCompletion()).isNull();
    assertThat(delegate.body.size()).isEqualTo(64 << 20);
  }

  @Test
  void dataTaskWhenSmallBodyInflatesFarButStaysUnderTheFloorIsDelivered() throws Exception {
    server.enqueue(encoded("gzip", GzipBomb.of(4L << 20))); // 1,000 times, but only 4 MiB

    session.dataTask(url("/small")).resume();

    assertThat(delegate.awaitCompletion()).isNull();
    assertThat(delegate.body.size()).isEqualTo(4 << 20);
  }
}
