package dev.urlsession.autoconfigure;

import dev.urlsession.CachePolicy;
import dev.urlsession.CookieAcceptPolicy;
import dev.urlsession.HttpVersionPolicy;
import dev.urlsession.ProxyConfiguration;
import dev.urlsession.SessionConfiguration;
import dev.urlsession.TlsVersion;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.util.unit.DataSize;

/**
 * The options of one {@code SessionConfiguration}, as bound from {@code urlsession.defaults} and
 * {@code urlsession.sessions.<name>}. A {@code null} field (an empty map or list) means "not set":
 * the value then comes from {@code defaults}, else from the library's default configuration.
 *
 * @since 0.1.0
 */
public class SessionProperties {
  /**
   * Kind of session: default (cookies, cache and credentials may be kept on disk), ephemeral
   * (nothing is written to disk) or background (downloads and file uploads kept in a durable
   * store, continued after a restart; needs an identifier).
   */
  private SessionConfiguration.@Nullable Kind type;

  /**
   * Idle timeout: how long a task waits for more data before it fails, unless its request sets
   * its own. A number without a unit is seconds, as Apple's timeoutIntervalForRequest.
   */
  @org.springframework.boot.convert.DurationUnit(java.time.temporal.ChronoUnit.SECONDS)
  private @Nullable Duration timeoutIntervalForRequest;

  /**
   * Longest time a task may take from its start before it fails. A number without a unit is
   * seconds, as Apple's timeoutIntervalForResource.
   */
  @org.springframework.boot.convert.DurationUnit(java.time.temporal.ChronoUnit.SECONDS)
  private @Nullable Duration timeoutIntervalForResource;

  /** Maximum number of HTTP/1.1 connections per host. */
  private @Nullable Integer httpMaximumConnectionsPerHost;

  /**
   * Headers added to every request that does not set them itself. A session's headers are
   * merged with those of defaults, its own value winning for the same name (compared
   * case-insensitively). Headers the session derives itself (Host, Content-Length, Connection,
   * Proxy-*, ...) are ignored.
   */
  private Map<String, String> httpAdditionalHeaders = new LinkedHashMap<>();

  /**
   * Names of headers that carry secrets (X-Api-Key, ...): like Authorization, Cookie and
   * Proxy-Authorization they never follow a redirect to another origin (scheme, host or port).
   * Those of defaults and of the session both apply.
   */
  private java.util.List<String> secretHeaders = new java.util.ArrayList<>();

  /** Cache policy of the requests that keep the default one. */
  private @Nullable CachePolicy requestCachePolicy;

  /** Proxy the session reaches servers through. */
  private final Proxy proxy = new Proxy();

  /** Which hosts may be loaded over cleartext http (App Transport Security). */
  private final TransportSecurity transportSecurity = new TransportSecurity();

  /** TLS trust material and client identity. */
  private final Ssl ssl = new Ssl();

  /** Lowest TLS version offered. */
  private @Nullable TlsVersion tlsMinimumSupportedProtocolVersion;

  /** Highest TLS version offered. */
  private @Nullable TlsVersion tlsMaximumSupportedProtocolVersion;

  /**
   * HTTP versions spoken: negotiate (HTTP/2 over TLS when the server offers it), http-1-1 or
   * http-2.
   */
  private @Nullable HttpVersionPolicy httpVersionPolicy;

  /**
   * Directory where the session keeps its files (downloads, cookies, cache, background
   * transfers). Ephemeral sessions keep nothing on disk: they ignore the one of defaults and
   * reject their own.
   */
  private @Nullable Path storageDirectory;

  /**
   * Whether a task that cannot connect (unknown host, refused, unreachable) waits and tries
   * again until timeout-interval-for-resource instead of failing at once.
   */
  private @Nullable Boolean waitsForConnectivity;

  /**
   * Identifier of a background session: unique in the application and stable across restarts
   * (1 to 80 letters, digits, '.', '_' or '-'). Required for type background, refused otherwise.
   */
  private @Nullable String identifier;

  /**
   * Whether a background session may hold its transfers back for better conditions (they run one
   * at a time).
   */
  private @Nullable Boolean discretionary;

  /** Where a background session keeps its transfers and how it runs them. */
  private final Background background = new Background();

  /** Cookie handling. */
  private final Cookies cookies = new Cookies();

  /** The HTTP cache. */
  private final Cache cache = new Cache();

  /** Credential storage for authentication challenges. */
  private final Credentials credentials = new Credentials();

  public SessionConfiguration.@Nullable Kind getType() {
    return type;
  }

