package dev.urlsession;

/**
 * Thrown by {@link SessionRegistry#session(String)} when no session is registered under the
 * name. Unchecked: an unknown name is a programming or configuration error, never a condition to
 * recover from, and the registry never creates a session on lookup.
 *
 * <pre>{@code
 * try {
 *   registry.session("paymnets");
 * } catch (NoSuchSessionException e) {
 *   log.error("no session {}; known: {}", e.sessionName(), registry.names());
 * }
 * }</pre>
 *
 * @since 0.1.0
 */
public class NoSuchSessionException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String sessionName;

  /**
   * An exception for the unknown {@code sessionName}, with a message that names it.
   *
   * @param sessionName the name that was looked up; may be null only if the lookup was for null
   */
  public NoSuchSessionException(String sessionName) {
    this(sessionName, "No session named '" + sessionName + "' is registered");
  }

  /**
   * An exception for the unknown {@code sessionName} with a message of the caller's.
   *
   * @param sessionName the name that was looked up
   * @param message the detail message, for example with the names that are registered
   */
  public NoSuchSessionException(String sessionName, String message) {
    super(message);
    this.sessionName = sessionName;
  }

  /** The name that was looked up and not found. */
  public String sessionName() {
    return sessionName;
  }
}
