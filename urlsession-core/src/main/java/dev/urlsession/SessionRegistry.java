package dev.urlsession;

import dev.urlsession.internal.Checks;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The named sessions of an application, looked up by name. The Spring Boot starter creates one
 * from {@code urlsession.sessions.*} and exposes it as a bean; any application can build its own.
 *
 * <pre>{@code
 * SessionRegistry registry = new SessionRegistry();
 * registry.register("api", Session.create(SessionConfiguration.defaultConfiguration()));
 * Session api = registry.session("api");          // NoSuchSessionException for an unknown name
 * Optional<Session> maybe = registry.find("cdn");  // empty for an unknown name
 * }</pre>
 *
 * <p>A lookup never creates a session: a misspelled name fails with
 * {@link NoSuchSessionException} instead of quietly returning a session with default settings.
 * The registry does not own its sessions: {@link #remove(String)} does not invalidate the session
 * it removes, and whoever created a session invalidates it.
 *
 * <p>{@link Listener}s hear about every session added and removed, in the order of the changes,
 * one call at a time. A listener is called without any lock of the registry held, usually on the
 * thread that made the change before {@link #register} or {@link #remove} returns; when another
 * thread is delivering notifications at that moment, that thread delivers this one too, right
 * after the ones before it. A listener that throws is logged and the other listeners still run.
 *
 * <p>Thread-safe.
 *
 * @since 0.1.0
 */
public final class SessionRegistry {
  private static final Logger log = LoggerFactory.getLogger(SessionRegistry.class);

  private final Object lock = new Object();
  /** Registered sessions in registration order; guarded by {@code lock}. */
  private final Map<String, Session> sessions = new LinkedHashMap<>();
  private final List<Listener> listeners = new CopyOnWriteArrayList<>();
  /** Changes not yet delivered to listeners, enqueued under {@code lock} so they keep its order. */
  private final ConcurrentLinkedQueue<Change> changes = new ConcurrentLinkedQueue<>();
  /** Non-zero while a thread delivers changes; counts the deliveries asked for meanwhile. */
  private final AtomicInteger delivering = new AtomicInteger();

  /** An empty registry. */
  public SessionRegistry() {}

  /**
   * Registers {@code session} under {@code name} and tells the listeners.
   *
   * @throws IllegalArgumentException if {@code name} is null or blank, or {@code session} is null
   * @throws IllegalStateException if a session is already registered under {@code name}
   */
  public void register(String name, Session session) {
    Checks.notNull(name, "session name");
    Checks.argument(!name.isBlank(), "session name must not be blank");
    Checks.notNull(session, "session");
    synchronized (lock) {
      if (sessions.containsKey(name)) {
        throw new IllegalStateException("A session named '" + name + "' is already registered");
      }
      sessions.put(name, session);
      changes.add(new Change(true, name, session));
    }
    deliver();
  }

  /**
   * Removes the session registered under {@code name}, if any, and tells the listeners. The
   * session is not invalidated.
   *
   * @return the removed session, or empty when none was registered under {@code name}
   * @throws IllegalArgumentException if {@code name} is null
   */
  public Optional<Session> remove(String name) {
    Checks.notNull(name, "session name");
    Session removed;
    synchronized (lock) {
      removed = sessions.remove(name);
      if (removed != null) {
        changes.add(new Change(false, name, removed));
      }
    }
    if (removed != null) {
      deliver();
    }
    return Optional.ofNullable(removed);
  }

  /**
   * The session registered under {@code name}.
   *
   * @throws NoSuchSessionException if none is, with a message listing the registered names
   * @throws IllegalArgumentException if {@code name} is null
   */
  public Session session(String name) {
    Checks.notNull(name, "session name");
    synchronized (lock) {
      Session session = sessions.get(name);
      if (session == null) {
        throw new NoSuchSessionException(name, "No session named '" + name
            + "' is registered; registered sessions: " + sessions.keySet());
      }
      return session;
    }
  }

  /**
   * The session registered under {@code name}, or empty.
   *
   * @throws IllegalArgumentException if {@code name} is null
   */
  public Optional<Session> find(String name) {
    Checks.notNull(name, "session name");
    synchronized (lock) {
      return Optional.ofNullable(sessions.get(name));
    }
  }

  /** The registered names in registration order: an unmodifiable snapshot. */
  public Set<String> names() {
    synchronized (lock) {
      return Collections.unmodifiableSet(new LinkedHashSet<>(sessions.keySet()));
    }
  }

  /** The registered sessions by name, in registration order: an unmodifiable snapshot. */
  public Map<String, Session> sessions() {
    synchronized (lock) {
      return Collections.unmodifiableMap(new LinkedHashMap<>(sessions));
    }
  }

  /**
   * Adds a listener for sessions registered and removed from now on. Sessions already registered
   * are not replayed: add the listener first, then walk {@link #sessions()}, and tolerate hearing
   * of a session twice.
   *
   * @throws IllegalArgumentException if {@code listener} is null
   */
  public void addListener(Listener listener) {
    listeners.add(Checks.notNull(listener, "listener"));
  }

  /** Removes a listener added with {@link #addListener}; no effect for an unknown one. */
  public void removeListener(Listener listener) {
    listeners.remove(listener);
  }

  @Override
  public String toString() {
    return "SessionRegistry" + names();
  }

  /** Delivers queued changes unless another thread is already doing so (it then does ours). */
  private void deliver() {
    if (delivering.getAndIncrement() != 0) {
      return;
    }
    int missed = 1;
    do {
      Change change;
      while ((change = changes.poll()) != null) {
        for (Listener listener : listeners) {
          notify(listener, change);
        }
      }
      missed = delivering.addAndGet(-missed);
    } while (missed != 0);
  }

  private static void notify(Listener listener, Change change) {
    try {
      if (change.added) {
        listener.sessionAdded(change.name, change.session);
      } else {
        listener.sessionRemoved(change.name, change.session);
      }
    } catch (RuntimeException e) {
      log.warn("SessionRegistry listener {} threw for session '{}'; the other listeners still run",
          listener, change.name, e);
    }
  }

  /** A registration or a removal, for the listeners. */
  private static final class Change {
    final boolean added;
    final String name;
    final Session session;

    Change(boolean added, String name, Session session) {
      this.added = added;
      this.name = name;
      this.session = session;
    }
  }

  /**
   * Hears about sessions registered in and removed from a {@link SessionRegistry}. Both methods
   * default to doing nothing. Calls for one registry come one at a time, in the order of the
   * changes, never while the registry holds a lock; a listener may register or remove sessions
   * itself (it hears about that change after it returns).
   *
   * @since 0.1.0
   */
  public interface Listener {
    /** {@code session} was registered under {@code name}. */
    default void sessionAdded(String name, Session session) {}

    /** {@code session}, registered under {@code name}, was removed (not invalidated). */
    default void sessionRemoved(String name, Session session) {}
  }
}
