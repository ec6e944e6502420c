package dev.urlsession.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.urlsession.Session;
import dev.urlsession.SessionConfiguration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

class UrlSessionAutoConfigurationTests {
  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(AutoConfigurations.of(UrlSessionAutoConfiguration.class));

  @Test
  void sharedSessionIsABeanWhenNoneIsDefined() {
    runner.run(context -> assertThat(context.getBean(Session.class)).isSameAs(Session.shared()));
  }

  @Test
  void userSessionWins() {
    Session own = Session.create(SessionConfiguration.ephemeral());
    try {
      runner
          .withBean("own", Session.class, () -> own)
          .run(context -> assertThat(context.getBean(Session.class)).isSameAs(own));
    } finally {
      own.close();
    }
  }
}
