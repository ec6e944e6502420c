package dev.urlsession.autoconfigure.client;

import dev.urlsession.CachePolicy;
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
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.URI;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.client.AbstractStreamingClientHttpRequest;
import org.springframework.http.client.ClientHttpResponse;

/**
 * One request: a task of the session, with a delegate of its own that streams the response body.
 * A request body up to {@code bufferSize} bytes is sent as bytes (with its length); a larger one
 * streams through a bounded pipe into an upload task ({@link RequestBodyOutput}).
 *
 * <p>Whatever the session refuses while executing (a header it cannot send, an invalidated
 * session, a failed task) is an {@link IOException}, which {@code RestClient} and
 * {@code RestTemplate} report as a {@code ResourceAccessException}.
 */
final class SessionClientHttpRequest extends AbstractStreamingClientHttpRequest {
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
  protected ClientHttpResponse executeInternal(HttpHeaders headers, @Nullable Body body) throws IOException {
    Request.Builder builder = refusedAsIOException(() -> requestBuilder(headers));
    // The session decodes gzip, deflate and br unless the request or its configuration asks for an encoding.
    boolean decoded = !headers.containsHeader(HttpHeaders.ACCEPT_ENCODING)
        && session.configuration().httpAdditionalHeaders().keySet().stream()
            .noneMatch(HttpHeaders.ACCEPT_ENCODING::equalsIgnoreCase);
    ResponseBodyStream stream = new ResponseBodyStream(bufferSize);
    StreamingDelegate delegate = new StreamingDelegate(stream,
        session.delegate() instanceof EventPublishingDelegate ? (EventPublishingDelegate) session.delegate() : null);

    if (body == null) {
      Request request = refusedAsIOException(builder::build);
      return execute(() -> session.dataTask(request), delegate, stream, decoded);
    }
    RequestBodyOutput out = new RequestBodyOutput(bufferSize, () -> {
      BodyPipe pipe = new BodyPipe(bufferSize);
      delegate.upload = new StreamedBody(body, pipe, bufferSize);
      Request request = refusedAsIOException(builder::build);
      start(() -> session.uploadTask(request), delegate, stream);
      return pipe;
    });
    try {
      body.writeTo(out);
      out.close();
    } catch (IOException | RuntimeException e) {
      bodyFailed(out, delegate, e);
    }
    if (out.pipe() == null) {
      byte[] bytes = out.bytes();
      Request request = refusedAsIOException(() -> builder.body(bytes).build());
      return execute(() -> session.dataTask(request), delegate, stream, decoded);
    }
    return new SessionClientHttpResponse(await(delegate), stream, decoded);
  }

  /**
   * Writing the body ended early. The session's answer decides when it no longer wanted the body
   * (returns) or refused or failed the request (throws that {@code IOException}, even when a
   * message converter wrapped it); a failure of the body itself fails the upload and is thrown.
   */
  private static void bodyFailed(RequestBodyOutput out, StreamingDelegate delegate, Exception e)
      throws IOException {
    if (out.refusal() != null) {
      throw out.refusal();
    }
    BodyPipe pipe = out.pipe();
    if (pipe != null) {
      if (pipe.isAbandoned()) {
        return; // the session's answer (a response or a failure) follows
      }
      IOException failure = pipe.failure();
      if (failure != null) {
        throw failure;
      }
      // The application's body failed: never end the stream as if it were complete.
      pipe.fail(new IOException("Writing the request body failed: " + e, e));
      SessionTask task = delegate.task;
      if (task != null) {
        task.cancel();
      }
    }
    if (e instanceof IOException) {
      throw (IOException) e;
    }
    throw (RuntimeException) e;
  }

  private ClientHttpResponse execute(Supplier<DataTask> create, StreamingDelegate delegate,
      ResponseBodyStream stream, boolean decoded) throws IOException {
    start(create, delegate, stream);
    return new SessionClientHttpResponse(await(delegate), stream, decoded);
  }

  /** Creates the task, gives it the delegate and the response body, and resumes it. */
  private static void start(Supplier<DataTask> create, StreamingDelegate delegate, ResponseBodyStream stream)
      throws IOException {
    refusedAsIOException(() -> {
      DataTask task = create.get();
      task.delegate(delegate);
      delegate.task = task;
      stream.attach(task);
      task.resume();
      return task;
    });
  }

