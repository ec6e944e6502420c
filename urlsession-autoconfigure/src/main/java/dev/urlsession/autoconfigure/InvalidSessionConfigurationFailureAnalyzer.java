package dev.urlsession.autoconfigure;

import dev.urlsession.SessionConfiguration;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.boot.origin.Origin;
import org.springframework.core.Ordered;
import org.springframework.core.ResolvableType;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.Environment;

/**
 * Explains an {@link InvalidSessionConfigurationException}, and a {@code urlsession.*.type}
 * that names no session type, with the full property path, the value, its origin and the fix.
 * Ordered first, so that it explains session types before Spring Boot's general binding analyzer.
 */
final class InvalidSessionConfigurationFailureAnalyzer implements FailureAnalyzer, Ordered {
  private final @Nullable Environment environment;

  InvalidSessionConfigurationFailureAnalyzer(@Nullable Environment environment) {
    this.environment = environment;
  }

  @Override
  public @Nullable FailureAnalysis analyze(Throwable failure) {
    InvalidSessionConfigurationException invalid = findCause(failure, InvalidSessionConfigurationException.class);
    if (invalid != null) {
      return analysis(invalid.getPropertyName(), invalid.getValue(), null, invalid.getReason(),
          invalid.getAction(), invalid);
    }
    BindException bind = findCause(failure, BindException.class);
    if (bind != null && isSessionType(bind)) {
      String name = bind.getName().toString();
      ConfigurationProperty property = bind.getProperty();
      Object value = property != null ? property.getValue() : null;
      return analysis(name, value != null ? value.toString() : null,
          property != null ? property.getOrigin() : null, "it is not a session type",
          "Set " + name + " to default, ephemeral or background.", bind);
    }
    return null;
  }

  private static boolean isSessionType(BindException bind) {
    ResolvableType type = bind.getTarget().getType();
    return bind.getName().toString().startsWith(PropertyPaths.PREFIX + ".")
        && type.resolve() == SessionConfiguration.Kind.class;
  }

  private FailureAnalysis analysis(String name, @Nullable String value, @Nullable Origin origin,
      String reason, String action, Throwable cause) {
    ConfigurationProperty configured = find(name);
    if (configured != null) {
      value = String.valueOf(configured.getValue());
      origin = configured.getOrigin();
    }
    if (value != null && name.endsWith(".password")) {
      value = "******";
    }
    StringBuilder description = new StringBuilder("Invalid urlsession configuration:\n\n");
    description.append("    Property: ").append(name).append('\n');
    description.append("    Value: ").append(value != null ? "\"" + PropertyPaths.printable(value) + "\"" : "(not set)").append('\n');
    if (origin != null) {
      description.append("    Origin: ").append(origin).append('\n');
    }
    description.append("    Reason: ").append(reason);
    return new FailureAnalysis(description.toString(), action, cause);
  }

  /** The property as configured, for its value as written and where it was written. */
  private @Nullable ConfigurationProperty find(String name) {
    ConfigurationPropertyName key = ConfigurationPropertyName.ofIfValid(name);
    if (key == null || !(environment instanceof ConfigurableEnvironment)) {
      return null;
    }
    for (ConfigurationPropertySource source : ConfigurationPropertySources.get(environment)) {
      ConfigurationProperty property = source.getConfigurationProperty(key);
      if (property != null) {
        return property;
      }
    }
    return null;
  }

  private static <T extends Throwable> @Nullable T findCause(@Nullable Throwable failure, Class<T> type) {
    while (failure != null) {
      if (type.isInstance(failure)) {
        return type.cast(failure);
      }
      failure = failure.getCause();
    }
    return null;
  }

  @Override
  public int getOrder() {
    return Ordered.HIGHEST_PRECEDENCE;
  }
}
