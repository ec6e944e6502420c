package dev.urlsession.autoconfigure;

import dev.urlsession.ProxyConfiguration;
import dev.urlsession.SessionConfiguration;
import dev.urlsession.SessionConfiguration.Kind;
import dev.urlsession.TlsVersion;
import dev.urlsession.TransportSecurityPolicy;
import dev.urlsession.background.BackgroundStore;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.PropertyMapper;
import org.springframework.boot.ssl.NoSuchSslBundleException;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.util.unit.DataSize;

/**
 * Maps {@link SessionProperties} onto a fresh {@link SessionConfiguration.Builder}: first the
 * library defaults ({@code SessionConfiguration.defaultConfiguration()} or {@code ephemeral()},
 * the single source of default values), then {@code urlsession.defaults}, then the session's own
 * properties. The bound objects are only read.
 *
 * <p>Every value is checked here, so that a bad one fails with an
 * {@link InvalidSessionConfigurationException} naming the property it came from.
 */
final class SessionConfigurationPropertyMapper {
  private final @Nullable SslBundles sslBundles;
  /** The application's DataSource, for background stores on it; null when there is none. */
  private final Supplier<@Nullable DataSource> dataSource;

  SessionConfigurationPropertyMapper(@Nullable SslBundles sslBundles) {
    this(sslBundles, () -> null);
  }

  SessionConfigurationPropertyMapper(@Nullable SslBundles sslBundles, Supplier<@Nullable DataSource> dataSource) {
    this.sslBundles = sslBundles;
    this.dataSource = dataSource;
  }