  public void setType(SessionConfiguration.@Nullable Kind type) {
    this.type = type;
  }

  public @Nullable Duration getTimeoutIntervalForRequest() {
    return timeoutIntervalForRequest;
  }

  public void setTimeoutIntervalForRequest(@Nullable Duration timeoutIntervalForRequest) {
    this.timeoutIntervalForRequest = timeoutIntervalForRequest;
  }

  public @Nullable Duration getTimeoutIntervalForResource() {
    return timeoutIntervalForResource;
  }

  public void setTimeoutIntervalForResource(@Nullable Duration timeoutIntervalForResource) {
    this.timeoutIntervalForResource = timeoutIntervalForResource;
  }

  public @Nullable Integer getHttpMaximumConnectionsPerHost() {
    return httpMaximumConnectionsPerHost;
  }

  public void setHttpMaximumConnectionsPerHost(@Nullable Integer httpMaximumConnectionsPerHost) {
    this.httpMaximumConnectionsPerHost = httpMaximumConnectionsPerHost;
  }

  public Map<String, String> getHttpAdditionalHeaders() {
    return httpAdditionalHeaders;
  }

  public void setHttpAdditionalHeaders(Map<String, String> httpAdditionalHeaders) {
    this.httpAdditionalHeaders = httpAdditionalHeaders;
  }

  public java.util.List<String> getSecretHeaders() {
    return secretHeaders;
  }

  public void setSecretHeaders(java.util.List<String> secretHeaders) {
    this.secretHeaders = secretHeaders;
  }

  public @Nullable CachePolicy getRequestCachePolicy() {
    return requestCachePolicy;
  }

  public void setRequestCachePolicy(@Nullable CachePolicy requestCachePolicy) {
    this.requestCachePolicy = requestCachePolicy;
  }

  public Proxy getProxy() {
    return proxy;
  }

  public TransportSecurity getTransportSecurity() {
    return transportSecurity;
  }

  public Ssl getSsl() {
    return ssl;
  }

  public @Nullable TlsVersion getTlsMinimumSupportedProtocolVersion() {
    return tlsMinimumSupportedProtocolVersion;
  }

  public void setTlsMinimumSupportedProtocolVersion(@Nullable TlsVersion version) {
    this.tlsMinimumSupportedProtocolVersion = version;
  }

  public @Nullable TlsVersion getTlsMaximumSupportedProtocolVersion() {
    return tlsMaximumSupportedProtocolVersion;
  }

  public void setTlsMaximumSupportedProtocolVersion(@Nullable TlsVersion version) {
    this.tlsMaximumSupportedProtocolVersion = version;
  }

  public @Nullable HttpVersionPolicy getHttpVersionPolicy() {
    return httpVersionPolicy;
  }

  public void setHttpVersionPolicy(@Nullable HttpVersionPolicy httpVersionPolicy) {
    this.httpVersionPolicy = httpVersionPolicy;
  }

  public @Nullable Path getStorageDirectory() {
    return storageDirectory;
  }

  public void setStorageDirectory(@Nullable Path storageDirectory) {
    this.storageDirectory = storageDirectory;
  }

  public @Nullable Boolean getWaitsForConnectivity() {
    return waitsForConnectivity;
  }

  public void setWaitsForConnectivity(@Nullable Boolean waitsForConnectivity) {
    this.waitsForConnectivity = waitsForConnectivity;
  }

  public @Nullable String getIdentifier() {
    return identifier;
  }

  public void setIdentifier(@Nullable String identifier) {
    this.identifier = identifier;
  }

  public @Nullable Boolean getDiscretionary() {
    return discretionary;
  }

  public void setDiscretionary(@Nullable Boolean discretionary) {
    this.discretionary = discretionary;
  }

  public Background getBackground() {
    return background;
  }

  public Cookies getCookies() {
    return cookies;
  }

  public Cache getCache() {
    return cache;
  }

  public Credentials getCredentials() {
    return credentials;
  }

  /** Where background transfers are kept. */
  public enum StoreType {
    /** A file-backed HSQLDB database under the storage directory, created on first use. */
    EMBEDDED,
    /** The application's DataSource bean (PostgreSQL is tested); required for clustered stores. */
    DATA_SOURCE
  }

  /**
   * Background session properties (type background only). Field by field, a session's value
   * overrides the one of defaults.
   *
   * @since 0.1.0
   */
  public static class Background {
    /** Where transfers are kept: embedded (a file database under the storage directory) or data-source (the application's DataSource). */
    private @Nullable StoreType store;

