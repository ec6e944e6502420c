package dev.urlsession.autoconfigure.http;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import dev.urlsession.Session;
import dev.urlsession.SessionRegistry;
import dev.urlsession.autoconfigure.InvalidSessionConfigurationException;
import dev.urlsession.autoconfigure.UrlSessionAutoConfiguration;
import dev.urlsession.autoconfigure.client.SessionClientHttpRequestFactory;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.http.client.ClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.HttpClientSettings;
import org.springframework.boot.http.client.HttpComponentsClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.autoconfigure.ClientHttpRequestFactoryBuilderCustomizer;
import org.springframework.boot.http.client.autoconfigure.HttpClientAutoConfiguration;
import org.springframework.boot.http.client.autoconfigure.imperative.ImperativeHttpClientAutoConfiguration;
import org.springframework.boot.restclient.RestTemplateBuilder;
import org.springframework.boot.restclient.autoconfigure.RestClientAutoConfiguration;
import org.springframework.boot.restclient.autoconfigure.RestTemplateAutoConfiguration;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.http.client.autoconfigure.service.HttpServiceClientProperties;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.http.client.ClientHttpRequestFactory;
import org.springframework.http.client.HttpComponentsClientHttpRequestFactory;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestTemplate;

/**
 * {@code urlsession.http-clients.*}: Spring Boot's {@code RestClient.Builder} and
 * {@code RestTemplateBuilder} on a session, proved by a header only the session adds, as
 * MockWebServer receives it.
 */
