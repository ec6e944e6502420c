package dev.urlsession;

import java.time.Instant;
import java.util.List;

/**
 * What happened during a task (Apple's {@code URLSessionTaskMetrics}): one transaction per
 * request and response exchange, in order (each redirect hop is one).
 *
 * @param transactionMetrics the exchanges, in order
 * @param taskIntervalStart when the task was resumed
 * @param taskIntervalEnd when it completed
 * @param redirectCount followed redirects
 * @since 0.1.0
 */
public record TaskMetrics(
    List<TransactionMetrics> transactionMetrics,
    Instant taskIntervalStart,
    Instant taskIntervalEnd,
    int redirectCount) {
  public TaskMetrics {
    transactionMetrics = List.copyOf(transactionMetrics);
  }
}