  /**
   * A builder for session {@code name} holding every configured value; customizers may still
   * change it before it is built.
   *
   * @throws InvalidSessionConfigurationException for a value that cannot be used
   */
  SessionConfiguration.Builder map(String name, SessionProperties defaults, SessionProperties session) {
    List<Layer> layers = List.of(new Layer(PropertyPaths.DEFAULTS, defaults, true),
        new Layer(PropertyPaths.session(name), session, false));
    Kind kind = kind(layers);
    // A builder, not a built preset: building a default configuration opens the cache and cookies
    // of ~/.urlsession, even for a session whose storage directory is elsewhere.
    SessionConfiguration.Builder builder = kind == Kind.EPHEMERAL ? SessionConfiguration.ephemeral().toBuilder()
        : kind == Kind.BACKGROUND ? SessionConfiguration.backgroundBuilder(identifier(layers))
        : SessionConfiguration.builder();
    checkIdentifier(layers, kind);
    // The library's defaults of what the layers change below, the same for every kind (an
    // ephemeral configuration touches no file).
    SessionConfiguration preset = SessionConfiguration.ephemeral();
    Map<String, String> headers = new LinkedHashMap<>(preset.httpAdditionalHeaders());
    java.util.Set<String> secrets = new java.util.LinkedHashSet<>();
    ProxySettings proxy = new ProxySettings(preset.proxy());
    TransportSettings transport = new TransportSettings(preset.transportSecurity());
    Setting<TlsVersion> tlsMinimum = new Setting<>(preset.tlsMinimumSupportedProtocolVersion());
    Setting<TlsVersion> tlsMaximum = new Setting<>(preset.tlsMaximumSupportedProtocolVersion());
    Setting<String> sslBundle = new Setting<>(null);
    Setting<Boolean> cookies = new Setting<>(true);
    Setting<Boolean> cache = new Setting<>(true);
    Setting<Boolean> credentials = new Setting<>(true);
    PropertyMapper map = PropertyMapper.get();
    for (Layer layer : layers) {
      SessionProperties p = layer.properties;
      map.from(p.getCookies()::getEnabled).to(v -> cookies.set(v, layer.path("cookies.enabled")));
      map.from(p.getCookies()::getAcceptPolicy).to(builder::httpCookieAcceptPolicy);
      map.from(p.getCookies()::getShouldSet).to(builder::httpShouldSetCookies);
      map.from(p.getCache()::getEnabled).to(v -> cache.set(v, layer.path("cache.enabled")));
      map.from(p.getCredentials()::getEnabled).to(v -> credentials.set(v, layer.path("credentials.enabled")));
      map.from(p::getTimeoutIntervalForRequest).to(v -> apply(layer.path("timeout-interval-for-request"),
          v, builder::timeoutIntervalForRequest, "must be a positive duration",
          "a positive duration, such as 30s"));
      map.from(p::getTimeoutIntervalForResource).to(v -> apply(layer.path("timeout-interval-for-resource"),
          v, builder::timeoutIntervalForResource, "must be a positive duration",
          "a positive duration, such as 10m"));
      map.from(p::getHttpMaximumConnectionsPerHost).to(v -> apply(
          layer.path("http-maximum-connections-per-host"), v, builder::httpMaximumConnectionsPerHost,
          "must be a positive number", "a positive number, such as 6"));
      map.from(p::getRequestCachePolicy).to(builder::requestCachePolicy);
      map.from(p::getHttpVersionPolicy).to(builder::httpVersionPolicy);
      map.from(p::getWaitsForConnectivity).to(builder::waitsForConnectivity);
      map.from(p::getDiscretionary).to(builder::discretionary);
      map.from(p::getTlsMinimumSupportedProtocolVersion)
          .to(v -> tlsMinimum.set(v, layer.path("tls-minimum-supported-protocol-version")));
      map.from(p::getTlsMaximumSupportedProtocolVersion)
          .to(v -> tlsMaximum.set(v, layer.path("tls-maximum-supported-protocol-version")));
      map.from(p.getSsl()::getBundle).to(v -> sslBundle.set(v, layer.path("ssl.bundle")));
      map.from(p::getStorageDirectory).to(v -> storageDirectory(layer, kind, v, builder));
      mergeHeaders(layer, headers);
      addSecretHeaders(layer, secrets);
      proxy.apply(layer);
      transport.apply(layer);
    }
    builder.httpAdditionalHeaders(headers);
    builder.secretHeaders(secrets);
    builder.tlsMinimumSupportedProtocolVersion(tlsMinimum.value);
    builder.tlsMaximumSupportedProtocolVersion(tlsMaximum.value);
    checkTlsVersions(tlsMinimum, tlsMaximum);
    if (proxy.changed) {
      builder.proxy(proxy.build());
    }
    if (transport.changed) {
      builder.transportSecurity(transport.build());
    }
    if (sslBundle.value != null) {
      builder.sslContext(sslContext(sslBundle.value, sslBundle.path));
    }
    if (kind == Kind.BACKGROUND) {
      builder.backgroundStore(backgroundStore(layers));
    } else {
      rejectBackgroundSettings(layers);
    }
    if (!cookies.value) {
      builder.httpCookieStorage(null);
    }
    if (!credentials.value) {
      builder.credentialStorage(null);
    }
    if (!cache.value) {
      builder.httpCache(null);
      CacheSizes sizes = cacheSizes(layers, kind);
      String path = sizes == null ? null
          : sizes.memoryPath != null && !sizes.memoryPath.startsWith(PropertyPaths.DEFAULTS) ? sizes.memoryPath
          : sizes.diskPath != null && !sizes.diskPath.startsWith(PropertyPaths.DEFAULTS) ? sizes.diskPath
          : null;
      if (path != null) { // sizes of defaults apply to the sessions that have a cache only
        throw new InvalidSessionConfigurationException(path, null,
            "the session has no cache: " + cache.path + " is false",
            "Remove " + path + ", or set " + cache.path + " to true.");
      }
    }
    return builder;
  }

