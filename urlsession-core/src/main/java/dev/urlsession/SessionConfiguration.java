package dev.urlsession;

import dev.urlsession.background.BackgroundStore;
import dev.urlsession.internal.Checks;
import dev.urlsession.internal.HttpSyntax;
import dev.urlsession.hc5.ConnectionManagerCustomizer;
import dev.urlsession.hc5.HttpClientCustomizer;
import dev.urlsession.spi.ProtocolHandler;
import dev.urlsession.spi.SessionListener;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import org.jspecify.annotations.Nullable;

/**
 * The immutable configuration of a {@link Session} (Apple's {@code URLSessionConfiguration}).
 *
 * <pre>{@code
 * SessionConfiguration config = SessionConfiguration.defaultConfiguration().toBuilder()
 *     .timeoutIntervalForRequest(Duration.ofSeconds(5))
 *     .httpAdditionalHeaders(Map.of("Accept", "application/json"))
 *     .build();
 * }</pre>
 *
 * <p>Because it is immutable, Apple's rule that "a session copies its configuration" holds by
 * construction: changing a builder never changes a session. Every setter validates its value and
 * throws {@link IllegalArgumentException} with a message that names the option.
 *
 * <p>Thread-safe.
 *
 * @since 0.1.0
 */
public final class SessionConfiguration {
  /** The three kinds of session. */
  public enum Kind {
    /** Persistent storage of cookies, cache and credentials. */
    DEFAULT,
    /** Private, in-memory storage only; nothing is written to disk. */
    EPHEMERAL,
    /** Durable transfers that survive restarts. */
    BACKGROUND
  }

  private final Kind kind;
  private final @Nullable String identifier;
  private final Duration timeoutIntervalForRequest;
  private final Duration timeoutIntervalForResource;
  private final int httpMaximumConnectionsPerHost;
  private final Map<String, String> httpAdditionalHeaders;
  private final java.util.Set<String> secretHeaders;
  private final CachePolicy requestCachePolicy;
  private final List<ProtocolHandler> protocolHandlers;
  private final List<HttpClientCustomizer> httpClientCustomizers;
  private final List<ConnectionManagerCustomizer> connectionManagerCustomizers;
  private final ProxyConfiguration proxy;
  private final TransportSecurityPolicy transportSecurity;
  private final @Nullable SSLContext sslContext;
  private final TlsVersion tlsMinimumSupportedProtocolVersion;
  private final TlsVersion tlsMaximumSupportedProtocolVersion;
  private final HttpVersionPolicy httpVersionPolicy;
  private final @Nullable Path storageDirectory;
  private final @Nullable CredentialStorage credentialStorage;
  private final @Nullable HttpCache httpCache;
  private final @Nullable CookieStorage httpCookieStorage;
  private final CookieAcceptPolicy httpCookieAcceptPolicy;
  private final boolean httpShouldSetCookies;
  private final boolean waitsForConnectivity;
  private final boolean discretionary;
  private final @Nullable BackgroundStore backgroundStore;
  private final SessionListener.@Nullable Factory sessionListenerFactory;
  private final int maximumContentDecodingRatio;
  private final long maximumInMemoryBodySize;

  /** One persistent cookie storage per storage directory. */
  private static final java.util.Map<Path, CookieStorage> COOKIES = new java.util.concurrent.ConcurrentHashMap<>();

  /** One disk cache per storage directory: two caches must never share a directory. */
  private static final java.util.Map<Path, HttpCache> CACHES = new java.util.concurrent.ConcurrentHashMap<>();

  /** Memory and disk capacities of a default session's cache (Apple's shared cache sizes). */
  static final long DEFAULT_MEMORY_CAPACITY = 4L * 1024 * 1024;
  static final long DEFAULT_DISK_CAPACITY = 20L * 1024 * 1024;

  /** The default of {@link #maximumContentDecodingRatio()}. */
  public static final int DEFAULT_MAXIMUM_CONTENT_DECODING_RATIO = 200;

  /** The default of {@link #maximumInMemoryBodySize()}: 64 MiB. */
  public static final long DEFAULT_MAXIMUM_IN_MEMORY_BODY_SIZE = 64L * 1024 * 1024;

