package dev.urlsession;

import dev.urlsession.internal.Checks;
import dev.urlsession.internal.HttpSyntax;
import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * An immutable URL load request (Apple's {@code URLRequest}).
 *
 * <pre>{@code
 * Request r = Request.builder(URI.create("https://example.org/a"))
 *     .method("POST")
 *     .header("Accept", "application/json")
 *     .body(bytes)
 *     .timeoutInterval(Duration.ofSeconds(10))
 *     .build();
 * }</pre>
 *
 * <p>Defaults: {@code GET}, no headers, no body, a 60 second idle timeout,
 * {@link CachePolicy#USE_PROTOCOL_CACHE_POLICY}, cookies handled.
 *
 * <p>Everything is validated when it is set: the URL must be absolute, the method an RFC 9110
 * token, header names tokens and values free of control characters (CR, LF, NUL, ...). A bad
 * value fails with an {@link IllegalArgumentException} naming it. The headers the session derives
 * itself ({@code Content-Length}, {@code Transfer-Encoding}, {@code Host}, {@code Connection},
 * {@code Keep-Alive}, {@code TE}, {@code Trailer}, {@code Upgrade}, {@code Expect},
 * {@code WWW-Authenticate} and every {@code Proxy-*}) are Apple's reserved headers: a value set
 * for one is checked like any other, then ignored (logged at debug level) and never sent; the
 * session sends its own. {@code Content-Length} is the one exception: a valid value frames a
 * {@linkplain Builder#bodyStream(Supplier) body stream}, which is otherwise sent chunked (see
 * {@link #declaredContentLength()}).
 *
 * <p>A request has at most one body: bytes ({@link Builder#body(byte[])}) or a stream
 * ({@link Builder#bodyStream(Supplier)}); setting one removes the other. {@code POST},
 * {@code PUT} and {@code PATCH} without a body are sent with {@code Content-Length: 0} (HttpClient 5
 * frames them so).
 *
 * <p>Instances are immutable and thread-safe. A task copies nothing: it keeps the instance it was
 * given, so later changes to a builder do not affect it.
 *
 * @since 0.1.0
 */
public final class Request {
  /** The default idle timeout of a request: 60 seconds. */
  public static final Duration DEFAULT_TIMEOUT_INTERVAL = Duration.ofSeconds(60);

  private static final Set<String> NORMALISED_METHODS =
      Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT");

  private final URI url;
  private final String method;
  private final Headers headers;
  private final byte @Nullable [] body;
  private final @Nullable Supplier<InputStream> bodyStream;
  private final long declaredContentLength;
  private final Duration timeoutInterval;
  private final boolean timeoutIntervalSet;
  private final CachePolicy cachePolicy;
  private final boolean shouldHandleCookies;
  private final @Nullable URI mainDocumentUrl;
  private final Map<String, Object> properties;

  private Request(Builder b) {
    this.url = b.url;
    this.method = b.method;
    this.headers = b.headers.build();
    this.body = b.body;
    this.bodyStream = b.bodyStream;
    this.declaredContentLength = b.declaredContentLength;
    this.timeoutInterval = b.timeoutInterval;
    this.timeoutIntervalSet = b.timeoutIntervalSet;
    this.cachePolicy = b.cachePolicy;
    this.shouldHandleCookies = b.shouldHandleCookies;
    this.mainDocumentUrl = b.mainDocumentUrl;
    this.properties =
        b.properties == null || b.properties.isEmpty()
            ? Map.of()
            : Collections.unmodifiableMap(new LinkedHashMap<>(b.properties));
  }

  /**
   * A builder for a {@code GET} of {@code url}.
   *
   * @throws IllegalArgumentException if {@code url} is null or not absolute
   */
  public static Builder builder(URI url) {
    return new Builder(url);
  }

  /** A {@code GET} of {@code url} with every default. */
  public static Request get(URI url) {
    return new Builder(url).build();
  }

  /** The URL. */
  public URI url() {
    return url;
  }

  /** The method, {@code GET} by default. */
  public String method() {
    return method;
  }

  /** The header fields set on the request (not those the session adds on the wire). */
  public Headers headers() {
    return headers;
  }

  /** The first value of header {@code name} (case-insensitive), or {@code null}. */
  public @Nullable String header(String name) {
    return headers.first(name);
  }

  /** A copy of the body, or {@code null} when there is none. Ignored by upload tasks. */
  public byte @Nullable [] body() {
    return body == null ? null : body.clone();
  }

  /** The length of the {@linkplain #body() body}, or -1 when there is none; does not copy. */
  public long bodyLength() {
    return body == null ? -1 : body.length;
  }

  /**
   * The body stream supplier (Apple's {@code httpBodyStream}), or {@code null}. A data or
   * download task calls it once, for the first load; a load that sends the body again (a 307 or
   * 308 redirect, an authentication retry) asks {@link TaskDelegate#needNewBodyStream} instead, as
   * Apple's tasks do. Ignored by upload tasks.
   */
  public @Nullable Supplier<InputStream> bodyStream() {
    return bodyStream;
  }

  /**
   * The {@code Content-Length} the caller set, or -1. It frames a body stream, from
   * {@link #bodyStream()} or from {@code needNewBodyStream}: the stream must give exactly that
   * many bytes (fewer or more fails the task with {@code REQUEST_BODY_STREAM_EXHAUSTED}); without
   * it a stream is sent chunked. A byte body is always sent with its own length.
   */
  public long declaredContentLength() {
    return declaredContentLength;
  }

  /**
   * The idle timeout: how long the task waits for more data before failing with
   * {@code TIMED_OUT}. 60 seconds unless {@linkplain #isTimeoutIntervalSet() set}.
   */
  public Duration timeoutInterval() {
    return timeoutInterval;
  }

  /**
   * Whether {@link #timeoutInterval()} was set explicitly. Only then does it override the
   * configuration's {@code timeoutIntervalForRequest}.
   */
  public boolean isTimeoutIntervalSet() {
    return timeoutIntervalSet;
  }

  /** The cache policy. */
  public CachePolicy cachePolicy() {
    return cachePolicy;
  }

  /** Whether stored cookies are sent and received cookies stored for this request. */
  public boolean shouldHandleCookies() {
    return shouldHandleCookies;
  }

  /** The URL of the main document, for the only-from-main-document-domain cookie policy. */
  public @Nullable URI mainDocumentUrl() {
    return mainDocumentUrl;
  }

  /**
   * A property set by a protocol handler (Apple's {@code URLProtocol.property(forKey:in:)}),
   * never sent on the wire: handlers use it to mark requests they already handled.
   */
  public @Nullable Object property(String key) {
    return properties.get(key);
  }

  /** Every property, unmodifiable. */
  public Map<String, Object> properties() {
    return properties;
  }

  /** A builder holding every value of this request. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  @Override
  public String toString() {
    return "Request{" + method + " " + url + "}";
  }

  /**
   * Builds a {@link Request}. Each setter validates its value at once. Not thread-safe.
   *
   * @since 0.1.0
   */
  public static final class Builder {
    private URI url;
    private String method = "GET";
    private final Headers.Builder headers;
    private byte @Nullable [] body;
    private @Nullable Supplier<InputStream> bodyStream;
    private long declaredContentLength = -1;
    private Duration timeoutInterval = DEFAULT_TIMEOUT_INTERVAL;
    private boolean timeoutIntervalSet;
    private CachePolicy cachePolicy = CachePolicy.USE_PROTOCOL_CACHE_POLICY;
    private boolean shouldHandleCookies = true;
    private @Nullable URI mainDocumentUrl;
    /** Created by the first property: most requests have none. */
    private @Nullable Map<String, Object> properties;

    private Builder(URI url) {
      this.url = checkUrl(url);
      this.headers = Headers.builder();
    }

    private Builder(Request r) {
      this.url = r.url;
      this.method = r.method;
      this.headers = r.headers.toBuilder();
      this.body = r.body;
      this.bodyStream = r.bodyStream;
      this.declaredContentLength = r.declaredContentLength;
      this.timeoutInterval = r.timeoutInterval;
      this.timeoutIntervalSet = r.timeoutIntervalSet;
      this.cachePolicy = r.cachePolicy;
      this.shouldHandleCookies = r.shouldHandleCookies;
      this.mainDocumentUrl = r.mainDocumentUrl;
      if (!r.properties.isEmpty()) {
        this.properties = new LinkedHashMap<>(r.properties);
      }
    }

    private static URI checkUrl(@Nullable URI url) {
      Checks.notNull(url, "url");
      if (!url.isAbsolute()) {
        throw new IllegalArgumentException("url must be absolute (with a scheme) but was " + url);
      }
      return url;
    }

    /** Sets the URL. */
    public Builder url(URI url) {
      this.url = checkUrl(url);
      return this;
    }

    /**
     * Sets the method. {@code GET, HEAD, POST, PUT, DELETE} and {@code CONNECT} are upper-cased in
     * any casing; other methods are kept as given.
     *
     * @throws IllegalArgumentException if {@code method} is not an RFC 9110 token
     */
    public Builder method(String method) {
      Checks.notNull(method, "method");
      if (!HttpSyntax.isToken(method)) {
        throw new IllegalArgumentException("method \"" + method + "\" is not an RFC 9110 token");
      }
      String upper = method.toUpperCase(Locale.ROOT);
      this.method = NORMALISED_METHODS.contains(upper) ? upper : method;
      return this;
    }

    /**
     * Sets header {@code name} to {@code value}, replacing any value (case-insensitively, keeping
     * the first spelling). A reserved header (see the class comment) is ignored.
     *
     * @throws IllegalArgumentException for an invalid name or value
     */
    public Builder header(String name, String value) {
      HttpSyntax.checkHeaderName(name);
      HttpSyntax.checkHeaderValue(name, value);
      if (!declaresLength(name, value) && !HttpSyntax.ignoreIfReserved(name, "a request")) {
        headers.set(name, value);
      }
      return this;
    }

    /**
     * Adds a value to header {@code name}. A reserved header (see the class comment) is ignored.
     *
     * @throws IllegalArgumentException for an invalid name or value
     */
    public Builder addHeader(String name, String value) {
      HttpSyntax.checkHeaderName(name);
      HttpSyntax.checkHeaderValue(name, value);
      if (!declaresLength(name, value) && !HttpSyntax.ignoreIfReserved(name, "a request")) {
        headers.add(name, value);
      }
      return this;
    }

    /** Removes header {@code name}. */
    public Builder removeHeader(String name) {
      headers.remove(Checks.notNull(name, "header name"));
      if (name.equalsIgnoreCase("Content-Length")) {
        declaredContentLength = -1;
      }
      return this;
    }

    /**
     * Records a {@code Content-Length} value (1*DIGIT) as the declared length; true when
     * {@code name} is {@code Content-Length}, so that it never goes into the headers. A value that
     * is not a length is ignored like any reserved header.
     */
    private boolean declaresLength(String name, String value) {
      if (!name.equalsIgnoreCase("Content-Length")) {
        return false;
      }
      String v = value.trim();
      long length = -1;
      if (!v.isEmpty() && v.length() <= 18 && v.chars().allMatch(c -> c >= '0' && c <= '9')) {
        length = Long.parseLong(v);
      }
      if (length < 0) {
        HttpSyntax.ignoreIfReserved(name, "a request");
      }
      declaredContentLength = length;
      return true;
    }

    /** Replaces all headers; reserved ones (see the class comment) are ignored. */
    public Builder headers(Headers headers) {
      Checks.notNull(headers, "headers");
      for (String name : this.headers.build().names()) {
        this.headers.remove(name);
      }
      declaredContentLength = -1;
      for (int i = 0; i < headers.size(); i++) {
        if (!declaresLength(headers.name(i), headers.value(i))
            && !HttpSyntax.ignoreIfReserved(headers.name(i), "a request")) {
          this.headers.add(headers.name(i), headers.value(i));
        }
      }
      return this;
    }

    /**
     * Sets the body (copied), or removes it with {@code null}; either way a
     * {@linkplain #bodyStream(Supplier) body stream} is removed. An empty body behaves as none.
     * {@code Content-Length} is derived from it.
     */
    public Builder body(byte @Nullable [] body) {
      this.body = body == null || body.length == 0 ? null : body.clone();
      this.bodyStream = null;
      return this;
    }

    /**
     * Sets the body to a stream (Apple's {@code httpBodyStream}), or removes it with
     * {@code null}; either way a {@linkplain #body(byte[]) byte body} is removed. The stream is
     * read on a thread of its own as the connection takes it, never all in memory, and closed when
     * sent; it is sent chunked unless a {@code Content-Length} header declares its length. The
     * supplier is called once, when the first load starts; a redirect or retry that sends the body
     * again asks {@link TaskDelegate#needNewBodyStream}. A supplier that throws or returns null
     * fails the task with {@code REQUEST_BODY_STREAM_EXHAUSTED}.
     */
    public Builder bodyStream(@Nullable Supplier<InputStream> bodyStream) {
      this.bodyStream = bodyStream;
      this.body = null;
      return this;
    }

    /**
     * Sets the idle timeout.
     *
     * @throws IllegalArgumentException if not positive
     */
    public Builder timeoutInterval(Duration timeoutInterval) {
      this.timeoutInterval = Checks.positive(timeoutInterval, "timeoutInterval");
      this.timeoutIntervalSet = true;
      return this;
    }

    /** Sets the cache policy. */
    public Builder cachePolicy(CachePolicy cachePolicy) {
      this.cachePolicy = Checks.notNull(cachePolicy, "cachePolicy");
      return this;
    }

    /** Sets whether cookies are handled for this request. */
    public Builder shouldHandleCookies(boolean shouldHandleCookies) {
      this.shouldHandleCookies = shouldHandleCookies;
      return this;
    }

    /** Sets the main document URL. */
    public Builder mainDocumentUrl(@Nullable URI mainDocumentUrl) {
      this.mainDocumentUrl = mainDocumentUrl;
      return this;
    }

    /** Sets a protocol-handler property, or removes it with {@code null}. */
    public Builder property(String key, @Nullable Object value) {
      Checks.notNull(key, "property key");
      if (value == null) {
        if (properties != null) {
          properties.remove(key);
        }
      } else {
        if (properties == null) {
          properties = new LinkedHashMap<>();
        }
        properties.put(key, value);
      }
      return this;
    }

    /** The immutable request. */
    public Request build() {
      return new Request(this);
    }
  }
}
