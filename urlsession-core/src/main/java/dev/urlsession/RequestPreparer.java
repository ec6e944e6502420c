package dev.urlsession;

import dev.urlsession.SessionException.Code;
import dev.urlsession.internal.CacheReplay;
import dev.urlsession.spi.ProtocolHandler;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a load of a task's request needs before it starts, and the cookies of its responses: the
 * transport security check (the counterpart of App Transport Security), the protocol handler and
 * its canonical request, and the stored cookies in and out. Stateless; calls no delegate.
 */
final class RequestPreparer {
  private static final Logger log = LoggerFactory.getLogger(RequestPreparer.class);

  private RequestPreparer() {}

  /** The handler that loads a request, or why none may. */
  record Choice(@Nullable ProtocolHandler handler, @Nullable SessionException failure) {}

  /** The handler that loads {@code request}, or the failure: cleartext refused, or no handler. */
  static Choice handler(RealSession session, Request request) {
    URI url = request.url();
    String scheme = url.getScheme();
    if ("http".equalsIgnoreCase(scheme) && url.getHost() != null
        && !session.configuration().transportSecurity().allowsInsecureLoad(url.getHost())) {
      return new Choice(null, new SessionException(Code.APP_TRANSPORT_SECURITY_REQUIRES_SECURE_CONNECTION, url));
    }
    ProtocolHandler handler = session.handlerFor(request);
    if (handler == null) {
      return new Choice(null, new SessionException(Code.UNSUPPORTED_URL, url,
          "unsupported URL: no protocol handler for scheme \"" + scheme + "\"", null));
    }
    return new Choice(handler, null);
  }

  /** The handler's canonical form of {@code request} (the cache key); the request itself if the handler throws. */
  static Request canonical(ProtocolHandler handler, Request request, SessionTask task) {
    try {
      return handler.canonicalRequest(request);
    } catch (RuntimeException e) {
      log.error("ProtocolHandler.canonicalRequest threw for {}", task, e);
      return request;
    }
  }

  /**
   * The request with the stored cookies for its URL, unless the session or the request says not
   * to send them, the request sets its own {@code Cookie}, the answer comes from the cache, or the
   * method is {@code TRACE} (the server echoes it: no credentials in it, RFC 9110 9.3.8).
   */
  static Request withCookies(SessionConfiguration configuration, Request request, ProtocolHandler handler) {
    CookieStorage storage = configuration.httpCookieStorage();
    if (storage == null || handler instanceof CacheReplay || !configuration.httpShouldSetCookies()
        || !request.shouldHandleCookies() || request.header("Cookie") != null || !isHttp(request.url())
        || "TRACE".equals(request.method())) {
      return request;
    }
    Map<String, String> fields = Cookie.requestHeaderFields(storage.cookies(request.url()));
    String value = fields.get("Cookie");
    return value == null ? request : request.toBuilder().header("Cookie", value).build();
  }

  /**
   * Stores the cookies a network response to {@code request} sets: every hop's, redirects and
   * challenges included.
   */
  static void storeCookies(SessionConfiguration configuration, Request request, ProtocolHandler handler,
      Response r) {
    CookieStorage storage = configuration.httpCookieStorage();
    if (storage == null || handler instanceof CacheReplay || !request.shouldHandleCookies()) {
      return;
    }
    List<String> values = r.headers().all("Set-Cookie");
    if (values.isEmpty()) {
      return;
    }
    URI url = request.url();
    try {
      storage.setCookies(Cookie.cookies(values, url), url, request.mainDocumentUrl(),
          configuration.httpCookieAcceptPolicy());
    } catch (RuntimeException e) {
      log.warn("Could not store the cookies of {}: {}", SessionException.redact(url), e.toString());
    }
  }

  private static boolean isHttp(@Nullable URI url) {
    String scheme = url == null ? null : url.getScheme();
    return "http".equalsIgnoreCase(scheme) || "https".equalsIgnoreCase(scheme);
  }
}
