package dev.urlsession.internal;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import java.util.zip.ZipException;
import org.jspecify.annotations.Nullable;

/**
 * {@code gzip} and {@code deflate} on the JDK's {@link Inflater}, synchronous: {@link #next()}
 * decodes on the calling thread until it has a chunk or needs input. Gzip trailers (CRC-32 and
 * length) are verified; several gzip members are decoded one after the other; {@code deflate} is
 * zlib-wrapped or raw, told apart by its first two bytes. Its methods are synchronized, so that
 * {@link #release()} from another thread never ends the inflater under a running {@link #next()}.
 */
final class InflaterDecoder extends ContentDecoder {
  private enum Stage { HEADER, EXTRA_LENGTH, EXTRA, NAME, COMMENT, HEADER_CRC, BODY, TRAILER, DONE }

  private static final int FHCRC = 2;
  private static final int FEXTRA = 4;
  private static final int FNAME = 8;
  private static final int FCOMMENT = 16;

  private final boolean gzip;
  private final ArrayDeque<ByteBuffer> input = new ArrayDeque<>();
  private long pendingInput;
  private long consumedTotal;
  private boolean ended;
  private boolean released;
  private @Nullable Inflater inflater;
  private final CRC32 crc = new CRC32();
  private byte @Nullable [] scratch;
  private Stage stage;
  /** Bytes of the current fixed-size header part or trailer collected so far. */
  private final byte[] fixed = new byte[10];
  private int fixedCount;
  private int flags;
  private int extraRemaining;
  private long memberSize;
  private boolean deflateFormatKnown;
  /** The first two bytes of a deflate body, inflated before the rest. */
  private @Nullable ByteBuffer head;
  private boolean sawInput;

  InflaterDecoder(boolean gzip) {
    this.gzip = gzip;
    this.stage = gzip ? Stage.HEADER : Stage.BODY;
  }

  @Override
  public synchronized void feed(ByteBuffer src) {
    int n = src.remaining();
    if (n == 0) {
      return;
    }
    byte[] copy = new byte[n];
    src.get(copy);
    input.add(ByteBuffer.wrap(copy));
    pendingInput += n;
    sawInput = true;
  }

  @Override
  public synchronized void endOfInput() {
    ended = true;
  }

  @Override
  public synchronized long pendingInput() {
    return pendingInput;
  }

  @Override
  public synchronized long consumedTotal() {
    return consumedTotal;
  }

  @Override
  public synchronized byte @Nullable [] next() throws ZipException {
    if (released) {
      throw new ZipException("decoder released");
    }
    byte[] out = scratch;
    if (out == null) {
      out = scratch = new byte[CHUNK_SIZE];
    }
    int n = 0;
    try {
      while (n < out.length) {
        ByteBuffer src = input.peek();
        if (src == null && !(stage == Stage.BODY && (inflater != null || head != null))) {
          break;
        }
        int before = src == null ? 0 : src.remaining();
        int produced = step(src, out, n);
        int used = src == null ? 0 : before - src.remaining();
        pendingInput -= used;
        consumedTotal += used;
        if (src != null && !src.hasRemaining()) {
          input.poll();
        }
        n += produced;
        if (produced == 0 && used == 0) {
          break; // the inflater needs input it does not have yet
        }
      }
    } catch (DataFormatException e) {
      ZipException z = new ZipException("invalid " + (gzip ? "gzip" : "deflate") + " data: " + e.getMessage());
      z.initCause(e);
      throw z;
    }
    if (n == 0) {
      return null;
    }
    decodedTotal += n;
    return Arrays.copyOf(out, n);
  }

