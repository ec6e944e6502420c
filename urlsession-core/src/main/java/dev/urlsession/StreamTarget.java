package dev.urlsession;

import dev.urlsession.internal.StreamChannel;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.URI;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Where a stream task connects: a host and port, or a service found by DNS-based service
 * discovery; and the route there through the session's proxy (URLSESSION-BEHAVIOUR.md 8.3):
 * SOCKS5, or an HTTP proxy's {@code CONNECT} tunnel, unless the proxy's bypass list names the
 * host. With the {@code SYSTEM} configuration the JVM's {@link ProxySelector} is asked for a
 * {@code socket://} route (SOCKS), then an {@code https://} one (an HTTP proxy tunnelling).
 */
record StreamTarget(@Nullable String host, int port, @Nullable NetService service) {
  static StreamTarget of(String host, int port) {
    return new StreamTarget(host, port, null);
  }

  static StreamTarget of(NetService service) {
    return new StreamTarget(null, 0, service);
  }

  /** The route to {@code host:port}. */
  static StreamChannel.Proxy proxyFor(ProxyConfiguration proxy, String host, int port) {
    switch (proxy.type()) {
      case SOCKS:
        return proxy.bypasses(host) ? StreamChannel.Proxy.DIRECT : new StreamChannel.Proxy(
            StreamChannel.Proxy.Kind.SOCKS, proxy.host(), proxy.port(), proxy.username(), proxy.password());
      case HTTP:
        return proxy.bypasses(host) ? StreamChannel.Proxy.DIRECT : new StreamChannel.Proxy(
            StreamChannel.Proxy.Kind.HTTP, proxy.host(), proxy.port(), proxy.username(), proxy.password());
      case SYSTEM:
        return system(host, port);
      case DIRECT:
      default:
        return StreamChannel.Proxy.DIRECT;
    }
  }

  private static StreamChannel.Proxy system(String host, int port) {
    ProxySelector selector = ProxySelector.getDefault();
    if (selector == null) {
      return StreamChannel.Proxy.DIRECT;
    }
    String authority = (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    for (String scheme : List.of("socket", "https")) {
      List<Proxy> proxies;
      try {
        proxies = selector.select(URI.create(scheme + "://" + authority));
      } catch (IllegalArgumentException e) {
        return StreamChannel.Proxy.DIRECT;
      }
      for (Proxy p : proxies) {
        if (p.type() != Proxy.Type.DIRECT && p.address() instanceof InetSocketAddress a) {
          return new StreamChannel.Proxy(p.type() == Proxy.Type.SOCKS ? StreamChannel.Proxy.Kind.SOCKS
              : StreamChannel.Proxy.Kind.HTTP, a.getHostString(), a.getPort(), null, null);
        }
      }
    }
    return StreamChannel.Proxy.DIRECT;
  }

  @Override
  public String toString() {
    return service != null ? service.toString() : host + ":" + port;
  }
}
