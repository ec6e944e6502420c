package dev.urlsession.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.urlsession.Session;
import dev.urlsession.SessionRegistry;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.util.TestPropertyValues;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.StandardEnvironment;

/**
 * A session named like a bean of another type ({@code downloads} beside a {@code @Component class
 * Downloads}): the session is still injectable by its qualifier, and what cannot work is
 * explained by naming the clash.
 */
@Timeout(60)
class SessionBeanNameClashTests {
  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(UrlSessionAutoConfiguration.class))
      .withBean("downloads", Downloads.class, Downloads::new)
      .withPropertyValues("urlsession.sessions.downloads.type=ephemeral", "urlsession.sessions.api.type=ephemeral");

  /** The application's own class whose bean name is a session's name. */
  static class Downloads {
  }

  static class InjectsByQualifier {
    @Bean
    String usesDownloads(@Qualifier("downloads") Session downloads) {
      return "uses " + downloads.sessionDescription();
    }
  }

  static class InjectsByParameterName {
    @Bean
    String usesDownloads(Session downloads) {
      return "uses " + downloads;
    }
  }

  @Test
  void sessionWhenItsNameIsTakenByABeanOfAnotherTypeIsStillInjectableByQualifier() {
    runner.withUserConfiguration(InjectsByQualifier.class).run(context -> {
      assertThat(context).hasNotFailed();
      assertThat(context.getBean("downloads")).isInstanceOf(Downloads.class);
      assertThat(context.getBean("usesDownloads", String.class)).isEqualTo("uses downloads");
      assertThat(context.getBean("urlsession.sessions.downloads"))
          .isSameAs(context.getBean(SessionRegistry.class).session("downloads"));
    });
  }

  @Test
  void injectionByTheTakenNameFailsWithAnAnalysisThatNamesTheClashAndTheFix() {
    AtomicReference<Throwable> failure = new AtomicReference<>();
    AtomicReference<FailureAnalysis> analysis = new AtomicReference<>();
    runner.withUserConfiguration(InjectsByParameterName.class).run(context -> {
      assertThat(context).hasFailed();
      failure.set(context.getStartupFailure());
    });
    runner.run(context -> { // the same beans, in a context that started: the analyzer's view
      StandardEnvironment environment = new StandardEnvironment();
      TestPropertyValues.of("urlsession.sessions.downloads.type=ephemeral", "urlsession.sessions.api.type=ephemeral")
          .applyTo(environment);
      analysis.set(new SessionBeanNameClashFailureAnalyzer(context.getBeanFactory(), environment)
          .analyze(failure.get()));
    });
    assertThat(analysis.get()).as("analysis of %s", failure.get()).isNotNull();
    assertThat(analysis.get().getDescription()).contains("session 'downloads' (urlsession.sessions.downloads)"
        + " shares its name with bean 'downloads' of type " + Downloads.class.getName());
    assertThat(analysis.get().getAction()).contains("@Qualifier(\"downloads\")", "SessionRegistry.session(\"downloads\")",
        "rename the session under urlsession.sessions");
  }

  @Test
  void analyzerWhenNoNameIsTakenLeavesTheFailureToSpringBoot() {
    AtomicReference<Throwable> failure = new AtomicReference<>();
    AtomicReference<FailureAnalysis> analysis = new AtomicReference<>();
    ApplicationContextRunner twoSessions = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(UrlSessionAutoConfiguration.class))
        .withPropertyValues("urlsession.sessions.one.type=ephemeral", "urlsession.sessions.two.type=ephemeral");
    twoSessions.withUserConfiguration(InjectsByParameterName.class).run(context -> {
      assertThat(context).hasFailed();
      failure.set(context.getStartupFailure());
    });
    twoSessions.run(context -> {
      StandardEnvironment environment = new StandardEnvironment();
      TestPropertyValues.of("urlsession.sessions.one.type=ephemeral", "urlsession.sessions.two.type=ephemeral")
          .applyTo(environment);
      analysis.set(new SessionBeanNameClashFailureAnalyzer(context.getBeanFactory(), environment)
          .analyze(failure.get()));
    });
    assertThat(failure.get()).isNotNull();
    assertThat(analysis.get()).isNull();
  }
}
