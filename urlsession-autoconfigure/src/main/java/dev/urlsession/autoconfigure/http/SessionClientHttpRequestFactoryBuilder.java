package dev.urlsession.autoconfigure.http;

import dev.urlsession.Session;
import dev.urlsession.autoconfigure.client.SessionClientHttpRequestFactory;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.http.client.ClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.HttpClientSettings;
import org.springframework.util.Assert;

/**
 * A Spring Boot {@link ClientHttpRequestFactoryBuilder} whose factories run every request on one
 * {@link Session}. Declared as a bean, it takes the place of Boot's own (whose auto-configuration
 * backs off), so {@code RestClient.Builder}, {@code RestTemplateBuilder}, the
 * {@code ClientHttpRequestFactory} bean and the HTTP service groups without a session of their own
 * send their requests through the session, with its configuration, connection pool, events and
 * metrics. {@code urlsession.http-clients.enabled=true} declares one on the primary session, or
 * on the session named by {@code urlsession.http-clients.session}.
 *
 * <p>The session's configuration decides timeouts, redirects (its delegate), cookies, TLS and the
 * hosts it may reach, so the {@link HttpClientSettings} Boot passes ({@code spring.http.clients.*},
 * {@code spring.http.serviceclient.<group>.*}, {@code RestClientSsl}) cannot change them: a connect
 * or read timeout, a redirect policy or a cookie handling is logged once as not applied (set the
 * session's {@code timeout-interval-for-request}, {@code cookies.*} instead); an SSL bundle or an
 * address filter is refused, since ignoring it would connect with other trust material, or to
 * other hosts, than asked.
 *
 * <p>Thread-safe; every factory it builds is new and runs on the same session.
 *
 * @since 0.1.0
 */
public final class SessionClientHttpRequestFactoryBuilder
    implements ClientHttpRequestFactoryBuilder<SessionClientHttpRequestFactory> {
  private final Session session;
  private final String sessionName;
  private final UnappliedSettings unapplied = new UnappliedSettings();

  /**
   * A builder of factories running requests on {@code session}.
   *
   * @param session the session requests run on
   * @param sessionName its name, for messages (such as {@code api}, or {@code shared})
   * @throws IllegalArgumentException if an argument is null
   */
  public SessionClientHttpRequestFactoryBuilder(Session session, String sessionName) {
    Assert.notNull(session, "session must not be null");
    Assert.notNull(sessionName, "sessionName must not be null");
    this.session = session;
    this.sessionName = sessionName;
  }

  /** The session the built factories run requests on. */
  public Session session() {
    return session;
  }

  /**
   * A new factory running requests on the session.
   *
   * @param settings Boot's client settings, or {@code null}; see the class description for what
   *     happens to them
   * @throws IllegalStateException if the settings carry an SSL bundle or an address filter
   */
  @Override
  public SessionClientHttpRequestFactory build(@Nullable HttpClientSettings settings) {
    unapplied.check(settings, "The HTTP client", sessionName);
    return new SessionClientHttpRequestFactory(session);
  }

  @Override
  public String toString() {
    return "SessionClientHttpRequestFactoryBuilder[session=" + sessionName + "]";
  }
}
