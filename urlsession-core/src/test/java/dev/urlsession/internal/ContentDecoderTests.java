package dev.urlsession.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link ContentDecoder}: streaming gzip and deflate, fed whole, byte by byte and in random chunks. */
class ContentDecoderTests {
  static final int FHCRC = 2;
  static final int FEXTRA = 4;
  static final int FNAME = 8;
  static final int FCOMMENT = 16;

  /** 40 KiB of random bytes then 160 KiB of text: incompressible and compressible parts, more than the 16 KiB buffer. */
  static final byte[] DATA = data(42);

  static byte[] data(long seed) {
    byte[] random = new byte[40 * 1024];
    new Random(seed).nextBytes(random);
    StringBuilder text = new StringBuilder();
    for (int i = 0; text.length() < 160 * 1024; i++) {
      text.append("line ").append(i).append(": the quick brown fox jumps over the lazy dog\n");
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(random);
    out.writeBytes(text.toString().getBytes(StandardCharsets.US_ASCII));
    return out.toByteArray();
  }

  static byte[] gzip(byte[] data) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
      out.write(data);
    }
    return bytes.toByteArray();
  }

  static byte[] deflate(byte[] data, boolean nowrap) {
    Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, nowrap);
    deflater.setInput(data);
    deflater.finish();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buffer = new byte[8192];
    while (!deflater.finished()) {
      out.write(buffer, 0, deflater.deflate(buffer));
    }
    deflater.end();
    return out.toByteArray();
  }

  static void writeIntLe(ByteArrayOutputStream out, long v) {
    out.write((int) (v & 0xff));
    out.write((int) (v >>> 8 & 0xff));
    out.write((int) (v >>> 16 & 0xff));
    out.write((int) (v >>> 24 & 0xff));
  }

  /** A gzip member with a hand-built RFC 1952 header carrying the optional fields {@code flags} asks for. */
  static byte[] gzipWithHeader(byte[] data, int flags) {
    ByteArrayOutputStream h = new ByteArrayOutputStream();
    h.write(0x1f);
    h.write(0x8b);
    h.write(8);
    h.write(flags);
    writeIntLe(h, 0x12345678L); // MTIME
    h.write(0); // XFL
    h.write(3); // OS: Unix
    if ((flags & FEXTRA) != 0) {
      byte[] extra = new byte[300]; // > 255: both length bytes matter
      for (int i = 0; i < extra.length; i++) {
        extra[i] = (byte) (i % 3 == 0 ? 0 : i % 3 == 1 ? 0x1f : 0x8b);
      }
      h.write(extra.length & 0xff);
      h.write(extra.length >>> 8);
      h.writeBytes(extra);
    }
    if ((flags & FNAME) != 0) {
      h.writeBytes("report-\u00e9t\u00e9.txt".getBytes(StandardCharsets.ISO_8859_1));
      h.write(0);
    }
    if ((flags & FCOMMENT) != 0) {
      h.writeBytes("a comment with \u001f\u008b in it".getBytes(StandardCharsets.ISO_8859_1));
      h.write(0);
    }
    if ((flags & FHCRC) != 0) {
      CRC32 headerCrc = new CRC32();
      headerCrc.update(h.toByteArray());
      int v = (int) headerCrc.getValue() & 0xffff;
      h.write(v & 0xff);
      h.write(v >>> 8);
    }
    h.writeBytes(deflate(data, true));
    CRC32 crc = new CRC32();
    crc.update(data);
    writeIntLe(h, crc.getValue());
    writeIntLe(h, data.length);
    return h.toByteArray();
  }

  static byte[] gunzipWithJdk(byte[] gzip) throws IOException {
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gzip))) {
      return in.readAllBytes();
    }
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  static ContentDecoder decoder(String encoding) {
    ContentDecoder d = ContentDecoder.forEncoding(encoding);
    assertThat(d).as("decoder for %s", encoding).isNotNull();
    return d;
  }

  /**
   * Feeds one chunk, checking the decoder took it all, and reads what it decodes now, checking no
   * piece is larger than a chunk.
   */
  static byte[] feed(ContentDecoder d, byte[] chunk) throws IOException {
    ByteBuffer buffer = ByteBuffer.wrap(chunk);
    d.feed(buffer);
    assertThat(buffer.hasRemaining()).as("feed takes the whole chunk").isFalse();
    return drain(d);
  }

  static byte[] drain(ContentDecoder d) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] piece; (piece = d.next()) != null; ) {
      assertThat(piece.length).isBetween(1, ContentDecoder.CHUNK_SIZE);
      out.writeBytes(piece);
    }
    return out.toByteArray();
  }

  /** Ends the input: nothing more decodes, and the decoder says the body is complete (or throws). */
  static void finish(ContentDecoder d) throws IOException {
    d.endOfInput();
    assertThat(drain(d)).isEmpty();
    assertThat(d.isComplete()).isTrue();
  }

  static byte[] decodeWhole(String encoding, byte[] encoded) throws IOException {
    ContentDecoder d = decoder(encoding);
    byte[] out = feed(d, encoded);
    finish(d);
    assertThat(d.decodedTotal()).isEqualTo(out.length);
    return out;
  }

  static byte[] decodeByteByByte(String encoding, byte[] encoded) throws IOException {
    ContentDecoder d = decoder(encoding);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte b : encoded) {
      out.writeBytes(feed(d, new byte[] {b}));
    }
    finish(d);
    assertThat(d.decodedTotal()).isEqualTo(out.size());
    return out.toByteArray();
  }

  static byte[] decodeInRandomChunks(String encoding, byte[] encoded, long seed, int maxChunk) throws IOException {
    Random random = new Random(seed);
    ContentDecoder d = decoder(encoding);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int offset = 0;
    while (offset < encoded.length) {
      int size = Math.min(1 + random.nextInt(maxChunk), encoded.length - offset);
      out.writeBytes(feed(d, Arrays.copyOfRange(encoded, offset, offset + size)));
      offset += size;
      assertThat(d.decodedTotal()).isEqualTo(out.size());
    }
    finish(d);
    return out.toByteArray();
  }

  // ---- gzip ----

  @Test
  void gzipWhenFedWholeDecodesByteExact() throws Exception {
    assertThat(decodeWhole("gzip", gzip(DATA))).isEqualTo(DATA);
  }

  @Test
  void gzipWhenFedByteByByteDecodesByteExact() throws Exception {
    assertThat(decodeByteByByte("gzip", gzip(DATA))).isEqualTo(DATA);
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
  void gzipWhenFedInRandomChunksDecodesByteExact(long seed) throws Exception {
    byte[] data = data(seed);

    assertThat(decodeInRandomChunks("gzip", gzip(data), seed, 3000)).isEqualTo(data);
    assertThat(decodeInRandomChunks("gzip", gzip(data), seed, 16)).isEqualTo(data);
  }

  @Test
  void gzipWhenDataEmptyDecodesToNothing() throws Exception {
    assertThat(decodeWhole("gzip", gzip(new byte[0]))).isEmpty();
    assertThat(decodeByteByByte("gzip", gzip(new byte[0]))).isEmpty();
  }

  static Stream<Arguments> headerFlags() {
    return Stream.of(
        Arguments.of("no optional fields", 0),
        Arguments.of("FNAME", FNAME),
        Arguments.of("FCOMMENT", FCOMMENT),
        Arguments.of("FEXTRA", FEXTRA),
        Arguments.of("FHCRC", FHCRC),
        Arguments.of("FNAME FCOMMENT", FNAME | FCOMMENT),
        Arguments.of("FEXTRA FHCRC", FEXTRA | FHCRC),
        Arguments.of("all", FEXTRA | FNAME | FCOMMENT | FHCRC));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("headerFlags")
  void gzipWhenHeaderHasOptionalFieldsSkipsThem(String what, int flags) throws Exception {
    byte[] encoded = gzipWithHeader(DATA, flags);
    assertThat(gunzipWithJdk(encoded)).as("the hand-built member is valid gzip").isEqualTo(DATA);

    assertThat(decodeWhole("gzip", encoded)).isEqualTo(DATA);
    assertThat(decodeByteByByte("gzip", encoded)).isEqualTo(DATA);
    assertThat(decodeInRandomChunks("gzip", encoded, flags, 7)).isEqualTo(DATA);
    assertThat(decodeInRandomChunks("gzip", encoded, flags, 500)).isEqualTo(DATA);
  }

  @Test
  void gzipWhenTwoMembersConcatenatedDecodesBoth() throws Exception {
    byte[] first = "first member; ".repeat(1000).getBytes(StandardCharsets.US_ASCII);
    byte[] second = data(7);
    byte[] encoded = concat(gzip(first), gzipWithHeader(second, FNAME | FHCRC));
    byte[] expected = concat(first, second);
    assertThat(gunzipWithJdk(encoded)).isEqualTo(expected);

    assertThat(decodeWhole("gzip", encoded)).isEqualTo(expected);
    assertThat(decodeByteByByte("gzip", encoded)).isEqualTo(expected);
    assertThat(decodeInRandomChunks("gzip", encoded, 99, 1000)).isEqualTo(expected);
  }

  @Test
  void xGzipWhenFedInChunksDecodesLikeGzip() throws Exception {
    assertThat(decodeInRandomChunks("x-gzip", gzip(DATA), 11, 2000)).isEqualTo(DATA);
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 5, 10, 11, 100, 5000})
  void gzipWhenTruncatedFinishThrowsZipException(int keep) throws Exception {
    byte[] encoded = gzip(DATA);
    ContentDecoder d = decoder("gzip");

    feed(d, Arrays.copyOf(encoded, keep));

    assertThatThrownBy(() -> finish(d)).isInstanceOf(ZipException.class).hasMessageContaining("truncated");
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 4, 7, 8})
  void gzipWhenTrailerTruncatedFinishThrowsZipException(int missing) throws Exception {
    byte[] encoded = gzip(DATA);
    ContentDecoder d = decoder("gzip");

    byte[] out = feed(d, Arrays.copyOf(encoded, encoded.length - missing));

    assertThat(out).isEqualTo(DATA);
    assertThatThrownBy(() -> finish(d)).isInstanceOf(ZipException.class).hasMessageContaining("truncated");
  }

  @ParameterizedTest
  @ValueSource(ints = {8, 7, 6, 5})
  void gzipWhenCrcTrailerCorruptedThrowsZipException(int fromEnd) throws Exception {
    byte[] encoded = gzip(DATA);
    encoded[encoded.length - fromEnd] ^= 0x01;

    assertThatThrownBy(() -> decodeWhole("gzip", encoded)).isInstanceOf(ZipException.class);
    assertThatThrownBy(() -> decodeByteByByte("gzip", encoded)).isInstanceOf(ZipException.class);
  }

  @ParameterizedTest
  @ValueSource(ints = {4, 3, 2, 1})
  void gzipWhenSizeTrailerCorruptedThrowsZipException(int fromEnd) throws Exception {
    byte[] encoded = gzip(DATA);
    encoded[encoded.length - fromEnd] ^= 0x10;

    assertThatThrownBy(() -> decodeWhole("gzip", encoded)).isInstanceOf(ZipException.class);
  }

  @Test
  void gzipWhenSecondMemberCrcCorruptedThrowsZipException() throws Exception {
    byte[] second = gzip(DATA);
    second[second.length - 8] ^= 0x01;
    byte[] encoded = concat(gzip("ok".getBytes(StandardCharsets.US_ASCII)), second);

    assertThatThrownBy(() -> decodeInRandomChunks("gzip", encoded, 5, 100)).isInstanceOf(ZipException.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {"this is not gzip at all", "\u001f\u008b\u0009 wrong method byte", "PK\u0003\u0004zip"})
  void gzipWhenInputIsGarbageThrowsZipException(String garbage) {
    byte[] encoded = garbage.getBytes(StandardCharsets.ISO_8859_1);

    assertThatThrownBy(() -> decodeWhole("gzip", encoded)).isInstanceOf(ZipException.class);
    assertThatThrownBy(() -> decodeByteByByte("gzip", encoded)).isInstanceOf(ZipException.class);
  }

  @Test
  void gzipWhenBodyIsGarbageAfterValidHeaderThrowsZipException() {
    byte[] header = {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, 3};
    byte[] body = new byte[64];
    Arrays.fill(body, (byte) 0xff); // BTYPE 11: reserved block type

    assertThatThrownBy(() -> decodeWhole("gzip", concat(header, body))).isInstanceOf(ZipException.class);
  }

  @Test
  void gzipWhenNothingFedFinishesWithNothing() throws Exception {
    ContentDecoder d = decoder("gzip");

    assertThat(feed(d, new byte[0])).isEmpty();
    finish(d);
    assertThat(d.decodedTotal()).isZero();
  }

  // ---- deflate ----

  @Test
  void deflateWhenZlibFedWholeDecodesByteExact() throws Exception {
    assertThat(decodeWhole("deflate", deflate(DATA, false))).isEqualTo(DATA);
  }

  @Test
  void deflateWhenRawFedWholeDecodesByteExact() throws Exception {
    assertThat(decodeWhole("deflate", deflate(DATA, true))).isEqualTo(DATA);
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
  void deflateWhenZlibFedInRandomChunksDecodesByteExact(long seed) throws Exception {
    byte[] data = data(seed);

    assertThat(decodeInRandomChunks("deflate", deflate(data, false), seed, 3000)).isEqualTo(data);
    assertThat(decodeInRandomChunks("deflate", deflate(data, false), seed + 100, 16)).isEqualTo(data);
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
  void deflateWhenRawFedInRandomChunksDecodesByteExact(long seed) throws Exception {
    byte[] data = data(seed);

    assertThat(decodeInRandomChunks("deflate", deflate(data, true), seed, 3000)).isEqualTo(data);
    assertThat(decodeInRandomChunks("deflate", deflate(data, true), seed + 100, 16)).isEqualTo(data);
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void deflateWhenFedByteByByteDecodesByteExact(boolean raw) throws Exception {
    assertThat(decodeByteByByte("deflate", deflate(DATA, raw))).isEqualTo(DATA);
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void deflateWhenFirstChunkIsOneByteDecodesByteExact(boolean raw) throws Exception {
    byte[] encoded = deflate(DATA, raw);
    ContentDecoder d = decoder("deflate");
    ByteArrayOutputStream out = new ByteArrayOutputStream();

    out.writeBytes(feed(d, Arrays.copyOf(encoded, 1)));
    out.writeBytes(feed(d, Arrays.copyOfRange(encoded, 1, encoded.length)));
    finish(d);

    assertThat(out.toByteArray()).isEqualTo(DATA);
  }

  @Test
  void deflateWhenFirstChunkIsTwoBytesDecodesByteExact() throws Exception {
    for (boolean raw : new boolean[] {false, true}) {
      byte[] encoded = deflate(DATA, raw);
      ContentDecoder d = decoder("deflate");
      ByteArrayOutputStream out = new ByteArrayOutputStream();

      out.writeBytes(feed(d, Arrays.copyOf(encoded, 2)));
      for (int i = 2; i < encoded.length; i++) {
        out.writeBytes(feed(d, new byte[] {encoded[i]}));
      }
      finish(d);

      assertThat(out.toByteArray()).as("raw=%s", raw).isEqualTo(DATA);
    }
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void deflateWhenTruncatedFinishThrowsZipException(boolean raw) throws Exception {
    byte[] encoded = deflate(DATA, raw);
    ContentDecoder d = decoder("deflate");

    feed(d, Arrays.copyOf(encoded, encoded.length / 2));

    assertThatThrownBy(() -> finish(d)).isInstanceOf(ZipException.class).hasMessageContaining("truncated");
  }

  @Test
  void deflateWhenZlibAdlerTrailerMissingFinishThrowsZipException() throws Exception {
    byte[] encoded = deflate(DATA, false);
    ContentDecoder d = decoder("deflate");

    feed(d, Arrays.copyOf(encoded, encoded.length - 4));

    assertThatThrownBy(() -> finish(d)).isInstanceOf(ZipException.class);
  }

  @Test
  void deflateWhenZlibAdlerTrailerCorruptedThrowsZipException() {
    byte[] encoded = deflate(DATA, false);
    encoded[encoded.length - 1] ^= 0x01;

    assertThatThrownBy(() -> decodeWhole("deflate", encoded)).isInstanceOf(ZipException.class);
  }

  @Test
  void deflateWhenInputIsGarbageThrowsZipException() {
    byte[] garbage = new byte[64];
    Arrays.fill(garbage, (byte) 0xff);

    assertThatThrownBy(() -> decodeWhole("deflate", garbage)).isInstanceOf(ZipException.class);
    assertThatThrownBy(() -> decodeWhole("deflate", "hello, not deflate".getBytes(StandardCharsets.US_ASCII)))
        .isInstanceOf(ZipException.class);
  }

  @Test
  void deflateWhenPresetDictionaryRequiredThrowsZipException() {
    Deflater deflater = new Deflater();
    deflater.setDictionary("dictionary".getBytes(StandardCharsets.US_ASCII));
    deflater.setInput("dictionary dictionary".getBytes(StandardCharsets.US_ASCII));
    deflater.finish();
    byte[] buffer = new byte[256];
    byte[] encoded = Arrays.copyOf(buffer, deflater.deflate(buffer));
    deflater.end();

    assertThatThrownBy(() -> decodeWhole("deflate", encoded))
        .isInstanceOf(ZipException.class)
        .hasMessageContaining("dictionary");
  }

  @Test
  void deflateWhenNothingFedFinishesWithNothing() throws Exception {
    ContentDecoder d = decoder("deflate");

    finish(d);

    assertThat(d.decodedTotal()).isZero();
  }

  // ---- bounded chunks (decompression bombs) ----

  /** Gzip of {@code size} zeros, made streaming (the zeros are never held). */
  static byte[] gzipOfZeros(long size) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
      byte[] zeros = new byte[1 << 20];
      for (long n = 0; n < size; n += zeros.length) {
        out.write(zeros, 0, (int) Math.min(zeros.length, size - n));
      }
    }
    return bytes.toByteArray();
  }

  @Test
  void gzipWhenBombFedWholeDecodesOneBoundedChunkAtATime() throws Exception {
    byte[] bomb = gzipOfZeros(256L << 20); // 256 MiB of zeros in about 256 KiB
    ContentDecoder d = decoder("gzip");
    d.feed(ByteBuffer.wrap(bomb));

    byte[] first = d.next();

    assertThat(first).hasSize(ContentDecoder.CHUNK_SIZE);
    assertThat(d.decodedTotal()).isEqualTo(ContentDecoder.CHUNK_SIZE);
    assertThat(d.consumedTotal()).as("decoding stops after one chunk").isLessThan(1024);
    assertThat(d.pendingInput()).isEqualTo(bomb.length - d.consumedTotal());
    long total = first.length;
    for (byte[] piece; (piece = d.next()) != null; ) {
      assertThat(piece.length).isBetween(1, ContentDecoder.CHUNK_SIZE);
      total += piece.length;
    }
    d.endOfInput();
    assertThat(d.isComplete()).isTrue();
    assertThat(total).isEqualTo(256L << 20);
  }

  // ---- br (Brotli) ----

  /** The text {@code encoded/text.br} holds (see the README beside it). */
  static byte[] brotliText() {
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < 5000; i++) {
      text.append("line ").append(i).append(": the quick brown fox jumps over the lazy dog\n");
    }
    return text.toString().getBytes(StandardCharsets.US_ASCII);
  }

  static byte[] resource(String name) throws IOException {
    try (var in = ContentDecoderTests.class.getResourceAsStream("/encoded/" + name)) {
      assertThat(in).as(name).isNotNull();
      return in.readAllBytes();
    }
  }

  /**
   * Reads a decoder that decodes on its own thread until it is complete, waking up on its ready
   * action; each wait is bounded.
   */
  static byte[] drainAsync(ContentDecoder d, long maxBytes) throws Exception {
    java.util.concurrent.Semaphore ready = new java.util.concurrent.Semaphore(0);
    d.onReady(ready::release);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    while (!d.isComplete() && out.size() < maxBytes) {
      byte[] piece = d.next();
      if (piece == null) {
        assertThat(ready.tryAcquire(10, java.util.concurrent.TimeUnit.SECONDS)).as("decoder progress").isTrue();
      } else {
        assertThat(piece.length).isBetween(1, ContentDecoder.CHUNK_SIZE);
        out.writeBytes(piece);
      }
    }
    return out.toByteArray();
  }

  @Test
  void brotliWhenFedWholeDecodesByteExact() throws Exception {
    ContentDecoder d = decoder("br");
    d.feed(ByteBuffer.wrap(resource("text.br")));
    d.endOfInput();

    assertThat(drainAsync(d, Long.MAX_VALUE)).isEqualTo(brotliText());
    assertThat(d.decodedTotal()).isEqualTo(brotliText().length);
    assertThat(d.consumedTotal()).isEqualTo(resource("text.br").length);
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3})
  void brotliWhenFedInRandomChunksWhileDecodingDecodesByteExact(long seed) throws Exception {
    byte[] encoded = resource("text.br");
    ContentDecoder d = decoder("br");
    Random random = new Random(seed);
    java.util.concurrent.CompletableFuture<byte[]> decoded = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
      try {
        return drainAsync(d, Long.MAX_VALUE);
      } catch (Exception e) {
        throw new java.util.concurrent.CompletionException(e);
      }
    });
    for (int offset = 0; offset < encoded.length; ) {
      int size = Math.min(1 + random.nextInt(300), encoded.length - offset);
      d.feed(ByteBuffer.wrap(encoded, offset, size));
      offset += size;
    }
    d.endOfInput();

    assertThat(decoded.get(10, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(brotliText());
  }

  @Test
  void brotliWhenTruncatedFailsWithZipException() throws Exception {
    byte[] encoded = resource("text.br");
    ContentDecoder d = decoder("br");
    d.feed(ByteBuffer.wrap(encoded, 0, encoded.length / 2));
    d.endOfInput();

    assertThatThrownBy(() -> drainAsync(d, Long.MAX_VALUE)).isInstanceOf(ZipException.class)
        .hasMessageContaining("br");
  }

  @Test
  void brotliWhenGarbageAfterTheStreamFailsWithZipException() throws Exception {
    ContentDecoder d = decoder("br");
    d.feed(ByteBuffer.wrap(concat(resource("text.br"), new byte[] {1, 2, 3})));
    d.endOfInput();

    assertThatThrownBy(() -> drainAsync(d, Long.MAX_VALUE)).isInstanceOf(ZipException.class);
  }

  @Test
  void brotliWhenInputIsGarbageFailsWithZipException() throws Exception {
    ContentDecoder d = decoder("br");
    d.feed(ByteBuffer.wrap("<html>not brotli at all, no</html>".getBytes(StandardCharsets.US_ASCII)));
    d.endOfInput();

    assertThatThrownBy(() -> drainAsync(d, Long.MAX_VALUE)).isInstanceOf(ZipException.class);
  }

  @Test
  void brotliWhenNothingFedIsCompleteAndEmpty() throws Exception {
    ContentDecoder d = decoder("br");
    d.endOfInput();

    assertThat(d.next()).isNull();
    assertThat(d.isComplete()).isTrue();
  }

  @Test
  void brotliWhenBombDecodesInBoundedChunksOnlyAsTheyAreRead() throws Exception {
    ContentDecoder d = decoder("br");
    d.feed(ByteBuffer.wrap(resource("zeros-10gib.br")));
    d.endOfInput();

    byte[] first = drainAsync(d, 32L << 20); // 32 MiB of the 10 GiB
    d.release();

    assertThat(first.length).isBetween(32 << 20, (32 << 20) + ContentDecoder.CHUNK_SIZE);
    assertThat(d.decodedTotal()).isEqualTo(first.length);
    assertThat(d.isComplete()).isFalse();
  }

  // ---- forEncoding, decodedTotal ----

  @ParameterizedTest
  @ValueSource(strings = {"gzip", "x-gzip", "GZIP", "X-GZIP", "Gzip", " gzip ", "deflate", "DEFLATE", "br", "BR"})
  void forEncodingWhenGzipDeflateOrBrotliReturnsDecoder(String encoding) {
    assertThat(ContentDecoder.forEncoding(encoding)).isNotNull();
  }

  @ParameterizedTest
  @ValueSource(strings = {"identity", "zstd", "compress", "", "gzip2", "brotli"})
  void forEncodingWhenIdentityOrUnknownReturnsNull(String encoding) {
    assertThat(ContentDecoder.forEncoding(encoding)).isNull();
  }

  @Test
  void forEncodingWhenNullReturnsNull() {
    assertThat(ContentDecoder.forEncoding(null)).isNull();
  }

  @Test
  void forEncodingWhenCalledTwiceReturnsIndependentDecoders() throws Exception {
    ContentDecoder a = decoder("gzip");
    ContentDecoder b = decoder("gzip");
    byte[] encoded = gzip(DATA);

    feed(a, Arrays.copyOf(encoded, 100));

    assertThat(a).isNotSameAs(b);
    assertThat(feed(b, encoded)).isEqualTo(DATA);
    finish(b);
  }

  @Test
  void decodedTotalWhenChunksDecodedCountsEveryDecodedByte() throws Exception {
    byte[] encoded = gzip(DATA);
    ContentDecoder d = decoder("gzip");
    int half = encoded.length / 2;

    byte[] first = feed(d, Arrays.copyOf(encoded, half));
    assertThat(d.decodedTotal()).isEqualTo(first.length);
    byte[] second = feed(d, Arrays.copyOfRange(encoded, half, encoded.length));
    finish(d);

    assertThat(d.decodedTotal()).isEqualTo(DATA.length).isEqualTo(first.length + second.length);
  }

  @Test
  void decodedTotalWhenNothingDecodedIsZero() {
    assertThat(decoder("gzip").decodedTotal()).isZero();
    assertThat(decoder("deflate").decodedTotal()).isZero();
  }
}
