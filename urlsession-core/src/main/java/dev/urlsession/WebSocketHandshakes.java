package dev.urlsession;

import dev.urlsession.internal.HttpSyntax;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What the opening handshake of a WebSocket task sends, and what it keeps of the answer
 * (RFC 6455 section 4.1): the checks of the task's request, the session's additional headers,
 * its cookies and credentials as for an {@code http:} or {@code https:} request to the same host
 * (RFC 6455 section 4.1, item 12: a {@code ws:} URL is an {@code http:} one for cookies), and the
 * cookies the answer sets. Stateless; calls no delegate.
 */
final class WebSocketHandshakes {
  private WebSocketHandshakes() {}

  /**
   * Checks a WebSocket task's request: {@code ws:} or {@code wss:} with a host, {@code GET}, no
   * body, no fragment.
   *
   * @throws IllegalArgumentException otherwise
   */
  static Request check(Request request) {
    URI url = request.url();
    String scheme = url.getScheme();
    if (!"ws".equalsIgnoreCase(scheme) && !"wss".equalsIgnoreCase(scheme)) {
      throw new IllegalArgumentException("a WebSocket task needs a ws: or wss: URL, not " + SessionException.redact(url));
    }
    if (url.getHost() == null || url.getHost().isEmpty()) {
      throw new IllegalArgumentException("a WebSocket URL needs a host: " + SessionException.redact(url));
    }
    if (url.getRawFragment() != null) {
      throw new IllegalArgumentException("a WebSocket URL has no fragment (RFC 6455 3): " + SessionException.redact(url));
    }
    if (!"GET".equals(request.method())) {
      throw new IllegalArgumentException("a WebSocket handshake is a GET, not " + request.method());
    }
    if (request.bodyLength() > 0) {
      throw new IllegalArgumentException("a WebSocket handshake request has no body");
    }
    return request;
  }

  /**
   * The request for {@code url} offering {@code protocols}, in order, as
   * {@code Sec-WebSocket-Protocol}.
   *
   * @throws IllegalArgumentException for a protocol that is null, empty or no HTTP token, or twice
   */
  static Request withProtocols(URI url, List<String> protocols) {
    if (protocols == null) {
      throw new IllegalArgumentException("protocols must not be null");
    }
    List<String> seen = new ArrayList<>();
    for (String p : protocols) {
      if (p == null || !HttpSyntax.isToken(p)) {
        throw new IllegalArgumentException("a WebSocket subprotocol must be an HTTP token, not \"" + p + "\"");
      }
      if (seen.contains(p)) {
        throw new IllegalArgumentException("subprotocol \"" + p + "\" offered twice");
      }
      seen.add(p);
    }
    Request.Builder b = Request.builder(url);
    if (!seen.isEmpty()) {
      b.header("Sec-WebSocket-Protocol", String.join(", ", seen));
    }
    return b.build();
  }

  /** The subprotocols {@code request} offers, from its {@code Sec-WebSocket-Protocol} headers. */
  static List<String> protocols(Request request) {
    List<String> protocols = new ArrayList<>();
    for (String value : request.headers().all("Sec-WebSocket-Protocol")) {
      for (String p : value.split(",")) {
        String t = p.trim();
        if (!t.isEmpty() && !protocols.contains(t)) {
          protocols.add(t);
        }
      }
    }
    return protocols;
  }

  /** The {@code http:} (for {@code ws:}) or {@code https:} (for {@code wss:}) form of {@code url}. */
  static URI httpUrl(URI url) {
    String scheme = "wss".equalsIgnoreCase(url.getScheme()) ? "https" : "http";
    return URI.create(scheme + url.toString().substring(url.getScheme().length()));
  }

  /** {@code url} without its user information (credentials are sent as a header instead). */
  static URI withoutUserInfo(URI url) {
    if (url.getRawUserInfo() == null) {
      return url;
    }
    String s = url.toString();
    int at = s.indexOf('@', s.indexOf("//") + 2);
    return URI.create(s.substring(0, s.indexOf("//") + 2) + s.substring(at + 1));
  }

  /** Whether the transport security policy refuses a cleartext {@code ws:} connection to the host. */
  static boolean refusedCleartext(SessionConfiguration configuration, URI url) {
    return "ws".equalsIgnoreCase(url.getScheme())
        && !configuration.transportSecurity().allowsInsecureLoad(url.getHost());
  }

  /**
   * The handshake request to send: {@code request} (as the listener wants it), with the
   * session's additional headers it does not set itself, the stored cookies (unless the session
   * or the request says not to send them, or it sets {@code Cookie} itself), and
   * {@code authorization} (preemptive credentials of the URL or the storage).
   */
  static Request toSend(SessionConfiguration configuration, Request request, Map<String, String> authorization) {
    Request.Builder b = request.toBuilder().url(withoutUserInfo(request.url()));
    for (Map.Entry<String, String> e : configuration.httpAdditionalHeaders().entrySet()) {
      if (request.header(e.getKey()) == null && !reserved(e.getKey())) {
        b.header(e.getKey(), e.getValue());
      }
    }
    for (Map.Entry<String, String> e : authorization.entrySet()) {
      if (request.header(e.getKey()) == null) {
        b.header(e.getKey(), e.getValue());
      }
    }
    CookieStorage storage = configuration.httpCookieStorage();
    if (storage != null && configuration.httpShouldSetCookies() && request.shouldHandleCookies()
        && request.header("Cookie") == null) {
      String value = Cookie.requestHeaderFields(storage.cookies(httpUrl(request.url()))).get("Cookie");
      if (value != null) {
        b.header("Cookie", value);
      }
    }
    return b.build();
  }

  /** Stores the cookies the handshake's answer sets, as for an HTTP response to the same URL. */
  static void storeCookies(SessionConfiguration configuration, Request request, Response response) {
    CookieStorage storage = configuration.httpCookieStorage();
    List<String> values = response.headers().all("Set-Cookie");
    if (storage == null || !request.shouldHandleCookies() || values.isEmpty()) {
      return;
    }
    URI url = httpUrl(request.url());
    try {
      storage.setCookies(Cookie.cookies(values, url), url, request.mainDocumentUrl(),
          configuration.httpCookieAcceptPolicy());
    } catch (RuntimeException e) {
      org.slf4j.LoggerFactory.getLogger(WebSocketHandshakes.class)
          .warn("Could not store the cookies of {}: {}", SessionException.redact(url), e.toString());
    }
  }

  /** Headers the WebSocket handshake sets itself; the session's additional headers never replace them. */
  static boolean reserved(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    return n.startsWith("sec-websocket-") || n.equals("upgrade") || n.equals("connection") || n.equals("host");
  }

  /** The reason bytes of a close frame as text, checked: at most 123 bytes of UTF-8. */
  static @Nullable String reasonText(byte @Nullable [] reason) {
    if (reason == null || reason.length == 0) {
      return null;
    }
    if (reason.length > 123) {
      throw new IllegalArgumentException("a close reason has at most 123 bytes, not " + reason.length);
    }
    try {
      return java.nio.charset.StandardCharsets.UTF_8.newDecoder()
          .decode(java.nio.ByteBuffer.wrap(reason)).toString();
    } catch (java.nio.charset.CharacterCodingException e) {
      throw new IllegalArgumentException("a close reason must be UTF-8 text (RFC 6455 5.5.1)", e);
    }
  }
}
