package dev.urlsession;

import dev.urlsession.internal.Checks;
import java.net.InetAddress;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The counterpart of Apple's App Transport Security: which hosts may be loaded over cleartext
 * {@code http:}.
 *
 * <p>By default only secure connections are allowed, except to local hosts (loopback addresses,
 * {@code localhost}, unqualified names and {@code .local} names, like
 * {@code NSAllowsLocalNetworking}). A load that breaks the policy fails with
 * {@code APP_TRANSPORT_SECURITY_REQUIRES_SECURE_CONNECTION} before any byte is sent; this includes
 * an https to http redirect.
 *
 * <p><b>Servers.</b> Local networking, allowed by default as on Apple's platforms, counts private
 * ({@code 10/8}, {@code 172.16/12}, {@code 192.168/16}) and link-local ({@code 169.254/16},
 * {@code fe80::/10}) address literals as local: on a server that is also where internal services
 * and the cloud's metadata service ({@code http://169.254.169.254/}) answer. A server-side client
 * that loads URLs others choose should use {@code allowsLocalNetworking(false)} and name the
 * internal hosts it needs with {@link Builder#exceptionDomain}. Whatever the policy, a redirect
 * from {@code https} to {@code http} is followed only to a host the policy names (see
 * {@link #allowsRedirect}), so an https origin cannot send a task to a cleartext local address.
 *
 * <pre>{@code
 * TransportSecurityPolicy.builder()
 *     .exceptionDomain("legacy.example.com", true)   // and its subdomains
 *     .build();
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 *
 * @since 0.1.0
 */
public final class TransportSecurityPolicy {
  private static final TransportSecurityPolicy DEFAULT = builder().build();
  private static final TransportSecurityPolicy ARBITRARY = builder().allowsArbitraryLoads(true).build();

  private final boolean allowsArbitraryLoads;
  private final boolean allowsLocalNetworking;
  /** Lower-case domain to whether its subdomains are included. */
  private final Map<String, Boolean> exceptionDomains;
  private final TlsVersion minimumTlsVersion;
  /** Lower-case domain to its exception: subdomains included, and its minimum TLS version. */
  private final Map<String, TlsException> tlsExceptions;

  private TransportSecurityPolicy(Builder b) {
    this.allowsArbitraryLoads = b.allowsArbitraryLoads;
    this.allowsLocalNetworking = b.allowsLocalNetworking;
    this.exceptionDomains = Map.copyOf(b.exceptionDomains);
    this.minimumTlsVersion = b.minimumTlsVersion;
    this.tlsExceptions = Map.copyOf(b.tlsExceptions);
  }

  private record TlsException(boolean includesSubdomains, TlsVersion minimum) {}

  /** HTTPS only, local networking allowed: the default of every configuration. */
  public static TransportSecurityPolicy defaultPolicy() {
    return DEFAULT;
  }

  /** No restriction at all ({@code NSAllowsArbitraryLoads}). */
  public static TransportSecurityPolicy allowingArbitraryLoads() {
    return ARBITRARY;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding every setting of this policy, per-domain TLS minimums included. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.allowsArbitraryLoads = allowsArbitraryLoads;
    b.allowsLocalNetworking = allowsLocalNetworking;
    b.exceptionDomains.putAll(exceptionDomains);
    b.minimumTlsVersion = minimumTlsVersion;
    b.tlsExceptions.putAll(tlsExceptions);
    return b;
  }

  public boolean allowsArbitraryLoads() {
    return allowsArbitraryLoads;
  }

  public boolean allowsLocalNetworking() {
    return allowsLocalNetworking;
  }

  /** Exception domains, lower-case, mapped to whether subdomains are included. */
  public Map<String, Boolean> exceptionDomains() {
    return exceptionDomains;
  }

  /** Whether a cleartext load of {@code host} is allowed. */
  public boolean allowsInsecureLoad(@Nullable String host) {
    if (allowsArbitraryLoads) {
      return true;
    }
    if (host == null) {
      return false;
    }
    String h = normalize(host);
    if (allowsLocalNetworking && isLocal(h)) {
      return true;
    }
    return namesHost(h);
  }

  /**
   * Whether a redirect from {@code from} to {@code to} may be followed as far as transport
   * security goes: always, except a downgrade from {@code https} to {@code http}, which is
   * followed only when {@code to}'s host is one of the {@linkplain #exceptionDomains() exception
   * domains} (the domain itself, or a subdomain when included). Neither local networking nor
   * arbitrary loads allow a downgrade: a server must not be able to turn a secure load into a
   * cleartext one to a host nobody named, such as a cloud metadata address. The cleartext load
   * itself must still be {@linkplain #allowsInsecureLoad allowed}.
   *
   * @since 0.1.0
   */
  public boolean allowsRedirect(java.net.URI from, java.net.URI to) {
    Checks.notNull(from, "from");
    Checks.notNull(to, "to");
    if (!"https".equalsIgnoreCase(from.getScheme()) || !"http".equalsIgnoreCase(to.getScheme())) {
      return true;
    }
    return namesHost(to.getHost());
  }

  /** Whether {@code host} is an exception domain, or a subdomain of one that includes them. */
  private boolean namesHost(@Nullable String host) {
    if (host == null) {
      return false;
    }
    String h = normalize(host);
    for (Map.Entry<String, Boolean> e : exceptionDomains.entrySet()) {
      if (h.equals(e.getKey()) || (e.getValue() && h.endsWith("." + e.getKey()))) {
        return true;
      }
    }
    return false;
  }

  /** The lowest TLS version allowed for connections to any host: TLS 1.2 by default. */
  public TlsVersion minimumTlsVersion() {
    return minimumTlsVersion;
  }

  /**
   * The lowest TLS version allowed for {@code host}: its exception domain's
   * ({@code NSExceptionMinimumTLSVersion}), else {@link #minimumTlsVersion()}.
   */
  public TlsVersion minimumTlsVersion(String host) {
    String h = normalize(host);
    // The most specific (longest) matching domain decides, whatever the order they were added in.
    String best = null;
    for (Map.Entry<String, TlsException> e : tlsExceptions.entrySet()) {
      if ((h.equals(e.getKey()) || (e.getValue().includesSubdomains() && h.endsWith("." + e.getKey())))
          && (best == null || e.getKey().length() > best.length())) {
        best = e.getKey();
      }
    }
    return best == null ? minimumTlsVersion : tlsExceptions.get(best).minimum();
  }

  static String normalize(String host) {
    String h = host.toLowerCase(Locale.ROOT);
    if (h.startsWith("[") && h.endsWith("]")) {
      h = h.substring(1, h.length() - 1);
    }
    while (h.endsWith(".")) {
      h = h.substring(0, h.length() - 1);
    }
    return h;
  }

  private static boolean isLocal(String h) {
    if (h.isEmpty()) {
      return false;
    }
    if (h.equals("localhost") || h.endsWith(".localhost") || h.endsWith(".local")) {
      return true;
    }
    if (isIpLiteral(h)) {
      if (h.startsWith("127.") && h.indexOf(':') < 0) {
        return true; // IPv4 loopback, the common local case, without parsing the address
      }
      try {
        InetAddress a = InetAddress.getByName(h); // a literal: no lookup
        return a.isLoopbackAddress() || a.isLinkLocalAddress() || a.isSiteLocalAddress();
      } catch (java.net.UnknownHostException e) {
        return false;
      }
    }
    return h.indexOf('.') < 0; // unqualified name
  }

  private static boolean isIpLiteral(String h) {
    if (h.indexOf(':') >= 0) {
      return true;
    }
    for (int i = 0; i < h.length(); i++) {
      char c = h.charAt(i);
      if (!(c == '.' || (c >= '0' && c <= '9'))) {
        return false;
      }
    }
    return !h.isEmpty();
  }

  @Override
  public String toString() {
    return "TransportSecurityPolicy{allowsArbitraryLoads=" + allowsArbitraryLoads
        + ", allowsLocalNetworking=" + allowsLocalNetworking
        + ", exceptionDomains=" + exceptionDomains + ", minimumTlsVersion=" + minimumTlsVersion
        + (tlsExceptions.isEmpty() ? "" : ", tlsExceptions=" + tlsExceptions.keySet()) + "}";
  }

  /** Builds a {@link TransportSecurityPolicy}. Not thread-safe. */
  public static final class Builder {
    private boolean allowsArbitraryLoads;
    private boolean allowsLocalNetworking = true;
    private final Map<String, Boolean> exceptionDomains = new LinkedHashMap<>();
    private TlsVersion minimumTlsVersion = TlsVersion.TLS_1_2;
    private final Map<String, TlsException> tlsExceptions = new LinkedHashMap<>();

    private Builder() {}

    /** Sets the lowest TLS version allowed for every host without an exception (TLS 1.2 by default). */
    public Builder minimumTlsVersion(TlsVersion version) {
      this.minimumTlsVersion = Checks.notNull(version, "minimumTlsVersion");
      return this;
    }

    /**
     * Sets the lowest TLS version allowed for {@code domain} (and its subdomains when asked), above
     * or below the general minimum.
     */
    public Builder minimumTlsVersion(String domain, boolean includesSubdomains, TlsVersion version) {
      Checks.notNull(domain, "domain");
      Checks.argument(!domain.isBlank(), "domain must not be blank");
      tlsExceptions.put(normalize(domain),
          new TlsException(includesSubdomains, Checks.notNull(version, "minimumTlsVersion")));
      return this;
    }

    /** Whether any cleartext load is allowed. */
    public Builder allowsArbitraryLoads(boolean allows) {
      this.allowsArbitraryLoads = allows;
      return this;
    }

    /**
     * Whether cleartext loads of local hosts are allowed (default true): loopback, {@code localhost},
     * unqualified and {@code .local} names, and private and link-local address literals. See the
     * class comment for servers.
     */
    public Builder allowsLocalNetworking(boolean allows) {
      this.allowsLocalNetworking = allows;
      return this;
    }

    /** Allows cleartext loads of {@code domain}, and of its subdomains when asked. */
    public Builder exceptionDomain(String domain, boolean includesSubdomains) {
      Checks.notNull(domain, "exception domain");
      Checks.argument(!domain.isBlank(), "exception domain must not be blank");
      exceptionDomains.put(normalize(domain), includesSubdomains);
      return this;
    }

    public TransportSecurityPolicy build() {
      return new TransportSecurityPolicy(this);
    }
  }
}