  /**
   * The cache capacities configured for session {@code name}, to apply to its configuration's
   * cache once built; {@code null} when none is set.
   *
   * @throws InvalidSessionConfigurationException for a negative size, or a disk size of an
   *     ephemeral session
   */
  @Nullable CacheSizes cacheSizes(String name, SessionProperties defaults, SessionProperties session) {
    List<Layer> layers = List.of(new Layer(PropertyPaths.DEFAULTS, defaults, true),
        new Layer(PropertyPaths.session(name), session, false));
    return cacheSizes(layers, kind(layers));
  }

  private static @Nullable CacheSizes cacheSizes(List<Layer> layers, Kind kind) {
    Setting<Long> memory = new Setting<>(null);
    Setting<Long> disk = new Setting<>(null);
    for (Layer layer : layers) {
      SessionProperties.Cache c = layer.properties.getCache();
      if (c.getMemoryCapacity() != null) {
        memory.set(bytes(layer.path("cache.memory-capacity"), c.getMemoryCapacity()),
            layer.path("cache.memory-capacity"));
      }
      if (c.getDiskCapacity() != null) {
        String path = layer.path("cache.disk-capacity");
        long size = bytes(path, c.getDiskCapacity());
        if (kind == Kind.EPHEMERAL) {
          if (!layer.defaults) {
            throw new InvalidSessionConfigurationException(path, PropertyPaths.text(c.getDiskCapacity()),
                "an ephemeral session keeps nothing on disk",
                "Remove " + path + ", or set " + layer.path("type") + " to default.");
          }
        } else {
          disk.set(size, path);
        }
      }
    }
    return memory.path == null && disk.path == null ? null
        : new CacheSizes(memory.value, memory.path, disk.value, disk.path);
  }

  private static long bytes(String path, DataSize size) {
    if (size.isNegative()) {
      throw new InvalidSessionConfigurationException(path, PropertyPaths.text(size),
          "a cache capacity cannot be negative",
          "Set " + path + " to a size such as 10MB, or 0B to keep nothing in that tier.");
    }
    return size.toBytes();
  }

  /** Cache capacities in bytes and the properties that set them ({@code null}: not set). */
  record CacheSizes(@Nullable Long memory, @Nullable String memoryPath, @Nullable Long disk,
      @Nullable String diskPath) {}

  private static Kind kind(List<Layer> layers) {
    Kind kind = Kind.DEFAULT;
    for (Layer layer : layers) {
      if (layer.properties.getType() != null) {
        kind = layer.properties.getType();
      }
    }
    return kind;
  }

  /** The session's background identifier, checked. */
  private static String identifier(List<Layer> layers) {
    Layer session = layers.get(layers.size() - 1);
    String path = session.path("identifier");
    String identifier = session.properties.getIdentifier();
    if (identifier == null) {
      throw new InvalidSessionConfigurationException(path, null,
          "a background session needs an identifier",
          "Set " + path + " to a name unique in the application and stable across restarts,"
              + " such as com.example.downloads.");
    }
    try {
      SessionConfiguration.backgroundBuilder(identifier);
    } catch (IllegalArgumentException e) {
      throw new InvalidSessionConfigurationException(path, identifier, String.valueOf(e.getMessage()),
          "Set " + path + " to 1 to 80 letters, digits, '.', '_' or '-', such as com.example.downloads.", e);
    }
    return identifier;
  }

  /** An identifier belongs to one background session: not to defaults, not to other kinds. */
  private static void checkIdentifier(List<Layer> layers, Kind kind) {
    for (Layer layer : layers) {
      String identifier = layer.properties.getIdentifier();
      if (identifier == null) {
        continue;
      }
      String path = layer.path("identifier");
      if (layer.defaults) {
        throw new InvalidSessionConfigurationException(path, identifier,
            "an identifier names one background session, so it cannot be shared by every session",
            "Move " + path + " to the background session it names.");
      }
      if (kind != Kind.BACKGROUND) {
        throw new InvalidSessionConfigurationException(path, identifier,
            "only background sessions have an identifier",
            "Remove " + path + ", or set " + layer.path("type") + " to background.");
      }
    }
  }

