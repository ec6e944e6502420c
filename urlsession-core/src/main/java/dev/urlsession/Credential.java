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
  private final @Nullable ServerTrust serverTrust;

  private Credential(String user, @Nullable String password, Persistence persistence) {
    this(user, password, persistence, null);
  }

  private Credential(String user, @Nullable String password, Persistence persistence,
      @Nullable ServerTrust serverTrust) {
    this.user = user;
    this.password = password;
    this.persistence = persistence;
    this.serverTrust = serverTrust;
  }

  /**
   * Accepts {@code trust}: the answer to a {@code SERVER_TRUST} challenge that trusts the server's
   * certificates even when the default evaluation does not (pinning, private CAs). Applies to that
   * connection only.
   */
  public static Credential forTrust(ServerTrust trust) {
    return new Credential("", null, Persistence.NONE, Checks.notNull(trust, "trust"));
  }

  /** For a credential made by {@link #forTrust}: the trust it accepts; else null. */
  public @Nullable ServerTrust serverTrust() {
    return serverTrust;
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
        && persistence == that.persistence && Objects.equals(serverTrust, that.serverTrust);
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