  private SessionConfiguration(Builder b) {
    this.kind = b.kind;
    this.identifier = b.identifier;
    this.discretionary = b.discretionary;
    this.backgroundStore = b.backgroundStore;
    this.timeoutIntervalForRequest = b.timeoutIntervalForRequest;
    this.timeoutIntervalForResource = b.timeoutIntervalForResource;
    this.httpMaximumConnectionsPerHost = b.httpMaximumConnectionsPerHost;
    this.httpAdditionalHeaders = Collections.unmodifiableMap(new LinkedHashMap<>(b.httpAdditionalHeaders));
    this.secretHeaders = java.util.Set.copyOf(b.secretHeaders);
    this.requestCachePolicy = b.requestCachePolicy;
    this.protocolHandlers = List.copyOf(b.protocolHandlers);
    this.httpClientCustomizers = List.copyOf(b.httpClientCustomizers);
    this.connectionManagerCustomizers = List.copyOf(b.connectionManagerCustomizers);
    this.proxy = b.proxy;
    this.transportSecurity = b.transportSecurity;
    this.sslContext = b.sslContext;
    this.tlsMinimumSupportedProtocolVersion = b.tlsMinimumSupportedProtocolVersion;
    this.tlsMaximumSupportedProtocolVersion = b.tlsMaximumSupportedProtocolVersion;
    this.httpVersionPolicy = b.httpVersionPolicy;
    this.storageDirectory = b.storageDirectory;
    this.credentialStorage = b.credentialStorage;
    this.httpCache = b.httpCache;
    this.httpCookieStorage = b.httpCookieStorage;
    this.httpCookieAcceptPolicy = b.httpCookieAcceptPolicy;
    this.httpShouldSetCookies = b.httpShouldSetCookies;
    this.waitsForConnectivity = b.waitsForConnectivity;
    this.sessionListenerFactory = b.sessionListenerFactory;
    this.maximumContentDecodingRatio = b.maximumContentDecodingRatio;
    this.maximumInMemoryBodySize = b.maximumInMemoryBodySize;
  }

  /** Where a default session keeps its files unless told otherwise: {@code ~/.urlsession}. */
  public static Path defaultStorageDirectory() {
    return Path.of(System.getProperty("user.home"), ".urlsession");
  }

  /** A new default configuration (kind {@link Kind#DEFAULT}). */
  public static SessionConfiguration defaultConfiguration() {
    return new Builder(Kind.DEFAULT).build();
  }

  /** A new ephemeral configuration (kind {@link Kind#EPHEMERAL}): nothing is kept on disk. */
  public static SessionConfiguration ephemeral() {
    return new Builder(Kind.EPHEMERAL).build();
  }

  /**
   * A new background configuration (kind {@link Kind#BACKGROUND}): a session created with it hands
   * downloads and uploads from files to a durable store; they continue whatever the caller does,
   * resume after a restart, and a session created later with the same identifier re-attaches to
   * them. See {@link dev.urlsession.background.BackgroundStore} for where transfers are kept
   * (by default a file-backed database under {@link #storageDirectory()}).
   *
   * @param identifier unique within the application and stable across restarts: 1 to 80
   *     characters among letters, digits, {@code .}, {@code _} and {@code -}
   * @throws IllegalArgumentException if the identifier is null, empty or has other characters
   */
  public static SessionConfiguration background(String identifier) {
    return backgroundBuilder(identifier).build();
  }

  /** A builder of a background configuration; see {@link #background(String)}. */
  public static Builder backgroundBuilder(String identifier) {
    if (identifier == null || identifier.isEmpty()) {
      throw new IllegalArgumentException("a background session identifier must not be null or empty");
    }
    if (identifier.length() > 80 || !identifier.matches("[A-Za-z0-9._-]+") || identifier.startsWith(".")) {
      throw new IllegalArgumentException("background session identifier \"" + identifier
          + "\" is not 1 to 80 letters, digits, '.', '_' or '-' (not starting with '.')");
    }
    Builder b = new Builder(Kind.BACKGROUND);
    b.identifier = identifier;
    return b;
  }

  /** A builder with the default configuration's values. */
  public static Builder builder() {
    return new Builder(Kind.DEFAULT);
  }

