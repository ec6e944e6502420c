package dev.urlsession.autoconfigure;

import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName.Form;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.IterableConfigurationPropertySource;
import org.springframework.core.env.Environment;

/**
 * The sessions configured under {@code urlsession.sessions}, read from the environment before the
 * properties bean exists: to register a bean per session and to decide on the shared session.
 */
final class ConfiguredSessions {
  private static final ConfigurationPropertyName SESSIONS = ConfigurationPropertyName.of(PropertyPaths.SESSIONS);

  private ConfiguredSessions() {}

  /**
   * The configured sessions by name. When a value cannot be bound, the names are still found
   * (with only {@code primary} read), so that the session beans exist and creating them reports
   * the binding failure, instead of an injection point failing first for a missing bean.
   */
  static Map<String, NamedSessionProperties> bind(Environment environment) {
    Binder binder = Binder.get(environment);
    try {
      return binder.bind(PropertyPaths.SESSIONS, Bindable.mapOf(String.class, NamedSessionProperties.class))
          .orElse(Map.of());
    } catch (BindException e) {
      Map<String, NamedSessionProperties> sessions = new LinkedHashMap<>();
      for (ConfigurationPropertySource source : ConfigurationPropertySources.get(environment)) {
        if (source instanceof IterableConfigurationPropertySource) {
          ((IterableConfigurationPropertySource) source).stream()
              .filter(SESSIONS::isAncestorOf)
              .map(name -> name.getElement(SESSIONS.getNumberOfElements(), Form.ORIGINAL))
              .forEach(name -> sessions.computeIfAbsent(name, n -> primaryOnly(binder, n)));
        }
      }
      return sessions;
    }
  }

  private static NamedSessionProperties primaryOnly(Binder binder, String name) {
    NamedSessionProperties properties = new NamedSessionProperties();
    try {
      binder.bind(PropertyPaths.session(name) + ".primary", Boolean.class).ifBound(properties::setPrimary);
    } catch (BindException e) {
      // Reported when the properties bean is bound.
    }
    return properties;
  }
}
