package dev.urlsession.autoconfigure.actuate;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.urlsession.DataResponse;
import dev.urlsession.Request;
import dev.urlsession.Session;
import dev.urlsession.SessionException;
import dev.urlsession.SessionTask;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Configuration;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The urlsessions endpoint over real HTTP in a running application (Tomcat, Actuator, Micrometer),
 * with a task running against MockWebServer: what it lists, that it cancels, and that no secret of
 * the configuration or the task's URL ever appears.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    classes = UrlSessionsEndpointWebTests.App.class,
    properties = {
        "management.endpoints.web.exposure.include=urlsessions,metrics",
        "management.endpoint.urlsessions.access=unrestricted",
        "urlsession.sessions.api.type=ephemeral",
        "urlsession.sessions.api.http-additional-headers.Authorization=Bearer h3ader-secret",
        "urlsession.sessions.api.http-additional-headers.X-Api-Key=ap1key-secret",
        "urlsession.sessions.api.http-additional-headers.Accept=application/json",
        "urlsession.sessions.api.http-additional-headers.X-Tenant=t3nant-secret",
        "urlsession.sessions.api.secret-headers=x-tenant",
        "urlsession.sessions.proxied.type=ephemeral",
        "urlsession.sessions.proxied.proxy.type=http",
        "urlsession.sessions.proxied.proxy.host=proxy.example.com",
        "urlsession.sessions.proxied.proxy.port=3128",
        "urlsession.sessions.proxied.proxy.username=proxyuser",
        "urlsession.sessions.proxied.proxy.password=pr0xy-secret",
    })
@Timeout(60)
class UrlSessionsEndpointWebTests {
  private static final List<String> SECRETS = List.of("h3ader-secret", "ap1key-secret", "pr0xy-secret",
      "us3r-secret", "t0ken-secret", "s1g-secret", "k3y-secret", "t3nant-secret", "Bearer");

  static final MockWebServer server = new MockWebServer();

  @Configuration(proxyBeanMethods = false)
  @EnableAutoConfiguration
  static class App {}

  @BeforeAll
  static void start() throws IOException {
    server.start();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @LocalServerPort int port;
  @Autowired @Qualifier("api") Session api;

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final JsonMapper json = JsonMapper.builder().build();

  private HttpResponse<String> call(String method, String path) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
        .method(method, HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(10)).build();
    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
    for (String secret : SECRETS) {
      assertThat(response.body()).as("%s %s must not show %s", method, path, secret).doesNotContain(secret);
    }
    return response;
  }

  @Test
  void endpointListsSessionsAndTasksWithoutSecretsAndCancelsATask() throws Exception {
    server.enqueue(new MockResponse.Builder().bodyDelay(30, SECONDS).body("late").build());
    URI secretUrl = URI.create("http://ann:us3r-secret@" + server.getHostName() + ":" + server.getPort()
        + "/export?token=t0ken-secret&X-Amz-Signature=s1g-secret&api_key=k3y-secret&page=2");
    CompletableFuture<SessionTask> done = new CompletableFuture<>();
    SessionTask task = api.dataTask(Request.get(secretUrl), (data, response, error) -> done.complete(null));
    task.taskDescription("nightly export");
    task.resume();
    server.takeRequest(10, SECONDS);

    HttpResponse<String> all = call("GET", "/actuator/urlsessions");
    assertThat(all.statusCode()).isEqualTo(200);
    JsonNode sessions = json.readTree(all.body()).get("sessions");
    assertThat(sessions.propertyNames()).containsExactlyInAnyOrder("api", "proxied");
    JsonNode apiNode = sessions.get("api");
    assertThat(apiNode.get("kind").asString()).isEqualTo("ephemeral");
    JsonNode headers = apiNode.get("configuration").get("httpAdditionalHeaders");
    assertThat(headers.get("Authorization").asString()).isEqualTo("******");
    assertThat(headers.get("X-Api-Key").asString()).isEqualTo("******");
    assertThat(headers.get("X-Tenant").asString()).isEqualTo("******"); // named in secret-headers
    assertThat(headers.get("Accept").asString()).isEqualTo("application/json");
    assertThat(apiNode.get("tasks").get("data").get("running").asInt()).isEqualTo(1);
    assertThat(apiNode.get("connectionPool").get("leased").asInt()).isEqualTo(1);
    JsonNode proxy = sessions.get("proxied").get("configuration").get("proxy");
    assertThat(proxy.get("type").asString()).isEqualTo("HTTP");
    assertThat(proxy.get("username").asString()).isEqualTo("proxyuser");
    assertThat(proxy.get("password").asString()).isEqualTo("******");

    HttpResponse<String> one = call("GET", "/actuator/urlsessions/api");
    assertThat(one.statusCode()).isEqualTo(200);
    JsonNode tasks = json.readTree(one.body()).get("tasks");
    assertThat(tasks.size()).isEqualTo(1);
    JsonNode t = tasks.get(0);
    assertThat(t.get("id").asLong()).isEqualTo(task.taskIdentifier());
    assertThat(t.get("kind").asString()).isEqualTo("data");
    assertThat(t.get("description").asString()).isEqualTo("nightly export");
    assertThat(t.get("state").asString()).isEqualTo("running");
    assertThat(t.get("method").asString()).isEqualTo("GET");
    assertThat(t.get("url").asString()).isEqualTo("http://" + server.getHostName() + ":" + server.getPort()
        + "/export?token=******&X-Amz-Signature=******&api_key=******&page=2");
    assertThat(t.get("countOfBytesReceived").asLong()).isZero();
    assertThat(t.get("fractionCompleted").asDouble()).isZero();

    assertThat(call("GET", "/actuator/urlsessions/nosuchsession").statusCode()).isEqualTo(404);
    assertThat(call("POST", "/actuator/urlsessions/api/999999").statusCode()).isEqualTo(204); // nothing to cancel

    HttpResponse<String> cancelled = call("POST", "/actuator/urlsessions/api/" + task.taskIdentifier());
    assertThat(cancelled.statusCode()).isEqualTo(200);
    assertThat(json.readTree(cancelled.body()).get("state").asString()).isIn("canceling", "completed");
    done.get(10, SECONDS);
    assertThat(task.error().code()).isEqualTo(SessionException.Code.CANCELLED);
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() ->
        json.readTree(call("GET", "/actuator/urlsessions/api").body()).get("tasks").isEmpty());

    // The cancelled task is in the metrics Actuator shows, under the session's name.
    HttpResponse<String> metric = call("GET", "/actuator/metrics/http.client.requests?tag=client.name:api");
    assertThat(metric.statusCode()).isEqualTo(200);
    assertThat(metric.body()).contains("\"COUNT\"").contains("SessionException");
    assertThat(call("GET", "/actuator/metrics/urlsession.pool.max?tag=session:api").statusCode()).isEqualTo(200);
  }

  @Test
  void completedTasksAreNotListed() throws Exception {
    server.enqueue(new MockResponse.Builder().body("ok").build());
    DataResponse r = api.data(Request.get(server.url("/quick").uri())).get(10, SECONDS);
    assertThat(r.response().statusCode()).isEqualTo(200);
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() ->
        json.readTree(call("GET", "/actuator/urlsessions/api").body()).get("tasks").isEmpty());
  }

  @AfterEach
  void cancelLeftovers() throws Exception {
    api.allTasks().get(10, SECONDS).forEach(SessionTask::cancel);
  }
}
