package dev.urlsession.autoconfigure.client;

import dev.urlsession.Session;
import java.net.URI;
import org.springframework.http.HttpMethod;
import org.springframework.http.client.ClientHttpRequest;
import org.springframework.http.client.ClientHttpRequestFactory;
import org.springframework.util.Assert;

/**
 * A {@link ClientHttpRequestFactory} whose requests run as tasks of a {@link Session}, so
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
 * <p>Bodies are streamed both ways, at most {@code bufferSize} bytes of each held in memory. A
 * request body that ends within {@code bufferSize} bytes is sent as bytes with its
 * {@code Content-Length}; a larger one (a big {@code InputStream} or {@code Resource}, ...) starts
 * an upload task that reads it through a bounded pipe while it is written, sent with the
 * {@code Content-Length} Spring declares (a {@code Resource} of known length) or else chunked; it is
 * written again for an authentication retry or a 307/308 redirect when Spring marks it
 * repeatable, else such a task fails with {@code REQUEST_BODY_STREAM_EXHAUSTED}. The response
 * body is read from the connection only as fast as the application reads
 * {@code ClientHttpResponse.getBody()}: at most {@code bufferSize} bytes wait (plus what is
 * already on its way); then the task is suspended, which stops reading from the socket, and
 * resumed once the reader drained half of it. Closing the response before the end of the body
 * cancels the task.
 *
 * <p>Headers: {@code Transfer-Encoding} is the session's to derive, {@code Content-Length} too
 * (except that it frames a streamed upload),
 * a header whose value is {@code null} is not sent, several {@code Cookie} values go as one field,
 * and the session ignores the other headers it reserves ({@code Host}, {@code Connection}, ...).
 * {@code getStatusText()} is the reason phrase the server sent (HTTP/1.1), else the standard one.
 *
 * <p>The session decides redirects (its delegate, or follow by default) and decodes
 * {@code gzip}, {@code deflate} and {@code br} bodies unless the request sets {@code Accept-Encoding}; a
 * decoded response has no {@code Content-Encoding} and {@code Content-Length}. Failures,
 * including what the session refuses (a header value with CR or LF, an invalidated session), are
 * {@link java.io.IOException}s, so {@code RestClient} and {@code RestTemplate} throw a
 * {@code ResourceAccessException}: {@code TIMED_OUT} is a {@link java.net.SocketTimeoutException},
 * {@code CANNOT_CONNECT_TO_HOST} a {@link java.net.ConnectException}, {@code CANNOT_FIND_HOST} an
 * {@link java.net.UnknownHostException}, TLS failures {@link javax.net.ssl.SSLException}s, each
 * with the {@link dev.urlsession.SessionException} as cause; other failures are the
 * {@code SessionException} itself.
 *
 * <p>What the session adds to Spring's own factories: its HTTP cache applies (a fresh stored
 * response may answer a {@code GET} without reaching the server; configure the session without a
 * cache, or set {@code Cache-Control: no-cache} on the request, to always ask the server), except
 * that a request with its own conditional header ({@code If-None-Match}, {@code If-Modified-Since},
 * ...) goes to the server and sees its {@code 304}; its cookie storage applies (sessions of the
 * default kind on the same storage directory share it: give a server-side client an ephemeral
 * session); its transport security refuses cleartext {@code http} to non-local hosts unless its
 * policy allows them ({@code APP_TRANSPORT_SECURITY_REQUIRES_SECURE_CONNECTION}); and, as Apple's
 * URLSession does, a {@code GET} with a body fails ({@code DATA_LENGTH_EXCEEDS_MAXIMUM}) and the
 * headers the session reserves ({@code Host}, {@code Expect}, {@code Connection}, ...) are not
 * sent as given.
 *
 * <p>Thread-safe; a request is used by one thread at a time.
 *
 * @since 0.1.0
 */
public final class SessionClientHttpRequestFactory implements ClientHttpRequestFactory {
  /**
   * How many bytes of a body wait in memory: a larger request body is streamed, a response body
   * suspends its task: 256 KiB.
   */
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
   * @param bufferSize body bytes that may wait in memory: a request body larger than this is
   *     streamed, a response body this far ahead of its reader suspends the task
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
