package dev.urlsession;

import java.lang.reflect.Method;
import java.util.HashSet;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Which delegate methods an object really implements. Apple calls a task delegate's method only
 * when it implements it and otherwise falls back to the session delegate; Java's default methods
 * hide that, so the overridden methods are found once per class by reflection.
 */
final class Delegates {
  private static final ClassValue<Set<String>> OVERRIDDEN =
      new ClassValue<>() {
        @Override
        protected Set<String> computeValue(Class<?> type) {
          Set<String> names = new HashSet<>();
          for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            for (Method m : c.getDeclaredMethods()) {
              if (!m.isSynthetic() && !m.isBridge()) {
                names.add(m.getName());
                names.add(m.getName() + "/" + m.getParameterCount());
              }
            }
          }
          return Set.copyOf(names);
        }
      };

  private Delegates() {}

  /**
   * Whether {@code delegate}'s class (not an interface default) declares method {@code name};
   * {@code name/arity} tells overloads apart.
   */
  static boolean implementsMethod(@Nullable Object delegate, String name) {
    return delegate != null && OVERRIDDEN.get(delegate.getClass()).contains(name);
  }

  /**
   * The delegate to call for {@code name}: the task delegate if it implements it, else the session
   * delegate if it does and is of {@code type}, else null (nobody implements it).
   */
  static <T> @Nullable T pick(
      @Nullable TaskDelegate taskDelegate,
      @Nullable SessionDelegate sessionDelegate,
      Class<T> type,
      String name) {
    if (type.isInstance(taskDelegate) && implementsMethod(taskDelegate, name)) {
      return type.cast(taskDelegate);
    }
    if (type.isInstance(sessionDelegate) && implementsMethod(sessionDelegate, name)) {
      return type.cast(sessionDelegate);
    }
    return null;
  }
}
