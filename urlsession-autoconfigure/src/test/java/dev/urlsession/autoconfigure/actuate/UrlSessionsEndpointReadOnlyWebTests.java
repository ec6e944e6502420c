package dev.urlsession.autoconfigure.actuate;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Configuration;

/**
 * Exposing the urlsessions endpoint shows the sessions but does not let anyone cancel their tasks:
 * the endpoint is read-only unless {@code management.endpoint.urlsessions.access=unrestricted}.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    classes = UrlSessionsEndpointReadOnlyWebTests.App.class,
    properties = {
        "management.endpoints.web.exposure.include=urlsessions",
        "urlsession.sessions.api.type=ephemeral",
    })
@Timeout(60)
class UrlSessionsEndpointReadOnlyWebTests {
  @Configuration(proxyBeanMethods = false)
  @EnableAutoConfiguration
  static class App {}

  @LocalServerPort int port;

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private int status(String method, String path) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
        .method(method, HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(10)).build();
    return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  @Test
  void cancellingIsRefusedByDefaultWhileReadingWorks() throws Exception {
    assertThat(status("GET", "/actuator/urlsessions/api")).isEqualTo(200);
    // With access unrestricted this answers 204 (no such task); read-only, the operation is absent.
    assertThat(status("POST", "/actuator/urlsessions/api/999999")).isIn(404, 405);
  }
}