    /**
     * Whether several application instances share this session's transfers on one database (store
     * data-source only): each runs on one node at a time and a dead node's transfers are taken
     * over. Every node must see the same storage directory.
     */
    private @Nullable Boolean clustered;

    /** Name of the table the store uses (created if missing). */
    private @Nullable String tableName;

    /** How long after a node's last heartbeat its transfers are taken over (clustered stores). */
    private @Nullable Duration takeoverWindow;

    /** How often the store looks for transfers due to run. */
    private @Nullable Duration pollingInterval;

    /** Most transfers running at once; the others wait in the store. */
    private @Nullable Integer maxConcurrentTransfers;

    /** Longest time between two checkpoints of a running download (what a crash may lose). */
    private @Nullable Duration checkpointInterval;

    /** Most bytes written between two checkpoints of a running download. */
    private @Nullable DataSize checkpointBytes;

    /** Delay before the first retry of a transfer that failed transiently; it doubles each time. */
    private @Nullable Duration retryInitialDelay;

    /** Longest delay between two retries. */
    private @Nullable Duration retryMaximumDelay;

    /**
     * Whether transfers may run. When false every transfer is given up with the cancellation
     * reason background-updates-disabled.
     */
    private @Nullable Boolean transfersEnabled;

    /**
     * Free space the storage directory must keep; a download that would go below it is given up
     * with the reason insufficient-system-resources.
     */
    private @Nullable DataSize minimumFreeSpace;

    /**
     * Whether the session keeps the JVM running while its store holds transfers that are not
     * suspended, or events not yet delivered, so that an application without a web server does
     * not exit before its transfers end.
     */
    private @Nullable Boolean keepsProcessAlive;

    public @Nullable StoreType getStore() {
      return store;
    }

    public void setStore(@Nullable StoreType store) {
      this.store = store;
    }

    public @Nullable Boolean getClustered() {
      return clustered;
    }

    public void setClustered(@Nullable Boolean clustered) {
      this.clustered = clustered;
    }

    public @Nullable String getTableName() {
      return tableName;
    }

    public void setTableName(@Nullable String tableName) {
      this.tableName = tableName;
    }

    public @Nullable Duration getTakeoverWindow() {
      return takeoverWindow;
    }

    public void setTakeoverWindow(@Nullable Duration takeoverWindow) {
      this.takeoverWindow = takeoverWindow;
    }

    public @Nullable Duration getPollingInterval() {
      return pollingInterval;
    }

    public void setPollingInterval(@Nullable Duration pollingInterval) {
      this.pollingInterval = pollingInterval;
    }

    public @Nullable Integer getMaxConcurrentTransfers() {
      return maxConcurrentTransfers;
    }

    public void setMaxConcurrentTransfers(@Nullable Integer maxConcurrentTransfers) {
      this.maxConcurrentTransfers = maxConcurrentTransfers;
    }

    public @Nullable Duration getCheckpointInterval() {
      return checkpointInterval;
    }

    public void setCheckpointInterval(@Nullable Duration checkpointInterval) {
      this.checkpointInterval = checkpointInterval;
    }

    public @Nullable DataSize getCheckpointBytes() {
      return checkpointBytes;
    }

    public void setCheckpointBytes(@Nullable DataSize checkpointBytes) {
      this.checkpointBytes = checkpointBytes;
    }

    public @Nullable Duration getRetryInitialDelay() {
      return retryInitialDelay;
    }

    public void setRetryInitialDelay(@Nullable Duration retryInitialDelay) {
      this.retryInitialDelay = retryInitialDelay;
    }

    public @Nullable Duration getRetryMaximumDelay() {
      return retryMaximumDelay;
    }

    public void setRetryMaximumDelay(@Nullable Duration retryMaximumDelay) {
      this.retryMaximumDelay = retryMaximumDelay;
    }

    public @Nullable Boolean getTransfersEnabled() {
      return transfersEnabled;
    }

    public void setTransfersEnabled(@Nullable Boolean transfersEnabled) {
      this.transfersEnabled = transfersEnabled;
    }

    public @Nullable DataSize getMinimumFreeSpace() {
      return minimumFreeSpace;
    }

    public void setMinimumFreeSpace(@Nullable DataSize minimumFreeSpace) {
      this.minimumFreeSpace = minimumFreeSpace;
    }

    public @Nullable Boolean getKeepsProcessAlive() {
      return keepsProcessAlive;
    }

