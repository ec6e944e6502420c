package dev.urlsession;

import dev.urlsession.internal.Checks;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A user name and password, a client identity or an accepted server trust (Apple's
 * {@code URLCredential}), with how long it is kept. Value equality; immutable;
 * {@link #toString()} never shows the password nor the private key.
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
  private final @Nullable PrivateKey privateKey;
  private final List<X509Certificate> certificates;

  private Credential(String user, @Nullable String password, Persistence persistence) {
    this(user, password, persistence, null);
  }

  private Credential(String user, @Nullable String password, Persistence persistence,
      @Nullable ServerTrust serverTrust) {
    this(user, password, persistence, serverTrust, null, List.of());
  }

  private Credential(String user, @Nullable String password, Persistence persistence,
      @Nullable ServerTrust serverTrust, @Nullable PrivateKey privateKey, List<X509Certificate> certificates) {
    this.user = user;
    this.password = password;
    this.persistence = persistence;
    this.serverTrust = serverTrust;
    this.privateKey = privateKey;
    this.certificates = certificates;
  }

  /**
   * A client identity (Apple's {@code URLCredential(identity:certificates:persistence:)}): the
   * answer to a {@code CLIENT_CERTIFICATE} challenge. The handshake presents {@code chain} (the
   * client's certificate first, then its issuers as the server may need them) and proves it holds
   * {@code privateKey}. Its {@link #user()} is the certificate's subject name and it has no
   * password.
   *
   * <p>An identity answers for the session's connections to the challenge's host and port. A
   * {@link CredentialStorage} keeps identities in memory only, whatever their persistence: the
   * key is never written to its file.
   *
   * @throws IllegalArgumentException for null values, an empty chain, or a key whose algorithm
   *     differs from the first certificate's public key
   */
  public static Credential forIdentity(PrivateKey privateKey, X509Certificate[] chain,
      Persistence persistence) {
    Checks.notNull(privateKey, "privateKey");
    Checks.notNull(chain, "chain");
    Checks.notNull(persistence, "persistence");
    Checks.argument(chain.length > 0, "the certificate chain must not be empty");
    for (X509Certificate c : chain) {
      Checks.notNull(c, "certificate in the chain");
    }
    Checks.argument(privateKey.getAlgorithm().equalsIgnoreCase(chain[0].getPublicKey().getAlgorithm()),
        "the private key (" + privateKey.getAlgorithm() + ") does not match the certificate's public key ("
            + chain[0].getPublicKey().getAlgorithm() + ")");
    return new Credential(chain[0].getSubjectX500Principal().getName(), null, persistence, null,
        privateKey, List.of(chain.clone()));
  }

  /**
   * The identity under {@code alias} in {@code keyStore} (a PKCS#12 file, say), its key protected
   * by {@code password}.
   *
   * @throws IllegalArgumentException when the store has no private key and certificate chain
   *     under {@code alias}, or the password is wrong
   */
  public static Credential forIdentity(KeyStore keyStore, String alias, char[] password,
      Persistence persistence) {
    Checks.notNull(keyStore, "keyStore");
    Checks.notNull(alias, "alias");
    Checks.notNull(password, "password");
    try {
      Key key = keyStore.getKey(alias, password);
      Certificate[] chain = keyStore.getCertificateChain(alias);
      if (!(key instanceof PrivateKey) || chain == null || chain.length == 0) {
        throw new IllegalArgumentException("the key store has no private key with a certificate chain under \""
            + alias + "\"");
      }
      X509Certificate[] x509 = new X509Certificate[chain.length];
      for (int i = 0; i < chain.length; i++) {
        if (!(chain[i] instanceof X509Certificate)) {
          throw new IllegalArgumentException("the certificate chain under \"" + alias + "\" is not X.509");
        }
        x509[i] = (X509Certificate) chain[i];
      }
      return forIdentity((PrivateKey) key, x509, persistence);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("cannot read the key under \"" + alias + "\": " + e.getMessage(), e);
    }
  }

  /** Whether this is a client identity ({@link #forIdentity}). */
  public boolean hasIdentity() {
    return privateKey != null;
  }

  /** For an identity: its private key; else null. */
  public @Nullable PrivateKey privateKey() {
    return privateKey;
  }

  /** For an identity: its certificate chain, the client's certificate first; else empty. */
  public List<X509Certificate> certificates() {
    return certificates;
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
        && persistence == that.persistence && Objects.equals(serverTrust, that.serverTrust)
        && Objects.equals(privateKey, that.privateKey) && certificates.equals(that.certificates);
  }

  @Override
  public int hashCode() {
    return Objects.hash(user, password, persistence);
  }

  @Override
  public String toString() {
    if (privateKey != null) {
      return "Credential{identity=" + user + ", " + privateKey.getAlgorithm() + " key, "
          + certificates.size() + " certificate(s), " + persistence + "}";
    }
    return "Credential{user=" + user + ", password=****, " + persistence + "}";
  }
}