  /** A builder holding every value of this configuration. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  public Kind kind() {
    return kind;
  }

  /** The background session identifier, or {@code null} for other kinds. */
  public @Nullable String identifier() {
    return identifier;
  }

  /**
   * Whether background transfers may wait for a better time (Apple's {@code isDiscretionary}):
   * here the session runs them one at a time (whatever
   * {@code BackgroundStore.maxConcurrentTransfers()} says) at the lowest priority, so they take
   * little of the node. False by default; only background sessions use it.
   */
  public boolean discretionary() {
    return discretionary;
  }

  /**
   * Where a background session keeps its transfers; {@code null} (the default) for
   * {@link BackgroundStore#embedded()}, a file-backed database under {@link #storageDirectory()}.
   * Only background sessions use it.
   */
  public @Nullable BackgroundStore backgroundStore() {
    return backgroundStore;
  }

  /**
   * The idle timeout: how long a task waits for more data before failing with
   * {@code TIMED_OUT}, unless its request sets its own. 60 seconds by default.
   */
  public Duration timeoutIntervalForRequest() {
    return timeoutIntervalForRequest;
  }

  /** The total deadline of a task from {@code resume()}: 7 days by default. */
  public Duration timeoutIntervalForResource() {
    return timeoutIntervalForResource;
  }

  /** The maximum number of HTTP/1.1 connections per host: 6 by default. */
  public int httpMaximumConnectionsPerHost() {
    return httpMaximumConnectionsPerHost;
  }

  /** Headers added to every request that does not set them itself (case-insensitive). */
  public Map<String, String> httpAdditionalHeaders() {
    return httpAdditionalHeaders;
  }

  /**
   * Names of further headers that carry secrets (an API key, a token), lower-case: like
   * {@code Authorization}, {@code Cookie} and {@code Proxy-Authorization}, they never follow a
   * redirect to another origin (scheme, host or port), whether the request or
   * {@link #httpAdditionalHeaders()} set them. Empty by default.
   */
  public java.util.Set<String> secretHeaders() {
    return secretHeaders;
  }

  /** The cache policy of requests that keep the default one. */
  public CachePolicy requestCachePolicy() {
    return requestCachePolicy;
  }

  /** Custom protocol handlers, consulted in order before the built-in ones. */
  public List<ProtocolHandler> protocolHandlers() {
    return protocolHandlers;
  }

  /** Customizers of the session's HttpClient 5 client, applied in order; empty by default. */
  public List<HttpClientCustomizer> httpClientCustomizers() {
    return httpClientCustomizers;
  }

  /** Customizers of the session's HttpClient 5 connection manager, applied in order; empty by default. */
  public List<ConnectionManagerCustomizer> connectionManagerCustomizers() {
    return connectionManagerCustomizers;
  }

  /** The proxy route: {@link ProxyConfiguration#system()} by default. */
  public ProxyConfiguration proxy() {
    return proxy;
  }

  /** Which cleartext loads are allowed: {@link TransportSecurityPolicy#defaultPolicy()} by default. */
  public TransportSecurityPolicy transportSecurity() {
    return transportSecurity;
  }

  /** The TLS context (trust and client identity), or {@code null} for the JVM's default. */
  public @Nullable SSLContext sslContext() {
    return sslContext;
  }

  /** The lowest TLS version offered: TLS 1.2 by default. */
  public TlsVersion tlsMinimumSupportedProtocolVersion() {
    return tlsMinimumSupportedProtocolVersion;
  }

  /** The highest TLS version offered: TLS 1.3 by default. */
  public TlsVersion tlsMaximumSupportedProtocolVersion() {
    return tlsMaximumSupportedProtocolVersion;
  }

  /** HTTP versions spoken: {@link HttpVersionPolicy#NEGOTIATE} by default. */
  public HttpVersionPolicy httpVersionPolicy() {
    return httpVersionPolicy;
  }

  /**
   * Where the session keeps its files (download temporary files, and with later versions cookies,
   * cache and credentials); created on first use. {@code null} for ephemeral sessions, which keep
   * nothing on disk: their download files go to the system's temporary directory and are deleted.
   */
  public @Nullable Path storageDirectory() {
    return storageDirectory;
  }

