package dev.urlsession.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.urlsession.DataDelegate;
import dev.urlsession.NoSuchSessionException;
import dev.urlsession.Session;
import dev.urlsession.SessionConfiguration;
import dev.urlsession.SessionDelegate;
import dev.urlsession.SessionRegistry;
import dev.urlsession.autoconfigure.event.EventPublishingDelegate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.NoUniqueBeanDefinitionException;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.LazyInitializationBeanFactoryPostProcessor;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;

/** Beans and conditions of {@link UrlSessionAutoConfiguration}. */
@Timeout(60)
class UrlSessionAutoConfigurationTests {
  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(AutoConfigurations.of(UrlSessionAutoConfiguration.class));

  private static final String[] TWO_SESSIONS = {
    "urlsession.sessions.api.type=default", "urlsession.sessions.private.type=ephemeral"
  };

  @Test
  void sessionWhenNoneIsConfiguredIsTheSharedSession() {
    runner.run(context -> {
      assertThat(context.getBean(Session.class)).isSameAs(Session.shared());
      assertThat(context.getBean(SessionRegistry.class).names()).isEmpty();
      assertThat(context).hasSingleBean(SessionRegistryLifecycle.class);
    });
  }

  @Test
  void sessionWhenTheApplicationDefinesOneIsTheApplicationsOwn() {
    Session own = Session.create(SessionConfiguration.ephemeral());
    try {
      runner
          .withBean("own", Session.class, () -> own)
          .run(context -> assertThat(context.getBean(Session.class)).isSameAs(own));
    } finally {
      own.close();
    }
  }

  @Test
  void sessionsWhenConfiguredAreBeansNamedAfterThemTakenFromTheRegistry() {
    runner.withPropertyValues(TWO_SESSIONS).run(context -> {
      SessionRegistry registry = context.getBean(SessionRegistry.class);
      assertThat(registry.names()).containsExactly("api", "private");
      assertThat(context.getBean("api", Session.class)).isSameAs(registry.session("api"));
      assertThat(context.getBean("private", Session.class)).isSameAs(registry.session("private"));
      assertThat(registry.session("api").configuration().kind()).isEqualTo(SessionConfiguration.Kind.DEFAULT);
      assertThat(registry.session("private").configuration().kind())
          .isEqualTo(SessionConfiguration.Kind.EPHEMERAL);
      assertThat(registry.session("api").sessionDescription()).isEqualTo("api");
    });
  }

  @Test
  void sessionsWhenConfiguredAreInjectableWithTheirNameAsQualifier() {
    runner.withPropertyValues(TWO_SESSIONS).withUserConfiguration(QualifiedInjection.class).run(context -> {
      SessionRegistry registry = context.getBean(SessionRegistry.class);
      Consumer consumer = context.getBean(Consumer.class);
      assertThat(consumer.api).isSameAs(registry.session("api"));
      assertThat(consumer.privateSession).isSameAs(registry.session("private"));
    });
  }

  @Test
  void sessionWhenOnlyOneIsConfiguredIsInjectableWithoutQualifier() {
    runner.withPropertyValues("urlsession.sessions.api.type=default").run(context -> {
      assertThat(context.getBean(Session.class))
          .isSameAs(context.getBean(SessionRegistry.class).session("api"))
          .isNotSameAs(Session.shared());
      assertThat(context).doesNotHaveBean("urlSession");
    });
  }

  @Test
  void sessionWhenOnlyOneIsConfiguredIsPrimaryOverAnApplicationSession() {
    Session own = Session.create(SessionConfiguration.ephemeral());
    try {
      runner.withBean("own", Session.class, () -> own)
          .withPropertyValues("urlsession.sessions.api.type=default")
          .run(context -> assertThat(context.getBean(Session.class))
              .isSameAs(context.getBean(SessionRegistry.class).session("api")));
    } finally {
      own.close();
    }
  }

  @Test
  void sessionWhenSeveralAreConfiguredAndNoneIsPrimaryNeedsAQualifier() {
    runner.withPropertyValues(TWO_SESSIONS).run(context -> {
      assertThat(context).doesNotHaveBean("urlSession");
      assertThatThrownBy(() -> context.getBean(Session.class))
          .isInstanceOf(NoUniqueBeanDefinitionException.class);
    });
  }

