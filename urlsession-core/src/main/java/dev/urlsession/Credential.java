package dev.urlsession;

import dev.urlsession.internal.Checks;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A user name and password (Apple's {@code URLCredential}), with how long it is kept. Value
 * equality; immutable; {@link #toString()} never shows the password.
 *
 * @since 0.1.0
 */
public final class Credential {
  /** How long a credential is kept after it was used successfully. */
  public enum Persistence {
    /** Used for this request only. */
    NONE,
    /** Kept in memory until the session's storage is reset. */
    FOR_SESSION,
    /** Kept on disk by a persistent storage (a file only the owner can read). */
    PERMANENT,
    /** Apple's iCloud keychain; treated as {@link #PERMANENT}. */
    SYNCHRONIZABLE
  }

  private final String user;
  private final @Nullable String password;
  private final Persistence persistence;

  private Credential(String user, @Nullable String password, Persistence persistence) {
    this.user = user;
    this.password = password;
    this.persistence = persistence;
  }

  /**
   * A user and password.
   *
   * @throws IllegalArgumentException for null values or a control character (CR, LF, NUL, ...)
   */
  public static Credential of(String user, String password, Persistence persistence) {
    Checks.notNull(user, "user");
    Checks.notNull(password, "password");
    Checks.notNull(persistence, "persistence");
    for (String s : new String[] {user, password}) {
      for (int i = 0; i < s.length(); i++) {
        if (s.charAt(i) < 0x20 || s.charAt(i) == 0x7f) {
          throw new IllegalArgumentException("credentials must not contain control characters");
        }
      }
    }
    return new Credential(user, password, persistence);
  }

  public String user() {
    return user;
  }

  public @Nullable String password() {
    return password;
  }

  public boolean hasPassword() {
    return password != null;
  }

  public Persistence persistence() {
    return persistence;
  }

  @Override
  public boolean equals(@Nullable Object o) {
    if (!(o instanceof Credential)) {
      return false;
    }
    Credential that = (Credential) o;
    return user.equals(that.user) && Objects.equals(password, that.password)
        && persistence == that.persistence;
  }

  @Override
  public int hashCode() {
    return Objects.hash(user, password, persistence);
  }

  @Override
  public String toString() {
    return "Credential{user=" + user + ", password=****, " + persistence + "}";
  }
}
