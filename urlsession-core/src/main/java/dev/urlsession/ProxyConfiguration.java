package dev.urlsession;

import dev.urlsession.internal.Checks;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * How a session reaches origin servers: through the JVM's {@link java.net.ProxySelector} (the
 * default, the counterpart of "as configured in the user's system preferences"), directly, or
 * through one HTTP or SOCKS5 proxy.
 *
 * <pre>{@code
 * ProxyConfiguration.http("proxy.internal", 3128).withCredentials("user", "secret")
 *     .withBypass(List.of("localhost", "*.internal"));
 * }</pre>
 *
 * <p>Immutable and thread-safe. {@link #toString()} never shows the password.
 *
 * @since 0.1.0
 */
public final class ProxyConfiguration {
  /** The kind of route. */
  public enum Type {
    /** The JVM's {@code ProxySelector} decides per URL. */
    SYSTEM,
    /** No proxy. */
    DIRECT,
    /** An HTTP proxy (CONNECT tunnels for https). */
    HTTP,
    /** A SOCKS5 proxy that resolves host names itself. */
    SOCKS
  }

  private static final ProxyConfiguration SYSTEM =
      new ProxyConfiguration(Type.SYSTEM, null, 0, null, null, List.of());
  private static final ProxyConfiguration DIRECT =
      new ProxyConfiguration(Type.DIRECT, null, 0, null, null, List.of());

  private final Type type;
  private final @Nullable String host;
  private final int port;
  private final @Nullable String username;
  private final @Nullable String password;
  private final List<String> bypass;

  private ProxyConfiguration(
      Type type,
      @Nullable String host,
      int port,
      @Nullable String username,
      @Nullable String password,
      List<String> bypass) {
    this.type = type;
    this.host = host;
    this.port = port;
    this.username = username;
    this.password = password;
    this.bypass = List.copyOf(bypass);
  }

  /** The JVM's {@code ProxySelector} (system properties such as {@code https.proxyHost}). */
  public static ProxyConfiguration system() {
    return SYSTEM;
  }

  /** No proxy at all. */
  public static ProxyConfiguration direct() {
    return DIRECT;
  }

  /** An HTTP proxy at {@code host:port}. */
  public static ProxyConfiguration http(String host, int port) {
    return new ProxyConfiguration(Type.HTTP, checkHost(host), checkPort(port), null, null, List.of());
  }

  /** A SOCKS5 proxy at {@code host:port}. */
  public static ProxyConfiguration socks(String host, int port) {
    return new ProxyConfiguration(Type.SOCKS, checkHost(host), checkPort(port), null, null, List.of());
  }

  private static String checkHost(String host) {
    Checks.notNull(host, "proxy host");
    Checks.argument(!host.isBlank(), "proxy host must not be blank");
    return host;
  }

  private static int checkPort(int port) {
    Checks.argument(port > 0 && port <= 65535, "proxy port must be 1..65535 but was " + port);
    return port;
  }

  /** This proxy, authenticating with {@code username} and {@code password}. */
  public ProxyConfiguration withCredentials(String username, String password) {
    Checks.argument(
        type == Type.HTTP || type == Type.SOCKS, "credentials need an HTTP or SOCKS proxy");
    Checks.notNull(username, "proxy username");
    Checks.notNull(password, "proxy password");
    return new ProxyConfiguration(type, host, port, username, password, bypass);
  }

  /**
   * This proxy, bypassed for hosts matching one of {@code patterns}: an exact host name or address,
   * or {@code *.domain} for a domain and its subdomains.
   */
  public ProxyConfiguration withBypass(List<String> patterns) {
    Checks.notNull(patterns, "bypass patterns");
    for (String p : patterns) {
      Checks.notNull(p, "bypass pattern");
    }
    return new ProxyConfiguration(type, host, port, username, password, patterns);
  }

  public Type type() {
    return type;
  }

  public @Nullable String host() {
    return host;
  }

  public int port() {
    return port;
  }

  public @Nullable String username() {
    return username;
  }

  public @Nullable String password() {
    return password;
  }

  public List<String> bypass() {
    return bypass;
  }

  /** Whether requests to {@code targetHost} skip this proxy. */
  public boolean bypasses(String targetHost) {
    String h = targetHost.toLowerCase(Locale.ROOT);
    for (String pattern : bypass) {
      String p = pattern.toLowerCase(Locale.ROOT);
      if (p.startsWith("*.") ? h.endsWith(p.substring(1)) || h.equals(p.substring(2)) : h.equals(p)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public boolean equals(@Nullable Object o) {
    if (!(o instanceof ProxyConfiguration)) {
      return false;
    }
    ProxyConfiguration that = (ProxyConfiguration) o;
    return type == that.type && port == that.port && Objects.equals(host, that.host)
        && Objects.equals(username, that.username) && Objects.equals(password, that.password)
        && bypass.equals(that.bypass);
  }

  @Override
  public int hashCode() {
    return Objects.hash(type, host, port, username, bypass);
  }

  @Override
  public String toString() {
    if (type == Type.SYSTEM || type == Type.DIRECT) {
      return "ProxyConfiguration{" + type + "}";
    }
    return "ProxyConfiguration{" + type + " " + host + ":" + port
        + (username != null ? ", user=" + username + ", password=****" : "")
        + (bypass.isEmpty() ? "" : ", bypass=" + bypass) + "}";
  }
}
