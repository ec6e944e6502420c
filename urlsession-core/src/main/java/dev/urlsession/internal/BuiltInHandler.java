package dev.urlsession.internal;

import dev.urlsession.spi.ProtocolHandler;
import dev.urlsession.spi.ProtocolLoad;
import org.jspecify.annotations.Nullable;

/**
 * A handler built into the session ({@code http:} and {@code https:}, {@code data:},
 * {@code file:}, {@code ftp:}). It is chosen like any {@link ProtocolHandler}
 * ({@code canHandle}, {@code canonicalRequest}, the same order rules), but the task starts it with
 * the session's {@link LoadSupport} as well: flow control, upload progress, challenges and
 * per-exchange metrics, which the public SPI does not offer. The task's load chain is the one
 * place that tells the two kinds of handler apart; a handler never inspects its load's class.
 */
public interface BuiltInHandler extends ProtocolHandler {
  /**
   * Starts loading {@code load}; {@code support} is the session's, or null when the load is not
   * a session's (a test driving the handler alone).
   */
  void startLoading(ProtocolLoad load, @Nullable LoadSupport support);

  /** Starts a load that is not a session's: without the engine's support. */
  @Override
  default void startLoading(ProtocolLoad load) {
    startLoading(load, null);
  }
}