  /** The background store from {@code background.*}, layered field by field. */
  private BackgroundStore backgroundStore(List<Layer> layers) {
    BackgroundStore.Builder b = BackgroundStore.builder();
    Setting<SessionProperties.StoreType> store = new Setting<>(SessionProperties.StoreType.EMBEDDED);
    Setting<Boolean> clustered = new Setting<>(false);
    PropertyMapper map = PropertyMapper.get();
    for (Layer layer : layers) {
      SessionProperties.Background p = layer.properties.getBackground();
      map.from(p::getStore).to(v -> store.set(v, layer.path("background.store")));
      map.from(p::getClustered).to(v -> clustered.set(v, layer.path("background.clustered")));
      map.from(p::getTableName).to(v -> apply(layer.path("background.table-name"), v, b::tableName,
          "must be 1 to 60 letters, digits or '_'", "a table name such as urlsession_transfers"));
      map.from(p::getTakeoverWindow).to(v -> apply(layer.path("background.takeover-window"), v,
          b::takeoverWindow, "must be at least 1s", "a duration such as 60s"));
      map.from(p::getPollingInterval).to(v -> apply(layer.path("background.polling-interval"), v,
          b::pollingInterval, "must be at least 10ms", "a duration such as 1s"));
      map.from(p::getMaxConcurrentTransfers).to(v -> apply(layer.path("background.max-concurrent-transfers"),
          v, b::maxConcurrentTransfers, "must be 1 to 256", "a number from 1 to 256, such as 4"));
      map.from(p::getCheckpointInterval).to(v -> apply(layer.path("background.checkpoint-interval"), v,
          b::checkpointInterval, "must be at least 10ms", "a duration such as 2s"));
      map.from(p::getCheckpointBytes).to(v -> apply(layer.path("background.checkpoint-bytes"), v,
          size -> b.checkpointBytes(size.toBytes()), "must be at least 4KB", "a size such as 8MB"));
      map.from(p::getRetryInitialDelay).to(v -> apply(layer.path("background.retry-initial-delay"), v,
          b::retryInitialDelay, "must be at least 10ms", "a duration such as 1s"));
      map.from(p::getRetryMaximumDelay).to(v -> apply(layer.path("background.retry-maximum-delay"), v,
          b::retryMaximumDelay, "must be at least 10ms", "a duration such as 5m"));
      map.from(p::getTransfersEnabled).to(b::transfersEnabled);
      map.from(p::getMinimumFreeSpace).to(v -> apply(layer.path("background.minimum-free-space"), v,
          size -> b.minimumFreeSpace(size.toBytes()), "must not be negative", "a size such as 1GB"));
      map.from(p::getKeepsProcessAlive).to(b::keepsProcessAlive);
    }
    if (store.value == SessionProperties.StoreType.DATA_SOURCE) {
      DataSource source = dataSource.get();
      if (source == null) {
        throw new InvalidSessionConfigurationException(store.path, "data-source",
            "the application has no DataSource bean",
            "Configure a DataSource (spring.datasource.*), or set " + store.path + " to embedded.");
      }
      b.dataSource(source);
    }
    if (clustered.value) {
      if (store.value != SessionProperties.StoreType.DATA_SOURCE) {
        throw new InvalidSessionConfigurationException(clustered.path, "true",
            "a clustered store needs a database all instances share, and the store is embedded",
            "Set " + clustered.path.replace(".clustered", ".store") + " to data-source, or remove "
                + clustered.path + ".");
      }
      b.clustered(true);
    }
    return b.build();
  }

