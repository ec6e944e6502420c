package dev.urlsession.internal;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Locale;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import java.util.zip.ZipException;
import org.jspecify.annotations.Nullable;

/**
 * Streaming {@code gzip} and {@code deflate} content decoding, fed chunk by chunk from an I/O
 * thread: no blocking stream, no buffering of the whole body. Gzip trailers (CRC-32 and length)
 * are verified; several gzip members are decoded one after the other. Not thread-safe: one
 * instance per response, used by one thread at a time.
 */
public final class ContentDecoder {
  private enum Stage { HEADER, EXTRA_LENGTH, EXTRA, NAME, COMMENT, HEADER_CRC, BODY, TRAILER, DONE }

  private static final int FHCRC = 2;
  private static final int FEXTRA = 4;
  private static final int FNAME = 8;
  private static final int FCOMMENT = 16;

  private final boolean gzip;
  private @Nullable Inflater inflater;
  private final CRC32 crc = new CRC32();
  private final byte[] out = new byte[16 * 1024];
  private Stage stage;
  /** Bytes of the current fixed-size header part or trailer collected so far. */
  private final byte[] fixed = new byte[10];
  private int fixedCount;
  private int flags;
  private int extraRemaining;
  private long memberSize;
  private boolean deflateFormatKnown;
  private long decodedTotal;

  private ContentDecoder(boolean gzip) {
    this.gzip = gzip;
    this.stage = gzip ? Stage.HEADER : Stage.BODY;
  }

  /** A decoder for a {@code Content-Encoding} value, or null for identity or unknown codings. */
  public static @Nullable ContentDecoder forEncoding(@Nullable String contentEncoding) {
    if (contentEncoding == null) {
      return null;
    }
    String e = contentEncoding.trim().toLowerCase(Locale.ROOT);
    switch (e) {
      case "gzip":
      case "x-gzip":
        return new ContentDecoder(true);
      case "deflate":
        return new ContentDecoder(false);
      default:
        return null;
    }
  }

  /** Total decoded bytes so far. */
  public long decodedTotal() {
    return decodedTotal;
  }

  /**
   * Decodes one chunk; returns the decoded bytes (possibly empty).
   *
   * @throws ZipException for malformed data
   */
  public byte[] decode(ByteBuffer src) throws ZipException {
    ByteArrayOutputStream result = new ByteArrayOutputStream(Math.max(32, src.remaining() * 3));
    try {
      while (src.hasRemaining()) {
        switch (stage) {
          case HEADER:
            if (collect(src, 10)) {
              if ((fixed[0] & 0xff) != 0x1f || (fixed[1] & 0xff) != 0x8b || fixed[2] != 8) {
                throw new ZipException("not in gzip format");
              }
              flags = fixed[3] & 0xff;
              fixedCount = 0;
              stage = Stage.EXTRA_LENGTH;
              advanceHeader();
            }
            break;
          case EXTRA_LENGTH:
            if (collect(src, 2)) {
              extraRemaining = (fixed[0] & 0xff) | (fixed[1] & 0xff) << 8;
              fixedCount = 0;
              stage = Stage.EXTRA;
            }
            break;
          case EXTRA:
            int skip = Math.min(extraRemaining, src.remaining());
            src.position(src.position() + skip);
            extraRemaining -= skip;
            if (extraRemaining == 0) {
              stage = Stage.NAME;
              advanceHeader();
            }
            break;
          case NAME:
          case COMMENT:
            if (src.get() == 0) {
              stage = stage == Stage.NAME ? Stage.COMMENT : Stage.HEADER_CRC;
              advanceHeader();
            }
            break;
          case HEADER_CRC:
            if (collect(src, 2)) {
              fixedCount = 0;
              stage = Stage.BODY;
            }
            break;
          case BODY:
            inflate(src, result);
            break;
          case TRAILER:
            if (collect(src, 8)) {
              long expectedCrc = readInt(0);
              long expectedSize = readInt(4);
              if (expectedCrc != crc.getValue() || expectedSize != (memberSize & 0xffffffffL)) {
                throw new ZipException("gzip trailer does not match the data (corrupt body)");
              }
              fixedCount = 0;
              crc.reset();
              memberSize = 0;
              stage = Stage.HEADER; // another member may follow
            }
            break;
          case DONE:
            src.position(src.limit()); // ignore trailing garbage after a deflate stream
            break;
          default:
            throw new AssertionError(stage);
        }
      }
    } catch (DataFormatException e) {
      ZipException z = new ZipException("invalid " + (gzip ? "gzip" : "deflate") + " data: " + e.getMessage());
      z.initCause(e);
      throw z;
    }
    byte[] bytes = result.toByteArray();
    decodedTotal += bytes.length;
    return bytes;
  }