  /**
   * The cookie storage: for the default kind a persistent one under the storage directory
   * ({@code cookies}, one per directory; session cookies are not written), for each ephemeral
   * configuration a fresh private in-memory one; null for no cookie handling at all.
   */
  public @Nullable CookieStorage httpCookieStorage() {
    return httpCookieStorage;
  }

  /**
   * Which cookies responses may set, overriding the storage's own policy for this session:
   * {@link CookieAcceptPolicy#ONLY_FROM_MAIN_DOCUMENT_DOMAIN} by default.
   */
  public CookieAcceptPolicy httpCookieAcceptPolicy() {
    return httpCookieAcceptPolicy;
  }

  /** Whether stored cookies are sent with requests (it does not affect storing them): true by default. */
  public boolean httpShouldSetCookies() {
    return httpShouldSetCookies;
  }

  /**
   * Whether a task waits for connectivity instead of failing when no connection can be made (the
   * host name does not resolve, the connection is refused or the network unreachable): false by
   * default. A waiting task calls {@link TaskDelegate#taskIsWaitingForConnectivity} once, then
   * tries again with a growing delay (0.5 s doubling up to 10 s) until it connects or
   * {@link #timeoutIntervalForResource()} passes, when it fails with
   * {@link SessionException.Code#TIMED_OUT}. The idle timeout does not run while it waits.
   */
  public boolean waitsForConnectivity() {
    return waitsForConnectivity;
  }

  /**
   * The HTTP cache: for the default kind a memory and disk cache under the storage directory
   * ({@code cache/}, one per directory); for each ephemeral configuration a fresh private memory
   * cache; null for none.
   */
  public @Nullable HttpCache httpCache() {
    return httpCache;
  }

  /**
   * Where credentials are looked up and saved: {@link CredentialStorage#shared()} for the default
   * kind, a fresh private in-memory one for each ephemeral configuration; null for none (no
   * proposed credentials, nothing saved).
   */
  public @Nullable CredentialStorage credentialStorage() {
    return credentialStorage;
  }

  /**
   * The factory of the listeners that observe each task for metrics and tracing, or {@code null}
   * for none (the default).
   *
   * @since 0.1.0
   */
  public SessionListener.@Nullable Factory sessionListenerFactory() {
    return sessionListenerFactory;
  }

  /**
   * How far a content-encoded response body ({@code gzip}, {@code deflate}, {@code br}) may
   * inflate: its decoded bytes may be at most this many times the encoded bytes they came from, once
   * they pass 8 MiB (smaller bodies are never refused for their ratio). A body that inflates more
   * is a decompression bomb: the task fails with
   * {@link SessionException.Code#DATA_LENGTH_EXCEEDS_MAXIMUM} and the rest of the body is not
   * read. 0 means no limit. Whatever the ratio, bodies are decoded in chunks of at most 64 KiB and
   * only as fast as the task takes them, so decoding never holds more than that in memory.
   *
   * <p>The default, {@value #DEFAULT_MAXIMUM_CONTENT_DECODING_RATIO}, is ten times what real
   * documents reach: text, HTML and JSON compress 3 to 20 times with gzip, very repetitive logs
   * and tables up to about 50 (Brotli a little more), while a bomb inflates about 1,000 times
   * with gzip (its format's limit) and millions of times with Brotli. A server can so make a task
   * do at most 200 times the work of the bytes it sends, and at most 8 MiB more.
   *
   * @since 0.1.0
   */
  public int maximumContentDecodingRatio() {
    return maximumContentDecodingRatio;
  }

  /**
   * The most bytes of response body a task collects in memory: the body a data or upload task
   * hands to its completion handler (or to {@code didComplete} when its delegate does not take
   * the data as it arrives). A larger body fails the task with
   * {@link SessionException.Code#DATA_LENGTH_EXCEEDS_MAXIMUM} as soon as it is known to be
   * larger (a {@code Content-Length} above it, or the bytes received), instead of exhausting the
   * heap. Bodies streamed to a delegate or to a download file are not limited.
   *
   * <p>The default, 64 MiB ({@value #DEFAULT_MAXIMUM_IN_MEMORY_BODY_SIZE} bytes), holds any API
   * response or page while a few dozen tasks at the limit at once still fit in a server's heap;
   * larger resources belong in a download task. At most 2 GiB minus a few bytes (the largest Java
   * array) is ever collected, whatever this says.
   *
   * @since 0.1.0
   */
  public long maximumInMemoryBodySize() {
    return maximumInMemoryBodySize;
  }

