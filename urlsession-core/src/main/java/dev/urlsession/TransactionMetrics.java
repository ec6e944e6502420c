package dev.urlsession;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * One request and response exchange of a task (Apple's
 * {@code URLSessionTaskTransactionMetrics}). A timestamp is {@code null} when its phase did not
 * happen or was not observed: a reused connection has no connect or TLS dates, and the DNS phase
 * is not observed separately by the HttpClient 5 engine (it falls within the connect dates); the
 * opening handshakes of WebSocket tasks have it (through a proxy, the DNS dates are those of the
 * proxy's address). The TLS dates of an https exchange through a proxy are those of the
 * server's handshake inside the tunnel.
 *
 * @param request the request sent
 * @param response the response received, or null
 * @param fetchStartDate when the exchange began
 * @param domainLookupStartDate when the address lookup began (WebSocket handshakes), else null
 * @param domainLookupEndDate when the address lookup ended (WebSocket handshakes), else null
 * @param connectStartDate when a new connection was asked for, or null for a reused one
 * @param secureConnectionStartDate when the TLS handshake of a new connection began, else null
 * @param secureConnectionEndDate when the TLS handshake of a new connection ended, else null
 * @param connectEndDate when the new connection (with TLS) was ready, or null
 * @param requestStartDate when the request started to be sent
 * @param requestEndDate when the request was sent
 * @param responseStartDate when the response head arrived
 * @param responseEndDate when the last byte arrived
 * @param networkProtocolName {@code "http/1.1"} or {@code "h2"}; null for other schemes
 * @param proxyConnection whether the exchange went through a proxy
 * @param reusedConnection whether the connection was reused
 * @param countOfRequestBodyBytesSent request body bytes sent
 * @param countOfResponseBodyBytesReceived response body bytes received, before decoding
 * @param countOfResponseBodyBytesAfterDecoding response body bytes after content decoding
 * @since 0.1.0
 */
public record TransactionMetrics(
    Request request,
    @Nullable Response response,
    @Nullable Instant fetchStartDate,
    @Nullable Instant domainLookupStartDate,
    @Nullable Instant domainLookupEndDate,
    @Nullable Instant connectStartDate,
    @Nullable Instant secureConnectionStartDate,
    @Nullable Instant secureConnectionEndDate,
    @Nullable Instant connectEndDate,
    @Nullable Instant requestStartDate,
    @Nullable Instant requestEndDate,
    @Nullable Instant responseStartDate,
    @Nullable Instant responseEndDate,
    @Nullable String networkProtocolName,
    boolean proxyConnection,
    boolean reusedConnection,
    long countOfRequestBodyBytesSent,
    long countOfResponseBodyBytesReceived,
    long countOfResponseBodyBytesAfterDecoding) {}
