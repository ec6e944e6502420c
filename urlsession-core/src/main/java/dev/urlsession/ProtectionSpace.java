package dev.urlsession;

import dev.urlsession.internal.Checks;
import java.util.Locale;
import java.util.List;
import java.util.Objects;
import javax.security.auth.x500.X500Principal;
import org.jspecify.annotations.Nullable;

/**
 * A server or proxy area that requires authentication (Apple's {@code URLProtectionSpace}): host,
 * port, protocol, realm and method. Value equality; immutable.
 *
 * @since 0.1.0
 */
public final class ProtectionSpace {
  private final String host;
  private final int port;
  private final String protocol;
  private final @Nullable String realm;
  private final AuthenticationMethod authenticationMethod;
  private final boolean proxy;
  private final @Nullable ServerTrust serverTrust;
  private final List<X500Principal> distinguishedNames;

  private ProtectionSpace(String host, int port, String protocol, @Nullable String realm,
      AuthenticationMethod method, boolean proxy) {
    this(host, port, protocol, realm, method, proxy, null, List.of());
  }

  private ProtectionSpace(String host, int port, String protocol, @Nullable String realm,
      AuthenticationMethod method, boolean proxy, @Nullable ServerTrust serverTrust) {
    this(host, port, protocol, realm, method, proxy, serverTrust, List.of());
  }

  private ProtectionSpace(String host, int port, String protocol, @Nullable String realm,
      AuthenticationMethod method, boolean proxy, @Nullable ServerTrust serverTrust,
      List<X500Principal> distinguishedNames) {
    this.distinguishedNames = List.copyOf(distinguishedNames);
    this.host = Checks.notNull(host, "host").toLowerCase(Locale.ROOT);
    Checks.argument(port > 0 && port <= 65535, "port must be 1..65535 but was " + port);
    this.port = port;
    this.protocol = Checks.notNull(protocol, "protocol").toLowerCase(Locale.ROOT);
    this.realm = realm;
    this.authenticationMethod = Checks.notNull(method, "authenticationMethod");
    this.proxy = proxy;
    this.serverTrust = serverTrust;
  }

  /** The space of a server-trust challenge for {@code host:port} over https. */
  public static ProtectionSpace forServerTrust(String host, int port, ServerTrust trust) {
    return new ProtectionSpace(host, port, "https", null, AuthenticationMethod.SERVER_TRUST, false,
        Checks.notNull(trust, "trust"));
  }

  /**
   * The space of a client-certificate challenge: the https server at {@code host:port} asks for a
   * certificate issued by one of {@code distinguishedNames} (any issuer when empty).
   */
  public static ProtectionSpace forClientCertificate(String host, int port,
      List<X500Principal> distinguishedNames) {
    return new ProtectionSpace(host, port, "https", null, AuthenticationMethod.CLIENT_CERTIFICATE, false,
        null, Checks.notNull(distinguishedNames, "distinguishedNames"));
  }

  /**
   * For {@link AuthenticationMethod#CLIENT_CERTIFICATE}: the issuers whose certificates the
   * server accepts, as it sent them (empty when it named none); else empty. Not part of equality.
   */
  public List<X500Principal> distinguishedNames() {
    return distinguishedNames;
  }

  /** For {@link AuthenticationMethod#SERVER_TRUST}: the peer's certificates; else null. */
  public @Nullable ServerTrust serverTrust() {
    return serverTrust;
  }

  /** A server's protection space; {@code protocol} is {@code "http"}, {@code "https"} or {@code "ftp"}. */
  public static ProtectionSpace of(String host, int port, String protocol, @Nullable String realm,
      AuthenticationMethod method) {
    return new ProtectionSpace(host, port, protocol, realm, method, false);
  }

  /** A proxy's protection space; {@code proxyType} is {@code "http"}, {@code "https"} or {@code "socks"}. */
  public static ProtectionSpace forProxy(String host, int port, String proxyType, @Nullable String realm,
      AuthenticationMethod method) {
    return new ProtectionSpace(host, port, proxyType, realm, method, true);
  }

  public String host() {
    return host;
  }

  public int port() {
    return port;
  }

  /** The protocol ({@code "http"}, {@code "https"}, {@code "ftp"}), or the proxy type for proxies. */
  public String protocol() {
    return protocol;
  }

  public @Nullable String realm() {
    return realm;
  }

  public AuthenticationMethod authenticationMethod() {
    return authenticationMethod;
  }

  /** Whether this is a proxy's protection space. */
  public boolean isProxy() {
    return proxy;
  }

  /** Whether a password sent to this space is protected: over TLS, or hashed (Digest). */
  public boolean receivesCredentialSecurely() {
    return protocol.equals("https") || authenticationMethod == AuthenticationMethod.HTTP_DIGEST
        || authenticationMethod == AuthenticationMethod.CLIENT_CERTIFICATE
        || authenticationMethod == AuthenticationMethod.SERVER_TRUST;
  }

  @Override
  public boolean equals(@Nullable Object o) {
    if (!(o instanceof ProtectionSpace)) {
      return false;
    }
    ProtectionSpace that = (ProtectionSpace) o;
    return port == that.port && proxy == that.proxy && host.equals(that.host)
        && protocol.equals(that.protocol) && Objects.equals(realm, that.realm)
        && authenticationMethod == that.authenticationMethod;
  }

  @Override
  public int hashCode() {
    return Objects.hash(host, port, protocol, realm, authenticationMethod, proxy);
  }

  @Override
  public String toString() {
    return "ProtectionSpace{" + (proxy ? "proxy " : "") + protocol + "://" + host + ":" + port
        + (realm != null ? ", realm=" + realm : "") + ", " + authenticationMethod + "}";
  }
}
