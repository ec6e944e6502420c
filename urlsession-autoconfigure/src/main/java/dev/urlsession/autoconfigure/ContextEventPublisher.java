package dev.urlsession.autoconfigure;

import dev.urlsession.SessionConfiguration;
import dev.urlsession.autoconfigure.event.DownloadFinishedEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Publishes session events to the application context while it can take them: nothing after it
 * closed, and failures after its lifecycle stopped (listener beans may be destroyed by then) are
 * only logged at debug level. A {@link DownloadFinishedEvent} of a background session is the
 * exception: when it cannot be published, or a listener throws, the caller hears of it, so that
 * the session keeps the file for the next start instead of deleting it.
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
    boolean mustArrive = event instanceof DownloadFinishedEvent
        && ((DownloadFinishedEvent) event).getSession().configuration().kind() == SessionConfiguration.Kind.BACKGROUND;
    if (!configurable.isActive()) {
      if (mustArrive) {
        throw new IllegalStateException("The application context is closed: " + event + " is delivered again"
            + " at the next start");
      }
      return;
    }
    try {
      context.publishEvent(event);
    } catch (RuntimeException e) {
      if (configurable.isRunning() || mustArrive) {
        throw e;
      }
      log.debug("Could not publish {} while the application context is closing", event, e);
    }
  }
}