  /** Skips header parts the flags say are absent. */
  private void advanceHeader() {
    if (stage == Stage.EXTRA_LENGTH && (flags & FEXTRA) == 0) {
      stage = Stage.NAME;
    }
    if (stage == Stage.NAME && (flags & FNAME) == 0) {
      stage = Stage.COMMENT;
    }
    if (stage == Stage.COMMENT && (flags & FCOMMENT) == 0) {
      stage = Stage.HEADER_CRC;
    }
    if (stage == Stage.HEADER_CRC && (flags & FHCRC) == 0) {
      stage = Stage.BODY;
    }
  }

  private void inflate(ByteBuffer src, ByteArrayOutputStream result) throws DataFormatException {
    if (inflater == null) {
      boolean nowrap = gzip;
      if (!gzip && !deflateFormatKnown) {
        // "deflate" is zlib-wrapped by the RFC but raw in some servers: look at the first two
        // bytes, which may arrive in separate chunks; they wait in the fixed buffer.
        if (!collect(src, 2)) {
          return;
        }
        nowrap = !looksLikeZlib(fixed[0], fixed[1]);
        deflateFormatKnown = true;
      }
      inflater = new Inflater(nowrap);
      if (fixedCount > 0 && !gzip) {
        byte[] head = java.util.Arrays.copyOf(fixed, fixedCount);
        fixedCount = 0;
        feed(ByteBuffer.wrap(head), result);
      }
    }
    if (inflater != null && src.hasRemaining()) {
      feed(src, result);
    }
  }

  private static boolean looksLikeZlib(byte b0, byte b1) {
    int cmf = b0 & 0xff;
    int flg = b1 & 0xff;
    return (cmf & 0x0f) == 8 && ((cmf << 8) | flg) % 31 == 0;
  }

  private void feed(ByteBuffer src, ByteArrayOutputStream result) throws DataFormatException {
    Inflater inf = inflater;
    byte[] in = new byte[src.remaining()];
    int start = src.position();
    src.get(in);
    inf.setInput(in);
    while (!inf.finished() && !inf.needsInput()) {
      int n = inf.inflate(out);
      if (n > 0) {
        result.write(out, 0, n);
        if (gzip) {
          crc.update(out, 0, n);
          memberSize += n;
        }
      } else if (inf.needsDictionary()) {
        throw new DataFormatException("preset dictionary not supported");
      } else if (!inf.needsInput() && !inf.finished()) {
        break;
      }
    }
    if (inf.finished()) {
      int remaining = inf.getRemaining();
      inf.end();
      inflater = null;
      src.position(start + in.length - remaining);
      stage = gzip ? Stage.TRAILER : Stage.DONE;
    }
  }

  private boolean collect(ByteBuffer src, int size) {
    while (fixedCount < size && src.hasRemaining()) {
      fixed[fixedCount++] = src.get();
    }
    return fixedCount == size;
  }

  private long readInt(int offset) {
    return (fixed[offset] & 0xffL)
        | (fixed[offset + 1] & 0xffL) << 8
        | (fixed[offset + 2] & 0xffL) << 16
        | (fixed[offset + 3] & 0xffL) << 24;
  }

  /**
   * Checks the body ended where the encoding says it may.
   *
   * @throws ZipException for a truncated body
   */
  public void finish() throws ZipException {
    boolean empty = decodedTotal == 0 && fixedCount == 0 && inflater == null && !deflateFormatKnown;
    boolean complete =
        gzip ? stage == Stage.HEADER && fixedCount == 0 : stage == Stage.DONE || empty;
    release();
    if (!complete) {
      throw new ZipException("truncated " + (gzip ? "gzip" : "deflate") + " body");
    }
  }

  /** Frees the native inflater. */
  public void release() {
    if (inflater != null) {
      inflater.end();
      inflater = null;
    }
  }
}
