package dev.urlsession.hc5;

import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManagerBuilder;

/**
 * Adjusts the HttpClient 5 connection manager of a session (pool sizes beyond
 * {@code httpMaximumConnectionsPerHost}, a {@code DnsResolver}, connection time to live, ...).
 *
 * <p>Called once per session, when its HTTP engine is built, after the library's own settings.
 * Replacing the TLS strategy drops the session's TLS version limits, transport security minimums
 * and server-trust challenge; do so only on purpose.
 *
 * @since 0.1.0
 */
@FunctionalInterface
public interface ConnectionManagerCustomizer {
  void customize(PoolingAsyncClientConnectionManagerBuilder builder);
}