  /** {@code background.*} and {@code discretionary} of a session that is not a background one. */
  private static void rejectBackgroundSettings(List<Layer> layers) {
    Layer session = layers.get(layers.size() - 1);
    SessionProperties.Background p = session.properties.getBackground();
    String[][] set = {
        {"store", text(p.getStore())}, {"clustered", text(p.getClustered())},
        {"table-name", text(p.getTableName())}, {"takeover-window", text(p.getTakeoverWindow())},
        {"polling-interval", text(p.getPollingInterval())},
        {"max-concurrent-transfers", text(p.getMaxConcurrentTransfers())},
        {"checkpoint-interval", text(p.getCheckpointInterval())},
        {"checkpoint-bytes", text(p.getCheckpointBytes())},
        {"retry-initial-delay", text(p.getRetryInitialDelay())},
        {"retry-maximum-delay", text(p.getRetryMaximumDelay())},
        {"transfers-enabled", text(p.getTransfersEnabled())},
        {"minimum-free-space", text(p.getMinimumFreeSpace())},
        {"keeps-process-alive", text(p.getKeepsProcessAlive())}};
    for (String[] field : set) {
      if (field[1] != null) {
        String path = session.path("background." + field[0]);
        throw new InvalidSessionConfigurationException(path, field[1],
            "only background sessions have a background store",
            "Remove " + path + ", or set " + session.path("type") + " to background.");
      }
    }
  }

  private static @Nullable String text(@Nullable Object value) {
    return PropertyPaths.text(value);
  }

  private static <T> void apply(String path, T value, Consumer<T> setter, String reason, String expected) {
    try {
      setter.accept(value);
    } catch (IllegalArgumentException e) {
      throw new InvalidSessionConfigurationException(path, PropertyPaths.text(value), reason,
          "Set " + path + " to " + expected + ", or remove it to use the default.", e);
    }
  }

  private static void storageDirectory(Layer layer, Kind kind, java.nio.file.Path directory,
      SessionConfiguration.Builder builder) {
    if (kind == Kind.EPHEMERAL) {
      if (layer.defaults) {
        return; // the defaults' directory is for the kinds that keep files
      }
      String path = layer.path("storage-directory");
      throw new InvalidSessionConfigurationException(path, directory.toString(),
          "an ephemeral session keeps nothing on disk",
          "Remove " + path + ", or set " + layer.path("type") + " to default.");
    }
    builder.storageDirectory(directory);
  }

  private static void mergeHeaders(Layer layer, Map<String, String> headers) {
    String prefix = layer.path("http-additional-headers");
    for (Map.Entry<String, String> header : layer.properties.getHttpAdditionalHeaders().entrySet()) {
      String name = header.getKey();
      String value = header.getValue();
      String path = PropertyPaths.element(prefix, name);
      try {
        // Core's own checks: a token name, a value without control characters. A reserved header
        // (Content-Length, Host, ...) passes them and is then ignored by the session, as Apple's.
        SessionConfiguration.builder().httpAdditionalHeaders(Collections.singletonMap(name, value));
      } catch (IllegalArgumentException e) {
        throw new InvalidSessionConfigurationException(path, value, String.valueOf(e.getMessage()),
            "Use a header name that is an RFC 9110 token and a value without control"
                + " characters (CR, LF, NUL, ...) or characters above U+00FF.",
            e);
      }
      headers.keySet().removeIf(existing -> existing.equalsIgnoreCase(name));
      headers.put(name, value);
    }
  }

  private static void addSecretHeaders(Layer layer, java.util.Set<String> secrets) {
    java.util.List<String> names = layer.properties.getSecretHeaders();
    for (int i = 0; i < names.size(); i++) {
      String name = names.get(i);
      try {
        SessionConfiguration.builder().secretHeaders(Collections.singletonList(name));
      } catch (IllegalArgumentException e) {
        throw new InvalidSessionConfigurationException(layer.path("secret-headers") + "[" + i + "]",
            String.valueOf(name), String.valueOf(e.getMessage()),
            "Use a header name that is an RFC 9110 token, such as X-Api-Key.", e);
      }
      secrets.add(name);
    }
  }

