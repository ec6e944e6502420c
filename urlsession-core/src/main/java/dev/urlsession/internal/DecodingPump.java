package dev.urlsession.internal;

import dev.urlsession.SessionException;
import dev.urlsession.SessionException.Code;
import dev.urlsession.spi.ProtocolClient;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Moves a content-encoded body from the connection through its {@link ContentDecoder} to the
 * load's client, one bounded chunk at a time and only while the task
 * {@linkplain LoadSupport#wantsData() wants data}: a decoded body waits in its encoded form, never
 * decoded ahead. It refuses a body that inflates more than the configured ratio (a decompression
 * bomb) with {@code DATA_LENGTH_EXCEEDS_MAXIMUM}.
 *
 * <p>Whoever calls {@link #drain()} (the I/O thread with new input, the task's thread with new
 * demand, a decoder thread with new output) does the work, one at a time: a call while another
 * drains only makes it go round once more. No lock is held while the client is called.
 */
final class DecodingPump {
  /** Bodies are never refused for their ratio before they decode to this many bytes. */
  static final long RATIO_FLOOR = 8L * 1024 * 1024;

  private final ContentDecoder decoder;
  private final ProtocolClient client;
  private final @Nullable LoadSupport support;
  private final TransactionRecorder recorder;
  private final URI url;
  private final int maximumRatio;
  private final Runnable needsInput;
  private final Runnable finished;
  private final Consumer<Exception> failed;
  private final AtomicInteger work = new AtomicInteger();
  private volatile boolean stopped;
  private volatile boolean ended;

  /**
   * @param maximumRatio the decoded bytes may be at most this many times the encoded bytes the
   *     decoder consumed (past {@link #RATIO_FLOOR}); 0 for no limit
   * @param needsInput run when the decoder ran out of input (to open the connection's window)
   * @param finished run once when the whole body was decoded and handed over
   * @param failed run once when decoding failed
   */
  DecodingPump(ContentDecoder decoder, ProtocolClient client, @Nullable LoadSupport support,
      TransactionRecorder recorder, URI url, int maximumRatio, Runnable needsInput,
      Runnable finished, Consumer<Exception> failed) {
    this.decoder = decoder;
    this.client = client;
    this.support = support;
    this.recorder = recorder;
    this.url = url;
    this.maximumRatio = maximumRatio;
    this.needsInput = needsInput;
    this.finished = finished;
    this.failed = failed;
    decoder.onReady(this::drain);
  }

  /** Encoded bytes not yet decoded. */
  long pendingInput() {
    return decoder.pendingInput();
  }

  /** Takes encoded bytes from the connection (copied) and decodes what the task takes now. */
  void input(ByteBuffer src) throws IOException {
    if (stopped) {
      src.position(src.limit());
      return;
    }
    decoder.feed(src);
    drain();
  }

  /** The body ended on the connection. */
  void end() {
    ended = true;
    decoder.endOfInput();
    drain();
  }

  /** Decodes and hands over while the task wants data; any thread. */
  void drain() {
    if (work.getAndIncrement() != 0) {
      return;
    }
    do {
      step();
    } while (work.decrementAndGet() != 0);
  }

  /** Whether the whole encoded body arrived. */
  boolean ended() {
    return ended;
  }

  /** Stops: the load ended another way. */
  void stop() {
    stopped = true;
    decoder.release();
  }

  private void step() {
    try {
      while (!stopped) {
        if (support != null && !support.wantsData()) {
          return; // the task's demand calls drain() again
        }
        byte[] chunk = decoder.next();
        if (chunk == null) {
          if (decoder.isComplete()) {
            stopped = true;
            finished.run();
          } else {
            needsInput.run();
          }
          return;
        }
        long decoded = decoder.decodedTotal();
        if (maximumRatio > 0 && decoded > RATIO_FLOOR
            && decoded / maximumRatio > decoder.consumedTotal()) {
          throw new SessionException(Code.DATA_LENGTH_EXCEEDS_MAXIMUM, url,
              "resource exceeds maximum size: the body inflates more than " + maximumRatio
                  + " times (" + decoded + " bytes decoded from " + decoder.consumedTotal()
                  + "), the maximum content decoding ratio of the session", null);
        }
        recorder.responseBodyBytesDecoded += chunk.length;
        client.didLoadData(chunk);
      }
    } catch (IOException | RuntimeException e) {
      stopped = true;
      decoder.release();
      failed.accept(e);
    }
  }
}
