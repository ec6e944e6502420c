package dev.urlsession.internal;

import java.io.IOException;

/**
 * Where a stream task reads its bytes from: a {@link StreamChannel} (a TCP connection), or the
 * rest of a response's body that a data task handed over ({@code BECOME_STREAM}). These are the
 * operations a reader needs: bytes buffered and taken, the end, flow control (pause, and asking for
 * more once there is room), closing. What the source has to say, it tells its
 * {@link StreamChannel.Listener}: {@code changed()} when bytes arrived or the end came,
 * {@code failed(e)} once when it broke (it is closed then).
 *
 * <p>Threading: every method is called on the session's stream I/O thread ({@link StreamIo}),
 * which is where the listener is called too.
 */
public interface StreamSource {
  /** Who hears of changes and failures from now on. */
  void listener(StreamChannel.Listener listener);

  /** Whether bytes flow: not connecting or handshaking, not failed, not closed. */
  boolean isOpen();

  /** Bytes ready to take. */
  int available();

  /** Whether the end came, or the read side was shut (bytes may still be buffered before the end). */
  boolean atEnd();

  /** Takes up to {@code max} buffered bytes. */
  byte[] take(int max) throws IOException;

  /** Closes the read side: what is buffered is dropped, nothing more is read. */
  void shutdownInput() throws IOException;

  /** Stops or restarts reading (a suspended task). */
  void pauseReading(boolean paused);

  /** Reads more when there is room and reading is not paused; call after every change. */
  void updateInterest();

  /** Closes the source; nothing is reported. Idempotent. */
  void close();
}
