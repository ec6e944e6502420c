package dev.urlsession.internal;

import dev.urlsession.Request;
import dev.urlsession.Response;
import dev.urlsession.TransactionMetrics;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * Mutable metrics of one exchange, written by the handler's threads and read once when the task
 * completes (every field is volatile: writers and the reader differ).
 */
public final class TransactionRecorder {
  public volatile @Nullable Instant fetchStart;
  /** Observed by the WebSocket client only (the HTTP engine sees no DNS phase apart). */
  public volatile @Nullable Instant domainLookupStart;
  public volatile @Nullable Instant domainLookupEnd;
  public volatile @Nullable Instant connectStart;
  public volatile @Nullable Instant secureConnectionStart;
  public volatile @Nullable Instant secureConnectionEnd;
  public volatile @Nullable Instant connectEnd;
  public volatile @Nullable Instant requestStart;
  public volatile @Nullable Instant requestEnd;
  public volatile @Nullable Instant responseStart;
  public volatile @Nullable Instant responseEnd;
  public volatile @Nullable String protocolName;
  public volatile boolean proxy;
  public volatile boolean reused;
  /** Set once the connection (with any proxy tunnel) is ready for the request. */
  public volatile boolean connected;
  public volatile long requestBodyBytesSent;
  public volatile long responseBodyBytesReceived;
  public volatile long responseBodyBytesDecoded;
  public volatile @Nullable Response response;
  private final Request request;

  public TransactionRecorder(Request request) {
    this.request = request;
    this.fetchStart = Instant.now();
  }

  public Request request() {
    return request;
  }

  /** The immutable metrics. */
  public TransactionMetrics toMetrics() {
    return new TransactionMetrics(
        request,
        response,
        fetchStart,
        reused ? null : domainLookupStart,
        reused ? null : domainLookupEnd,
        reused ? null : connectStart,
        reused ? null : secureConnectionStart,
        reused ? null : secureConnectionEnd,
        reused ? null : connectEnd,
        requestStart,
        requestEnd,
        responseStart,
        responseEnd,
        protocolName,
        proxy,
        reused,
        requestBodyBytesSent,
        responseBodyBytesReceived,
        responseBodyBytesDecoded);
  }
}