@Timeout(60)
@ExtendWith(OutputCaptureExtension.class)
class UrlSessionHttpClientsAutoConfigurationTests {
  @StartStop final MockWebServer server = new MockWebServer();

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(UrlSessionAutoConfiguration.class,
          UrlSessionHttpClientsAutoConfiguration.class, HttpClientAutoConfiguration.class,
          ImperativeHttpClientAutoConfiguration.class, RestClientAutoConfiguration.class,
          RestTemplateAutoConfiguration.class))
      .withPropertyValues(
          "urlsession.sessions.api.type=ephemeral",
          "urlsession.sessions.api.http-additional-headers.X-Session=api");

  @Test
  void restClientBuilderWhenEnabledSendsItsRequestsThroughThePrimarySession() {
    runner.withPropertyValues("urlsession.http-clients.enabled=true").run(context -> {
      assertThat(context.getBean(ClientHttpRequestFactoryBuilder.class))
          .isInstanceOf(SessionClientHttpRequestFactoryBuilder.class);
      server.enqueue(new MockResponse.Builder().body("hello").build());
      RestClient client = context.getBean(RestClient.Builder.class).baseUrl(server.url("/").toString()).build();
      assertThat(client.get().uri("/greetings/{name}", "ada").retrieve().body(String.class)).isEqualTo("hello");
      RecordedRequest recorded = server.takeRequest(5, SECONDS);
      assertThat(recorded.getTarget()).isEqualTo("/greetings/ada");
      assertThat(recorded.getHeaders().get("X-Session")).isEqualTo("api");
    });
  }

  @Test
  void restTemplateBuilderWhenEnabledSendsItsRequestsThroughThePrimarySession() {
    runner.withPropertyValues("urlsession.http-clients.enabled=true").run(context -> {
      server.enqueue(new MockResponse.Builder().body("hello").build());
      RestTemplate template = context.getBean(RestTemplateBuilder.class).rootUri(server.url("").toString()).build();
      assertThat(template.getRequestFactory()).isInstanceOf(SessionClientHttpRequestFactory.class);
      assertThat(template.getForObject("/greetings/{name}", String.class, "ada")).isEqualTo("hello");
      RecordedRequest recorded = server.takeRequest(5, SECONDS);
      assertThat(recorded.getTarget()).isEqualTo("/greetings/ada");
      assertThat(recorded.getHeaders().get("X-Session")).isEqualTo("api");
    });
  }

  @Test
  void clientsWhenNotEnabledKeepSpringBootsRequestFactory() {
    runner.run(context -> {
      assertThat(context).doesNotHaveBean(SessionClientHttpRequestFactoryBuilder.class);
      assertThat(context.getBean(ClientHttpRequestFactoryBuilder.class))
          .isInstanceOf(HttpComponentsClientHttpRequestFactoryBuilder.class);
      server.enqueue(new MockResponse.Builder().body("hello").build());
      server.enqueue(new MockResponse.Builder().body("hello").build());
      RestClient client = context.getBean(RestClient.Builder.class).baseUrl(server.url("/").toString()).build();
      assertThat(client.get().uri("/a").retrieve().body(String.class)).isEqualTo("hello");
      RestTemplate template = context.getBean(RestTemplateBuilder.class).rootUri(server.url("").toString()).build();
      assertThat(template.getRequestFactory()).isInstanceOf(HttpComponentsClientHttpRequestFactory.class);
      assertThat(template.getForObject("/b", String.class)).isEqualTo("hello");
      assertThat(server.takeRequest(5, SECONDS).getHeaders().get("X-Session")).isNull();
      assertThat(server.takeRequest(5, SECONDS).getHeaders().get("X-Session")).isNull();
    });
  }

  @Test
  void clientsWhenASessionIsNamedUseThatSession() {
    runner.withPropertyValues("urlsession.http-clients.enabled=true", "urlsession.http-clients.session=private",
            "urlsession.sessions.private.type=ephemeral",
            "urlsession.sessions.private.http-additional-headers.X-Session=private",
            "urlsession.sessions.api.primary=true")
        .run(context -> {
          SessionClientHttpRequestFactoryBuilder builder =
              context.getBean(SessionClientHttpRequestFactoryBuilder.class);
          assertThat(builder.session()).isSameAs(context.getBean(SessionRegistry.class).session("private"));
          server.enqueue(new MockResponse.Builder().body("hello").build());
          context.getBean(RestClient.Builder.class).build().get().uri(server.url("/x").uri()).retrieve().toBodilessEntity();
          assertThat(server.takeRequest(5, SECONDS).getHeaders().get("X-Session")).isEqualTo("private");
        });
  }

  @Test
  void clientsWhenNoSessionIsConfiguredUseTheSharedSession() {
    new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(UrlSessionAutoConfiguration.class,
            UrlSessionHttpClientsAutoConfiguration.class, HttpClientAutoConfiguration.class,
            ImperativeHttpClientAutoConfiguration.class, RestClientAutoConfiguration.class))
        .withPropertyValues("urlsession.http-clients.enabled=true")
        .run(context -> assertThat(context.getBean(SessionClientHttpRequestFactoryBuilder.class).session())
            .isSameAs(Session.shared()));
  }

  @Test
  void startWhenSeveralSessionsAndNoneIsPrimaryFailsNamingTheProperty() {
    runner.withPropertyValues("urlsession.http-clients.enabled=true", "urlsession.sessions.private.type=ephemeral")
        .run(context -> assertThat(context).getFailure().rootCause()
            .isInstanceOfSatisfying(InvalidSessionConfigurationException.class, e -> {
              assertThat(e.getPropertyName()).isEqualTo("urlsession.http-clients.session");
              assertThat(e.getReason()).contains("several sessions ([api, private])").contains("none of them primary");
              assertThat(e.getAction()).contains("urlsession.sessions.<name>.primary=true");
            }));
  }

  @Test
  void startWhenTheNamedSessionDoesNotExistFailsNamingThePropertyAndTheSessions() {
    runner.withPropertyValues("urlsession.http-clients.enabled=true", "urlsession.http-clients.session=apj")
        .run(context -> assertThat(context).getFailure().rootCause()
            .isInstanceOfSatisfying(InvalidSessionConfigurationException.class, e -> {
              assertThat(e.getPropertyName()).isEqualTo("urlsession.http-clients.session");
              assertThat(e.getValue()).isEqualTo("apj");
              assertThat(e.getReason()).isEqualTo("there is no session 'apj' (sessions: [api])");
            }));
  }

  @Test
  void autoConfigurationWhenSpringBootsHttpClientModuleIsAbsentBacksOff() {
    new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(UrlSessionAutoConfiguration.class,
            UrlSessionHttpClientsAutoConfiguration.class, UrlSessionHttpServiceClientAutoConfiguration.class))
        .withClassLoader(new FilteredClassLoader(ClientHttpRequestFactoryBuilder.class, HttpServiceClientProperties.class))
        .withPropertyValues("urlsession.sessions.api.type=ephemeral", "urlsession.http-clients.enabled=true",
            "urlsession.http-service-groups.github=api")
        .run(context -> {
          assertThat(context).hasNotFailed().hasSingleBean(Session.class);
          assertThat(context).doesNotHaveBean(SessionClientHttpRequestFactoryBuilder.class)
              .doesNotHaveBean(SessionHttpServiceGroupConfigurer.class);
        });
  }

  @Test
  void builderWhenTheApplicationDefinesItsOwnBacksOff() {
    ClientHttpRequestFactoryBuilder<?> own = ClientHttpRequestFactoryBuilder.simple();
    runner.withPropertyValues("urlsession.http-clients.enabled=true")
        .withBean(ClientHttpRequestFactoryBuilder.class, () -> own)
        .run(context -> {
          assertThat(context).doesNotHaveBean(SessionClientHttpRequestFactoryBuilder.class);
          assertThat(context.getBean(ClientHttpRequestFactoryBuilder.class)).isSameAs(own);
        });
  }

  @Test
  void builderWhenACustomizerIsDeclaredIsCustomizedAsSpringBootsOwn() {
    runner.withPropertyValues("urlsession.http-clients.enabled=true")
        .withBean(ClientHttpRequestFactoryBuilderCustomizer.class,
            () -> builder -> builder.withCustomizer(factory -> server.enqueue(
                new MockResponse.Builder().body("customized").build())))
        .run(context -> {
          ClientHttpRequestFactory factory = context.getBean(ClientHttpRequestFactory.class);
          assertThat(factory).isInstanceOf(SessionClientHttpRequestFactory.class);
          RestClient client = RestClient.builder().requestFactory(factory).build();
          assertThat(client.get().uri(server.url("/c").uri()).retrieve().body(String.class)).isEqualTo("customized");
          assertThat(server.takeRequest(5, SECONDS).getHeaders().get("X-Session")).isEqualTo("api");
        });
  }

  @Test
  void settingsWhenSpringBootsTimeoutsAreSetAreLoggedOnceAsNotApplied(CapturedOutput output) {
    runner.withPropertyValues("urlsession.http-clients.enabled=true", "spring.http.clients.read-timeout=5s")
        .run(context -> {
          context.getBean(RestClient.Builder.class);
          context.getBean(RestClient.Builder.class);
          String message = "The HTTP client runs on session 'api', whose own configuration decides these settings;"
              + " not applied: read timeout 5s.";
          assertThat(output.getAll()).containsOnlyOnce(message);
        });
  }

  @Test
  void settingsWhenAnSslBundleIsGivenAreRefused() {
    SessionClientHttpRequestFactoryBuilder builder =
        new SessionClientHttpRequestFactoryBuilder(Session.shared(), "shared");
    assertThatIllegalStateException()
        .isThrownBy(() -> builder.build(HttpClientSettings.ofSslBundle(SslBundle.of(null))))
        .withMessageContaining("is given an SSL bundle, but its requests run on session 'shared'")
        .withMessageContaining("urlsession.sessions.shared.ssl.bundle");
  }
}
