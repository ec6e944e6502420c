package dev.urlsession.hc5;

import org.apache.hc.client5.http.impl.async.HttpAsyncClientBuilder;

/**
 * Adjusts the HttpClient 5 async client of a session, for what the configuration does not cover
 * (an extra request interceptor, a custom {@code DnsResolver} on the connection manager, I/O
 * reactor tuning, ...).
 *
 * <p>Called once per session, when its HTTP engine is built on the first HTTP request, after the
 * library's own settings. The library then re-applies what its semantics rest on: its connection
 * manager, and HttpClient's own redirect, cookie, retry, authentication-caching and decompression
 * handling switched off (the session does those itself, per delegate). Anything else a customizer
 * changes is the customizer's responsibility.
 *
 * @since 0.1.0
 */
@FunctionalInterface
public interface HttpClientCustomizer {
  void customize(HttpAsyncClientBuilder builder);
}
