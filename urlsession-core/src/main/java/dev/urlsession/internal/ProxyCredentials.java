package dev.urlsession.internal;

import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.hc.client5.http.auth.AuthScope;
import org.apache.hc.client5.http.auth.Credentials;
import org.apache.hc.client5.http.auth.CredentialsProvider;
import org.apache.hc.client5.http.auth.UsernamePasswordCredentials;
import org.apache.hc.core5.http.protocol.HttpContext;
import org.jspecify.annotations.Nullable;

/**
 * Credentials for proxies only, handed to HttpClient 5 so it answers a proxy's 407 itself, on the
 * CONNECT request of a tunnel too: a {@code Proxy-Authorization} header set on the request would
 * travel through the tunnel to the origin. Target servers never get credentials from here (their
 * challenges go to the task's delegate). Thread-safe.
 */
public final class ProxyCredentials implements CredentialsProvider {
  private final Map<String, UsernamePasswordCredentials> byProxy = new ConcurrentHashMap<>();

  private static String key(String host, int port) {
    return host.toLowerCase(Locale.ROOT) + ":" + port;
  }

  /** Uses {@code user} and {@code password} for the proxy at {@code host:port}. */
  public void set(String host, int port, String user, @Nullable String password) {
    byProxy.put(key(host, port), new UsernamePasswordCredentials(user,
        password == null ? new char[0] : password.toCharArray()));
  }

  /** Whether credentials for the proxy at {@code host:port} are known. */
  public boolean has(String host, int port) {
    return byProxy.containsKey(key(host, port));
  }

  @Override
  public @Nullable Credentials getCredentials(AuthScope scope, HttpContext context) {
    if (scope.getHost() == null) {
      return null;
    }
    Object route = context == null ? null : context.getAttribute("http.route");
    if (route instanceof org.apache.hc.client5.http.HttpRoute) {
      var proxy = ((org.apache.hc.client5.http.HttpRoute) route).getProxyHost();
      // Only the route's proxy is answered, never the target.
      if (proxy == null || !proxy.getHostName().equalsIgnoreCase(scope.getHost())
          || proxy.getPort() != scope.getPort()) {
        return null;
      }
    }
    return byProxy.get(key(scope.getHost(), scope.getPort()));
  }
}
