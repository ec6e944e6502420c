package dev.urlsession.spi;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.Objects;

/**
 * Global registration of protocol handlers for the shared session (Apple's
 * {@code URLProtocol.registerClass}). Handlers registered later are consulted first. Sessions
 * created with {@code Session.create} use only their configuration's handlers. Thread-safe.
 *
 * @since 0.1.0
 */
public final class ProtocolHandlers {
  private static final CopyOnWriteArrayList<ProtocolHandler> REGISTERED = new CopyOnWriteArrayList<>();

  private ProtocolHandlers() {}

  /** Registers {@code handler}; it is consulted before every handler registered earlier. */
  public static void register(ProtocolHandler handler) {
    REGISTERED.add(0, Objects.requireNonNull(handler, "handler"));
  }

  /** Removes {@code handler}; returns whether it was registered. */
  public static boolean unregister(ProtocolHandler handler) {
    return REGISTERED.remove(handler);
  }

  /** The registered handlers, in the order they are consulted. */
  public static List<ProtocolHandler> registered() {
    return List.copyOf(new ArrayList<>(REGISTERED));
  }
}
