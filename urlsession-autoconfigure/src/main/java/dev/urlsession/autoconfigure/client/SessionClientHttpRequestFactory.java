package dev.urlsession.autoconfigure.client;

import dev.urlsession.Session;
import java.net.URI;
import org.springframework.http.HttpMethod;
import org.springframework.http.client.ClientHttpRequest;
import org.springframework.http.client.ClientHttpRequestFactory;
import org.springframework.util.Assert;

/**
 * A {@link ClientHttpRequestFactory} whose requests run as data tasks of a {@link Session}, so
 * that {@code RestClient}, {@code RestTemplate} and HTTP interface clients get the session's
 * configuration (timeouts, headers, proxy, TLS, transport security), connection pool and events.
 *
 * <pre>{@code
 * @Bean
 * RestClient apiClient(@Qualifier("api") Session api, RestClient.Builder builder) {
 *   return builder.requestFactory(new SessionClientHttpRequestFactory(api))
 *       .baseUrl("https://api.example.com").build();
 * }
 * }</pre>
 *
 * <p>The request body is buffered (request bodies are small); the response body is streamed: it
 * is read from the connection only as fast as the application reads
 * {@code ClientHttpResponse.getBody()}. At most {@code bufferSize} bytes wait in memory (plus
 * what is already on its way); then the task is suspended, which stops reading from the socket,
 * and resumed once the reader drained half of it. Closing the response before the end of the
 * body cancels the task.
 *
 * <p>The session decides redirects (its delegate, or follow by default) and decodes
 * {@code gzip} and {@code deflate} bodies unless the request sets {@code Accept-Encoding}; a
 * decoded response has no {@code Content-Encoding} and {@code Content-Length}. Failures are
 * {@link java.io.IOException}s: {@code TIMED_OUT} is a {@link java.net.SocketTimeoutException},
 * {@code CANNOT_CONNECT_TO_HOST} a {@link java.net.ConnectException}, {@code CANNOT_FIND_HOST} an
 * {@link java.net.UnknownHostException}, TLS failures {@link javax.net.ssl.SSLException}s, each
 * with the {@link dev.urlsession.SessionException} as cause; other failures are the
 * {@code SessionException} itself.
 *
 * <p>Thread-safe; a request is used by one thread at a time.
 *
 * @since 0.1.0
 */
public final class SessionClientHttpRequestFactory implements ClientHttpRequestFactory {
  /** How many response body bytes wait in memory before the task is suspended: 256 KiB. */
  public static final int DEFAULT_BUFFER_SIZE = 256 * 1024;

  private final Session session;
  private final int bufferSize;

  /** A factory running requests on {@code session}, with the default buffer size. */
  public SessionClientHttpRequestFactory(Session session) {
    this(session, DEFAULT_BUFFER_SIZE);
  }

  /**
   * A factory running requests on {@code session}.
   *
   * @param bufferSize response body bytes that may wait in memory before the task is suspended
   * @throws IllegalArgumentException if {@code session} is null or {@code bufferSize} not positive
   */
  public SessionClientHttpRequestFactory(Session session, int bufferSize) {
    Assert.notNull(session, "session must not be null");
    Assert.isTrue(bufferSize > 0, "bufferSize must be positive");
    this.session = session;
    this.bufferSize = bufferSize;
  }

  /** The session requests run on. */
  public Session session() {
    return session;
  }

  @Override
  public ClientHttpRequest createRequest(URI uri, HttpMethod httpMethod) {
    return new SessionClientHttpRequest(session, uri, httpMethod, bufferSize);
  }
}
