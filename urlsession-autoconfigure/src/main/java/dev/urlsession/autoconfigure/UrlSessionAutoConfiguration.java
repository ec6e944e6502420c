package dev.urlsession.autoconfigure;

import dev.urlsession.Session;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration for urlsession: makes {@link Session#shared()} injectable when the
 * application defines no {@link Session} of its own. Named sessions from
 * {@code application.yml} come with the auto-configuration issue.
 *
 * @since 0.1.0
 */
@AutoConfiguration
@ConditionalOnClass(Session.class)
public final class UrlSessionAutoConfiguration {

  @Bean(destroyMethod = "")
  @ConditionalOnMissingBean
  Session urlSession() {
    return Session.shared();
  }
}