  private static void checkTlsVersions(Setting<TlsVersion> minimum, Setting<TlsVersion> maximum) {
    if (minimum.value.compareTo(maximum.value) <= 0) {
      return;
    }
    String path = minimum.path != null ? minimum.path : maximum.path;
    Setting<TlsVersion> atFault = minimum.path != null ? minimum : maximum;
    throw new InvalidSessionConfigurationException(path, PropertyPaths.text(atFault.value),
        "the minimum TLS version " + PropertyPaths.text(minimum.value) + " is above the maximum "
            + PropertyPaths.text(maximum.value),
        "Set " + path + " so that the minimum TLS version is at or below the maximum.");
  }

  private SSLContext sslContext(String bundleName, String path) {
    if (bundleName.isBlank()) {
      throw new InvalidSessionConfigurationException(path, bundleName, "the bundle name is blank",
          "Set " + path + " to the name of an SSL bundle, or remove it.");
    }
    if (sslBundles == null) {
      throw new InvalidSessionConfigurationException(path, bundleName,
          "no SslBundles bean is available to look the bundle up",
          "Enable Spring Boot's SSL bundle support (SslAutoConfiguration) and define the bundle"
              + " under spring.ssl.bundle, or remove " + path + ".");
    }
    SslBundle bundle;
    try {
      bundle = sslBundles.getBundle(bundleName);
    } catch (NoSuchSslBundleException e) {
      List<String> known = sslBundles.getBundleNames();
      throw new InvalidSessionConfigurationException(path, bundleName,
          "there is no SSL bundle named '" + bundleName + "'",
          "Define it under spring.ssl.bundle.jks." + bundleName + " or spring.ssl.bundle.pem."
              + bundleName + ", or set " + path + " to "
              + (known.isEmpty() ? "a bundle you define (none is configured)."
                  : "one of the configured bundles: " + known + "."),
          e);
    }
    try {
      return bundle.createSslContext();
    } catch (RuntimeException e) {
      throw new InvalidSessionConfigurationException(path, bundleName,
          "the SSL bundle cannot create a TLS context: " + e.getMessage(),
          "Check the key and trust material of SSL bundle '" + bundleName + "'.", e);
    }
  }

  /** One source of values: {@code urlsession.defaults} or one session. */
  private static final class Layer {
    final String prefix;
    final SessionProperties properties;
    final boolean defaults;

    Layer(String prefix, SessionProperties properties, boolean defaults) {
      this.prefix = prefix;
      this.properties = properties;
      this.defaults = defaults;
    }

    String path(String key) {
      return prefix + "." + key;
    }
  }

  /** A value and the property that set it ({@code null} for the library default). */
  private static final class Setting<T> {
    @Nullable T value;
    @Nullable String path;

    Setting(@Nullable T initial) {
      this.value = initial;
    }

    void set(T value, String path) {
      this.value = value;
      this.path = path;
    }

    void clear() {
      this.value = null;
      this.path = null;
    }
  }

  /** The proxy, layered field by field; a session that sets the type starts over. */
  private static final class ProxySettings {
    boolean changed;
    final Setting<ProxyConfiguration.Type> type;
    final Setting<String> host = new Setting<>(null);
    final Setting<Integer> port = new Setting<>(null);
    final Setting<String> username = new Setting<>(null);
    final Setting<String> password = new Setting<>(null);
    final Setting<List<String>> bypass = new Setting<>(null);

    ProxySettings(ProxyConfiguration preset) {
      this.type = new Setting<>(preset.type());
    }

    void apply(Layer layer) {
      SessionProperties.Proxy p = layer.properties.getProxy();
      String prefix = layer.path("proxy");
      if (p.getType() != null) {
        if (!layer.defaults) {
          host.clear();
          port.clear();
          username.clear();
          password.clear();
          bypass.clear();
        }
        type.set(p.getType(), prefix + ".type");
        changed = true;
      }
      PropertyMapper map = PropertyMapper.get();
      map.from(p::getHost).to(v -> host.set(v, prefix + ".host"));
      map.from(p::getPort).to(v -> port.set(v, prefix + ".port"));
      map.from(p::getUsername).to(v -> username.set(v, prefix + ".username"));
      map.from(p::getPassword).to(v -> password.set(v, prefix + ".password"));
      map.from(p::getBypass).to(v -> bypass.set(v, prefix + ".bypass"));
      changed |= host.path != null || port.path != null || username.path != null
          || password.path != null || bypass.path != null;
    }

