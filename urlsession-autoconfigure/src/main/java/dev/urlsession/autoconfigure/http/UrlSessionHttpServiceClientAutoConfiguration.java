package dev.urlsession.autoconfigure.http;

import dev.urlsession.Session;
import dev.urlsession.SessionRegistry;
import dev.urlsession.autoconfigure.UrlSessionAutoConfiguration;
import dev.urlsession.autoconfigure.UrlSessionProperties;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.http.client.HttpClientSettings;
import org.springframework.boot.http.client.autoconfigure.HttpClientSettingsPropertyMapper;
import org.springframework.boot.http.client.autoconfigure.service.HttpServiceClientProperties;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.context.annotation.Bean;
import org.springframework.web.client.support.RestClientHttpServiceGroupConfigurer;
import org.springframework.web.service.registry.HttpServiceProxyRegistry;

/**
 * Auto-configuration that runs HTTP service groups on sessions: when the application declares
 * HTTP service clients ({@code @ImportHttpServices}), a {@link SessionHttpServiceGroupConfigurer}
 * gives each group named after a session, or mapped to one by
 * {@code urlsession.http-service-groups.<group>=<session>}, a request factory on that session.
 * Backs off when the application defines its own {@code SessionHttpServiceGroupConfigurer}.
 *
 * @since 0.1.0
 */
@AutoConfiguration(after = UrlSessionAutoConfiguration.class,
    afterName = "org.springframework.boot.restclient.autoconfigure.service.HttpServiceClientAutoConfiguration")
@ConditionalOnClass({Session.class, RestClientHttpServiceGroupConfigurer.class, HttpServiceClientProperties.class})
@ConditionalOnBean({HttpServiceProxyRegistry.class, SessionRegistry.class})
@EnableConfigurationProperties(UrlSessionProperties.class)
public final class UrlSessionHttpServiceClientAutoConfiguration {

  @Bean
  @ConditionalOnMissingBean
  SessionHttpServiceGroupConfigurer urlSessionHttpServiceGroupConfigurer(SessionRegistry sessions,
      UrlSessionProperties properties, ObjectProvider<HttpServiceClientProperties> serviceClients,
      ObjectProvider<SslBundles> sslBundles, ObjectProvider<HttpClientSettings> httpClientSettings) {
    // Boot's own mapping of a group's settings (spring.http.serviceclient.<group>.* over
    // spring.http.clients.*), to tell which of them the session does not apply.
    HttpClientSettingsPropertyMapper settings =
        new HttpClientSettingsPropertyMapper(sslBundles.getIfAvailable(), httpClientSettings.getIfAvailable());
    HttpServiceClientProperties groups = serviceClients.getIfAvailable();
    return new SessionHttpServiceGroupConfigurer(sessions, properties.getHttpServiceGroups(),
        group -> settings.map(groups != null ? groups.get(group) : null));
  }
}
