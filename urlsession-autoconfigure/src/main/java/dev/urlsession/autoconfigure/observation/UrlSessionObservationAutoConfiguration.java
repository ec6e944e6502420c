package dev.urlsession.autoconfigure.observation;

import dev.urlsession.Session;
import dev.urlsession.SessionRegistry;
import dev.urlsession.autoconfigure.SessionConfigurationCustomizer;
import dev.urlsession.autoconfigure.UrlSessionProperties;
import dev.urlsession.spi.SessionListener;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.observation.ObservationRegistry;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Auto-configuration of urlsession's Micrometer support, for the sessions configured under
 * {@code urlsession.sessions}: an {@code http.client.requests} Observation per task (replace its
 * convention with a {@link UrlSessionObservationConvention} bean), and, with a
 * {@link MeterRegistry}, the session meters ({@code urlsession.*}) and a cap on the distinct
 * {@code uri} tags ({@code urlsession.observation.max-uri-tags}). Switched off with
 * {@code urlsession.observation.enabled=false}.
 *
 * @since 0.1.0
 */
@AutoConfiguration(
    afterName = {
        "org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration",
        "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
        "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration"})
@ConditionalOnClass({Session.class, ObservationRegistry.class})
@ConditionalOnProperty(prefix = "urlsession.observation", name = "enabled", matchIfMissing = true)
@EnableConfigurationProperties(UrlSessionProperties.class)
public final class UrlSessionObservationAutoConfiguration {

  @Bean
  @ConditionalOnBean(ObservationRegistry.class)
  SessionConfigurationCustomizer urlSessionObservationCustomizer(ObservationRegistry observationRegistry,
      ObjectProvider<UrlSessionObservationConvention> convention) {
    UrlSessionObservationConvention custom = convention.getIfUnique();
    return (name, builder) -> add(builder, new ObservingSessionListenerFactory(name, observationRegistry, custom));
  }

  static void add(dev.urlsession.SessionConfiguration.Builder builder, SessionListener.Factory factory) {
    SessionListener.Factory existing = builder.sessionListenerFactory();
    builder.sessionListenerFactory(existing == null ? factory : existing.andThen(factory));
  }

  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(MeterRegistry.class)
  @ConditionalOnBean(MeterRegistry.class)
  static final class MeterConfiguration {

    @Bean
    SessionConfigurationCustomizer urlSessionMetersCustomizer(MeterRegistry meterRegistry) {
      return (name, builder) -> add(builder, new SessionMeters(name, meterRegistry));
    }

    @Bean
    MeterFilter urlSessionUriTagLimit(UrlSessionProperties properties) {
      return new UriTagLimit("http.client.requests", properties.getObservation().getMaxUriTags());
    }

    @Bean
    SmartInitializingSingleton urlSessionGauges(ObjectProvider<SessionRegistry> sessions, MeterRegistry meterRegistry) {
      return () -> sessions.ifAvailable(registry -> {
        GaugeBinder binder = new GaugeBinder(meterRegistry);
        registry.addListener(binder);
        registry.sessions().forEach(binder::sessionAdded);
      });
    }
  }

  /** Registers the gauges of every session in the registry, and removes them with the session. */
  static final class GaugeBinder implements SessionRegistry.Listener {
    private final MeterRegistry meterRegistry;
    private final Map<String, List<Meter>> meters = new ConcurrentHashMap<>();

    GaugeBinder(MeterRegistry meterRegistry) {
      this.meterRegistry = meterRegistry;
    }

    @Override
    public void sessionAdded(String name, Session session) {
      meters.computeIfAbsent(name, n -> SessionMeters.bindGauges(n, session, meterRegistry));
    }

    @Override
    public void sessionRemoved(String name, Session session) {
      List<Meter> removed = meters.remove(name);
      if (removed != null) {
        removed.forEach(meterRegistry::remove);
      }
    }
  }
}
