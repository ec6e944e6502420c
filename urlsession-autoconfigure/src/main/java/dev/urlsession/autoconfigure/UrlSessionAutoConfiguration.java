package dev.urlsession.autoconfigure;

import dev.urlsession.Session;
import dev.urlsession.SessionRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Lazy;

/**
 * Auto-configuration for urlsession: creates the sessions configured under
 * {@code urlsession.sessions.<name>} (layered over {@code urlsession.defaults}) eagerly at
 * startup, holds them in a {@link SessionRegistry} bean, exposes each as a {@link Session} bean
 * named after it (injectable with {@code @Qualifier("<name>")}; the only one, or the one marked
 * {@code primary: true}, also without a qualifier), publishes their delegate events as
 * application events, and finishes and invalidates them when the context closes.
 *
 * <p>{@link SessionConfigurationCustomizer} beans adjust each configuration, in order. When no
 * session is configured, {@link Session#shared()} is the {@code Session} bean. Every bean backs
 * off when the application defines its own.
 *
 * @since 0.1.0
 */
@AutoConfiguration
@ConditionalOnClass(Session.class)
@EnableConfigurationProperties(UrlSessionProperties.class)
@Import(SessionBeanRegistrar.class)
public final class UrlSessionAutoConfiguration {

  // Declared first so that it exists, and cancels sessions on destruction, as soon as the registry does.
  @Bean
  @ConditionalOnMissingBean
  @Lazy(false)
  SessionRegistryLifecycle sessionRegistryLifecycle(SessionRegistry sessionRegistry) {
    return new SessionRegistryLifecycle(sessionRegistry);
  }

  @Bean
  @ConditionalOnMissingBean
  @Lazy(false)
  SessionRegistry sessionRegistry(UrlSessionProperties properties,
      ObjectProvider<SessionConfigurationCustomizer> customizers, ObjectProvider<SslBundles> sslBundles,
      ApplicationContext context, BackgroundEventGate backgroundEventGate) {
    return new SessionRegistryFactory(properties, customizers.orderedStream().toList(),
        sslBundles.getIfAvailable(), context, new ContextEventPublisher(context), backgroundEventGate).create();
  }

  @Bean
  @Lazy(false)
  BackgroundEventGate urlSessionBackgroundEventGate() {
    return new BackgroundEventGate();
  }

  @Bean(destroyMethod = "")
  @ConditionalOnMissingBean(Session.class)
  @Conditional(NoConfiguredSessionsCondition.class)
  Session urlSession() {
    return Session.shared();
  }
}
