package dev.urlsession.autoconfigure.actuate;

import dev.urlsession.HttpCache;
import dev.urlsession.ProxyConfiguration;
import dev.urlsession.Session;
import dev.urlsession.SessionConfiguration;
import dev.urlsession.SessionRegistry;
import dev.urlsession.SessionTask;
import dev.urlsession.autoconfigure.UrlSanitizer;
import dev.urlsession.spi.SessionStatistics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.endpoint.Access;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;

/**
 * The {@code urlsessions} Actuator endpoint: {@code GET /actuator/urlsessions} lists the sessions
 * of the {@link SessionRegistry} (name, kind, effective configuration, task counts, connection
 * pool); {@code GET /actuator/urlsessions/{name}} lists a session's running tasks (id,
 * description, state, method, URL, bytes and progress); {@code POST
 * /actuator/urlsessions/{name}/{taskId}} cancels a task.
 *
 * <p>Nothing secret is shown: URLs lose their user information and the values of secret-looking
 * query parameters ({@link UrlSanitizer}), the proxy password is masked, and so are the values of
 * additional headers whose names look secret ({@code Authorization}, {@code Proxy-Authorization},
 * {@code Cookie}, {@code X-Api-Key}, ...) or that the session's {@code secret-headers} name. Like every Actuator endpoint, it is exposed over HTTP
 * only when listed in {@code management.endpoints.web.exposure.include}; the cancel operation
 * needs {@code management.endpoint.urlsessions.access=unrestricted} (its default access is
 * read-only).
 *
 * <p>Thread-safe.
 *
 * @since 0.1.0
 */
@Endpoint(id = "urlsessions", defaultAccess = Access.READ_ONLY)
public class UrlSessionsEndpoint {
  private static final long WAIT_SECONDS = 5;

  private final SessionRegistry registry;

  /** An endpoint showing the sessions of {@code registry}. */
  public UrlSessionsEndpoint(SessionRegistry registry) {
    this.registry = registry;
  }

  /** Every session of the registry, by name. */
  @ReadOperation
  public SessionsDescriptor sessions() {
    Map<String, SessionDescriptor> sessions = new LinkedHashMap<>();
    registry.sessions().forEach((name, session) -> sessions.put(name, describe(name, session)));
    return new SessionsDescriptor(sessions);
  }

  /** The running tasks of the session {@code name}, or null (404) for an unknown session. */
  @ReadOperation
  public @Nullable SessionTasksDescriptor session(@Selector String name) {
    Session session = registry.find(name).orElse(null);
    if (session == null) {
      return null;
    }
    List<TaskDescriptor> tasks = new ArrayList<>();
    for (SessionTask task : runningTasks(session)) {
      tasks.add(describe(task));
    }
    return new SessionTasksDescriptor(name, kind(session.configuration()), tasks);
  }

  /**
   * Cancels task {@code taskId} of session {@code name}; returns the task as it is after
   * {@code cancel()}, or null (no content, 204) when there is no such session or running task.
   */
  @WriteOperation
  public @Nullable TaskDescriptor cancel(@Selector String name, @Selector long taskId) {
    Session session = registry.find(name).orElse(null);
    if (session == null) {
      return null;
    }
    for (SessionTask task : runningTasks(session)) {
      if (task.taskIdentifier() == taskId) {
        task.cancel();
        return describe(task);
      }
    }
    return null;
  }

  private static List<SessionTask> runningTasks(Session session) {
    try {
      return session.allTasks().get(WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while listing the tasks", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("The session's delegate queue did not list its tasks within "
          + WAIT_SECONDS + " s: is a delegate blocking it?", e);
    }
  }

  private static SessionDescriptor describe(String name, Session session) {
    SessionConfiguration c = session.configuration();
    Map<String, Map<String, Integer>> tasks = new TreeMap<>();
    SessionStatistics.ConnectionPool pool = null;
    try {
      SessionStatistics statistics = session.statistics();
      statistics.tasks().forEach((kind, byState) -> {
        Map<String, Integer> counts = new TreeMap<>();
        byState.forEach((state, count) -> counts.put(state.name().toLowerCase(Locale.ROOT), count));
        tasks.put(kind, counts);
      });
      pool = statistics.connectionPool();
    } catch (UnsupportedOperationException e) {
      // a session implementation without statistics: no counts to show
    }
    return new SessionDescriptor(name, kind(c), session.sessionDescription(), configuration(c), tasks,
        pool == null ? null : new PoolDescriptor(pool.leased(), pool.pending(), pool.available(), pool.max()));
  }

  private static String kind(SessionConfiguration c) {
    return c.kind().name().toLowerCase(Locale.ROOT);
  }

