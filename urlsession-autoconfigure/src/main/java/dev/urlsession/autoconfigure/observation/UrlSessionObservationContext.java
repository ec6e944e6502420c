package dev.urlsession.autoconfigure.observation;

import dev.urlsession.DownloadTask;
import dev.urlsession.Request;
import dev.urlsession.Response;
import dev.urlsession.SessionException;
import dev.urlsession.SessionTask;
import dev.urlsession.TaskMetrics;
import dev.urlsession.UploadTask;
import dev.urlsession.spi.SessionListener;
import io.micrometer.observation.transport.RequestReplySenderContext;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The context of the Observation of one task of a named session. Its carrier is the set of
 * headers that tracing handlers inject (a {@code traceparent}) when the observation starts; the
 * session adds them to every request of the task, each redirect hop and authentication retry
 * included. The response is the task's final response; the error, its failure.
 *
 * <p>Created and first read on the thread that resumes the task; completed on the session's
 * delegate queue.
 *
 * @since 0.1.0
 */
public final class UrlSessionObservationContext extends RequestReplySenderContext<Map<String, String>, Response> {
  /**
   * The {@link Request#property(String) request property} holding the URI template of a request,
   * such as {@code /users/{id}}, used as the {@code uri} tag: {@link SessionListener#URI_TEMPLATE_PROPERTY}.
   * {@code SessionClientHttpRequestFactory} sets it from {@code RestClient}'s URI template; set it
   * yourself on the requests you build.
   */
  public static final String URI_TEMPLATE_PROPERTY = SessionListener.URI_TEMPLATE_PROPERTY;

  private final String sessionName;
  private final SessionTask task;
  private final Request request;
  private volatile @Nullable TaskMetrics metrics;

  UrlSessionObservationContext(String sessionName, SessionTask task) {
    super((carrier, key, value) -> {
      if (carrier != null) {
        carrier.put(key, value);
      }
    });
    this.sessionName = sessionName;
    this.task = task;
    this.request = task.originalRequest();
    setCarrier(new LinkedHashMap<>());
    java.net.URI url = request.url();
    if (url.getHost() != null && url.getScheme() != null) {
      // The peer of the client span: scheme, host and port only (never user information).
      setRemoteServiceAddress(url.getScheme() + "://" + url.getHost() + (url.getPort() >= 0 ? ":" + url.getPort() : ""));
    }
  }

  /** The name of the session the task belongs to. */
  public String getSessionName() {
    return sessionName;
  }

  /** The task observed. */
  public SessionTask getTask() {
    return task;
  }

  /** The task's original request. */
  public Request getRequest() {
    return request;
  }

  /** The URI template of the request ({@link #URI_TEMPLATE_PROPERTY}), or {@code null}. */
  public @Nullable String getUriTemplate() {
    Object template = request.property(URI_TEMPLATE_PROPERTY);
    return template instanceof String ? (String) template : null;
  }

  /** The kind of the task: {@code data}, {@code upload} or {@code download}. */
  public String getTaskKind() {
    return kindOf(task);
  }

  /** The task's metrics once it completed, or {@code null} before. */
  public @Nullable TaskMetrics getMetrics() {
    return metrics;
  }

  void setMetrics(TaskMetrics metrics) {
    this.metrics = metrics;
  }

  /** The task's failure once it failed, or {@code null}. */
  public @Nullable SessionException getSessionException() {
    Throwable error = getError();
    return error instanceof SessionException ? (SessionException) error : null;
  }

  /** The headers tracing injected, added to every request of the task. */
  public Map<String, String> getPropagatedHeaders() {
    Map<String, String> carrier = getCarrier();
    return carrier == null ? Map.of() : carrier;
  }

  static String kindOf(SessionTask task) {
    if (task instanceof dev.urlsession.WebSocketTask) {
      return "websocket";
    }
    if (task instanceof UploadTask) {
      return "upload";
    }
    if (task instanceof DownloadTask) {
      return "download";
    }
    return "data";
  }
}
