package dev.urlsession.autoconfigure.http;

import dev.urlsession.Session;
import dev.urlsession.SessionRegistry;
import dev.urlsession.autoconfigure.InvalidSessionConfigurationException;
import dev.urlsession.autoconfigure.client.SessionClientHttpRequestFactory;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.http.client.HttpClientSettings;
import org.springframework.core.Ordered;
import org.springframework.util.Assert;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.support.RestClientHttpServiceGroupConfigurer;

/**
 * Runs HTTP service groups ({@code @ImportHttpServices}) on sessions: a group named after a
 * session of the {@link SessionRegistry}, or mapped to one ({@code urlsession.http-service-groups.<group>=<session>}),
 * gets a {@link SessionClientHttpRequestFactory} on that session. Everything else Spring Boot
 * configures for the group still applies ({@code spring.http.serviceclient.<group>.base-url},
 * {@code .default-header.*}, {@code .apiversion.*}, {@code RestClientCustomizer}s); its timeouts,
 * redirects and cookie handling are the session's (logged once as not applied when set), and an
 * SSL bundle is refused (set the session's {@code ssl.bundle}). Groups that name no session are
 * left as they are.
 *
 * <p>Ordered after Spring Boot's configurer that gives every group a request factory
 * ({@code HIGHEST_PRECEDENCE + 10}), and before the application's own configurers (lowest
 * precedence unless they say otherwise), which may still change a group's client. The
 * auto-configuration declares one unless the application defines a bean of this type.
 *
 * <p>Thread-safe; sessions are looked up in the registry when the groups are configured, so
 * sessions the application registers itself count too.
 *
 * @since 0.1.0
 */
public final class SessionHttpServiceGroupConfigurer implements RestClientHttpServiceGroupConfigurer {
  /** The order of this configurer: {@code Ordered.HIGHEST_PRECEDENCE + 20}. */
  public static final int ORDER = Ordered.HIGHEST_PRECEDENCE + 20;

  private static final Logger log = LoggerFactory.getLogger(SessionHttpServiceGroupConfigurer.class);
  private static final String GROUPS_PROPERTY = "urlsession.http-service-groups";

  private final SessionRegistry sessions;
  private final Map<String, String> groupSessions;
  private final Function<String, @Nullable HttpClientSettings> groupSettings;
  private final UnappliedSettings unapplied = new UnappliedSettings();

  /**
   * A configurer running groups on the sessions of {@code sessions}.
   *
   * @param sessions where sessions are looked up by name
   * @param groupSessions session names by group name, for groups not named after their session;
   *     copied
   * @throws IllegalArgumentException if an argument is null
   */
  public SessionHttpServiceGroupConfigurer(SessionRegistry sessions, Map<String, String> groupSessions) {
    this(sessions, groupSessions, group -> null);
  }

  /** As the public constructor; {@code groupSettings} gives Boot's settings of a group, to check them. */
  SessionHttpServiceGroupConfigurer(SessionRegistry sessions, Map<String, String> groupSessions,
      Function<String, @Nullable HttpClientSettings> groupSettings) {
    Assert.notNull(sessions, "sessions must not be null");
    Assert.notNull(groupSessions, "groupSessions must not be null");
    this.sessions = sessions;
    this.groupSessions = new LinkedHashMap<>(groupSessions);
    this.groupSettings = groupSettings;
  }

  @Override
  public int getOrder() {
    return ORDER;
  }

  /**
   * Sets the request factory of every group that names a session.
   *
   * @throws InvalidSessionConfigurationException if a mapping names a session that does not
   *     exist, or a group that does not exist
   * @throws IllegalStateException if a group on a session is given an SSL bundle or an address
   *     filter by Spring Boot's settings
   */
  @Override
  public void configureGroups(Groups<RestClient.Builder> groups) {
    Set<String> groupNames = new TreeSet<>();
    groups.forEachClient((group, builder) -> {
      groupNames.add(group.name());
      String sessionName = sessionName(group.name());
      if (sessionName == null) {
        return;
      }
      Session session = sessions.session(sessionName);
      unapplied.check(groupSettings.apply(group.name()), "HTTP service group '" + group.name() + "'", sessionName);
      builder.requestFactory(new SessionClientHttpRequestFactory(session));
      log.debug("HTTP service group '{}' runs on session '{}'", group.name(), sessionName);
    });
    groupSessions.forEach((group, session) -> {
      if (!groupNames.contains(group)) {
        String path = path(group);
        throw new InvalidSessionConfigurationException(path, session,
            "there is no HTTP service group '" + group + "' of RestClient (groups: " + groupNames + ")",
            "Set " + path + " for a group declared with @ImportHttpServices, or remove it.");
      }
    });
  }

  /** The session of {@code group}: its mapping, else the session of the same name, else null. */
  private @Nullable String sessionName(String group) {
    String mapped = groupSessions.get(group);
    if (mapped != null) {
      if (sessions.find(mapped).isEmpty()) {
        String path = path(group);
        throw new InvalidSessionConfigurationException(path, mapped,
            "there is no session '" + mapped + "' (sessions: " + new TreeSet<>(sessions.names()) + ")",
            "Set " + path + " to the name of a session configured under urlsession.sessions, or remove it.");
      }
      return mapped;
    }
    return sessions.find(group).isPresent() ? group : null;
  }

  private static String path(String group) {
    return group.matches("[a-z0-9][a-z0-9-]*") ? GROUPS_PROPERTY + "." + group : GROUPS_PROPERTY + "[" + group + "]";
  }

  @Override
  public String toString() {
    return "SessionHttpServiceGroupConfigurer" + groupSessions;
  }
}