  /** Conditional header fields (RFC 9110 13.1): set by the caller, the answer is the caller's to read. */
  private static final java.util.List<String> CONDITIONAL = java.util.List.of(HttpHeaders.IF_NONE_MATCH,
      HttpHeaders.IF_MODIFIED_SINCE, HttpHeaders.IF_MATCH, HttpHeaders.IF_UNMODIFIED_SINCE, "If-Range");

  /**
   * The session's request: Spring's headers without {@code Transfer-Encoding} (the session derives
   * it; {@code Content-Length} declares the length of a streamed upload),
   * without {@code null} values (Spring's {@code HttpHeaders} allows them; nothing is sent), with
   * the {@code Cookie} values joined into one field (RFC 6265 5.4); a request with its own
   * conditional header skips the session's cache, so that the caller sees the server's answer.
   */
  private Request.Builder requestBuilder(HttpHeaders headers) {
    Request.Builder builder = Request.builder(uri).method(method.name());
    headers.forEach((name, values) -> {
      if (HttpHeaders.TRANSFER_ENCODING.equalsIgnoreCase(name)) {
        return;
      }
      if (HttpHeaders.CONTENT_LENGTH.equalsIgnoreCase(name)) {
        // Frames a streamed upload (servers such as S3 refuse chunked ones); bytes carry their own.
        values.stream().filter(Objects::nonNull).findFirst().ifPresent(v -> builder.header(name, v));
        return;
      }
      if (HttpHeaders.COOKIE.equalsIgnoreCase(name)) {
        String joined = String.join("; ", values.stream().filter(Objects::nonNull).toList());
        if (!joined.isEmpty()) {
          builder.addHeader(name, joined);
        }
        return;
      }
      for (String value : values) {
        if (value != null) {
          builder.addHeader(name, value);
        }
      }
    });
    if (CONDITIONAL.stream().anyMatch(headers::containsHeader)) {
      // The caller revalidates itself: it must see the server's 304, not the session's stored 200.
      builder.cachePolicy(CachePolicy.RELOAD_IGNORING_LOCAL_CACHE_DATA);
    }
    Object template = getAttributes().get(URI_TEMPLATE_ATTRIBUTE);
    if (template instanceof String) {
      // The low-cardinality name of the request for the session's metrics (uri tag).
      builder.property(SessionListener.URI_TEMPLATE_PROPERTY, template);
    }
    return builder;
  }

  /** Runs {@code call}; what the session refuses (bad input, an invalidated session) is an {@code IOException}. */
  private static <T> T refusedAsIOException(Supplier<T> call) throws IOException {
    try {
      return call.get();
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new IOException("The session refused the request: " + e.getMessage(), e);
    }
  }

  private static Response await(StreamingDelegate delegate) throws IOException {
    try {
      return delegate.response.get(); // the task's own timeouts bound this wait
    } catch (InterruptedException e) {
      SessionTask task = delegate.task;
      if (task != null) {
        task.cancel();
      }
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
   * The task's own delegate: takes the response and the body, hands the session the request body
   * stream of a streamed upload, publishes the session's events for them (a task delegate's calls
   * do not reach the session delegate), and lets everything else fall back to the session's
   * delegate.
   */
  static final class StreamingDelegate implements DataDelegate {
    final CompletableFuture<Response> response = new CompletableFuture<>();
    private final ResponseBodyStream stream;
    private final @Nullable EventPublishingDelegate events;
    /** The streamed request body; set before the task is resumed. */
    volatile @Nullable StreamedBody upload;
    /** The task; set before it is resumed. */
    volatile @Nullable SessionTask task;

    StreamingDelegate(ResponseBodyStream stream, @Nullable EventPublishingDelegate events) {
      this.stream = stream;
      this.events = events;
    }

    @Override
    public void needNewBodyStream(Session session, SessionTask task, Consumer<@Nullable InputStream> handler) {
      StreamedBody body = upload;
      handler.accept(body == null ? null : body.next());
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
      StreamedBody body = upload;
      if (error != null) {
        if (body != null) {
          body.fail(SessionExceptions.toIOException(error));
        }
        stream.fail(error);
        response.completeExceptionally(error);
      } else {
        if (body != null) {
          body.abandon();
        }
        stream.finish();
        response.completeExceptionally(new IOException("The task completed without a response"));
      }
    }
  }
}
