package dev.urlsession.autoconfigure.observation;

import dev.urlsession.Response;
import dev.urlsession.SessionException;
import dev.urlsession.autoconfigure.UrlSanitizer;
import dev.urlsession.autoconfigure.observation.UrlSessionObservationDocumentation.HighCardinalityKeyNames;
import dev.urlsession.autoconfigure.observation.UrlSessionObservationDocumentation.LowCardinalityKeyNames;
import io.micrometer.common.KeyValue;
import io.micrometer.common.KeyValues;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * The default {@link UrlSessionObservationConvention}: Spring Framework's
 * {@code http.client.requests} conventions, so that dashboards built for {@code RestClient}
 * work unchanged, with {@code client.name} set to the session's name and an extra
 * {@code urlsession.task.kind} key.
 *
 * <ul>
 *   <li>{@code method}: the original request's method;
 *   <li>{@code uri}: the request's URI template ({@link UrlSessionObservationContext#URI_TEMPLATE_PROPERTY})
 *       without a scheme and authority, or {@code none}; never the request's path, whose values are
 *       unbounded;
 *   <li>{@code status}: the final response's status code, or {@code CLIENT_ERROR} without one;
 *   <li>{@code outcome}: the status class ({@code SUCCESS}, ...), or {@code UNKNOWN} without a response;
 *   <li>{@code exception}: the simple name of the JDK class of the failure's cause (a
 *       {@code ConnectException}, {@code UnknownHostException}, {@code SSLHandshakeException}, ...),
 *       {@code SessionException} for a failure without one (a cancellation, a timeout of the
 *       session's own timers), or {@code none};
 *   <li>{@code client.name}: the session's name; {@code urlsession.task.kind}: {@code data},
 *       {@code upload}, {@code download} or {@code websocket} (a WebSocket task is observed from
 *       its handshake to its close; its status is the handshake's, {@code 101} once upgraded);
 *   <li>high cardinality (traces only): {@code http.url}, sanitized by {@link UrlSanitizer}, and
 *       {@code urlsession.error.code}.
 * </ul>
 *
 * <p>Extend it to change one key, or implement {@link UrlSessionObservationConvention} and
 * declare it as a bean. Thread-safe.
 *
 * @since 0.1.0
 */
public class DefaultUrlSessionObservationConvention implements UrlSessionObservationConvention {
  /** The shared instance, named {@code http.client.requests}. */
  public static final DefaultUrlSessionObservationConvention INSTANCE = new DefaultUrlSessionObservationConvention();

  private static final String DEFAULT_NAME = "http.client.requests";
  private static final KeyValue URI_NONE = KeyValue.of(LowCardinalityKeyNames.URI, "none");
  private static final KeyValue EXCEPTION_NONE = KeyValue.of(LowCardinalityKeyNames.EXCEPTION, "none");

  private static final java.util.regex.Pattern ORIGIN = java.util.regex.Pattern.compile("[a-zA-Z][a-zA-Z0-9+.-]*://[^/?#]*");

  private final String name;

  /** A convention named {@code http.client.requests}. */
  public DefaultUrlSessionObservationConvention() {
    this(DEFAULT_NAME);
  }

  /** A convention whose observations (and timers) are named {@code name}. */
  public DefaultUrlSessionObservationConvention(String name) {
    this.name = name;
  }

  @Override
  public String getName() {
    return name;
  }

  @Override
  public String getContextualName(UrlSessionObservationContext context) {
    return "http " + context.getRequest().method().toLowerCase(Locale.ROOT);
  }

  @Override
  public KeyValues getLowCardinalityKeyValues(UrlSessionObservationContext context) {
    return KeyValues.of(method(context), uri(context), status(context), outcome(context),
        exception(context), clientName(context), taskKind(context));
  }

  @Override
  public KeyValues getHighCardinalityKeyValues(UrlSessionObservationContext context) {
    KeyValues values = KeyValues.of(KeyValue.of(HighCardinalityKeyNames.HTTP_URL,
        UrlSanitizer.sanitize(context.getRequest().url())));
    SessionException e = context.getSessionException();
    return e == null ? values : values.and(KeyValue.of(HighCardinalityKeyNames.ERROR_CODE, e.code().name()));
  }

  protected KeyValue method(UrlSessionObservationContext context) {
    return KeyValue.of(LowCardinalityKeyNames.METHOD, context.getRequest().method());
  }

  protected KeyValue uri(UrlSessionObservationContext context) {
    String template = context.getUriTemplate();
    return template == null ? URI_NONE : KeyValue.of(LowCardinalityKeyNames.URI, pathOf(template));
  }

  /** The path of a template: a RestClient's base URL ({@code https://host:port}) is left out, as Spring does. */
  private static String pathOf(String template) {
    java.util.regex.Matcher m = ORIGIN.matcher(template);
    if (!m.lookingAt()) {
      return template;
    }
    String path = template.substring(m.end());
    return path.isEmpty() ? "/" : path;
  }

  protected KeyValue status(UrlSessionObservationContext context) {
    Response r = context.getResponse();
    return KeyValue.of(LowCardinalityKeyNames.STATUS, r == null ? "CLIENT_ERROR" : Integer.toString(r.statusCode()));
  }

  protected KeyValue outcome(UrlSessionObservationContext context) {
    Response r = context.getResponse();
    return KeyValue.of(LowCardinalityKeyNames.OUTCOME, r == null ? "UNKNOWN" : outcomeOf(r.statusCode()));
  }

  protected KeyValue exception(UrlSessionObservationContext context) {
    Throwable error = context.getError();
    if (error == null) {
      return EXCEPTION_NONE;
    }
    Throwable shown = error instanceof SessionException && error.getCause() != null ? error.getCause() : error;
    Class<?> type = shown.getClass();
    if (!(shown instanceof SessionException)) {
      // The JDK type the engine's exception extends (ConnectException, not HttpClient's
      // HttpHostConnectException): stable tag values whatever the HTTP engine's version.
      while (!type.getName().startsWith("java.") && !type.getName().startsWith("javax.")
          && type.getSuperclass() != null) {
        type = type.getSuperclass();
      }
    }
    String simple = type.getSimpleName();
    return KeyValue.of(LowCardinalityKeyNames.EXCEPTION, simple.isEmpty() ? type.getName() : simple);
  }

  protected KeyValue clientName(UrlSessionObservationContext context) {
    return KeyValue.of(LowCardinalityKeyNames.CLIENT_NAME, context.getSessionName());
  }

  protected KeyValue taskKind(UrlSessionObservationContext context) {
    return KeyValue.of(LowCardinalityKeyNames.TASK_KIND, context.getTaskKind());
  }

  private static String outcomeOf(@Nullable Integer status) {
    int s = status == null ? 0 : status;
    if (s >= 100 && s < 200) {
      return "INFORMATIONAL";
    }
    if (s >= 200 && s < 300) {
      return "SUCCESS";
    }
    if (s >= 300 && s < 400) {
      return "REDIRECTION";
    }
    if (s >= 400 && s < 500) {
      return "CLIENT_ERROR";
    }
    if (s >= 500 && s < 600) {
      return "SERVER_ERROR";
    }
    return "UNKNOWN";
  }
}
