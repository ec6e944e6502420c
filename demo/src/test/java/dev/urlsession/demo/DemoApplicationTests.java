package dev.urlsession.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.urlsession.Session;
import dev.urlsession.SessionConfiguration;
import dev.urlsession.SessionRegistry;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import tools.jackson.databind.JsonNode;

/** The demo's sessions from application.yml, its page and its Actuator endpoints, over HTTP. */
@Timeout(120)
class DemoApplicationTests extends DemoTestSupport {
  @Autowired
  SessionRegistry registry;

  @Autowired
  @Qualifier("api")
  Session api;

  @Autowired
  @Qualifier("private")
  Session privateSession;

  @Autowired
  @Qualifier("downloads")
  Session downloads;

  @Autowired
  Session primary;

  @Test
  void threeSessionsFromApplicationYmlAreInjectedByName() {
    assertThat(registry.names()).containsExactlyInAnyOrder("api", "private", "downloads");
    assertThat(primary).isSameAs(api).isSameAs(registry.session("api"));
    SessionConfiguration apiConfiguration = api.configuration();
    assertThat(apiConfiguration.kind()).isEqualTo(SessionConfiguration.Kind.DEFAULT);
    assertThat(apiConfiguration.httpMaximumConnectionsPerHost()).isEqualTo(8);
    assertThat(apiConfiguration.httpAdditionalHeaders()).isEqualTo(Map.of("User-Agent", "urlsession-demo/0.1"));
    assertThat(apiConfiguration.timeoutIntervalForRequest()).isEqualTo(Duration.ofSeconds(30));
    assertThat(privateSession.configuration().kind()).isEqualTo(SessionConfiguration.Kind.EPHEMERAL);
    assertThat(privateSession.configuration().timeoutIntervalForResource()).isEqualTo(Duration.ofSeconds(30));
    assertThat(downloads.configuration().kind()).isEqualTo(SessionConfiguration.Kind.BACKGROUND);
    assertThat(downloads.configuration().identifier()).isEqualTo("dev.urlsession.demo.downloads");
  }

  @Test
  void pageWhenLoadedLinksToTheActuatorEndpoints() throws Exception {
    HttpResponse<String> page = get("/");
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("<title>urlsession · download manager</title>",
        "href=\"/actuator/urlsessions\"", "href=\"/actuator/health\"",
        "href=\"/actuator/metrics/http.client.requests\"", "href=\"/actuator/prometheus\"",
        "new EventSource('/api/events')");
  }

  @Test
  void startWhenReadyHasReadTheCatalogSoTheClientMetricExists() throws Exception {
    assertThat(origin.served().get(0).target()).isEqualTo("/catalog"); // before any test asked for anything
    assertThat(get("/actuator/metrics/http.client.requests").statusCode()).isEqualTo(200);
  }

  @Test
  void samplesWhenListedAreReadFromTheOriginWithTheApiSessionAndTimed() throws Exception {
    HttpResponse<String> samples = get("/api/samples");
    assertThat(samples.statusCode()).isEqualTo(200);
    assertThat(json(samples).findValuesAsString("url")).containsExactlyElementsOf(
        origin.catalog().stream().map(s -> s.url()).toList());

    // One timer sample per task of the api session, under the HTTP interface's URI template.
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(get("/actuator/prometheus").body())
        .containsPattern("http_client_requests_seconds_count\\{client_name=\"api\",[^}]*status=\"200\",[^}]*"
            + "uri=\"/catalog\",urlsession_task_kind=\"data\"} [1-9]"));
    HttpResponse<String> metric = get("/actuator/metrics/http.client.requests");
    assertThat(metric.statusCode()).isEqualTo(200);
    assertThat(json(metric).get("availableTags").findValues("values").toString()).contains("\"api\"", "\"/catalog\"");
  }

  @Test
  void actuatorWhenAskedShowsTheThreeSessionsAndTheBackgroundStoresHealth() throws Exception {
    JsonNode sessions = json(get("/actuator/urlsessions")).get("sessions");
    assertThat(sessions.propertyNames()).containsExactlyInAnyOrder("api", "private", "downloads");
    assertThat(sessions.get("downloads").get("kind").asString()).isEqualTo("background");

    JsonNode health = json(get("/actuator/health"));
    assertThat(health.get("status").asString()).isEqualTo("UP");
    JsonNode store = health.get("components").get("urlsessions").get("details").get("backgroundSessions")
        .get("downloads");
    assertThat(store.get("identifier").asString()).isEqualTo("dev.urlsession.demo.downloads");
    assertThat(store.get("store").asString()).isEqualTo("embedded");
    assertThat(store.get("status").asString()).isEqualTo("UP");
  }
}
