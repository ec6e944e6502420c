package dev.urlsession.autoconfigure.event;

import dev.urlsession.DataTask;
import dev.urlsession.Response;
import dev.urlsession.Session;

/**
 * The final response of a data or upload task arrived (the delegate's
 * {@code didReceiveResponse}); the body follows. Not published for tasks created with a
 * completion handler or the future API ({@code Session.data(...)}), whose responses do not go
 * through the delegate: read {@link DataTaskCompletedEvent#getResponse()} for those.
 *
 * @since 0.1.0
 */
public final class TaskResponseReceivedEvent extends TaskEvent {
  private static final long serialVersionUID = 1L;

  private final transient Response response;

  /** The event for {@code task} and its {@code response}. */
  public TaskResponseReceivedEvent(Session session, String sessionName, DataTask task, Response response) {
    super(session, sessionName, task);
    this.response = response;
  }

  @Override
  public DataTask getTask() {
    return (DataTask) super.getTask();
  }

  /** The response: status, headers, expected length. */
  public Response getResponse() {
    return response;
  }

  @Override
  String describe() {
    return super.describe() + ", " + response.statusCode();
  }
}
