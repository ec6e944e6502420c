/**
 * Micrometer support for urlsession: one {@code http.client.requests} Observation per task
 * ({@link dev.urlsession.autoconfigure.observation.UrlSessionObservationContext},
 * {@link dev.urlsession.autoconfigure.observation.UrlSessionObservationConvention},
 * {@link dev.urlsession.autoconfigure.observation.DefaultUrlSessionObservationConvention},
 * {@link dev.urlsession.autoconfigure.observation.UrlSessionObservationDocumentation} and the
 * {@link dev.urlsession.autoconfigure.observation.ObservingSessionListenerFactory} that drives
 * them), per-session meters, and their auto-configuration.
 */
@NullMarked
package dev.urlsession.autoconfigure.observation;

import org.jspecify.annotations.NullMarked;
