package dev.urlsession.autoconfigure;

import dev.urlsession.SessionConfiguration;

/**
 * Adjusts the configuration of a named session after its properties were applied and before the
 * session is created. Declare beans of this type; they run in {@code @Order} (or
 * {@code Ordered}) order, for every session, once at startup.
 *
 * <pre>{@code
 * @Bean
 * SessionConfigurationCustomizer apiHandlers(MyProtocolHandler handler) {
 *   return (name, builder) -> {
 *     if (name.equals("api")) {
 *       builder.protocolHandlers(List.of(handler));
 *     }
 *   };
 * }
 * }</pre>
 *
 * <p>A customizer that throws fails the start of the application: a configuration error is not
 * something to run with.
 *
 * @since 0.1.0
 */
@FunctionalInterface
public interface SessionConfigurationCustomizer {
  /**
   * Customizes the configuration of session {@code sessionName}.
   *
   * @param sessionName the session's name, as in {@code urlsession.sessions.<name>}
   * @param builder the builder holding the configured values; build() is called after the last
   *     customizer
   */
  void customize(String sessionName, SessionConfiguration.Builder builder);
}