  /** The effective configuration, secrets masked. */
  static Map<String, Object> configuration(SessionConfiguration c) {
    Map<String, Object> m = new LinkedHashMap<>();
    if (c.identifier() != null) {
      m.put("identifier", c.identifier());
    }
    m.put("timeoutIntervalForRequest", text(c.timeoutIntervalForRequest()));
    m.put("timeoutIntervalForResource", text(c.timeoutIntervalForResource()));
    m.put("httpMaximumConnectionsPerHost", c.httpMaximumConnectionsPerHost());
    Map<String, String> headers = new LinkedHashMap<>();
    c.httpAdditionalHeaders().forEach((header, value) ->
        headers.put(header, UrlSanitizer.isSecret(header)
            || c.secretHeaders().contains(header.toLowerCase(java.util.Locale.ROOT)) ? UrlSanitizer.MASK : value));
    m.put("httpAdditionalHeaders", headers);
    m.put("requestCachePolicy", c.requestCachePolicy().name());
    m.put("proxy", proxy(c.proxy()));
    m.put("transportSecurity", Map.of(
        "allowsArbitraryLoads", c.transportSecurity().allowsArbitraryLoads(),
        "minimumTlsVersion", c.transportSecurity().minimumTlsVersion().name()));
    m.put("tlsMinimumSupportedProtocolVersion", c.tlsMinimumSupportedProtocolVersion().name());
    m.put("tlsMaximumSupportedProtocolVersion", c.tlsMaximumSupportedProtocolVersion().name());
    m.put("customSslContext", c.sslContext() != null);
    m.put("httpVersionPolicy", c.httpVersionPolicy().name());
    if (c.storageDirectory() != null) {
      m.put("storageDirectory", c.storageDirectory().toString());
    }
    HttpCache cache = c.httpCache();
    m.put("httpCache", cache == null ? null : Map.of(
        "memoryCapacity", cache.memoryCapacity(), "diskCapacity", cache.diskCapacity()));
    m.put("httpCookieStorage", c.httpCookieStorage() != null);
    m.put("httpCookieAcceptPolicy", c.httpCookieAcceptPolicy().name());
    m.put("httpShouldSetCookies", c.httpShouldSetCookies());
    m.put("credentialStorage", c.credentialStorage() != null);
    List<String> handlers = new ArrayList<>();
    c.protocolHandlers().forEach(h -> handlers.add(h.getClass().getName()));
    m.put("protocolHandlers", handlers);
    return m;
  }

  private static Map<String, Object> proxy(ProxyConfiguration p) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("type", p.type().name());
    if (p.host() != null) {
      m.put("host", p.host());
      m.put("port", p.port());
    }
    if (p.username() != null) {
      m.put("username", p.username());
      m.put("password", UrlSanitizer.MASK);
    }
    if (!p.bypass().isEmpty()) {
      m.put("bypass", p.bypass());
    }
    return m;
  }

  private static String text(Duration d) {
    return d.toString();
  }

  static TaskDescriptor describe(SessionTask task) {
    dev.urlsession.Request request = task.currentRequest(); // null for stream tasks but a data task's continuation
    return new TaskDescriptor(task.taskIdentifier(), kindOf(task), task.taskDescription(),
        task.state().name().toLowerCase(Locale.ROOT), request == null ? null : request.method(),
        request == null ? null : UrlSanitizer.sanitize(request.url()), task.countOfBytesSent(),
        task.countOfBytesExpectedToSend(), task.countOfBytesReceived(), task.countOfBytesExpectedToReceive(),
        task.progress().fractionCompleted());
  }

  private static String kindOf(SessionTask task) {
    if (task instanceof dev.urlsession.WebSocketTask) {
      return "websocket";
    }
    if (task instanceof dev.urlsession.StreamTask) {
      return "stream";
    }
    if (task instanceof dev.urlsession.UploadTask) {
      return "upload";
    }
    return task instanceof dev.urlsession.DownloadTask ? "download" : "data";
  }

  /**
   * The sessions, by name.
   *
   * @param sessions each session's description
   * @since 0.1.0
   */
  public record SessionsDescriptor(Map<String, SessionDescriptor> sessions) {}

  /**
   * One session.
   *
   * @param name its name in the registry
   * @param kind {@code default}, {@code ephemeral} or {@code background}
   * @param description its {@code sessionDescription()}, or null
   * @param configuration its effective configuration, secrets masked
   * @param tasks uncompleted tasks by kind ({@code data}, {@code upload}, {@code download},
   *     {@code stream}, {@code websocket}) and state
   * @param connectionPool its HTTP connection pool, or null when not known
   * @since 0.1.0
   */
  public record SessionDescriptor(String name, String kind, @Nullable String description,
      Map<String, Object> configuration, Map<String, Map<String, Integer>> tasks,
      @Nullable PoolDescriptor connectionPool) {}

  /**
   * A session's HTTP connection pool.
   *
   * @param leased connections in use
   * @param pending requests waiting for a connection
   * @param available idle connections
   * @param max most connections in total
   * @since 0.1.0
   */
  public record PoolDescriptor(int leased, int pending, int available, int max) {}

  /**
   * A session's running tasks.
   *
   * @param name the session's name
   * @param kind the session's kind
   * @param tasks the tasks that were resumed and have not completed, by identifier
   * @since 0.1.0
   */
  public record SessionTasksDescriptor(String name, String kind, List<TaskDescriptor> tasks) {}

  /**
   * One task.
   *
   * @param id its {@code taskIdentifier()}
   * @param kind {@code data}, {@code upload}, {@code download}, {@code stream} or {@code websocket}
   * @param description its {@code taskDescription()}, or null
   * @param state {@code running}, {@code suspended}, {@code canceling} or {@code completed}
   * @param method the current request's method; null for a stream task, which has no request
   *     (unless a data task became it: then the data task's)
   * @param url the current request's URL, without user information and secret query values; null
   *     for a stream task without a request
   * @param countOfBytesSent body bytes sent
   * @param countOfBytesExpectedToSend body bytes to send, or -1 when unknown
   * @param countOfBytesReceived body bytes received
   * @param countOfBytesExpectedToReceive body bytes expected, or -1 when unknown
   * @param fractionCompleted progress from 0 to 1
   * @since 0.1.0
   */
  public record TaskDescriptor(long id, String kind, @Nullable String description, String state,
      @Nullable String method, @Nullable String url, long countOfBytesSent, long countOfBytesExpectedToSend,
      long countOfBytesReceived, long countOfBytesExpectedToReceive, double fractionCompleted) {}
}
