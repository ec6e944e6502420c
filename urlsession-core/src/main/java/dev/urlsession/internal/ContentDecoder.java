package dev.urlsession.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Locale;
import java.util.zip.ZipException;
import org.jspecify.annotations.Nullable;

/**
 * Incremental decoding of one response body's {@code Content-Encoding} ({@code gzip},
 * {@code x-gzip}, {@code deflate} and {@code br}), fed from an I/O thread and read in bounded
 * chunks: encoded bytes go in with {@link #feed}, decoded bytes come out of {@link #next()} at most
 * {@link #CHUNK_SIZE} at a time, so however far a body inflates (a decompression bomb inflates a
 * thousand times and more) no more than one chunk is decoded ahead of its reader.
 *
 * <p>Use: {@link #feed} what arrives; call {@link #next()} until it returns null (then it needs
 * more input, or an asynchronous decoder has nothing ready yet and calls the {@linkplain #onReady
 * ready action} when it has); {@link #endOfInput()} when the body ended; once {@link #next()} is
 * null again, {@link #isComplete()} tells whether the body ended where the encoding says it may.
 * {@link #release()} frees what the decoder holds, at any time.
 *
 * <p>Not thread-safe for its users: {@link #feed}, {@link #next()} and {@link #endOfInput()} must
 * not run at the same time (the HTTP handler's pump serializes them); {@link #release()} may run
 * from any thread.
 */
public abstract class ContentDecoder {
  /** The most decoded bytes one {@link #next()} hands out. */
  public static final int CHUNK_SIZE = 64 * 1024;

  /**
   * The {@code Accept-Encoding} a task sends unless it asks for something else: Apple's own value
   * (the codings decoded here).
   */
  public static final String ACCEPT_ENCODING = "gzip, deflate, br";

  private volatile @Nullable Runnable ready;
  /** Decoded bytes handed out by {@link #next()}. */
  protected long decodedTotal;

  /** A decoder for a {@code Content-Encoding} value, or null for identity or unknown codings. */
  public static @Nullable ContentDecoder forEncoding(@Nullable String contentEncoding) {
    if (contentEncoding == null) {
      return null;
    }
    switch (contentEncoding.trim().toLowerCase(Locale.ROOT)) {
      case "gzip":
      case "x-gzip":
        return new InflaterDecoder(true);
      case "deflate":
        return new InflaterDecoder(false);
      case "br":
        return StreamDecoder.brotli();
      default:
        return null;
    }
  }

  /** Takes the remaining bytes of {@code src} (copied: the buffer may be reused afterwards). */
  public abstract void feed(ByteBuffer src) throws IOException;

  /** The body ended: no more {@link #feed}. */
  public abstract void endOfInput();

  /**
   * The next decoded bytes, 1 to {@link #CHUNK_SIZE} of them, or null when none are ready: more
   * input is needed, or an asynchronous decoder is still working (it then runs the
   * {@linkplain #onReady ready action}), or everything was decoded.
   *
   * @throws ZipException for malformed data
   */
  public abstract byte @Nullable [] next() throws IOException;

  /**
   * Whether the whole body was decoded: true once the input ended and every decoded byte was
   * handed out; false while more may come.
   *
   * @throws ZipException when the input ended where the encoding says it may not (truncated)
   */
  public abstract boolean isComplete() throws IOException;

  /** Encoded bytes fed but not yet decoded. */
  public abstract long pendingInput();

  /** Encoded bytes the decoder consumed so far (for the decoding ratio). */
  public abstract long consumedTotal();

  /** Frees what the decoder holds (native inflater, buffers, its thread); later calls fail. */
  public abstract void release();

  /** Total decoded bytes handed out so far. */
  public final long decodedTotal() {
    return decodedTotal;
  }

  /**
   * Sets what runs, on the decoder's own thread, when an asynchronous decoder has output ready,
   * failed, finished, or took input so that it may want more. Synchronous decoders never run it.
   */
  public final void onReady(@Nullable Runnable action) {
    this.ready = action;
  }

  /** Runs the ready action, if any. */
  protected final void fireReady() {
    Runnable r = ready;
    if (r != null) {
      r.run();
    }
  }
}
