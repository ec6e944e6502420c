package dev.urlsession.autoconfigure.observation;

import dev.urlsession.ProtectionSpace;
import dev.urlsession.Request;
import dev.urlsession.Response;
import dev.urlsession.Session;
import dev.urlsession.SessionConfiguration;
import dev.urlsession.SessionException;
import dev.urlsession.SessionTask;
import dev.urlsession.TaskMetrics;
import dev.urlsession.background.BackgroundStatistics;
import dev.urlsession.spi.SessionListener;
import dev.urlsession.spi.SessionStatistics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToDoubleFunction;
import java.util.function.ToIntFunction;
import org.jspecify.annotations.Nullable;

/**
 * The meters of one named session: counters fed by a {@link SessionListener} of every task, and
 * gauges read from {@link Session#statistics()} (see the README's Observability section).
 */
final class SessionMeters implements SessionListener.Factory {
  static final String SESSION = "session";
  private static final List<String> KINDS = List.of("data", "upload", "download");
  private static final List<SessionTask.State> ACTIVE_STATES =
      List.of(SessionTask.State.RUNNING, SessionTask.State.SUSPENDED, SessionTask.State.CANCELING);

  private final String name;
  private final MeterRegistry registry;
  private final Map<String, Counter> bytesSent = new ConcurrentHashMap<>();
  private final Map<String, Counter> bytesReceived = new ConcurrentHashMap<>();
  private final Counter redirects;
  private final Counter cacheHits;
  private final Counter cacheMisses;
  private final Counter cacheConditionalHits;

  SessionMeters(String name, MeterRegistry registry) {
    this.name = name;
    this.registry = registry;
    for (String kind : KINDS) {
      bytesSent.put(kind, Counter.builder("urlsession.bytes.sent").baseUnit("bytes")
          .description("Request body bytes sent by the session's completed tasks")
          .tag(SESSION, name).tag("kind", kind).register(registry));
      bytesReceived.put(kind, Counter.builder("urlsession.bytes.received").baseUnit("bytes")
          .description("Response body bytes received by the session's completed tasks")
          .tag(SESSION, name).tag("kind", kind).register(registry));
    }
    redirects = Counter.builder("urlsession.redirects").description("Redirects followed")
        .tag(SESSION, name).register(registry);
    cacheHits = cache("hit");
    cacheMisses = cache("miss");
    cacheConditionalHits = cache("conditional_hit");
  }

  private Counter cache(String result) {
    return Counter.builder("urlsession.cache.requests")
        .description("Requests the session's cache answered (hit), revalidated (conditional_hit) or could not answer (miss)")
        .tag(SESSION, name).tag("result", result).register(registry);
  }

  @Override
  public SessionListener create(SessionTask task) {
    return listener;
  }

  /** Stateless: one instance serves every task. */
  private final SessionListener listener = new SessionListener() {
    @Override
    public void cacheHit(SessionTask task) {
      cacheHits.increment();
    }

    @Override
    public void cacheMiss(SessionTask task) {
      cacheMisses.increment();
    }

    @Override
    public void cacheConditionalHit(SessionTask task) {
      cacheConditionalHits.increment();
    }

    @Override
    public void redirected(SessionTask task, Response redirect, Request next) {
      redirects.increment();
    }

    @Override
    public void challengeReceived(SessionTask task, ProtectionSpace space, Response response) {
      Counter.builder("urlsession.authentication.challenges")
          .description("Authentication challenges (401, 407) received")
          .tag(SESSION, name)
          .tag("method", space.authenticationMethod().name().toLowerCase(Locale.ROOT))
          .register(registry).increment();
    }

    @Override
    public void taskCompleted(SessionTask task, TaskMetrics metrics, @Nullable SessionException error) {
      String kind = UrlSessionObservationContext.kindOf(task);
      bytesSent.get(kind).increment(Math.max(0, task.countOfBytesSent()));
      bytesReceived.get(kind).increment(Math.max(0, task.countOfBytesReceived()));
    }
  };

  /** Registers the gauges of {@code session}; returns them, to be removed with the session. */
  static List<Meter> bindGauges(String name, Session session, MeterRegistry registry) {
    List<Meter> meters = new ArrayList<>();
    for (String kind : KINDS) {
      for (SessionTask.State state : ACTIVE_STATES) {
        meters.add(Gauge.builder("urlsession.tasks.active", session, s -> value(s, st -> st.tasks(kind, state)))
            .description("Tasks of the session that have not completed, by kind and state")
            .tag(SESSION, name).tag("kind", kind).tag("state", state.name().toLowerCase(Locale.ROOT))
            .register(registry));
      }
    }
    meters.add(pool("urlsession.pool.leased", "Connections in use by a request", name, session, registry,
        s -> value(s, st -> st.connectionPool().leased())));
    meters.add(pool("urlsession.pool.pending", "Requests waiting for a connection", name, session, registry,
        s -> value(s, st -> st.connectionPool().pending())));
    meters.add(pool("urlsession.pool.available", "Idle connections kept for reuse", name, session, registry,
        s -> value(s, st -> st.connectionPool().available())));
    meters.add(pool("urlsession.pool.max", "Most connections the pool opens", name, session, registry,
        s -> value(s, st -> st.connectionPool().max())));
    if (session.configuration().kind() == SessionConfiguration.Kind.BACKGROUND) {
      meters.add(Gauge.builder("urlsession.background.queued", session,
              s -> background(s, b -> b.queued() < 0 ? Double.NaN : b.queued()))
          .description("Transfers of the background session in its store (waiting, retrying or running)")
          .tag(SESSION, name).register(registry));
      meters.add(Gauge.builder("urlsession.background.running", session, s -> background(s, b -> b.running()))
          .description("Background transfers running on this instance")
          .tag(SESSION, name).register(registry));
      meters.add(FunctionCounter.builder("urlsession.background.retries", session,
              s -> background(s, b -> b.retries()))
          .description("Transient failures of background transfers retried by this instance")
          .tag(SESSION, name).register(registry));
      meters.add(FunctionCounter.builder("urlsession.background.takeovers", session,
              s -> background(s, b -> b.takeovers()))
          .description("Background transfers of a dead instance taken over by this one (clustered stores)")
          .tag(SESSION, name).register(registry));
    }
    return meters;
  }

  /** A figure of a background session's store, or NaN when there is none. */
  private static double background(Session session, ToDoubleFunction<BackgroundStatistics> figure) {
    try {
      BackgroundStatistics b = session.statistics().background();
      return b == null ? Double.NaN : figure.applyAsDouble(b);
    } catch (UnsupportedOperationException e) {
      return Double.NaN;
    }
  }

  private static Meter pool(String meter, String description, String name, Session session, MeterRegistry registry,
      ToDoubleFunction<Session> value) {
    return Gauge.builder(meter, session, value).description(description).baseUnit("connections")
        .tag(SESSION, name).register(registry);
  }

  /** A statistic, or NaN (no sample) for a session implementation that keeps none. */
  private static double value(Session session, ToIntFunction<SessionStatistics> statistic) {
    try {
      return statistic.applyAsInt(session.statistics());
    } catch (UnsupportedOperationException e) {
      return Double.NaN;
    }
  }
}
