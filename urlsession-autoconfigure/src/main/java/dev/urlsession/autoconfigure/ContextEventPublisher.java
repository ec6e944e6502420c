package dev.urlsession.autoconfigure;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Publishes session events to the application context while it can take them: nothing after it
 * closed, and failures after its lifecycle stopped (listener beans may be destroyed by then) are
 * only logged at debug level.
 */
final class ContextEventPublisher implements ApplicationEventPublisher {
  private static final Logger log = LoggerFactory.getLogger(ContextEventPublisher.class);

  private final ApplicationContext context;

  ContextEventPublisher(ApplicationContext context) {
    this.context = context;
  }

  @Override
  public void publishEvent(Object event) {
    if (!(context instanceof ConfigurableApplicationContext)) {
      context.publishEvent(event);
      return;
    }
    ConfigurableApplicationContext configurable = (ConfigurableApplicationContext) context;
    if (!configurable.isActive()) {
      return;
    }
    try {
      context.publishEvent(event);
    } catch (RuntimeException e) {
      if (configurable.isRunning()) {
        throw e;
      }
      log.debug("Could not publish {} while the application context is closing", event, e);
    }
  }
}