  @Override
  public String toString() {
    return "SessionConfiguration{kind=" + kind
        + (identifier != null ? ", identifier=" + identifier : "")
        + ", timeoutIntervalForRequest=" + timeoutIntervalForRequest
        + ", timeoutIntervalForResource=" + timeoutIntervalForResource
        + ", httpMaximumConnectionsPerHost=" + httpMaximumConnectionsPerHost
        + ", httpAdditionalHeaders=" + httpAdditionalHeaders.keySet()
        + ", proxy=" + proxy
        + ", httpVersionPolicy=" + httpVersionPolicy + "}";
  }

  /**
   * Builds a {@link SessionConfiguration}. Setters validate at once. Not thread-safe.
   *
   * @since 0.1.0
   */
  public static final class Builder {
    private Kind kind;
    private @Nullable String identifier;
    private boolean discretionary;
    private @Nullable BackgroundStore backgroundStore;
    private Duration timeoutIntervalForRequest = Duration.ofSeconds(60);
    private Duration timeoutIntervalForResource = Duration.ofDays(7);
    private int httpMaximumConnectionsPerHost = 6;
    private Map<String, String> httpAdditionalHeaders = new LinkedHashMap<>();
    private java.util.Set<String> secretHeaders = java.util.Set.of();
    private CachePolicy requestCachePolicy = CachePolicy.USE_PROTOCOL_CACHE_POLICY;
    private List<ProtocolHandler> protocolHandlers = new ArrayList<>();
    private List<HttpClientCustomizer> httpClientCustomizers = new ArrayList<>();
    private List<ConnectionManagerCustomizer> connectionManagerCustomizers = new ArrayList<>();
    private ProxyConfiguration proxy = ProxyConfiguration.system();
    private TransportSecurityPolicy transportSecurity = TransportSecurityPolicy.defaultPolicy();
    private @Nullable SSLContext sslContext;
    private TlsVersion tlsMinimumSupportedProtocolVersion = TlsVersion.TLS_1_2;
    private TlsVersion tlsMaximumSupportedProtocolVersion = TlsVersion.TLS_1_3;
    private HttpVersionPolicy httpVersionPolicy = HttpVersionPolicy.NEGOTIATE;
    private @Nullable Path storageDirectory;
    private @Nullable CredentialStorage credentialStorage;
    private boolean credentialStorageSet;
    private @Nullable HttpCache httpCache;
    private boolean httpCacheSet;
    private @Nullable CookieStorage httpCookieStorage;
    private boolean httpCookieStorageSet;
    private CookieAcceptPolicy httpCookieAcceptPolicy = CookieAcceptPolicy.ONLY_FROM_MAIN_DOCUMENT_DOMAIN;
    private boolean httpShouldSetCookies = true;
    private boolean waitsForConnectivity;
    private SessionListener.@Nullable Factory sessionListenerFactory;
    private int maximumContentDecodingRatio = DEFAULT_MAXIMUM_CONTENT_DECODING_RATIO;
    private long maximumInMemoryBodySize = DEFAULT_MAXIMUM_IN_MEMORY_BODY_SIZE;

    private Builder(Kind kind) {
      this.kind = kind;
      this.storageDirectory = kind == Kind.EPHEMERAL ? null : defaultStorageDirectory();
      if (kind == Kind.EPHEMERAL) {
        this.credentialStorage = CredentialStorage.inMemory();
        this.credentialStorageSet = true;
        this.httpCache = HttpCache.create(DEFAULT_MEMORY_CAPACITY, 0, null);
        this.httpCacheSet = true;
        this.httpCookieStorage = CookieStorage.inMemory();
        this.httpCookieStorageSet = true;
      }
    }

