package dev.urlsession.spi;

import dev.urlsession.Request;
import dev.urlsession.SessionTask;
import org.jspecify.annotations.Nullable;

/**
 * One load by a {@link ProtocolHandler} (the state of Apple's {@code URLProtocol} instance).
 *
 * @since 0.1.0
 */
public interface ProtocolLoad {
  /** The request to load. */
  Request request();

  /** Where to report the load's progress. */
  ProtocolClient client();

  /** The task the load serves, or null when loading outside a task. */
  @Nullable SessionTask task();

  /** A slot for the handler's own per-load state. */
  @Nullable Object attachment();

  /**
   * Sets the handler's per-load state. When the load was stopped before its state was set (a task
   * cancelled on another thread while {@code startLoading} ran), setting a non-null state calls
   * {@link ProtocolHandler#stopLoading} again, so that the handler can stop what it just started:
   * {@code stopLoading} may therefore be called more than once for a load and must tolerate it.
   */
  void attachment(@Nullable Object attachment);
}
