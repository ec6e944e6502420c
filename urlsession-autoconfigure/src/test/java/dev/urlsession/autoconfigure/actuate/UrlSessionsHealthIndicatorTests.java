package dev.urlsession.autoconfigure.actuate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.urlsession.autoconfigure.UrlSessionAutoConfiguration;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import javax.sql.DataSource;
import org.awaitility.Awaitility;
import org.hsqldb.jdbc.JDBCDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** The urlsessions health indicator: up while background stores answer, down when one does not. */
@Timeout(60)
class UrlSessionsHealthIndicatorTests {
  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(UrlSessionAutoConfiguration.class,
          UrlSessionsHealthContributorAutoConfiguration.class));

  @TempDir Path dir;

  @Test
  void withoutBackgroundSessionsTheIndicatorIsUpAndListsNone() {
    runner.withPropertyValues("urlsession.sessions.api.type=ephemeral").run(context -> {
      Health health = context.getBean(UrlSessionsHealthIndicator.class).health();
      assertThat(health.getStatus()).isEqualTo(Status.UP);
      assertThat((Map<?, ?>) health.getDetails().get("backgroundSessions")).isEmpty();
    });
  }

  @Test
  void aStoreWhoseDatabaseStopsAnsweringIsDown() throws Exception {
    JDBCDataSource hsqldb = new JDBCDataSource();
    hsqldb.setURL("jdbc:hsqldb:mem:health" + System.nanoTime());
    hsqldb.setUser("SA");
    runner.withBean(DataSource.class, () -> hsqldb).withPropertyValues(
        "urlsession.sessions.downloads.type=background",
        "urlsession.sessions.downloads.identifier=com.example.health",
        "urlsession.sessions.downloads.storage-directory=" + dir,
        "urlsession.sessions.downloads.background.store=data-source").run(context -> {
          UrlSessionsHealthIndicator indicator = context.getBean(UrlSessionsHealthIndicator.class);
          Health up = indicator.health();
          assertThat(up.getStatus()).isEqualTo(Status.UP);
          Map<?, ?> details = (Map<?, ?>) ((Map<?, ?>) up.getDetails().get("backgroundSessions")).get("downloads");
          assertThat(details.get("store")).isEqualTo("data-source");
          assertThat(details.get("queued")).isEqualTo(0L);
          try (Connection c = hsqldb.getConnection(); Statement s = c.createStatement()) {
            s.execute("SHUTDOWN");
          }
          // Counts are reused for a second: the next one after it finds the database gone.
          Awaitility.await().atMost(Duration.ofSeconds(10))
              .until(() -> indicator.health().getStatus().equals(Status.DOWN));
          Map<?, ?> down = (Map<?, ?>) ((Map<?, ?>) indicator.health().getDetails().get("backgroundSessions"))
              .get("downloads");
          assertThat(down.get("status")).isEqualTo("DOWN");
          assertThat(down.get("error")).isNotNull();
        });
  }

  @Test
  void indicatorCanBeSwitchedOff() {
    runner.withPropertyValues("urlsession.sessions.api.type=ephemeral", "management.health.urlsessions.enabled=false")
        .run(context -> assertThat(context).doesNotHaveBean(UrlSessionsHealthIndicator.class));
  }
}
