package dev.urlsession.internal;

import java.lang.ref.Cleaner;
import java.security.CodeSource;
import java.util.StringJoiner;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a session keeps its {@link HttpEngine} (created on first use), and what releases it: the
 * session's invalidation, or, for a session the application dropped without invalidating it, the
 * garbage collector. A forgotten session would otherwise keep its reactor's threads and its pooled
 * sockets for the life of the JVM (issue 18 item 7; Apple documents the leak). When such a session
 * becomes unreachable a {@link Cleaner} closes its engine and logs one warning naming where the
 * session was created.
 *
 * <p>The cleaning action ({@link State}) holds the engine and a short description of the creation
 * site, never the session: the session is what the cleaner waits on. The engine's threads do not
 * reach the session once its tasks are done, so an idle forgotten session is collectable.
 *
 * <p>Thread-safe.
 */
public final class EngineSlot {
  private static final Logger log = LoggerFactory.getLogger(EngineSlot.class);
  private static final Cleaner CLEANER = Cleaner.create(SerialQueue.daemonThreads("urlsession-cleaner-"));
  /** The library's own classes: frames from them are not where a session was created. */
  private static final @Nullable String LIBRARY = location(EngineSlot.class);
  private static final int SITE_FRAMES = 3;

  private final State state;
  private final Cleaner.@Nullable Cleanable cleanable;

  /**
   * A slot for the engine of {@code owner}, closed when {@code owner} becomes unreachable unless
   * {@link #close} ran first; {@code owner} null for a session that lives as long as the JVM.
   * {@code what} names the session in the warning, e.g. {@code "Session (default)"};
   * {@code others} lets go of the owner's other machinery at the same time (it must not reach
   * the owner, or the owner never becomes unreachable).
   */
  public EngineSlot(@Nullable Object owner, String what, Runnable others) {
    this.state = new State(owner == null ? what : what + " created at " + creationSite(), others);
    this.cleanable = owner == null ? null : CLEANER.register(owner, state);
  }

  /** The engine, created by {@code create} on first use. */
  public HttpEngine getOrCreate(Supplier<HttpEngine> create) {
    synchronized (state) {
      if (state.engine == null) {
        state.engine = create.get();
      }
      return state.engine;
    }
  }

  /** The engine if one was created and not closed yet. */
  public @Nullable HttpEngine current() {
    synchronized (state) {
      return state.engine;
    }
  }

  /**
   * The session was invalidated: lets go of the other machinery, and closes the engine, if any,
   * on a thread of its own (shutting the reactor down joins its threads, which must not happen on
   * a queue or I/O thread). No warning.
   */
  public void close() {
    synchronized (state) {
      state.invalidated = true;
    }
    if (cleanable != null) {
      cleanable.clean(); // runs State.run once, here, and forgets the owner
    } else {
      state.run();
    }
  }

  /** The first few frames of the current stack outside the library: who created the session. */
  static String creationSite() {
    return StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE).walk(frames -> {
      StringJoiner site = new StringJoiner(" <- ");
      frames.filter(f -> !isLibrary(f.getDeclaringClass())).limit(SITE_FRAMES).forEach(f ->
          site.add(f.getClassName() + "." + f.getMethodName() + "(" + f.getFileName() + ":" + f.getLineNumber() + ")"));
      return site.length() == 0 ? "(unknown)" : site.toString();
    });
  }

  private static boolean isLibrary(Class<?> c) {
    if (c.getName().startsWith("java.") || c.getName().startsWith("jdk.")) {
      return true; // reflection and lambdas between the caller and the library
    }
    return LIBRARY != null && LIBRARY.equals(location(c));
  }

  /** Where {@code c} was loaded from (a jar or a classes directory), as text: no URL equality. */
  private static @Nullable String location(Class<?> c) {
    CodeSource source = c.getProtectionDomain().getCodeSource();
    return source == null || source.getLocation() == null ? null : source.getLocation().toString();
  }

  /** The cleaning action: holds the engine and the description, never the session. */
  private static final class State implements Runnable {
    private final String description;
    private final Runnable others;
    private @Nullable HttpEngine engine;
    private boolean invalidated;

    State(String description, Runnable others) {
      this.description = description;
      this.others = others;
    }

    @Override
    public void run() {
      HttpEngine e;
      boolean leaked;
      synchronized (this) {
        e = engine;
        engine = null;
        leaked = !invalidated;
      }
      try {
        others.run();
      } catch (RuntimeException ex) {
        log.error("Letting go of a session's stream or WebSocket machinery failed", ex);
      }
      if (e == null) {
        return; // no thread and no socket to release
      }
      if (leaked) {
        log.warn("{} was never invalidated and is no longer reachable: its connections and I/O threads are"
            + " released now. Call finishTasksAndInvalidate(), invalidateAndCancel() or close() once done with"
            + " a session.", description);
      }
      Thread t = new Thread(e::close, "urlsession-close");
      t.setDaemon(true);
      t.start();
    }
  }
}
