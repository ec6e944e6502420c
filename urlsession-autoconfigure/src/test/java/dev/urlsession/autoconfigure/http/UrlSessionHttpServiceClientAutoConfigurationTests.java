package dev.urlsession.autoconfigure.http;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.urlsession.SessionRegistry;
import dev.urlsession.autoconfigure.InvalidSessionConfigurationException;
import dev.urlsession.autoconfigure.UrlSessionAutoConfiguration;
import java.util.Map;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.http.client.autoconfigure.HttpClientAutoConfiguration;
import org.springframework.boot.http.client.autoconfigure.imperative.ImperativeHttpClientAutoConfiguration;
import org.springframework.boot.http.client.autoconfigure.service.HttpServiceClientPropertiesAutoConfiguration;
import org.springframework.boot.restclient.autoconfigure.RestClientAutoConfiguration;
import org.springframework.boot.restclient.autoconfigure.service.HttpServiceClientAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.service.annotation.GetExchange;
import org.springframework.web.service.registry.ImportHttpServices;

/**
 * HTTP service groups on sessions: real interface clients whose requests MockWebServer receives
 * with a header only the session adds ({@code X-Session}) and the base URL and default header of
 * {@code spring.http.serviceclient.<group>.*}.
 */
@Timeout(60)
@ExtendWith(OutputCaptureExtension.class)
class UrlSessionHttpServiceClientAutoConfigurationTests {
  @StartStop final MockWebServer server = new MockWebServer();

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(UrlSessionAutoConfiguration.class,
          UrlSessionHttpServiceClientAutoConfiguration.class, UrlSessionHttpClientsAutoConfiguration.class,
          HttpClientAutoConfiguration.class, ImperativeHttpClientAutoConfiguration.class,
          HttpServiceClientPropertiesAutoConfiguration.class, RestClientAutoConfiguration.class,
          HttpServiceClientAutoConfiguration.class))
      .withPropertyValues(
          "urlsession.sessions.api.type=ephemeral",
          "urlsession.sessions.api.http-additional-headers.X-Session=api");

  interface GreetingClient {
    @GetExchange("/greetings/{name}")
    String greet(@PathVariable String name);
  }

  interface RepositoryClient {
    @GetExchange("/repos/{name}")
    String repository(@PathVariable String name);
  }

  interface StatusClient {
    @GetExchange("/status")
    String status();
  }

  @Configuration(proxyBeanMethods = false)
  @ImportHttpServices(group = "api", types = GreetingClient.class)
  @ImportHttpServices(group = "github", types = RepositoryClient.class)
  @ImportHttpServices(group = "status", types = StatusClient.class)
  static class Clients {}

  private ApplicationContextRunner withClients() {
    String base = server.url("/").toString();
    return runner.withUserConfiguration(Clients.class).withPropertyValues(
        "spring.http.serviceclient.api.base-url=" + base,
        "spring.http.serviceclient.api.default-header.X-Group=api",
        "spring.http.serviceclient.github.base-url=" + base,
        "spring.http.serviceclient.github.default-header.X-Group=github",
        "spring.http.serviceclient.status.base-url=" + base);
  }

  @Test
  void groupWhenNamedAfterASessionRunsOnItWithItsBaseUrlAndDefaultHeaders() {
    withClients().run(context -> {
      assertThat(context).hasSingleBean(SessionHttpServiceGroupConfigurer.class);
      server.enqueue(new MockResponse.Builder().body("hello ada").build());
      assertThat(context.getBean(GreetingClient.class).greet("ada")).isEqualTo("hello ada");
      RecordedRequest recorded = server.takeRequest(5, SECONDS);
      assertThat(recorded.getTarget()).isEqualTo("/greetings/ada");
      assertThat(recorded.getHeaders().get("X-Session")).isEqualTo("api");
      assertThat(recorded.getHeaders().get("X-Group")).isEqualTo("api");
    });
  }

  @Test
  void groupWhenMappedToASessionRunsOnIt() {
    withClients().withPropertyValues("urlsession.http-service-groups.github=api").run(context -> {
      server.enqueue(new MockResponse.Builder().body("urlsession").build());
      assertThat(context.getBean(RepositoryClient.class).repository("urlsession")).isEqualTo("urlsession");
      RecordedRequest recorded = server.takeRequest(5, SECONDS);
      assertThat(recorded.getTarget()).isEqualTo("/repos/urlsession");
      assertThat(recorded.getHeaders().get("X-Session")).isEqualTo("api");
      assertThat(recorded.getHeaders().get("X-Group")).isEqualTo("github");
    });
  }

  @Test
  void groupWhenItNamesNoSessionKeepsSpringBootsClient() {
    withClients().run(context -> {
      server.enqueue(new MockResponse.Builder().body("up").build());
      assertThat(context.getBean(StatusClient.class).status()).isEqualTo("up");
      RecordedRequest recorded = server.takeRequest(5, SECONDS);
      assertThat(recorded.getTarget()).isEqualTo("/status");
      assertThat(recorded.getHeaders().get("X-Session")).isNull();
    });
  }

  @Test
  void groupWhenItNamesNoSessionAndHttpClientsAreEnabledRunsOnThePrimarySession() {
    withClients().withPropertyValues("urlsession.http-clients.enabled=true",
            "urlsession.sessions.private.type=ephemeral",
            "urlsession.sessions.private.http-additional-headers.X-Session=private",
            "urlsession.sessions.private.primary=true")
        .run(context -> {
          server.enqueue(new MockResponse.Builder().body("up").build());
          server.enqueue(new MockResponse.Builder().body("hello ada").build());
          assertThat(context.getBean(StatusClient.class).status()).isEqualTo("up");
          assertThat(context.getBean(GreetingClient.class).greet("ada")).isEqualTo("hello ada");
          assertThat(server.takeRequest(5, SECONDS).getHeaders().get("X-Session")).isEqualTo("private");
          assertThat(server.takeRequest(5, SECONDS).getHeaders().get("X-Session")).isEqualTo("api");
        });
  }

  @Test
  void startWhenAGroupIsMappedToAnUnknownSessionFailsNamingTheProperty() {
    withClients().withPropertyValues("urlsession.http-service-groups.github=apj")
        .run(context -> assertThat(context).getFailure().rootCause()
            .isInstanceOfSatisfying(InvalidSessionConfigurationException.class, e -> {
              assertThat(e.getPropertyName()).isEqualTo("urlsession.http-service-groups.github");
              assertThat(e.getValue()).isEqualTo("apj");
              assertThat(e.getReason()).isEqualTo("there is no session 'apj' (sessions: [api])");
            }));
  }

  @Test
  void startWhenAnUnknownGroupIsMappedFailsNamingThePropertyAndTheGroups() {
    withClients().withPropertyValues("urlsession.http-service-groups.gihtub=api")
        .run(context -> assertThat(context).getFailure().rootCause()
            .isInstanceOfSatisfying(InvalidSessionConfigurationException.class, e -> {
              assertThat(e.getPropertyName()).isEqualTo("urlsession.http-service-groups.gihtub");
              assertThat(e.getReason())
                  .isEqualTo("there is no HTTP service group 'gihtub' of RestClient (groups: [api, github, status])");
            }));
  }

  @Test
  void settingsWhenTheGroupSetsATimeoutAreLoggedAsNotApplied(CapturedOutput output) {
    withClients().withPropertyValues("spring.http.serviceclient.api.read-timeout=3s").run(context -> {
      context.getBean(GreetingClient.class);
      assertThat(output.getAll()).containsOnlyOnce("HTTP service group 'api' runs on session 'api', whose own"
          + " configuration decides these settings; not applied: read timeout 3s.");
    });
  }

  @Test
  void configurerWhenTheApplicationDefinesItsOwnBacksOff() {
    withClients()
        .withBean(SessionHttpServiceGroupConfigurer.class,
            () -> new SessionHttpServiceGroupConfigurer(new SessionRegistry(), Map.of()))
        .run(context -> {
          assertThat(context).hasSingleBean(SessionHttpServiceGroupConfigurer.class);
          server.enqueue(new MockResponse.Builder().body("hello ada").build());
          context.getBean(GreetingClient.class).greet("ada");
          assertThat(server.takeRequest(5, SECONDS).getHeaders().get("X-Session")).isNull();
        });
  }

  @Test
  void configurerWhenNoHttpServiceIsDeclaredIsAbsent() {
    runner.run(context -> assertThat(context).doesNotHaveBean(SessionHttpServiceGroupConfigurer.class));
  }
}
