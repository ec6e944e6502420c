package dev.urlsession.hc5;

import org.apache.hc.client5.http.impl.async.HttpAsyncClientBuilder;

/**
 * Adjusts the HttpClient 5 async client of a session, for what the configuration does not cover
 * (an extra request interceptor, a custom {@code DnsResolver} on the connection manager, I/O
 * reactor tuning, ...).
 *
 * <p>Called once per session, when its HTTP engine is built on the first HTTP request, after the
 * library's own settings. The session keeps what its semantics rest on: its own connection manager
 * (set again after the customizers; adjust it with {@link ConnectionManagerCustomizer}), and
 * HttpClient's redirect, cookie, retry, authentication-caching and decompression handling
 * switched off (the session does those itself, per delegate; the builder cannot switch them back
 * on). Anything else a customizer changes is the customizer's responsibility.
 *
 * @since 0.1.0
 */
@FunctionalInterface
public interface HttpClientCustomizer {
  void customize(HttpAsyncClientBuilder builder);
}
