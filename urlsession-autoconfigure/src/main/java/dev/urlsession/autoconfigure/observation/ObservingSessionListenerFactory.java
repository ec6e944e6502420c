package dev.urlsession.autoconfigure.observation;

import dev.urlsession.Request;
import dev.urlsession.SessionException;
import dev.urlsession.SessionTask;
import dev.urlsession.TaskMetrics;
import dev.urlsession.spi.SessionListener;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Observes every task of one session with an {@code http.client.requests} Observation
 * ({@link UrlSessionObservationDocumentation#HTTP_CLIENT_REQUESTS}): started when the task is
 * first resumed (its parent is the observation current on that thread, such as a
 * {@code RestClient}'s or a server request's), stopped when the task completes, once per task
 * whatever the redirects, authentication retries and connections it took. Headers that tracing
 * injects when the observation starts ({@code traceparent}, ...) are added to every request of the
 * task, each redirect hop included.
 *
 * <p>The auto-configuration installs one per named session. Without Spring:
 * <pre>{@code
 * SessionConfiguration config = SessionConfiguration.defaultConfiguration().toBuilder()
 *     .sessionListenerFactory(new ObservingSessionListenerFactory("api", observationRegistry, null))
 *     .build();
 * }</pre>
 *
 * <p>HttpClient 5's own instrumentation is not enabled, so nothing is counted twice. Thread-safe.
 *
 * @since 0.1.0
 */
public final class ObservingSessionListenerFactory implements SessionListener.Factory {
  private final String sessionName;
  private final ObservationRegistry registry;
  private final @Nullable UrlSessionObservationConvention convention;

  /**
   * A factory observing the tasks of the session named {@code sessionName}.
   *
   * @param convention the convention to use instead of {@link DefaultUrlSessionObservationConvention}, or null
   */
  public ObservingSessionListenerFactory(String sessionName, ObservationRegistry registry,
      @Nullable UrlSessionObservationConvention convention) {
    this.sessionName = Objects.requireNonNull(sessionName, "sessionName");
    this.registry = Objects.requireNonNull(registry, "registry");
    this.convention = convention;
  }

  @Override
  public SessionListener create(SessionTask task) {
    return registry.isNoop() ? SessionListener.NONE : new Listener(task);
  }

  /** The listener of one task: holds its observation. */
  private final class Listener implements SessionListener {
    private final UrlSessionObservationContext context;
    private volatile @Nullable Observation observation;

    Listener(SessionTask task) {
      this.context = new UrlSessionObservationContext(sessionName, task);
    }

    @Override
    public void taskStarted(SessionTask task) {
      observation = UrlSessionObservationDocumentation.HTTP_CLIENT_REQUESTS
          .observation(convention, DefaultUrlSessionObservationConvention.INSTANCE, () -> context, registry)
          .start();
    }

    @Override
    public Request requestWillBeSent(SessionTask task, Request request) {
      Map<String, String> headers = context.getPropagatedHeaders();
      if (headers.isEmpty()) {
        return request;
      }
      Request.Builder b = request.toBuilder();
      headers.forEach(b::header);
      return b.build();
    }

    @Override
    public void taskCompleted(SessionTask task, TaskMetrics metrics, @Nullable SessionException error) {
      Observation o = observation;
      if (o == null) {
        return;
      }
      context.setMetrics(metrics);
      context.setResponse(task.response());
      if (error != null) {
        o.error(error);
      }
      o.stop();
    }
  }
}
