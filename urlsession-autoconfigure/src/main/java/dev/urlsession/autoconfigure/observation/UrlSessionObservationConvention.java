package dev.urlsession.autoconfigure.observation;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationConvention;

/**
 * The names and key values of the Observation of a session task. Define a bean of this type to
 * replace {@link DefaultUrlSessionObservationConvention} (extend it to add or change keys).
 *
 * @since 0.1.0
 */
public interface UrlSessionObservationConvention extends ObservationConvention<UrlSessionObservationContext> {
  @Override
  default boolean supportsContext(Observation.Context context) {
    return context instanceof UrlSessionObservationContext;
  }
}
