package dev.urlsession;

import dev.urlsession.internal.StreamIo;
import dev.urlsession.internal.StreamTls;
import org.jspecify.annotations.Nullable;

/**
 * A session's machinery for stream tasks: the I/O thread and the TLS set-up, both created with the
 * first stream task, and let go when the session is invalidated (the thread ends once streams
 * handed over by {@code captureStreams} are closed too). Thread-safe.
 */
final class StreamTasks {
  private final SessionConfiguration configuration;
  private @Nullable StreamIo io;
  private @Nullable StreamTls tls;

  StreamTasks(SessionConfiguration configuration) {
    this.configuration = configuration;
  }

  /** A new, suspended stream task of {@code session}. */
  synchronized RealStreamTask newTask(RealSession session, long id, StreamTarget target,
      @Nullable TaskDelegate taskDelegate) {
    if (io == null) {
      io = StreamIo.start();
      tls = new StreamTls(configuration);
    }
    return new RealStreamTask(session, id, target, io, tls, taskDelegate);
  }

  /** The session is invalid: the thread ends when its last connection closes. */
  synchronized void shutdown() {
    if (io != null) {
      io.shutdownWhenIdle();
    }
  }

  /**
   * Why a data task cannot become a stream task: HttpClient 5's async client gives no access to the
   * socket of an exchange (its connections are pooled, or HTTP/2 streams among others), and fails
   * a {@code 101 Switching Protocols} other than to TLS before the delegate sees a response; a
   * CONNECT tunnel of its own is internal to its route. Never a hang: the task completes with this.
   */
  static SessionException becomeStreamRefused(java.net.URI url) {
    return new SessionException(SessionException.Code.UNKNOWN, url,
        "ResponseDisposition.BECOME_STREAM is not supported for this load: HttpClient 5 does not hand over"
            + " the connection of an exchange. Open Session.streamTask(host, port) and speak the protocol over it.",
        null);
  }

  /** The I/O thread, or null before the first stream task (for tests). */
  synchronized @Nullable StreamIo io() {
    return io;
  }
}
