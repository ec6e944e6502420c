package dev.urlsession.autoconfigure.actuate;

import dev.urlsession.SessionRegistry;
import dev.urlsession.autoconfigure.UrlSessionAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration of the {@code urlsessions} health indicator ({@link UrlSessionsHealthIndicator}),
 * when Spring Boot's health support is present; {@code management.health.urlsessions.enabled=false}
 * switches it off.
 *
 * @since 0.1.0
 */
@AutoConfiguration(after = UrlSessionAutoConfiguration.class)
@ConditionalOnClass({HealthIndicator.class, ConditionalOnEnabledHealthIndicator.class})
@ConditionalOnBean(SessionRegistry.class)
@ConditionalOnEnabledHealthIndicator("urlsessions")
public final class UrlSessionsHealthContributorAutoConfiguration {

  @Bean
  @ConditionalOnMissingBean(name = "urlsessionsHealthIndicator")
  UrlSessionsHealthIndicator urlsessionsHealthIndicator(SessionRegistry sessionRegistry) {
    return new UrlSessionsHealthIndicator(sessionRegistry);
  }
}
