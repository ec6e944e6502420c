package dev.urlsession.autoconfigure;

import dev.urlsession.Session;
import dev.urlsession.SessionRegistry;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.support.AutowireCandidateQualifier;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.context.EnvironmentAware;
import org.springframework.context.annotation.ImportBeanDefinitionRegistrar;
import org.springframework.core.ResolvableType;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotationMetadata;

/**
 * Registers each configured session as a {@link Session} bean named after it, taken from the
 * {@link SessionRegistry} bean. The only session, or the one marked {@code primary: true}, is
 * primary. Each carries its name as qualifier. A {@code Session} bean the application defined
 * under the same name wins; when a bean of another type has the name (a {@code @Component class
 * Downloads} beside a session {@code downloads}), the session is registered as
 * {@code urlsession.sessions.<name>} instead, still injectable with {@code @Qualifier("<name>")}.
 */
final class SessionBeanRegistrar implements ImportBeanDefinitionRegistrar, EnvironmentAware, BeanFactoryAware {
  private static final Logger log = LoggerFactory.getLogger(SessionBeanRegistrar.class);

  private @Nullable Environment environment;
  private @Nullable BeanFactory beanFactory;

  @Override
  public void setEnvironment(Environment environment) {
    this.environment = environment;
  }

  @Override
  public void setBeanFactory(BeanFactory beanFactory) {
    this.beanFactory = beanFactory;
  }

  @Override
  public void registerBeanDefinitions(AnnotationMetadata metadata, BeanDefinitionRegistry registry) {
    Map<String, NamedSessionProperties> sessions = ConfiguredSessions.bind(environment);
    if (sessions.isEmpty()) {
      return;
    }
    BeanFactory factory = beanFactory;
    boolean onlyOne = sessions.size() == 1;
    sessions.forEach((name, properties) -> {
      String beanName = name;
      if (registry.containsBeanDefinition(name)) {
        ResolvableType type = registry.getBeanDefinition(name).getResolvableType();
        Class<?> other = type.resolve();
        if (other == null || Session.class.isAssignableFrom(other)) {
          log.info("Session '{}' is not registered as a bean: the application defines a bean of that name;"
              + " it stays available from the SessionRegistry", name);
          return;
        }
        beanName = PropertyPaths.session(name);
        log.info("Session '{}' is registered as bean '{}': bean '{}' is a {}; inject the session with"
            + " @Qualifier(\"{}\")", name, beanName, name, other.getName(), name);
      }
      RootBeanDefinition definition = new RootBeanDefinition(Session.class,
          () -> factory.getBean(SessionRegistry.class).session(name));
      // The session lifecycle bean finishes and invalidates sessions; never close() one here.
      definition.setDestroyMethodName("");
      Boolean primary = properties.getPrimary();
      definition.setPrimary(Boolean.TRUE.equals(primary) || (onlyOne && primary == null));
      if (Boolean.FALSE.equals(primary)) {
        definition.setDefaultCandidate(false); // even the only session: by its qualifier only
      }
      definition.addQualifier(new AutowireCandidateQualifier(Qualifier.class, name));
      registry.registerBeanDefinition(beanName, definition);
    });
  }
}