    private Builder(SessionConfiguration c) {
      this.kind = c.kind;
      this.identifier = c.identifier;
      this.discretionary = c.discretionary;
      this.backgroundStore = c.backgroundStore;
      this.timeoutIntervalForRequest = c.timeoutIntervalForRequest;
      this.timeoutIntervalForResource = c.timeoutIntervalForResource;
      this.httpMaximumConnectionsPerHost = c.httpMaximumConnectionsPerHost;
      this.httpAdditionalHeaders = new LinkedHashMap<>(c.httpAdditionalHeaders);
      this.secretHeaders = c.secretHeaders;
      this.requestCachePolicy = c.requestCachePolicy;
      this.protocolHandlers = new ArrayList<>(c.protocolHandlers);
      this.httpClientCustomizers = new ArrayList<>(c.httpClientCustomizers);
      this.connectionManagerCustomizers = new ArrayList<>(c.connectionManagerCustomizers);
      this.proxy = c.proxy;
      this.transportSecurity = c.transportSecurity;
      this.sslContext = c.sslContext;
      this.tlsMinimumSupportedProtocolVersion = c.tlsMinimumSupportedProtocolVersion;
      this.tlsMaximumSupportedProtocolVersion = c.tlsMaximumSupportedProtocolVersion;
      this.httpVersionPolicy = c.httpVersionPolicy;
      this.storageDirectory = c.storageDirectory;
      this.credentialStorage = c.credentialStorage;
      this.credentialStorageSet = true;
      this.httpCache = c.httpCache;
      this.httpCacheSet = true;
      this.httpCookieStorage = c.httpCookieStorage;
      this.httpCookieStorageSet = true;
      this.httpCookieAcceptPolicy = c.httpCookieAcceptPolicy;
      this.httpShouldSetCookies = c.httpShouldSetCookies;
      this.waitsForConnectivity = c.waitsForConnectivity;
      this.sessionListenerFactory = c.sessionListenerFactory;
      this.maximumContentDecodingRatio = c.maximumContentDecodingRatio;
      this.maximumInMemoryBodySize = c.maximumInMemoryBodySize;
    }

    /**
     * Sets {@link SessionConfiguration#maximumContentDecodingRatio()}; 0 for no limit.
     *
     * @throws IllegalArgumentException if negative
     * @since 0.1.0
     */
    public Builder maximumContentDecodingRatio(int ratio) {
      if (ratio < 0) {
        throw new IllegalArgumentException("maximumContentDecodingRatio must not be negative: " + ratio);
      }
      this.maximumContentDecodingRatio = ratio;
      return this;
    }

    /**
     * Sets {@link SessionConfiguration#maximumInMemoryBodySize()}.
     *
     * @throws IllegalArgumentException if not positive
     * @since 0.1.0
     */
    public Builder maximumInMemoryBodySize(long bytes) {
      this.maximumInMemoryBodySize = Checks.positive(bytes, "maximumInMemoryBodySize");
      return this;
    }

    /**
     * Sets the factory of the listeners that observe each task (metrics, tracing), or none with
     * {@code null}. To add a listener to one already set, combine them with
     * {@link SessionListener.Factory#andThen}; see {@link #sessionListenerFactory()}.
     *
     * @since 0.1.0
     */
    public Builder sessionListenerFactory(SessionListener.@Nullable Factory factory) {
      this.sessionListenerFactory = factory;
      return this;
    }

    /**
     * The listener factory set so far, or {@code null}.
     *
     * @since 0.1.0
     */
    public SessionListener.@Nullable Factory sessionListenerFactory() {
      return sessionListenerFactory;
    }

    /**
     * Sets the idle timeout.
     *
     * @throws IllegalArgumentException if not positive
     */
    public Builder timeoutIntervalForRequest(Duration timeout) {
      this.timeoutIntervalForRequest = Checks.positive(timeout, "timeoutIntervalForRequest");
      return this;
    }

    /**
     * Sets the total deadline of a task.
     *
     * @throws IllegalArgumentException if not positive
     */
    public Builder timeoutIntervalForResource(Duration timeout) {
      this.timeoutIntervalForResource = Checks.positive(timeout, "timeoutIntervalForResource");
      return this;
    }

    /**
     * Sets the HTTP/1.1 connection limit per host.
     *
     * @throws IllegalArgumentException if not positive
     */
    public Builder httpMaximumConnectionsPerHost(int max) {
      this.httpMaximumConnectionsPerHost = Checks.positive(max, "httpMaximumConnectionsPerHost");
      return this;
    }

