package dev.urlsession.autoconfigure;

import dev.urlsession.Session;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.NoSuchBeanDefinitionException;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.core.Ordered;
import org.springframework.core.env.Environment;

/**
 * Explains a missing or ambiguous {@link Session} bean when a configured session shares its name
 * with a bean of another type (a session {@code downloads} beside a {@code @Component class
 * Downloads}): injection by that name then finds the other bean. Ordered before Spring Boot's own
 * analyzer of missing beans, which would only say that no {@code Session} bean was found.
 */
final class SessionBeanNameClashFailureAnalyzer implements FailureAnalyzer, Ordered {
  private final @Nullable BeanFactory beanFactory;
  private final @Nullable Environment environment;

  SessionBeanNameClashFailureAnalyzer(@Nullable BeanFactory beanFactory, @Nullable Environment environment) {
    this.beanFactory = beanFactory;
    this.environment = environment;
  }

  @Override
  public @Nullable FailureAnalysis analyze(Throwable failure) {
    NoSuchBeanDefinitionException missing = findCause(failure);
    if (missing == null || beanFactory == null || environment == null
        || missing.getResolvableType() == null || missing.getResolvableType().resolve() != Session.class) {
      return null;
    }
    List<String> names = new ArrayList<>();
    List<String> clashes = new ArrayList<>();
    for (String name : ConfiguredSessions.bind(environment).keySet()) {
      if (beanFactory.containsBean(name) && !beanFactory.isTypeMatch(name, Session.class)) {
        Class<?> type = beanFactory.getType(name);
        names.add(name);
        clashes.add("session '" + name + "' (" + PropertyPaths.session(name) + ") shares its name with bean '" + name
            + "' of type " + (type != null ? type.getName() : "unknown"));
      }
    }
    if (names.isEmpty()) {
      return null;
    }
    String name = names.get(0);
    String description = missing.getMessage() + "\n\nA bean name is taken: " + String.join("; ", clashes)
        + ". Injection by that name finds the other bean, not the session.";
    String action = "Inject the session with @Qualifier(\"" + name + "\") (it is registered as bean '"
        + PropertyPaths.session(name) + "'), or look it up with SessionRegistry.session(\"" + name + "\"); or rename"
        + " the session under " + PropertyPaths.SESSIONS + ", or give your bean another name (@Component(\"...\")).";
    return new FailureAnalysis(description, action, failure);
  }

  private static @Nullable NoSuchBeanDefinitionException findCause(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof NoSuchBeanDefinitionException) {
        return (NoSuchBeanDefinitionException) t;
      }
    }
    return null;
  }

  @Override
  public int getOrder() {
    return Ordered.HIGHEST_PRECEDENCE;
  }
}
