package dev.urlsession.internal;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/** Argument checks that fail with {@link IllegalArgumentException} and a message naming the option. */
public final class Checks {
  private Checks() {}

  public static <T> T notNull(@Nullable T value, String name) {
    if (value == null) {
      throw new IllegalArgumentException(name + " must not be null");
    }
    return value;
  }

  public static Duration positive(@Nullable Duration value, String name) {
    notNull(value, name);
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(name + " must be positive but was " + value);
    }
    return value;
  }

  public static int positive(int value, String name) {
    if (value <= 0) {
      throw new IllegalArgumentException(name + " must be positive but was " + value);
    }
    return value;
  }

  public static long positive(long value, String name) {
    if (value <= 0) {
      throw new IllegalArgumentException(name + " must be positive but was " + value);
    }
    return value;
  }

  /** A task priority: 0 to 1 inclusive (NaN is refused). */
  public static float priority(float priority) {
    if (!(priority >= 0f && priority <= 1f)) {
      throw new IllegalArgumentException("priority must be between 0 and 1 but was " + priority);
    }
    return priority;
  }

  public static void argument(boolean condition, String message) {
    if (!condition) {
      throw new IllegalArgumentException(message);
    }
  }
}