    /**
     * Sets headers added to every request that does not set them itself. Apple's reserved headers,
     * which the session derives itself ({@code Content-Length}, {@code Host}, {@code Connection},
     * every {@code Proxy-*}, ...: see {@link Request}), are checked like the others, then ignored
     * (logged at debug level) and left out of {@link SessionConfiguration#httpAdditionalHeaders()}.
     *
     * @throws IllegalArgumentException for an invalid name or value
     */
    public Builder httpAdditionalHeaders(Map<String, String> headers) {
      this.httpAdditionalHeaders = HttpSyntax.additionalHeaders(headers, "httpAdditionalHeaders");
      return this;
    }

    /**
     * Sets the names of further headers that carry secrets ({@code X-Api-Key}, ...): they never
     * follow a redirect to another origin, as {@code Authorization}, {@code Cookie} and
     * {@code Proxy-Authorization} never do. Compared case-insensitively.
     *
     * @throws IllegalArgumentException if a name is null or not an RFC 9110 token
     */
    public Builder secretHeaders(java.util.Collection<String> names) {
      this.secretHeaders = HttpSyntax.headerNames(names, "secretHeaders");
      return this;
    }

    /** Sets the default cache policy. */
    public Builder requestCachePolicy(CachePolicy policy) {
      this.requestCachePolicy = Checks.notNull(policy, "requestCachePolicy");
      return this;
    }

    /** Sets custom protocol handlers, consulted in order before the built-in ones. */
    public Builder protocolHandlers(List<ProtocolHandler> handlers) {
      Checks.notNull(handlers, "protocolHandlers");
      for (ProtocolHandler h : handlers) {
        Checks.notNull(h, "protocolHandlers element");
      }
      this.protocolHandlers = new ArrayList<>(handlers);
      return this;
    }

    /**
     * Sets the customizers of the session's HttpClient 5 client (see {@link HttpClientCustomizer}).
     *
     * @throws IllegalArgumentException if the list or an element is null
     */
    public Builder httpClientCustomizers(List<HttpClientCustomizer> customizers) {
      Checks.notNull(customizers, "httpClientCustomizers");
      for (HttpClientCustomizer c : customizers) {
        Checks.notNull(c, "httpClientCustomizers element");
      }
      this.httpClientCustomizers = new ArrayList<>(customizers);
      return this;
    }

    /**
     * Sets the customizers of the session's HttpClient 5 connection manager (see
     * {@link ConnectionManagerCustomizer}).
     *
     * @throws IllegalArgumentException if the list or an element is null
     */
    public Builder connectionManagerCustomizers(List<ConnectionManagerCustomizer> customizers) {
      Checks.notNull(customizers, "connectionManagerCustomizers");
      for (ConnectionManagerCustomizer c : customizers) {
        Checks.notNull(c, "connectionManagerCustomizers element");
      }
      this.connectionManagerCustomizers = new ArrayList<>(customizers);
      return this;
    }

    /** Sets the proxy route. */
    public Builder proxy(ProxyConfiguration proxy) {
      this.proxy = Checks.notNull(proxy, "proxy");
      return this;
    }

    /** Sets the transport security policy. */
    public Builder transportSecurity(TransportSecurityPolicy policy) {
      this.transportSecurity = Checks.notNull(policy, "transportSecurity");
      return this;
    }

    /** Sets the TLS context, or {@code null} for the JVM's default. */
    public Builder sslContext(@Nullable SSLContext sslContext) {
      this.sslContext = sslContext;
      return this;
    }

    /** Sets the lowest TLS version offered. */
    public Builder tlsMinimumSupportedProtocolVersion(TlsVersion version) {
      this.tlsMinimumSupportedProtocolVersion =
          Checks.notNull(version, "tlsMinimumSupportedProtocolVersion");
      return this;
    }

    /** Sets the highest TLS version offered. */
    public Builder tlsMaximumSupportedProtocolVersion(TlsVersion version) {
      this.tlsMaximumSupportedProtocolVersion =
          Checks.notNull(version, "tlsMaximumSupportedProtocolVersion");
      return this;
    }

    /** Sets the HTTP versions spoken. */
    public Builder httpVersionPolicy(HttpVersionPolicy policy) {
      this.httpVersionPolicy = Checks.notNull(policy, "httpVersionPolicy");
      return this;
    }

