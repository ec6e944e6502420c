package dev.urlsession.spi;

import dev.urlsession.Request;

/**
 * Loads requests of some scheme (Apple's {@code URLProtocol}). One instance serves many loads
 * concurrently; per-load state belongs in the {@link ProtocolLoad}.
 *
 * <p>A session consults its configuration's handlers in order, then the built-in ones (HTTP and
 * HTTPS; later data, file and ftp); the first whose {@link #canHandle} returns true loads the
 * request. The shared session also consults {@linkplain ProtocolHandlers#register globally
 * registered} handlers.
 *
 * <p>{@code startLoading} and {@code stopLoading} are called on library threads and must not
 * block; report through {@link ProtocolLoad#client()} from any thread.
 *
 * @since 0.1.0
 */
public interface ProtocolHandler {
  /** Whether this handler loads {@code request}. Must be fast and must not throw. */
  boolean canHandle(Request request);

  /** The canonical form of {@code request} (for cache keys); usually the request itself. */
  default Request canonicalRequest(Request request) {
    return request;
  }

  /** Starts loading; report the result through {@code load.client()}. */
  void startLoading(ProtocolLoad load);

  /** Stops loading (the task was cancelled or redirected); no more client calls are needed. */
  void stopLoading(ProtocolLoad load);
}
