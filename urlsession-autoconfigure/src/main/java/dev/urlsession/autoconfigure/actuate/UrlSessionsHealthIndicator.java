package dev.urlsession.autoconfigure.actuate;

import dev.urlsession.Session;
import dev.urlsession.SessionConfiguration;
import dev.urlsession.SessionRegistry;
import dev.urlsession.background.BackgroundStatistics;
import dev.urlsession.background.BackgroundStore;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * Health of the background stores of the registry's sessions ({@code /actuator/health/urlsessions}):
 * {@code UP} when every background session's store answers, {@code DOWN} when one does not (its
 * database is unreachable, or the session was invalidated). Details per background session:
 * identifier, store ({@code embedded} or {@code data-source}), clustered, queued and running
 * transfers, retries and takeovers, and the store's error if any. Sessions of other kinds keep no
 * store and are not listed; with none at all the indicator is {@code UP}.
 *
 * @since 0.1.0
 */
public final class UrlSessionsHealthIndicator implements HealthIndicator {
  private final SessionRegistry registry;

  public UrlSessionsHealthIndicator(SessionRegistry registry) {
    this.registry = registry;
  }

  @Override
  public Health health() {
    boolean up = true;
    Map<String, Object> sessions = new LinkedHashMap<>();
    for (Map.Entry<String, Session> entry : registry.sessions().entrySet()) {
      Session session = entry.getValue();
      SessionConfiguration configuration = session.configuration();
      if (configuration.kind() != SessionConfiguration.Kind.BACKGROUND) {
        continue;
      }
      Map<String, Object> details = new LinkedHashMap<>();
      details.put("identifier", configuration.identifier());
      BackgroundStore store = configuration.backgroundStore();
      details.put("store", store == null || store.dataSource() == null ? "embedded" : "data-source");
      details.put("clustered", store != null && store.clustered());
      BackgroundStatistics b;
      try {
        b = session.statistics().background();
      } catch (RuntimeException e) {
        b = null;
        details.put("error", String.valueOf(e.getMessage()));
      }
      if (b != null) {
        details.put("queued", b.queued());
        details.put("running", b.running());
        details.put("retries", b.retries());
        details.put("takeovers", b.takeovers());
        if (!b.storeReachable()) {
          details.put("error", b.storeError());
        }
      }
      boolean reachable = b != null && b.storeReachable();
      details.put("status", reachable ? "UP" : "DOWN");
      up &= reachable;
      sessions.put(entry.getKey(), details);
    }
    return (up ? Health.up() : Health.down()).withDetail("backgroundSessions", sessions).build();
  }
}
