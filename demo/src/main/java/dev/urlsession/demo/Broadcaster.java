package dev.urlsession.demo;

import java.io.IOException;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * The page's server-sent events. Sends happen on one thread of their own, in the order they were
 * asked for, so that the session's delegate queue (where events are published) never waits for
 * a browser.
 */
@Component
class Broadcaster {
  private static final Logger log = LoggerFactory.getLogger(Broadcaster.class);

  private final Set<SseEmitter> emitters = new CopyOnWriteArraySet<>();
  private final ExecutorService sender = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "demo-sse");
    t.setDaemon(true);
    return t;
  });

  /**
   * A new stream, whose first event is {@code snapshot} (the whole state, read when it is sent),
   * followed by every later {@link #send} (no timeout: the page keeps it open).
   */
  SseEmitter subscribe(Supplier<Object> snapshot) {
    SseEmitter emitter = new SseEmitter(0L);
    emitter.onCompletion(() -> emitters.remove(emitter));
    emitter.onTimeout(() -> emitters.remove(emitter));
    emitter.onError(e -> emitters.remove(emitter));
    if (!run(() -> {
      if (deliver(emitter, "snapshot", snapshot.get())) {
        emitters.add(emitter);
      }
    })) {
      emitter.complete(); // shutting down
    }
    return emitter;
  }

  /** Sends an event named {@code name} with {@code data} as JSON to every open page. */
  void send(String name, Object data) {
    run(() -> emitters.forEach(emitter -> {
      if (!deliver(emitter, name, data)) {
        emitters.remove(emitter);
      }
    }));
  }

  private boolean run(Runnable send) {
    try {
      sender.execute(send);
      return true;
    } catch (RejectedExecutionException e) {
      return false; // the application is stopping: the pages reconnect to the next run
    }
  }

  private static boolean deliver(SseEmitter emitter, String name, Object data) {
    try {
      emitter.send(SseEmitter.event().name(name).data(data, MediaType.APPLICATION_JSON));
      return true;
    } catch (IOException | IllegalStateException e) {
      log.debug("A page went away", e);
      emitter.completeWithError(e);
      return false;
    }
  }

  /** Ends every stream before the web server's graceful shutdown waits for open requests. */
  @EventListener(ContextClosedEvent.class)
  void close() {
    sender.shutdown();
    emitters.forEach(SseEmitter::complete);
    emitters.clear();
  }
}
