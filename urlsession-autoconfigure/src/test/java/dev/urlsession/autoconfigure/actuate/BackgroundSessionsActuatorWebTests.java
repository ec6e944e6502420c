package dev.urlsession.autoconfigure.actuate;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.urlsession.DownloadTask;
import dev.urlsession.Request;
import dev.urlsession.Session;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import mockwebserver3.MockWebServer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Configuration;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A background session in a running application, over real HTTP: the health indicator reports
 * its store, the urlsessions endpoint lists its transfers, and its meters are published.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    classes = BackgroundSessionsActuatorWebTests.App.class,
    properties = {
        "management.endpoints.web.exposure.include=health,urlsessions,metrics",
        "management.endpoint.health.show-details=always",
        "urlsession.sessions.api.type=ephemeral",
        "urlsession.sessions.downloads.type=background",
        "urlsession.sessions.downloads.identifier=com.example.actuator-downloads",
        "urlsession.sessions.downloads.background.polling-interval=100ms",
    })
@Timeout(60)
class BackgroundSessionsActuatorWebTests {
  static final Path storage;

  static {
    try {
      storage = Files.createTempDirectory("urlsession-actuator-bg");
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static final MockWebServer server = new MockWebServer();

  @DynamicPropertySource
  static void storage(DynamicPropertyRegistry registry) {
    registry.add("urlsession.sessions.downloads.storage-directory", storage::toString);
  }

  @Configuration(proxyBeanMethods = false)
  @EnableAutoConfiguration
  static class App {}

  @AfterAll
  static void stop() {
    server.close();
  }

  @LocalServerPort int port;
  @Autowired @Qualifier("downloads") Session downloads;

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final JsonMapper json = JsonMapper.builder().build();

  private JsonNode get(String path) throws Exception {
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as("%s: %s", path, response.body()).isEqualTo(200);
    return json.readTree(response.body());
  }

  @Test
  void healthEndpointAndMetersShowTheBackgroundStore() throws Exception {
    server.start();
    // A transfer that waits in the store (its earliest begin date is an hour away).
    DownloadTask later = downloads.downloadTask(Request.get(server.url("/later").uri()));
    later.taskDescription("hourly report");
    later.earliestBeginDate(java.time.Instant.now().plus(Duration.ofHours(1)));
    later.resume();

    Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      JsonNode health = get("/actuator/health/urlsessions");
      assertThat(health.get("status").asString()).isEqualTo("UP");
      JsonNode store = health.get("details").get("backgroundSessions").get("downloads");
      assertThat(store.get("identifier").asString()).isEqualTo("com.example.actuator-downloads");
      assertThat(store.get("store").asString()).isEqualTo("embedded");
      assertThat(store.get("queued").asLong()).isEqualTo(1);
      assertThat(store.get("running").asInt()).isZero();
      assertThat(health.get("details").get("backgroundSessions").has("api")).isFalse();
    });

    JsonNode queued = get("/actuator/metrics/urlsession.background.queued?tag=session:downloads");
    assertThat(queued.get("measurements").get(0).get("value").asDouble()).isEqualTo(1.0);
    assertThat(get("/actuator/metrics/urlsession.background.retries?tag=session:downloads")
        .get("measurements").get(0).get("value").asDouble()).isZero();

    JsonNode tasks = get("/actuator/urlsessions/downloads").get("tasks");
    assertThat(tasks.size()).isEqualTo(1);
    assertThat(tasks.get(0).get("description").asString()).isEqualTo("hourly report");
    assertThat(tasks.get(0).get("kind").asString()).isEqualTo("download");

    later.cancel();
    assertThat(later.completion().get(10, SECONDS).error()).isNotNull();
  }
}
