package dev.urlsession;

import java.io.InputStream;
import java.io.OutputStream;

/**
 * The delegate of stream tasks (Apple's {@code URLSessionStreamDelegate}). Like every delegate, its
 * methods run on the session's delegate queue, in order for each task; a method left alone is not
 * called.
 *
 * @since 0.1.0
 */
public interface StreamDelegate extends TaskDelegate {
  /**
   * The read side closed: the peer ended the stream, or {@link StreamTask#closeRead()} took effect.
   * Bytes may still be buffered for reads.
   */
  default void readClosed(Session session, StreamTask task) {}

  /** The write side closed: {@link StreamTask#closeWrite()} took effect. */
  default void writeClosed(Session session, StreamTask task) {}

  /** A better route to the host may exist. This implementation never calls it (the JVM has no such hint). */
  default void betterRouteDiscovered(Session session, StreamTask task) {}

  /**
   * {@link StreamTask#captureStreams()} took effect: the connection is {@code input} and
   * {@code output} now, and the task gets no more messages.
   */
  default void didBecomeStreams(Session session, StreamTask task, InputStream input, OutputStream output) {}
}