    public void setKeepsProcessAlive(@Nullable Boolean keepsProcessAlive) {
      this.keepsProcessAlive = keepsProcessAlive;
    }
  }

  /**
   * Cookie properties.
   *
   * @since 0.1.0
   */
  public static class Cookies {
    /**
     * Whether the session has a cookie storage. When false, no cookie is stored or sent. Default
     * and background sessions keep cookies under their storage directory, ephemeral ones in
     * memory.
     */
    private @Nullable Boolean enabled;

    /** Which cookies responses may set: always, never or only-from-main-document-domain. */
    private @Nullable CookieAcceptPolicy acceptPolicy;

    /** Whether stored cookies are sent with requests. */
    private @Nullable Boolean shouldSet;

    public @Nullable Boolean getEnabled() {
      return enabled;
    }

    public void setEnabled(@Nullable Boolean enabled) {
      this.enabled = enabled;
    }

    public @Nullable CookieAcceptPolicy getAcceptPolicy() {
      return acceptPolicy;
    }

    public void setAcceptPolicy(@Nullable CookieAcceptPolicy acceptPolicy) {
      this.acceptPolicy = acceptPolicy;
    }

    public @Nullable Boolean getShouldSet() {
      return shouldSet;
    }

    public void setShouldSet(@Nullable Boolean shouldSet) {
      this.shouldSet = shouldSet;
    }
  }

  /**
   * HTTP cache properties.
   *
   * @since 0.1.0
   */
  public static class Cache {
    /**
     * Whether the session has an HTTP cache. When false, every response comes from the network
     * and nothing is stored.
     */
    private @Nullable Boolean enabled;

    /** Bytes of responses kept in memory. */
    private @Nullable DataSize memoryCapacity;

    /**
     * Bytes of responses kept on disk under the storage directory. Ephemeral sessions keep nothing
     * on disk: they ignore the one of defaults and reject their own.
     * Sessions sharing a storage directory share one cache, so they must agree on its sizes.
     */
    private @Nullable DataSize diskCapacity;

    public @Nullable Boolean getEnabled() {
      return enabled;
    }

    public void setEnabled(@Nullable Boolean enabled) {
      this.enabled = enabled;
    }

    public @Nullable DataSize getMemoryCapacity() {
      return memoryCapacity;
    }

    public void setMemoryCapacity(@Nullable DataSize memoryCapacity) {
      this.memoryCapacity = memoryCapacity;
    }

    public @Nullable DataSize getDiskCapacity() {
      return diskCapacity;
    }

    public void setDiskCapacity(@Nullable DataSize diskCapacity) {
      this.diskCapacity = diskCapacity;
    }
  }

  /**
   * Credential properties.
   *
   * @since 0.1.0
   */
  public static class Credentials {
    /**
     * Whether the session has a credential storage (the process-wide one for default sessions,
     * a private one in memory for ephemeral sessions). When false, challenges are answered only
     * by the delegate and by user:password in the URL.
     */
    private @Nullable Boolean enabled;

    public @Nullable Boolean getEnabled() {
      return enabled;
    }

    public void setEnabled(@Nullable Boolean enabled) {
      this.enabled = enabled;
    }
  }

  /**
   * Proxy properties. Field by field, a session's value overrides the one of defaults, except
   * that a session which sets {@code type} inherits none of the proxy settings of defaults.
   *
   * @since 0.1.0
   */
  public static class Proxy {
    /**
     * How servers are reached: system (the JVM's proxy selector), direct, http or socks. A
     * session that sets it inherits none of the other proxy settings of defaults.
     */
    private ProxyConfiguration.@Nullable Type type;

    /** Host name or address of the HTTP or SOCKS proxy. */
    private @Nullable String host;

    /** Port of the HTTP or SOCKS proxy. */
    private @Nullable Integer port;

    /** User name to authenticate with the proxy. */
    private @Nullable String username;

    /** Password to authenticate with the proxy. */
    private @Nullable String password;

    /**
     * Hosts reached without the proxy: exact host names or addresses, or *.domain for a domain
     * and its subdomains.
     */
    private @Nullable List<String> bypass;

    public ProxyConfiguration.@Nullable Type getType() {
      return type;
    }

    public void setType(ProxyConfiguration.@Nullable Type type) {
      this.type = type;
    }

    public @Nullable String getHost() {
      return host;
    }

    public void setHost(@Nullable String host) {
      this.host = host;
    }

    public @Nullable Integer getPort() {
      return port;
    }

    public void setPort(@Nullable Integer port) {
      this.port = port;
    }

