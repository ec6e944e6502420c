package dev.urlsession.autoconfigure;

import org.jspecify.annotations.Nullable;

/**
 * Thrown at startup when a {@code urlsession.*} property cannot make a valid session. It names
 * the full property path, the value, why it is wrong and how to fix it; a failure analyzer turns
 * it into the "APPLICATION FAILED TO START" report.
 *
 * @since 0.1.0
 */
public class InvalidSessionConfigurationException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String propertyName;
  private final @Nullable String value;
  private final String reason;
  private final String action;

  /**
   * An exception for {@code propertyName}.
   *
   * @param propertyName the full property path, such as
   *     {@code urlsession.sessions.api.timeout-interval-for-request}
   * @param value the configured value as text, or {@code null} when the property is missing
   * @param reason why the value cannot be used, a sentence fragment in lower case
   * @param action what to do about it, whole sentences
   * @param cause the underlying failure, or {@code null}
   */
  public InvalidSessionConfigurationException(
      String propertyName,
      @Nullable String value,
      String reason,
      String action,
      @Nullable Throwable cause) {
    super("Invalid urlsession configuration: " + propertyName
        + (value != null ? " = " + PropertyPaths.printable(value) : "") + ": " + reason, cause);
    this.propertyName = propertyName;
    this.value = value;
    this.reason = reason;
    this.action = action;
  }

  /** As the five-argument constructor, without a cause. */
  public InvalidSessionConfigurationException(
      String propertyName, @Nullable String value, String reason, String action) {
    this(propertyName, value, reason, action, null);
  }

  /** Full path of the property at fault. */
  public String getPropertyName() {
    return propertyName;
  }

  /** Configured value as text, or {@code null} when the property is missing. */
  public @Nullable String getValue() {
    return value;
  }

  /** Why the value cannot be used. */
  public String getReason() {
    return reason;
  }

  /** What to do about it. */
  public String getAction() {
    return action;
  }
}
