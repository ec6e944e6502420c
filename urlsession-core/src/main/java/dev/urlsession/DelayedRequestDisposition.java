package dev.urlsession;

import dev.urlsession.internal.Checks;
import org.jspecify.annotations.Nullable;

/**
 * The answer to {@link TaskDelegate#willBeginDelayedRequest} (Apple's
 * {@code URLSession.DelayedRequestDisposition}): go on with the request, use another one, or
 * cancel the task. Immutable.
 *
 * @since 0.1.0
 */
public final class DelayedRequestDisposition {
  /** What to do with the delayed request. */
  public enum Action {
    /** Load the original request. */
    CONTINUE_LOADING,
    /** Load {@link #newRequest()} instead. */
    USE_NEW_REQUEST,
    /** Cancel the task: it completes with {@code CANCELLED}. */
    CANCEL
  }

  private static final DelayedRequestDisposition CONTINUE = new DelayedRequestDisposition(Action.CONTINUE_LOADING, null);
  private static final DelayedRequestDisposition CANCELLED = new DelayedRequestDisposition(Action.CANCEL, null);

  private final Action action;
  private final @Nullable Request newRequest;

  private DelayedRequestDisposition(Action action, @Nullable Request newRequest) {
    this.action = action;
    this.newRequest = newRequest;
  }

  /** Load the original request. */
  public static DelayedRequestDisposition continueLoading() {
    return CONTINUE;
  }

  /** Load {@code request} instead (it must use http or https). */
  public static DelayedRequestDisposition useNewRequest(Request request) {
    return new DelayedRequestDisposition(Action.USE_NEW_REQUEST, Checks.notNull(request, "request"));
  }

  /** Cancel the task. */
  public static DelayedRequestDisposition cancel() {
    return CANCELLED;
  }

  /** What to do. */
  public Action action() {
    return action;
  }

  /** The request to load instead, for {@link Action#USE_NEW_REQUEST}; else null. */
  public @Nullable Request newRequest() {
    return newRequest;
  }

  boolean isCancel() {
    return action == Action.CANCEL;
  }

  @Override
  public String toString() {
    return "DelayedRequestDisposition{" + action + "}";
  }
}
