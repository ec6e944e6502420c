package dev.urlsession.autoconfigure.client;

import dev.urlsession.DataDelegate;
import dev.urlsession.DataTask;
import dev.urlsession.Request;
import dev.urlsession.Response;
import dev.urlsession.ResponseDisposition;
import dev.urlsession.Session;
import dev.urlsession.SessionException;
import dev.urlsession.SessionTask;
import dev.urlsession.autoconfigure.event.EventPublishingDelegate;
import dev.urlsession.spi.SessionListener;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.client.AbstractBufferingClientHttpRequest;
import org.springframework.http.client.ClientHttpResponse;

/** One request: a data task of the session, with a delegate of its own that streams the body. */
final class SessionClientHttpRequest extends AbstractBufferingClientHttpRequest {
  /** Framing headers Spring may add and the session derives itself: dropped, never sent twice. */
  private static final Set<String> DERIVED =
      Set.of("content-length", "transfer-encoding", "host", "connection", "keep-alive");

  /** The attribute in which RestClient keeps the URI template of a request. */
  static final String URI_TEMPLATE_ATTRIBUTE = "org.springframework.web.client.RestClient.uriTemplate";

  private final Session session;
  private final URI uri;
  private final HttpMethod method;
  private final int bufferSize;

  SessionClientHttpRequest(Session session, URI uri, HttpMethod method, int bufferSize) {
    this.session = session;
    this.uri = uri;
    this.method = method;
    this.bufferSize = bufferSize;
  }

  @Override
  public HttpMethod getMethod() {
    return method;
  }

  @Override
  public URI getURI() {
    return uri;
  }

  @Override
  protected ClientHttpResponse executeInternal(HttpHeaders headers, byte[] body) throws IOException {
    Request.Builder builder = Request.builder(uri).method(method.name());
    headers.forEach((name, values) -> {
      if (!DERIVED.contains(name.toLowerCase(Locale.ROOT))) {
        for (String value : values) {
          builder.addHeader(name, value);
        }
      }
    });
    if (body.length > 0) {
      builder.body(body);
    }
    Object template = getAttributes().get(URI_TEMPLATE_ATTRIBUTE);
    if (template instanceof String) {
      // The low-cardinality name of the request for the session's metrics (uri tag).
      builder.property(SessionListener.URI_TEMPLATE_PROPERTY, template);
    }
    Request request = builder.build();
    // The session decodes gzip and deflate unless the request or its configuration asks for an encoding.
    boolean decoded = !headers.containsHeader(HttpHeaders.ACCEPT_ENCODING)
        && session.configuration().httpAdditionalHeaders().keySet().stream()
            .noneMatch(HttpHeaders.ACCEPT_ENCODING::equalsIgnoreCase);

    ResponseBodyStream stream = new ResponseBodyStream(bufferSize);
    StreamingDelegate delegate = new StreamingDelegate(stream,
        session.delegate() instanceof EventPublishingDelegate ? (EventPublishingDelegate) session.delegate() : null);
    DataTask task = session.dataTask(request);
    task.delegate(delegate);
    stream.attach(task);
    task.resume();
    Response response = await(delegate.response, task);
    return new SessionClientHttpResponse(response, stream, decoded);
  }

  private static Response await(CompletableFuture<Response> response, SessionTask task) throws IOException {
    try {
      return response.get();
    } catch (InterruptedException e) {
      task.cancel();
      Thread.currentThread().interrupt();
      InterruptedIOException interrupted = new InterruptedIOException("Interrupted waiting for the response");
      interrupted.initCause(e);
      throw interrupted;
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof SessionException) {
        throw SessionExceptions.toIOException((SessionException) cause);
      }
      throw new IOException("The request failed: " + cause, cause);
    }
  }

  /**
   * The task's own delegate: takes the response and the body, publishes the session's events for
   * them (a task delegate's calls do not reach the session delegate), and lets everything else
   * fall back to the session's delegate.
   */
  static final class StreamingDelegate implements DataDelegate {
    final CompletableFuture<Response> response = new CompletableFuture<>();
    private final ResponseBodyStream stream;
    private final @Nullable EventPublishingDelegate events;

    StreamingDelegate(ResponseBodyStream stream, @Nullable EventPublishingDelegate events) {
      this.stream = stream;
      this.events = events;
    }

    @Override
    public void didReceiveResponse(Session session, DataTask task, Response r,
        Consumer<ResponseDisposition> completionHandler) {
      response.complete(r);
      completionHandler.accept(ResponseDisposition.ALLOW);
      if (events != null) {
        events.publishResponseReceived(session, task, r);
      }
    }

    @Override
    public void didReceiveData(Session session, DataTask task, byte[] data) {
      stream.offer(data);
      if (events != null) {
        events.publishProgress(session, task);
      }
    }

    @Override
    public void didComplete(Session session, SessionTask task, @Nullable SessionException error) {
      if (error != null) {
        stream.fail(error);
        response.completeExceptionally(error);
      } else {
        stream.finish();
        response.completeExceptionally(new IOException("The task completed without a response"));
      }
    }
  }
}
