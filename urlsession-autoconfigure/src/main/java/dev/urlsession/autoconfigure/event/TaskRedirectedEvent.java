package dev.urlsession.autoconfigure.event;

import dev.urlsession.Request;
import dev.urlsession.Response;
import dev.urlsession.Session;
import dev.urlsession.SessionTask;

/**
 * The server redirected a task (the delegate's {@code willPerformHttpRedirection}), published
 * when the redirect arrives, before the session delegate (if any) decides whether to follow it.
 *
 * @since 0.1.0
 */
public final class TaskRedirectedEvent extends TaskEvent {
  private static final long serialVersionUID = 1L;

  private final transient Response redirectResponse;
  private final transient Request newRequest;

  /** The event for {@code task}, redirected by {@code redirectResponse} to {@code newRequest}. */
  public TaskRedirectedEvent(Session session, String sessionName, SessionTask task,
      Response redirectResponse, Request newRequest) {
    super(session, sessionName, task);
    this.redirectResponse = redirectResponse;
    this.newRequest = newRequest;
  }

  /** The redirect response (a 3xx with {@code Location}). */
  public Response getRedirectResponse() {
    return redirectResponse;
  }

  /** The request the session proposes to send next. */
  public Request getNewRequest() {
    return newRequest;
  }

  @Override
  String describe() {
    return super.describe() + ", " + redirectResponse.statusCode() + " -> " + newRequest.url();
  }
}
