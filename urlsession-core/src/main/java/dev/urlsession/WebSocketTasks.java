package dev.urlsession;

import dev.urlsession.internal.WebSocketEngine;
import dev.urlsession.spi.SessionListener;
import org.jspecify.annotations.Nullable;

/**
 * A session's machinery for WebSocket tasks: its WebSocket client ({@link WebSocketEngine},
 * Jetty's on an HTTP client of the session's own), created with the first WebSocket task (so
 * that starting it is not counted in a handshake's time) and stopped when the session is
 * invalidated. Thread-safe.
 */
final class WebSocketTasks {
  private final SessionConfiguration configuration;
  private @Nullable WebSocketEngine engine;

  WebSocketTasks(SessionConfiguration configuration) {
    this.configuration = configuration;
  }

  /** A new, suspended WebSocket task of {@code session}, observed by its listener if any. */
  RealWebSocketTask newTask(RealSession session, long id, Request request) {
    WebSocketHandshakes.check(request);
    engine();
    RealWebSocketTask task = new RealWebSocketTask(session, id, request);
    SessionListener.Factory factory = configuration.sessionListenerFactory();
    if (factory != null) {
      task.events.listenTo(factory);
    }
    return task;
  }

  /** The client, started on first use. */
  synchronized WebSocketEngine engine() {
    if (engine == null) {
      engine = new WebSocketEngine(configuration);
    }
    return engine;
  }

  /** The session is invalid: the client stops, off the calling thread (it joins its threads). */
  void shutdown() {
    WebSocketEngine e;
    synchronized (this) {
      e = engine;
    }
    if (e != null) {
      Thread t = new Thread(e::close, "urlsession-close-ws");
      t.setDaemon(true);
      t.start();
    }
  }
}
