package dev.urlsession.autoconfigure.observation;

import static java.util.concurrent.TimeUnit.SECONDS;

import dev.urlsession.Request;
import dev.urlsession.Session;
import dev.urlsession.SessionConfiguration;
import dev.urlsession.spi.SessionListener;
import io.micrometer.core.instrument.HttpClientTimingInstrumentationVerificationTests;
import io.micrometer.core.instrument.observation.DefaultMeterObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;

/**
 * Micrometer's own TCK for HTTP client instrumentation, run against a session observed by
 * {@link ObservingSessionListenerFactory}: timer name and tags, templated paths, 4xx and 5xx,
 * a missing server, and header propagation from the observation's context.
 */
class SessionHttpClientTimingInstrumentationVerificationTests
    extends HttpClientTimingInstrumentationVerificationTests<Session> {
  private final List<Session> sessions = new ArrayList<>();

  @AfterEach
  void invalidate() {
    sessions.forEach(Session::invalidateAndCancel);
  }

  @Override
  protected Session clientInstrumentedWithMetrics() {
    // Metrics come from the Observation, through Micrometer's DefaultMeterObservationHandler (as in Boot).
    ObservationRegistry observations = ObservationRegistry.create();
    observations.observationConfig().observationHandler(new DefaultMeterObservationHandler(getRegistry()));
    return observed(observations);
  }

  @Override
  protected Session clientInstrumentedWithObservations() {
    return observed(getObservationRegistry());
  }

  private Session observed(ObservationRegistry registry) {
    Session session = Session.create(SessionConfiguration.ephemeral().toBuilder()
        .sessionListenerFactory(new ObservingSessionListenerFactory("tck", registry, null))
        .build());
    sessions.add(session);
    return session;
  }

  @Override
  protected void sendHttpRequest(Session session, HttpMethod method, byte @Nullable [] body, URI baseUri,
      String templatedPath, String... pathVariables) {
    Request.Builder request = Request.builder(URI.create(baseUri + substitutePathVariables(templatedPath, pathVariables)))
        .method(method.name())
        .property(SessionListener.URI_TEMPLATE_PROPERTY, templatedPath);
    if (body != null && body.length > 0) {
      request.body(body);
    }
    try {
      session.data(request.build()).get(10, SECONDS);
    } catch (ExecutionException e) {
      // a failed task (the missing server) is what some checks are about: it is timed all the same
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
