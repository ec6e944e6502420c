package dev.urlsession.internal;

import java.lang.reflect.Method;
import java.util.HashSet;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Which delegate methods an object really implements. Apple calls a task delegate's method only
 * when it implements it and otherwise falls back to the session delegate; Java's default methods
 * hide that, so the methods a class declares (itself or a superclass, not an interface default)
 * are found once per class by reflection. The one reflection helper of the library, used by the
 * core's delegate routing and by the Spring module's event-publishing delegate.
 */
public final class DelegateMethods {
  private static final ClassValue<Set<String>> DECLARED =
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

  private DelegateMethods() {}

  /**
   * Whether {@code delegate}'s class (not an interface default) declares method {@code name};
   * {@code name/arity} tells overloads apart. False for null.
   */
  public static boolean implementsMethod(@Nullable Object delegate, String name) {
    return delegate != null && DECLARED.get(delegate.getClass()).contains(name);
  }
}
