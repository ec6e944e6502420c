package dev.urlsession.autoconfigure.http;

import dev.urlsession.Session;
import dev.urlsession.SessionRegistry;
import dev.urlsession.autoconfigure.InvalidSessionConfigurationException;
import dev.urlsession.autoconfigure.UrlSessionAutoConfiguration;
import dev.urlsession.autoconfigure.UrlSessionProperties;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.http.client.ClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.autoconfigure.ClientHttpRequestFactoryBuilderCustomizer;
import org.springframework.boot.util.LambdaSafe;
import org.springframework.context.annotation.Bean;
import org.springframework.http.client.ClientHttpRequestFactory;

/**
 * Auto-configuration that moves the HTTP clients Spring Boot builds onto a session, with
 * {@code urlsession.http-clients.enabled=true}: a {@link SessionClientHttpRequestFactoryBuilder}
 * takes the place of Boot's {@code ClientHttpRequestFactoryBuilder}, so {@code RestClient.Builder},
 * {@code RestTemplateBuilder}, the {@code ClientHttpRequestFactory} bean and the HTTP service
 * groups without a session of their own send their requests through the session named by
 * {@code urlsession.http-clients.session}, else the primary session (the only one, the one marked
 * primary, or the shared session when none is configured). Boot's
 * {@code ClientHttpRequestFactoryBuilderCustomizer} beans apply to it as to Boot's own builder.
 * Backs off when the application defines its own {@code ClientHttpRequestFactoryBuilder}.
 *
 * @since 0.1.0
 */
@AutoConfiguration(after = UrlSessionAutoConfiguration.class,
    beforeName = "org.springframework.boot.http.client.autoconfigure.imperative.ImperativeHttpClientAutoConfiguration")
@ConditionalOnClass({Session.class, ClientHttpRequestFactory.class, ClientHttpRequestFactoryBuilder.class})
@ConditionalOnBooleanProperty("urlsession.http-clients.enabled")
@EnableConfigurationProperties(UrlSessionProperties.class)
public final class UrlSessionHttpClientsAutoConfiguration {
  private static final String SESSION_PROPERTY = "urlsession.http-clients.session";

  @Bean
  @ConditionalOnMissingBean(ClientHttpRequestFactoryBuilder.class)
  ClientHttpRequestFactoryBuilder<?> urlSessionClientHttpRequestFactoryBuilder(UrlSessionProperties properties,
      SessionRegistry sessions, ObjectProvider<Session> session,
      ObjectProvider<ClientHttpRequestFactoryBuilderCustomizer<?>> customizers) {
    String name = properties.getHttpClients().getSession();
    ClientHttpRequestFactoryBuilder<?> builder = name != null
        ? new SessionClientHttpRequestFactoryBuilder(named(sessions, name), name)
        : primary(sessions, session);
    return customize(builder, customizers.orderedStream().toList());
  }

  private static Session named(SessionRegistry sessions, String name) {
    return sessions.find(name).orElseThrow(() -> new InvalidSessionConfigurationException(SESSION_PROPERTY, name,
        "there is no session '" + name + "' (sessions: " + new TreeSet<>(sessions.names()) + ")",
        "Set " + SESSION_PROPERTY + " to the name of a session configured under urlsession.sessions,"
            + " or remove it to use the primary session."));
  }

  private static SessionClientHttpRequestFactoryBuilder primary(SessionRegistry sessions, ObjectProvider<Session> beans) {
    Session primary = beans.getIfUnique();
    if (primary == null) {
      throw new InvalidSessionConfigurationException(SESSION_PROPERTY, null,
          "urlsession.http-clients.enabled is true and there are several sessions (" + new TreeSet<>(sessions.names())
              + "), none of them primary",
          "Set " + SESSION_PROPERTY + " to the session the HTTP clients use, or mark one session"
              + " with urlsession.sessions.<name>.primary=true.");
    }
    String name = primary == Session.shared() ? "shared" : "primary";
    for (Map.Entry<String, Session> entry : sessions.sessions().entrySet()) {
      if (entry.getValue() == primary) {
        name = entry.getKey();
      }
    }
    return new SessionClientHttpRequestFactoryBuilder(primary, name);
  }

  @SuppressWarnings("unchecked")
  private static ClientHttpRequestFactoryBuilder<?> customize(ClientHttpRequestFactoryBuilder<?> builder,
      List<ClientHttpRequestFactoryBuilderCustomizer<?>> customizers) {
    ClientHttpRequestFactoryBuilder<?>[] result = {builder};
    LambdaSafe.callbacks(ClientHttpRequestFactoryBuilderCustomizer.class, customizers, result[0])
        .invoke(customizer -> result[0] = customizer.customize(result[0]));
    return result[0];
  }
}