    public @Nullable String getUsername() {
      return username;
    }

    public void setUsername(@Nullable String username) {
      this.username = username;
    }

    public @Nullable String getPassword() {
      return password;
    }

    public void setPassword(@Nullable String password) {
      this.password = password;
    }

    public @Nullable List<String> getBypass() {
      return bypass;
    }

    public void setBypass(@Nullable List<String> bypass) {
      this.bypass = bypass;
    }
  }

  /**
   * Transport security properties: the counterpart of Apple's App Transport Security.
   *
   * @since 0.1.0
   */
  public static class TransportSecurity {
    /** Whether cleartext http loads of any host are allowed. */
    private @Nullable Boolean allowsArbitraryLoads;

    /**
     * Whether cleartext http loads of local hosts are allowed: loopback, link-local and
     * site-local addresses, localhost, unqualified and .local names.
     */
    private @Nullable Boolean allowsLocalNetworking;

    /** Lowest TLS version allowed for connections to hosts without an exception domain. */
    private @Nullable TlsVersion minimumTlsVersion;

    /**
     * Domains with exceptions: cleartext http loads allowed, or another minimum TLS version. A
     * session's domains are merged with those of defaults, its own entry winning for the same
     * domain.
     */
    private List<ExceptionDomain> exceptionDomains = new ArrayList<>();

    public @Nullable Boolean getAllowsArbitraryLoads() {
      return allowsArbitraryLoads;
    }

    public void setAllowsArbitraryLoads(@Nullable Boolean allowsArbitraryLoads) {
      this.allowsArbitraryLoads = allowsArbitraryLoads;
    }

    public @Nullable Boolean getAllowsLocalNetworking() {
      return allowsLocalNetworking;
    }

    public void setAllowsLocalNetworking(@Nullable Boolean allowsLocalNetworking) {
      this.allowsLocalNetworking = allowsLocalNetworking;
    }

    public @Nullable TlsVersion getMinimumTlsVersion() {
      return minimumTlsVersion;
    }

    public void setMinimumTlsVersion(@Nullable TlsVersion minimumTlsVersion) {
      this.minimumTlsVersion = minimumTlsVersion;
    }

    public List<ExceptionDomain> getExceptionDomains() {
      return exceptionDomains;
    }

    public void setExceptionDomains(List<ExceptionDomain> exceptionDomains) {
      this.exceptionDomains = exceptionDomains;
    }
  }

  /**
   * The exceptions of one domain (Apple's {@code NSExceptionDomains} entry): cleartext http loads
   * allowed, a minimum TLS version of its own, or both.
   *
   * @since 0.1.0
   */
  public static class ExceptionDomain {
    /** Domain name, such as legacy.example.com. */
    private @Nullable String domain;

    /** Whether the exceptions apply to the subdomains of the domain too. */
    private @Nullable Boolean includesSubdomains;

    /** Whether cleartext http loads of the domain are allowed. */
    private @Nullable Boolean allowsInsecureHttpLoads;

    /** Lowest TLS version allowed for connections to the domain, above or below the general one. */
    private @Nullable TlsVersion minimumTlsVersion;

    public @Nullable String getDomain() {
      return domain;
    }

    public void setDomain(@Nullable String domain) {
      this.domain = domain;
    }

    public @Nullable Boolean getIncludesSubdomains() {
      return includesSubdomains;
    }

    public void setIncludesSubdomains(@Nullable Boolean includesSubdomains) {
      this.includesSubdomains = includesSubdomains;
    }

    public @Nullable Boolean getAllowsInsecureHttpLoads() {
      return allowsInsecureHttpLoads;
    }

    public void setAllowsInsecureHttpLoads(@Nullable Boolean allowsInsecureHttpLoads) {
      this.allowsInsecureHttpLoads = allowsInsecureHttpLoads;
    }

    public @Nullable TlsVersion getMinimumTlsVersion() {
      return minimumTlsVersion;
    }

    public void setMinimumTlsVersion(@Nullable TlsVersion minimumTlsVersion) {
      this.minimumTlsVersion = minimumTlsVersion;
    }
  }

  /**
   * TLS properties.
   *
   * @since 0.1.0
   */
  public static class Ssl {
    /**
     * Name of the SSL bundle (spring.ssl.bundle.*) whose trust material and key the session
     * uses instead of the JVM's.
     */
    private @Nullable String bundle;

    public @Nullable String getBundle() {
      return bundle;
    }

    public void setBundle(@Nullable String bundle) {
      this.bundle = bundle;
    }
  }
}