  @Test
  void sessionMarkedPrimaryIsInjectableWithoutQualifier() {
    runner.withPropertyValues(TWO_SESSIONS).withPropertyValues("urlsession.sessions.private.primary=true")
        .run(context -> assertThat(context.getBean(Session.class))
            .isSameAs(context.getBean(SessionRegistry.class).session("private")));
  }

  /** A bean that asks for a Session without a qualifier. */
  static class PlainInjection {
    @org.springframework.beans.factory.annotation.Autowired(required = false)
    @org.jspecify.annotations.Nullable Session session;
  }

  @Test
  void theOnlySessionWhenMarkedNotPrimaryIsInjectableByItsQualifierOnly() {
    runner.withPropertyValues("urlsession.sessions.api.type=ephemeral", "urlsession.sessions.api.primary=false")
        .withBean(PlainInjection.class)
        .run(context -> {
          assertThat(context).hasNotFailed();
          assertThat(context.getBean(PlainInjection.class).session).isNull();
          assertThat(org.springframework.beans.factory.annotation.BeanFactoryAnnotationUtils.qualifiedBeanOfType(
              context.getBeanFactory(), Session.class, "api"))
              .isSameAs(context.getBean(SessionRegistry.class).session("api"));
        });
  }

  @Test
  void sessionRegistryWhenNameIsUnknownThrowsNoSuchSessionException() {
    runner.withPropertyValues(TWO_SESSIONS).run(context -> assertThatThrownBy(
            () -> context.getBean(SessionRegistry.class).session("apj"))
        .isInstanceOfSatisfying(NoSuchSessionException.class, e -> assertThat(e.sessionName()).isEqualTo("apj"))
        .hasMessageContaining("[api, private]"));
  }

  @Test
  void sessionRegistryWhenTheApplicationDefinesOneIsTheApplicationsOwnAndBacksTheSessionBeans() {
    SessionRegistry own = new SessionRegistry();
    Session api = Session.create(SessionConfiguration.ephemeral());
    own.register("api", api);
    try {
      runner.withBean(SessionRegistry.class, () -> own)
          .withPropertyValues("urlsession.sessions.api.type=default")
          .run(context -> {
            assertThat(context.getBean(SessionRegistry.class)).isSameAs(own);
            assertThat(context.getBean("api", Session.class)).isSameAs(api);
          });
    } finally {
      api.close();
    }
  }

  @Test
  void sessionRegistryLifecycleWhenTheApplicationDefinesOneIsTheApplicationsOwn() {
    SessionRegistryLifecycle own = new SessionRegistryLifecycle(new SessionRegistry());
    runner.withBean(SessionRegistryLifecycle.class, () -> own)
        .run(context -> assertThat(context.getBean(SessionRegistryLifecycle.class)).isSameAs(own));
  }

  @Test
  void sessionBeanWhenTheApplicationDefinesABeanOfTheSameNameIsTheApplicationsOwn() {
    runner.withBean("api", String.class, () -> "mine")
        .withPropertyValues("urlsession.sessions.api.type=default")
        .run(context -> {
          assertThat(context.getBean("api")).isEqualTo("mine");
          assertThat(context.getBean(SessionRegistry.class).session("api").sessionDescription()).isEqualTo("api");
        });
  }

  @Test
  void customizersRunInOrderForEverySessionAfterTheProperties() {
    List<String> calls = new ArrayList<>();
    runner.withPropertyValues(TWO_SESSIONS)
        .withPropertyValues("urlsession.defaults.timeout-interval-for-request=30s")
        .withBean("second", SessionConfigurationCustomizer.class, () -> new SecondCustomizer(calls))
        .withBean("first", SessionConfigurationCustomizer.class, () -> new FirstCustomizer(calls))
        .run(context -> {
          assertThat(calls).containsExactly("first:api", "second:api", "first:private", "second:private");
          SessionRegistry registry = context.getBean(SessionRegistry.class);
          // The first customizer overrode the property, the second the first.
          assertThat(registry.session("api").configuration().timeoutIntervalForRequest())
              .isEqualTo(Duration.ofSeconds(2));
          assertThat(registry.session("private").configuration().timeoutIntervalForRequest())
              .isEqualTo(Duration.ofSeconds(2));
        });
  }