    ProxyConfiguration build() {
      ProxyConfiguration.Type t = type.value;
      // Where the proxy was given its type: missing fields belong next to it.
      String typePrefix = type.path != null ? type.path.substring(0, type.path.lastIndexOf('.')) : null;
      String kind = PropertyPaths.text(t);
      if (t == ProxyConfiguration.Type.SYSTEM || t == ProxyConfiguration.Type.DIRECT) {
        for (Setting<?> field : List.of(host, port, username, password, bypass)) {
          if (field.path != null) {
            throw new InvalidSessionConfigurationException(field.path, text(field),
                "it applies only to http and socks proxies, and the proxy type is " + kind,
                "Remove " + field.path + ", or set "
                    + field.path.substring(0, field.path.lastIndexOf('.')) + ".type to http or socks.");
          }
        }
        return t == ProxyConfiguration.Type.SYSTEM ? ProxyConfiguration.system() : ProxyConfiguration.direct();
      }
      if (host.value == null) {
        throw missing(typePrefix + ".host", "an " + kind + " proxy needs a host",
            "the proxy's host name or address");
      }
      if (port.value == null) {
        throw missing(typePrefix + ".port", "an " + kind + " proxy needs a port", "the proxy's port");
      }
      ProxyConfiguration proxy;
      try {
        proxy = t == ProxyConfiguration.Type.HTTP
            ? ProxyConfiguration.http(host.value, port.value)
            : ProxyConfiguration.socks(host.value, port.value);
      } catch (IllegalArgumentException e) {
        boolean portAtFault = String.valueOf(e.getMessage()).contains("port");
        Setting<?> field = portAtFault ? port : host;
        throw new InvalidSessionConfigurationException(field.path, text(field), String.valueOf(e.getMessage()),
            "Set " + field.path + " to " + (portAtFault ? "a port from 1 to 65535." : "a host name or address."),
            e);
      }
      if (username.value != null || password.value != null) {
        if (username.value == null) {
          throw missing(typePrefix + ".username", "a proxy password needs a user name", "the user name");
        }
        if (password.value == null) {
          throw missing(typePrefix + ".password", "a proxy user name needs a password", "the password");
        }
        proxy = proxy.withCredentials(username.value, password.value);
      }
      if (bypass.value != null) {
        proxy = proxy.withBypass(bypass.value);
      }
      return proxy;
    }

    private static @Nullable String text(Setting<?> field) {
      return field.path != null && field.path.endsWith(".password") ? "******" : PropertyPaths.text(field.value);
    }

    private static InvalidSessionConfigurationException missing(String path, String reason, String what) {
      return new InvalidSessionConfigurationException(path, null, reason, "Set " + path + " to " + what + ".");
    }
  }

  /** The transport security policy, layered field by field, exception domains merged by domain. */
  private static final class TransportSettings {
    boolean changed;
    boolean allowsArbitraryLoads;
    boolean allowsLocalNetworking;
    TlsVersion minimumTlsVersion;
    /** Lower-case domain to its exceptions, in the order first configured. */
    final Map<String, DomainExceptions> exceptionDomains = new LinkedHashMap<>();

    TransportSettings(TransportSecurityPolicy preset) {
      // The preset is the library's default policy; its per-domain TLS minimums cannot be read.
      this.allowsArbitraryLoads = preset.allowsArbitraryLoads();
      this.allowsLocalNetworking = preset.allowsLocalNetworking();
      this.minimumTlsVersion = preset.minimumTlsVersion();
      preset.exceptionDomains().forEach((domain, subdomains) ->
          exceptionDomains.put(domain, new DomainExceptions(domain, subdomains, true, null, null)));
    }

