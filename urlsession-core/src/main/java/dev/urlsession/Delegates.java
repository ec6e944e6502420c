package dev.urlsession;

import dev.urlsession.internal.DelegateMethods;
import org.jspecify.annotations.Nullable;

/**
 * Which delegate a call goes to: the task delegate when it implements the method, else the
 * session delegate (Apple's rule; {@link DelegateMethods} tells what a class implements).
 */
final class Delegates {
  private Delegates() {}

  /** See {@link DelegateMethods#implementsMethod}. */
  static boolean implementsMethod(@Nullable Object delegate, String name) {
    return DelegateMethods.implementsMethod(delegate, name);
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