  @Test
  void customizerThatThrowsFailsTheStartNamingTheSession() {
    runner.withPropertyValues(TWO_SESSIONS)
        .withBean(SessionConfigurationCustomizer.class, () -> (name, builder) -> builder.httpMaximumConnectionsPerHost(0))
        .run(context -> assertThat(context).hasFailed().getFailure()
            .hasStackTraceContaining("failed for session 'api'")
            .rootCause().isInstanceOf(IllegalArgumentException.class));
  }

  @Test
  void delegateBeanIsAttachedToTheSessionThatNamesIt() {
    runner.withPropertyValues(TWO_SESSIONS)
        .withPropertyValues("urlsession.sessions.api.delegate-bean=myDelegate")
        .withBean("myDelegate", SessionDelegate.class, () -> new DataDelegate() {})
        .run(context -> {
          SessionRegistry registry = context.getBean(SessionRegistry.class);
          assertThat(registry.session("api").delegate()).isInstanceOfSatisfying(EventPublishingDelegate.class,
              d -> {
                assertThat(d.delegate()).isSameAs(context.getBean("myDelegate"));
                assertThat(d.sessionName()).isEqualTo("api");
              });
          assertThat(registry.session("private").delegate()).isInstanceOfSatisfying(EventPublishingDelegate.class,
              d -> assertThat(d.delegate()).isNull());
        });
  }

  @Test
  void delegateBeanWhenEventsAreDisabledIsTheSessionsDelegateItself() {
    runner.withPropertyValues(TWO_SESSIONS)
        .withPropertyValues("urlsession.sessions.api.delegate-bean=myDelegate", "urlsession.events.enabled=false")
        .withBean("myDelegate", SessionDelegate.class, () -> new DataDelegate() {})
        .run(context -> {
          SessionRegistry registry = context.getBean(SessionRegistry.class);
          assertThat(registry.session("api").delegate()).isSameAs(context.getBean("myDelegate"));
          assertThat(registry.session("private").delegate()).isNull();
        });
  }

  @Test
  void sessionsAreCreatedAtStartupEvenWithLazyInitialization() {
    runner.withPropertyValues(TWO_SESSIONS)
        .withPropertyValues("urlsession.sessions.api.timeout-interval-for-request=-1s")
        .withInitializer(context -> context.addBeanFactoryPostProcessor(new LazyInitializationBeanFactoryPostProcessor()))
        .run(context -> assertThat(context).hasFailed());
  }

  @Test
  void autoConfigurationWhenCoreIsAbsentBacksOff() {
    runner.withClassLoader(new org.springframework.boot.test.context.FilteredClassLoader(Session.class))
        .run(context -> assertThat(context).doesNotHaveBean(SessionRegistry.class).doesNotHaveBean("urlSession"));
  }

  @Configuration(proxyBeanMethods = false)
  static class QualifiedInjection {
    @Bean
    Consumer consumer(@Qualifier("api") Session api, @Qualifier("private") Session privateSession) {
      return new Consumer(api, privateSession);
    }
  }

  static final class Consumer {
    final Session api;
    final Session privateSession;

    Consumer(Session api, Session privateSession) {
      this.api = api;
      this.privateSession = privateSession;
    }
  }

  @Order(1)
  static final class FirstCustomizer implements SessionConfigurationCustomizer {
    private final List<String> calls;

    FirstCustomizer(List<String> calls) {
      this.calls = calls;
    }

    @Override
    public void customize(String sessionName, SessionConfiguration.Builder builder) {
      calls.add("first:" + sessionName);
      builder.timeoutIntervalForRequest(Duration.ofSeconds(1));
    }
  }

  @Order(2)
  static final class SecondCustomizer implements SessionConfigurationCustomizer {
    private final List<String> calls;

    SecondCustomizer(List<String> calls) {
      this.calls = calls;
    }

    @Override
    public void customize(String sessionName, SessionConfiguration.Builder builder) {
      calls.add("second:" + sessionName);
      builder.timeoutIntervalForRequest(Duration.ofSeconds(2));
    }
  }
}