    void apply(Layer layer) {
      SessionProperties.TransportSecurity t = layer.properties.getTransportSecurity();
      String prefix = layer.path("transport-security");
      PropertyMapper map = PropertyMapper.get();
      map.from(t::getAllowsArbitraryLoads).to(v -> {
        allowsArbitraryLoads = v;
        changed = true;
      });
      map.from(t::getAllowsLocalNetworking).to(v -> {
        allowsLocalNetworking = v;
        changed = true;
      });
      map.from(t::getMinimumTlsVersion).to(v -> {
        minimumTlsVersion = v;
        changed = true;
      });
      List<SessionProperties.ExceptionDomain> domains = t.getExceptionDomains();
      for (int i = 0; i < domains.size(); i++) {
        SessionProperties.ExceptionDomain d = domains.get(i);
        String path = prefix + ".exception-domains[" + i + "]";
        String domain = d.getDomain();
        if (domain == null || domain.isBlank()) {
          throw new InvalidSessionConfigurationException(path + ".domain", domain,
              "an exception domain needs a domain name",
              "Set " + path + ".domain to a domain name such as legacy.example.com.");
        }
        boolean insecure = Boolean.TRUE.equals(d.getAllowsInsecureHttpLoads());
        if (!insecure && d.getMinimumTlsVersion() == null) {
          throw new InvalidSessionConfigurationException(path + ".allows-insecure-http-loads",
              PropertyPaths.text(d.getAllowsInsecureHttpLoads()),
              "exception domain " + domain + " makes no exception",
              "Set " + path + ".allows-insecure-http-loads to true, or " + path
                  + ".minimum-tls-version to a TLS version, or remove the entry.");
        }
        exceptionDomains.put(domain.trim().toLowerCase(Locale.ROOT), new DomainExceptions(domain.trim(),
            Boolean.TRUE.equals(d.getIncludesSubdomains()), insecure, d.getMinimumTlsVersion(), path));
        changed = true;
      }
    }

    TransportSecurityPolicy build() {
      TransportSecurityPolicy.Builder b = TransportSecurityPolicy.builder()
          .allowsArbitraryLoads(allowsArbitraryLoads)
          .allowsLocalNetworking(allowsLocalNetworking)
          .minimumTlsVersion(minimumTlsVersion);
      for (DomainExceptions e : exceptionDomains.values()) {
        try {
          if (e.allowsInsecureHttpLoads) {
            b.exceptionDomain(e.domain, e.includesSubdomains);
          }
          if (e.minimumTlsVersion != null) {
            b.minimumTlsVersion(e.domain, e.includesSubdomains, e.minimumTlsVersion);
          }
        } catch (IllegalArgumentException ex) {
          String path = e.path + ".domain";
          throw new InvalidSessionConfigurationException(path, e.domain, String.valueOf(ex.getMessage()),
              "Set " + path + " to a domain name such as legacy.example.com.", ex);
        }
      }
      return b.build();
    }
  }

  /** One exception domain as configured, and the path of its entry. */
  private static final class DomainExceptions {
    final String domain;
    final boolean includesSubdomains;
    final boolean allowsInsecureHttpLoads;
    final @Nullable TlsVersion minimumTlsVersion;
    final @Nullable String path;

    DomainExceptions(String domain, boolean includesSubdomains, boolean allowsInsecureHttpLoads,
        @Nullable TlsVersion minimumTlsVersion, @Nullable String path) {
      this.domain = domain;
      this.includesSubdomains = includesSubdomains;
      this.allowsInsecureHttpLoads = allowsInsecureHttpLoads;
      this.minimumTlsVersion = minimumTlsVersion;
      this.path = path;
    }
  }
}