    /** Sets the cookie storage, or no cookie handling at all with {@code null}. */
    public Builder httpCookieStorage(@Nullable CookieStorage storage) {
      this.httpCookieStorage = storage;
      this.httpCookieStorageSet = true;
      return this;
    }

    /** Sets which cookies responses may set. */
    public Builder httpCookieAcceptPolicy(CookieAcceptPolicy policy) {
      this.httpCookieAcceptPolicy = Checks.notNull(policy, "httpCookieAcceptPolicy");
      return this;
    }

    /** Sets whether stored cookies are sent with requests. */
    public Builder httpShouldSetCookies(boolean shouldSetCookies) {
      this.httpShouldSetCookies = shouldSetCookies;
      return this;
    }

    /** Sets whether tasks wait for connectivity instead of failing: see {@link SessionConfiguration#waitsForConnectivity()}. */
    public Builder waitsForConnectivity(boolean waits) {
      this.waitsForConnectivity = waits;
      return this;
    }

    /** Sets the HTTP cache, or none with {@code null}. */
    public Builder httpCache(@Nullable HttpCache cache) {
      this.httpCache = cache;
      this.httpCacheSet = true;
      return this;
    }

    /** Sets {@link SessionConfiguration#discretionary()}. */
    public Builder discretionary(boolean discretionary) {
      this.discretionary = discretionary;
      return this;
    }

    /** Sets {@link SessionConfiguration#backgroundStore()}; null for the embedded default. */
    public Builder backgroundStore(@Nullable BackgroundStore store) {
      this.backgroundStore = store;
      return this;
    }

    /** Changes the kind (the background engine runs its transfers in a default-kind session). */
    Builder kind(Kind kind) {
      this.kind = kind;
      return this;
    }

    /** Sets the credential storage, or none with {@code null}. */
    public Builder credentialStorage(@Nullable CredentialStorage storage) {
      this.credentialStorage = storage;
      this.credentialStorageSet = true;
      return this;
    }

    /**
     * Sets where the session keeps its files.
     *
     * @throws IllegalArgumentException for an ephemeral configuration, which keeps nothing on disk
     */
    public Builder storageDirectory(Path directory) {
      Checks.notNull(directory, "storageDirectory");
      if (kind == Kind.EPHEMERAL) {
        throw new IllegalArgumentException(
            "storageDirectory cannot be set on an ephemeral configuration: it keeps nothing on disk");
      }
      Path previous = this.storageDirectory;
      this.storageDirectory = directory.toAbsolutePath().normalize();
      if (previous != null && httpCache != null && httpCache == CACHES.get(previous.resolve("cache"))) {
        httpCacheSet = false; // the cache derived from the old directory follows the new one
      }
      if (previous != null && httpCookieStorage != null
          && httpCookieStorage == COOKIES.get(previous.resolve("cookies"))) {
        httpCookieStorageSet = false; // likewise the cookies
      }
      return this;
    }

    /**
     * The immutable configuration.
     *
     * @throws IllegalArgumentException if the TLS minimum is above the maximum
     */
    public SessionConfiguration build() {
      if (tlsMinimumSupportedProtocolVersion.compareTo(tlsMaximumSupportedProtocolVersion) > 0) {
        throw new IllegalArgumentException(
            "tlsMinimumSupportedProtocolVersion " + tlsMinimumSupportedProtocolVersion
                + " is above tlsMaximumSupportedProtocolVersion "
                + tlsMaximumSupportedProtocolVersion);
      }
      if (!httpCacheSet && storageDirectory != null) {
        Path dir = storageDirectory.resolve("cache");
        httpCache = CACHES.computeIfAbsent(dir,
            d -> HttpCache.create(DEFAULT_MEMORY_CAPACITY, DEFAULT_DISK_CAPACITY, d));
      }
      if (!httpCookieStorageSet && storageDirectory != null) {
        httpCookieStorage = COOKIES.computeIfAbsent(storageDirectory.resolve("cookies"), CookieStorage::persistent);
      }
      if (!credentialStorageSet) {
        credentialStorage = CredentialStorage.shared(); // resolved lazily: no file is touched before
      }
      return new SessionConfiguration(this);
    }
  }
}
