package dev.urlsession.autoconfigure.actuate;

import dev.urlsession.Session;
import dev.urlsession.SessionRegistry;
import dev.urlsession.autoconfigure.UrlSessionAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration of the {@code urlsessions} Actuator endpoint ({@link UrlSessionsEndpoint}),
 * when Actuator is present and the endpoint is available (exposed and not switched off).
 *
 * @since 0.1.0
 */
@AutoConfiguration(after = UrlSessionAutoConfiguration.class)
@ConditionalOnClass({Session.class, ConditionalOnAvailableEndpoint.class})
@ConditionalOnAvailableEndpoint(UrlSessionsEndpoint.class)
public final class UrlSessionsEndpointAutoConfiguration {

  @Bean
  @ConditionalOnMissingBean
  @ConditionalOnBean(SessionRegistry.class)
  UrlSessionsEndpoint urlSessionsEndpoint(SessionRegistry sessionRegistry) {
    return new UrlSessionsEndpoint(sessionRegistry);
  }
}
