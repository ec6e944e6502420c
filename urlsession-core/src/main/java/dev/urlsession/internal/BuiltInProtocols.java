package dev.urlsession.internal;

import dev.urlsession.SessionConfiguration;
import dev.urlsession.spi.ProtocolHandler;
import java.util.List;

/**
 * The built-in handlers of schemes other than http and https, consulted after the configured
 * ones and after HTTP(S), in this order: {@code data:}, {@code file:}, {@code ftp:}
 * (URLSESSION-BEHAVIOUR.md 8.1).
 */
public final class BuiltInProtocols {
  private BuiltInProtocols() {}

  /** New instances for a session with {@code configuration}. */
  public static List<ProtocolHandler> create(SessionConfiguration configuration) {
    return List.of(new DataUrlHandler(), new FileUrlHandler(), new FtpHandler(configuration));
  }
}