  /** One step of the state machine over {@code src}; returns the bytes written to {@code out}. */
  private int step(@Nullable ByteBuffer src, byte[] out, int offset) throws DataFormatException, ZipException {
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
        return 0;
      case EXTRA_LENGTH:
        if (collect(src, 2)) {
          extraRemaining = (fixed[0] & 0xff) | (fixed[1] & 0xff) << 8;
          fixedCount = 0;
          stage = Stage.EXTRA;
        }
        return 0;
      case EXTRA:
        int skip = Math.min(extraRemaining, src.remaining());
        src.position(src.position() + skip);
        extraRemaining -= skip;
        if (extraRemaining == 0) {
          stage = Stage.NAME;
          advanceHeader();
        }
        return 0;
      case NAME:
      case COMMENT:
        while (src.hasRemaining()) {
          if (src.get() == 0) {
            stage = stage == Stage.NAME ? Stage.COMMENT : Stage.HEADER_CRC;
            advanceHeader();
            break;
          }
        }
        return 0;
      case HEADER_CRC:
        if (collect(src, 2)) {
          fixedCount = 0;
          stage = Stage.BODY;
        }
        return 0;
      case BODY:
        return inflate(src, out, offset);
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
        return 0;
      case DONE:
        src.position(src.limit()); // ignore trailing garbage after a deflate stream
        return 0;
      default:
        throw new AssertionError(stage);
    }
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

  private int inflate(@Nullable ByteBuffer src, byte[] out, int offset) throws DataFormatException {
    Inflater inf = inflater;
    if (inf == null) {
      boolean nowrap = gzip;
      if (!gzip && !deflateFormatKnown) {
        // "deflate" is zlib-wrapped by the RFC but raw in some servers: look at the first two
        // bytes, which may arrive in separate chunks; they wait in the fixed buffer.
        if (!collect(src, 2)) {
          return 0;
        }
        nowrap = !looksLikeZlib(fixed[0], fixed[1]);
        deflateFormatKnown = true;
        head = ByteBuffer.wrap(Arrays.copyOf(fixed, 2));
        fixedCount = 0;
      }
      inf = inflater = new Inflater(nowrap);
    }
    int total = 0;
    while (offset + total < out.length) {
      ByteBuffer from = head != null ? head : src;
      if (inf.needsInput() && from != null && from.hasRemaining()) {
        inf.setInput(from); // the inflater advances the buffer's position by what it consumes
      }
      // Called even without new input: the inflater may hold output that did not fit before.
      int n = inf.inflate(out, offset + total, out.length - offset - total);
      if (n > 0 && gzip) {
        crc.update(out, offset + total, n);
        memberSize += n;
      }
      total += n;
      if (inf.finished()) {
        // What the inflater did not use stays in src: a gzip trailer, or garbage after deflate.
        inf.end();
        inflater = null;
        head = null;
        stage = gzip ? Stage.TRAILER : Stage.DONE;
        return total;
      }
      if (n == 0) {
        if (inf.needsDictionary()) {
          throw new DataFormatException("preset dictionary not supported");
        }
        if (head != null && from == head) {
          head = null; // the two bytes looked at are in: go on with the rest
          continue;
        }
        return total; // needs more input
      }
    }
    return total;
  }

  private static boolean looksLikeZlib(byte b0, byte b1) {
    int cmf = b0 & 0xff;
    int flg = b1 & 0xff;
    return (cmf & 0x0f) == 8 && ((cmf << 8) | flg) % 31 == 0;
  }

  private boolean collect(@Nullable ByteBuffer src, int size) {
    while (fixedCount < size && src != null && src.hasRemaining()) {
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

  @Override
  public synchronized boolean isComplete() throws ZipException {
    if (!ended) {
      return false;
    }
    boolean complete = pendingInput == 0 && (!sawInput
        || (gzip ? stage == Stage.HEADER && fixedCount == 0 : stage == Stage.DONE));
    release();
    if (!complete) {
      throw new ZipException("truncated " + (gzip ? "gzip" : "deflate") + " body");
    }
    return true;
  }

  @Override
  public synchronized void release() {
    released = true;
    Inflater inf = inflater;
    if (inf != null) {
      inflater = null;
      inf.end();
    }
    input.clear();
    scratch = null;
  }
}
