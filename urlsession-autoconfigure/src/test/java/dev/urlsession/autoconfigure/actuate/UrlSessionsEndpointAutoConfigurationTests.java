package dev.urlsession.autoconfigure.actuate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.urlsession.autoconfigure.UrlSessionAutoConfiguration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.autoconfigure.endpoint.EndpointAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** When the urlsessions endpoint exists. */
class UrlSessionsEndpointAutoConfigurationTests {
  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(EndpointAutoConfiguration.class, UrlSessionAutoConfiguration.class,
          UrlSessionsEndpointAutoConfiguration.class))
      .withPropertyValues("urlsession.sessions.api.type=ephemeral");

  @Test
  void endpointWhenExposedIsABean() {
    runner.withPropertyValues("management.endpoints.web.exposure.include=urlsessions")
        .run(context -> assertThat(context).hasSingleBean(UrlSessionsEndpoint.class));
  }

  @Test
  void endpointWhenNotExposedIsAbsent() {
    runner.run(context -> assertThat(context).doesNotHaveBean(UrlSessionsEndpoint.class));
  }

  @Test
  void endpointWhenSwitchedOffIsAbsent() {
    runner.withPropertyValues("management.endpoints.web.exposure.include=urlsessions",
            "management.endpoint.urlsessions.access=NONE")
        .run(context -> assertThat(context).doesNotHaveBean(UrlSessionsEndpoint.class));
  }

  @Test
  void endpointWithoutActuatorIsAbsentAndTheSessionsStillWork() {
    runner.withClassLoader(new FilteredClassLoader(ConditionalOnAvailableEndpoint.class))
        .withPropertyValues("management.endpoints.web.exposure.include=urlsessions")
        .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(UrlSessionsEndpoint.class)
            .hasBean("api"));
  }
}
