package dev.urlsession;

import dev.urlsession.internal.Checks;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A named service instance found by DNS-based service discovery (RFC 6763), the counterpart of
 * Apple's {@code NetService(domain:type:name:)} for {@link Session#streamTask(NetService)}: the
 * instance {@code name} of service {@code type} (such as {@code "_imap._tcp"}) in {@code domain}.
 * The task looks up the SRV records of {@code <name>.<type>.<domain>} and connects to their
 * targets in priority and weight order (RFC 2782), and reads its TXT record
 * ({@link StreamTask#resolvedService()}). Unicast DNS, as service registries in data centres
 * answer it (Consul, Kubernetes, an organisation's DNS); no multicast DNS.
 *
 * <pre>{@code
 * StreamTask task = session.streamTask(NetService.of("service.consul", "_ledger._tcp", "primary"));
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 *
 * @since 0.1.0
 */
public final class NetService {
  private static final Pattern TYPE = Pattern.compile("_[A-Za-z0-9]([A-Za-z0-9-]{0,14})\\._tcp\\.?");

  private final String domain;
  private final String type;
  private final String name;
  private final @Nullable InetSocketAddress dnsServer;

  private NetService(String domain, String type, String name, @Nullable InetSocketAddress dnsServer) {
    this.domain = domain;
    this.type = type;
    this.name = name;
    this.dnsServer = dnsServer;
  }

  /**
   * The instance {@code name} of service {@code type} in {@code domain}, looked up with the
   * system's DNS servers.
   *
   * @param domain the domain, such as {@code "example.org"} (a trailing dot is allowed)
   * @param type the service type: {@code _<service>._tcp}, the service name at most 15 letters,
   *     digits and hyphens (RFC 6335); stream tasks speak TCP only
   * @param name the instance name, any UTF-8 text of at most 63 bytes (dots included)
   * @throws IllegalArgumentException if a parameter is null, empty or malformed
   */
  public static NetService of(String domain, String type, String name) {
    Checks.notNull(domain, "domain");
    Checks.notNull(type, "type");
    Checks.notNull(name, "name");
    Checks.argument(!domain.isBlank() && !domain.equals("."), "domain must not be blank");
    Checks.argument(TYPE.matcher(type).matches(),
        "type must be _<service>._tcp (RFC 6763 7; stream tasks speak TCP) but was " + type);
    int bytes = name.getBytes(StandardCharsets.UTF_8).length;
    Checks.argument(bytes > 0 && bytes <= 63, "name must be 1 to 63 bytes of UTF-8 but was " + bytes);
    for (int i = 0; i < name.length(); i++) {
      Checks.argument(name.charAt(i) >= 0x20 && name.charAt(i) != 0x7f, "name must not hold control characters");
    }
    return new NetService(domain, type, name, null);
  }

  /**
   * This service, looked up by asking the DNS server at {@code server} (for example a Consul agent
   * on {@code 127.0.0.1:8600}) instead of the system's.
   */
  public NetService resolvedBy(InetSocketAddress server) {
    Checks.notNull(server, "server");
    return new NetService(domain, type, name, server);
  }

  public String domain() {
    return domain;
  }

  public String type() {
    return type;
  }

  public String name() {
    return name;
  }

  /** The DNS server to ask, or null for the system's. */
  public @Nullable InetSocketAddress dnsServer() {
    return dnsServer;
  }

  /**
   * The DNS name of the instance, {@code <name>.<type>.<domain>.}, the name's dots and backslashes
   * escaped (RFC 6763 4.3).
   */
  public String instanceName() {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c == '.' || c == '\\') {
        b.append('\\');
      }
      b.append(c);
    }
    String t = type.endsWith(".") ? type : type + ".";
    String d = domain.endsWith(".") ? domain : domain + ".";
    return b + "." + t + d;
  }

  @Override
  public boolean equals(@Nullable Object o) {
    if (!(o instanceof NetService)) {
      return false;
    }
    NetService that = (NetService) o;
    return name.equals(that.name) && normal(type).equals(normal(that.type)) && normal(domain).equals(normal(that.domain))
        && Objects.equals(dnsServer, that.dnsServer);
  }

  private static String normal(String s) {
    String lower = s.toLowerCase(Locale.ROOT);
    return lower.endsWith(".") ? lower : lower + ".";
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, normal(type), normal(domain), dnsServer);
  }

  @Override
  public String toString() {
    return "NetService{" + instanceName() + (dnsServer != null ? " via " + dnsServer : "") + "}";
  }
}
