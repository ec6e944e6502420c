package dev.urlsession.spi;

import dev.urlsession.SessionTask;
import dev.urlsession.background.BackgroundStatistics;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A snapshot of a session's live state for gauges and management endpoints, from
 * {@link dev.urlsession.Session#statistics()}. Cheap enough to take on every metrics scrape: it
 * walks the session's live tasks and reads the connection pool's totals, without blocking on I/O.
 *
 * @param tasks the session's tasks that have not completed, counted by kind ({@code "data"},
 *     {@code "upload"}, {@code "download"}) and then by state; created tasks that were never
 *     resumed count as {@code SUSPENDED}; absent entries mean zero
 * @param connectionPool the HTTP connection pool's totals
 * @param background the store's figures of a background session; {@code null} for other kinds
 * @since 0.1.0
 */
public record SessionStatistics(Map<String, Map<SessionTask.State, Integer>> tasks, ConnectionPool connectionPool,
    @Nullable BackgroundStatistics background) {
  public SessionStatistics {
    tasks = Map.copyOf(tasks);
  }

  /** The statistics of a session that is not a background session. */
  public SessionStatistics(Map<String, Map<SessionTask.State, Integer>> tasks, ConnectionPool connectionPool) {
    this(tasks, connectionPool, null);
  }

  /** The number of uncompleted tasks of {@code kind} ({@code "data"}, ...) in {@code state}. */
  public int tasks(String kind, SessionTask.State state) {
    Map<SessionTask.State, Integer> byState = tasks.get(kind);
    return byState == null ? 0 : byState.getOrDefault(state, 0);
  }

  /**
   * The totals of a session's HTTP connection pool. All zero until the session's first HTTP
   * request creates the pool, and after the session is invalidated.
   *
   * @param leased connections in use by a request
   * @param pending requests waiting for a connection
   * @param available idle connections kept for reuse
   * @param max the most connections the pool opens in total
   * @since 0.1.0
   */
  public record ConnectionPool(int leased, int pending, int available, int max) {
    /** A pool that does not exist (yet). */
    public static final ConnectionPool NONE = new ConnectionPool(0, 0, 0, 0);
  }
}
