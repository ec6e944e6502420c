package dev.urlsession.autoconfigure;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.NestedConfigurationProperty;

/**
 * Configuration properties for urlsession: {@code urlsession.defaults.*} apply to every session,
 * {@code urlsession.sessions.<name>.*} declare the named sessions and override the defaults.
 *
 * <pre>
 * urlsession:
 *   defaults:
 *     timeout-interval-for-request: 30s
 *   sessions:
 *     api:     { type: default, http-maximum-connections-per-host: 8, http-additional-headers: { User-Agent: shop/1.0 } }
 *     private: { type: ephemeral }
 * </pre>
 *
 * <p>An option left unset takes the value of {@code defaults}, and one unset there the library's
 * own default ({@code SessionConfiguration.defaultConfiguration()} or {@code ephemeral()}). The
 * bound objects are never changed by the auto-configuration. Unknown keys under
 * {@code urlsession} fail the start, so a typo cannot go unnoticed.
 *
 * @since 0.1.0
 */
@ConfigurationProperties(prefix = "urlsession", ignoreUnknownFields = false)
public class UrlSessionProperties {
  /** Settings every session starts from. */
  @NestedConfigurationProperty
  private final SessionProperties defaults = new SessionProperties();

  /** Named sessions, each exposed as a bean of that name and in the session registry. */
  private final Map<String, NamedSessionProperties> sessions = new LinkedHashMap<>();

  /** Application events published for the delegate events of the named sessions. */
  private final Events events = new Events();

  /** Micrometer observations and meters of the named sessions. */
  private final Observation observation = new Observation();

  /** Spring Boot's RestClient.Builder and RestTemplateBuilder on a session. */
  private final HttpClients httpClients = new HttpClients();

  /**
   * HTTP service groups (@ImportHttpServices) that run on a session: the name of the session, by
   * group name. A group named after a session runs on it without an entry here.
   */
  private final Map<String, String> httpServiceGroups = new LinkedHashMap<>();

  public SessionProperties getDefaults() {
    return defaults;
  }

  public Map<String, NamedSessionProperties> getSessions() {
    return sessions;
  }

  public Events getEvents() {
    return events;
  }

  public Observation getObservation() {
    return observation;
  }

  public HttpClients getHttpClients() {
    return httpClients;
  }

  public Map<String, String> getHttpServiceGroups() {
    return httpServiceGroups;
  }

  /**
   * Properties of the HTTP clients Spring Boot builds: with {@code enabled}, its
   * {@code ClientHttpRequestFactoryBuilder} makes requests run on a session, so
   * {@code RestClient.Builder}, {@code RestTemplateBuilder} and HTTP service groups without a
   * session of their own use it.
   *
   * @since 0.1.0
   */
  public static class HttpClients {
    /**
     * Whether the HTTP clients Spring Boot builds (RestClient.Builder, RestTemplateBuilder, its
     * ClientHttpRequestFactory bean, HTTP service groups without a session of their own) send
     * their requests through a session.
     */
    private boolean enabled = false;

    /**
     * Name of the session the HTTP clients use; when not set, the primary session (the only one,
     * or the one marked primary), or the shared session when none is configured.
     */
    private @Nullable String session;

    public boolean isEnabled() {
      return enabled;
    }

    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    public @Nullable String getSession() {
      return session;
    }

    public void setSession(@Nullable String session) {
      this.session = session;
    }
  }

  /**
   * Properties of the Micrometer support: the {@code http.client.requests} observation of every
   * task and the {@code urlsession.*} meters of the named sessions.
   *
   * @since 0.1.0
   */
  public static class Observation {
    /** Whether the tasks of named sessions are observed and their sessions metered, when Micrometer is present. */
    private boolean enabled = true;

    /**
     * Maximum number of distinct URI templates tagged on the session timers; requests with
     * further templates are recorded with uri=OTHER.
     */
    private int maxUriTags = 100;

    public boolean isEnabled() {
      return enabled;
    }

    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    public int getMaxUriTags() {
      return maxUriTags;
    }

    public void setMaxUriTags(int maxUriTags) {
      this.maxUriTags = maxUriTags;
    }
  }

  /**
   * Properties of the application events published for the named sessions.
   *
   * @since 0.1.0
   */
  public static class Events {
    /** Whether the delegate events of named sessions are published as application events. */
    private boolean enabled = true;

    /**
     * Shortest time between two progress events of one task; zero publishes one for every piece
     * of data.
     */
    private Duration progressInterval = Duration.ofMillis(250);

    public boolean isEnabled() {
      return enabled;
    }

    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    public Duration getProgressInterval() {
      return progressInterval;
    }

    public void setProgressInterval(Duration progressInterval) {
      this.progressInterval = progressInterval;
    }
  }
}
