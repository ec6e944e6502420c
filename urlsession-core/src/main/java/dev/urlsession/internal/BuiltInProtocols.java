package dev.urlsession.internal;

import dev.urlsession.SessionConfiguration;
import dev.urlsession.spi.ProtocolHandler;
import java.util.List;

/**
 * The built-in handlers of schemes other than http and https, consulted after the configured
 * ones and after HTTP(S), in this order.
 */
public final class BuiltInProtocols {
  private BuiltInProtocols() {}

  /** New instances for a session with {@code configuration}. */
  public static List<ProtocolHandler> create(SessionConfiguration configuration) {
    return List.of();
  }
}
