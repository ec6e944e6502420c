package dev.urlsession.background;

import org.jspecify.annotations.Nullable;

/**
 * A background session's view of its store, in {@code SessionStatistics.background()}: for gauges,
 * counters and a health check.
 *
 * @param queued the session's transfers in the store (waiting, retrying or running, on any node);
 *     -1 when the store could not be read; counted at most once a second
 * @param running transfers running on this node now
 * @param retries transient failures this node retried since the session was created
 * @param takeovers transfers of a dead node this node took over since the session was created
 *     (clustered stores)
 * @param storeError why the store could not be read at the last count, or {@code null} when it
 *     could
 * @since 0.1.0
 */
public record BackgroundStatistics(long queued, int running, long retries, long takeovers,
    @Nullable String storeError) {
  /** Whether the store answered at the last count. */
  public boolean storeReachable() {
    return storeError == null;
  }
}
