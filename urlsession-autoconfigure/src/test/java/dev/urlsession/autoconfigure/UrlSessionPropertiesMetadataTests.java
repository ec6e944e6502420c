package dev.urlsession.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.urlsession.SessionConfiguration;
import dev.urlsession.background.BackgroundStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.configurationmetadata.ConfigurationMetadataProperty;
import org.springframework.boot.configurationmetadata.ValueHint;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.PropertySourcesPlaceholdersResolver;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.util.ClassUtils;
import org.springframework.util.unit.DataSize;

/**
 * The built {@code META-INF/spring-configuration-metadata.json} gives IDE help for every
 * property: a description that follows Spring Boot's rules (STYLE.md 13), the default value the
 * library really uses, and a hint for each value of a property with a fixed set of values.
 */
class UrlSessionPropertiesMetadataTests {
  private static final String DEFAULTS = PropertyPaths.DEFAULTS + ".";

  /** Properties without a default: unset means "none" (no header, no proxy host, no bundle, ...). */
  private static final Set<String> WITHOUT_DEFAULT = Set.of(
      "urlsession.sessions",
      "urlsession.http-service-groups",
      "urlsession.http-clients.session",
      DEFAULTS + "identifier",
      DEFAULTS + "http-additional-headers",
      DEFAULTS + "secret-headers",
      DEFAULTS + "proxy.host",
      DEFAULTS + "proxy.port",
      DEFAULTS + "proxy.username",
      DEFAULTS + "proxy.password",
      DEFAULTS + "proxy.bypass",
      DEFAULTS + "transport-security.exception-domains",
      DEFAULTS + "ssl.bundle");

  private static Map<String, ConfigurationMetadataProperty> properties;

  @BeforeAll
  static void readMetadata() {
    properties = ConfigurationMetadata.properties();
  }

  /**
   * The library's default of each property that has one, read from the library's own objects: a
   * default configuration (a builder of {@code SessionConfiguration.defaultConfiguration()}'s
   * values, on a temporary storage directory so that no file of the user's is read), a background
   * configuration, the embedded background store, and the properties' own initial values.
   */
  private static Map<String, Function<LibraryDefaults, Object>> expectedDefaults() {
    Map<String, Function<LibraryDefaults, Object>> expected = new LinkedHashMap<>();
    expected.put(DEFAULTS + "type", d -> d.config.kind());
    expected.put(DEFAULTS + "timeout-interval-for-request", d -> d.config.timeoutIntervalForRequest());
    expected.put(DEFAULTS + "timeout-interval-for-resource", d -> d.config.timeoutIntervalForResource());
    expected.put(DEFAULTS + "http-maximum-connections-per-host", d -> d.config.httpMaximumConnectionsPerHost());
    expected.put(DEFAULTS + "request-cache-policy", d -> d.config.requestCachePolicy());
    expected.put(DEFAULTS + "proxy.type", d -> d.config.proxy().type());
    expected.put(DEFAULTS + "transport-security.allows-arbitrary-loads",
        d -> d.config.transportSecurity().allowsArbitraryLoads());
    expected.put(DEFAULTS + "transport-security.allows-local-networking",
        d -> d.config.transportSecurity().allowsLocalNetworking());
    expected.put(DEFAULTS + "transport-security.minimum-tls-version",
        d -> d.config.transportSecurity().minimumTlsVersion());
    expected.put(DEFAULTS + "tls-minimum-supported-protocol-version", d -> d.config.tlsMinimumSupportedProtocolVersion());
    expected.put(DEFAULTS + "tls-maximum-supported-protocol-version", d -> d.config.tlsMaximumSupportedProtocolVersion());
    expected.put(DEFAULTS + "http-version-policy", d -> d.config.httpVersionPolicy());
    expected.put(DEFAULTS + "storage-directory", d -> SessionConfiguration.defaultStorageDirectory());
    expected.put(DEFAULTS + "waits-for-connectivity", d -> d.config.waitsForConnectivity());
    expected.put(DEFAULTS + "discretionary", d -> d.background.discretionary());
    expected.put(DEFAULTS + "background.store", d -> d.background.backgroundStore() == null
        && d.store.dataSource() == null ? SessionProperties.StoreType.EMBEDDED : SessionProperties.StoreType.DATA_SOURCE);
    expected.put(DEFAULTS + "background.clustered", d -> d.store.clustered());
    expected.put(DEFAULTS + "background.table-name", d -> d.store.tableName());
    expected.put(DEFAULTS + "background.takeover-window", d -> d.store.takeoverWindow());
    expected.put(DEFAULTS + "background.polling-interval", d -> d.store.pollingInterval());
    expected.put(DEFAULTS + "background.max-concurrent-transfers", d -> d.store.maxConcurrentTransfers());
    expected.put(DEFAULTS + "background.checkpoint-interval", d -> d.store.checkpointInterval());
    expected.put(DEFAULTS + "background.checkpoint-bytes", d -> DataSize.ofBytes(d.store.checkpointBytes()));
    expected.put(DEFAULTS + "background.retry-initial-delay", d -> d.store.retryInitialDelay());
    expected.put(DEFAULTS + "background.retry-maximum-delay", d -> d.store.retryMaximumDelay());
    expected.put(DEFAULTS + "background.transfers-enabled", d -> d.store.transfersEnabled());
    expected.put(DEFAULTS + "background.minimum-free-space", d -> DataSize.ofBytes(d.store.minimumFreeSpace()));
    expected.put(DEFAULTS + "background.keeps-process-alive", d -> d.store.keepsProcessAlive());
    expected.put(DEFAULTS + "cookies.enabled", d -> d.config.httpCookieStorage() != null);
    expected.put(DEFAULTS + "cookies.accept-policy", d -> d.config.httpCookieAcceptPolicy());
    expected.put(DEFAULTS + "cookies.should-set", d -> d.config.httpShouldSetCookies());
    expected.put(DEFAULTS + "cache.enabled", d -> d.config.httpCache() != null);
    expected.put(DEFAULTS + "cache.memory-capacity", d -> DataSize.ofBytes(d.config.httpCache().memoryCapacity()));
    expected.put(DEFAULTS + "cache.disk-capacity", d -> DataSize.ofBytes(d.config.httpCache().diskCapacity()));
    expected.put(DEFAULTS + "credentials.enabled", d -> d.config.credentialStorage() != null);
    expected.put("urlsession.events.enabled", d -> d.properties.getEvents().isEnabled());
    expected.put("urlsession.events.progress-interval", d -> d.properties.getEvents().getProgressInterval());
    expected.put("urlsession.observation.enabled", d -> d.properties.getObservation().isEnabled());
    expected.put("urlsession.observation.max-uri-tags", d -> d.properties.getObservation().getMaxUriTags());
    expected.put("urlsession.http-clients.enabled", d -> d.properties.getHttpClients().isEnabled());
    return expected;
  }

  private record LibraryDefaults(SessionConfiguration config, SessionConfiguration background,
      BackgroundStore store, UrlSessionProperties properties) {}

  @Test
  void metadataWhenAPropertyLacksADescriptionFails() {
    List<String> undocumented = new ArrayList<>();
    properties.forEach((name, p) -> {
      if (p.getDescription() == null || p.getDescription().isBlank()) {
        undocumented.add(name);
      }
    });
    assertThat(undocumented).as("properties without javadoc").isEmpty();
  }

  @Test
  void metadataCoversEverySessionOptionAndTheEventProperties() {
    assertThat(properties).containsKeys(
        "urlsession.sessions",
        "urlsession.defaults.type",
        "urlsession.defaults.timeout-interval-for-request",
        "urlsession.defaults.timeout-interval-for-resource",
        "urlsession.defaults.http-maximum-connections-per-host",
        "urlsession.defaults.http-additional-headers",
        "urlsession.defaults.secret-headers",
        "urlsession.defaults.request-cache-policy",
        "urlsession.defaults.proxy.type",
        "urlsession.defaults.proxy.host",
        "urlsession.defaults.proxy.port",
        "urlsession.defaults.proxy.username",
        "urlsession.defaults.proxy.password",
        "urlsession.defaults.proxy.bypass",
        "urlsession.defaults.transport-security.allows-arbitrary-loads",
        "urlsession.defaults.transport-security.allows-local-networking",
        "urlsession.defaults.transport-security.minimum-tls-version",
        "urlsession.defaults.transport-security.exception-domains",
        "urlsession.defaults.ssl.bundle",
        "urlsession.defaults.tls-minimum-supported-protocol-version",
        "urlsession.defaults.tls-maximum-supported-protocol-version",
        "urlsession.defaults.http-version-policy",
        "urlsession.defaults.storage-directory",
        "urlsession.events.enabled",
        "urlsession.events.progress-interval");
  }

  @Test
  void descriptionsFollowSpringBootsRules() {
    properties.forEach((name, p) -> {
      String description = String.valueOf(p.getDescription());
      assertThat(description).as(name).doesNotStartWith("The ").doesNotStartWith("A ").endsWith(".");
      if ("java.lang.Boolean".equals(p.getType())) {
        assertThat(description).as(name).startsWith("Whether ");
      }
      assertThat(description).as(name).doesNotContainIgnoringCase("default is")
          .doesNotContainIgnoringCase("defaults to").doesNotContainIgnoringCase("by default");
    });
  }

  @Test
  void durationsAreDurations() {
    properties.forEach((name, p) -> {
      if (name.endsWith("-interval") || name.contains("timeout")) {
        assertThat(p.getType()).as(name).isEqualTo("java.time.Duration");
      }
    });
  }

  @Test
  void sessionsWhenCompletedByAnIdeOfferTheOptionsOfANamedSession() {
    // The metadata format has no wildcard names: IDEs complete urlsession.sessions.<name>.* from
    // the map's value type, the way Spring Boot documents its own map-valued groups.
    assertThat(properties.get("urlsession.sessions").getType())
        .isEqualTo("java.util.Map<java.lang.String,dev.urlsession.autoconfigure.NamedSessionProperties>");
  }

  @Test
  void defaultValueWhenDocumentedIsTheLibrarysOwnDefault(@TempDir Path storage) {
    SessionConfiguration config = SessionConfiguration.builder().storageDirectory(storage).build();
    SessionConfiguration background = SessionConfiguration.backgroundBuilder("metadata-tests")
        .storageDirectory(storage).build();
    LibraryDefaults library = new LibraryDefaults(config, background, BackgroundStore.embedded(),
        new UrlSessionProperties());
    expectedDefaults().forEach((name, expected) -> {
      ConfigurationMetadataProperty property = properties.get(name);
      assertThat(property).as(name + " in the metadata").isNotNull();
      assertThat(property.getDefaultValue()).as(name + " defaultValue").isNotNull();
      assertThat(bind(property)).as(name + " defaultValue " + property.getDefaultValue())
          .isEqualTo(expected.apply(library));
    });
  }

  @Test
  void defaultValueWhenAPropertyHasOneIsDocumentedAndCheckedAgainstTheLibrary() {
    Set<String> documented = new TreeSet<>();
    Set<String> unclassified = new TreeSet<>();
    Map<String, Function<LibraryDefaults, Object>> expected = expectedDefaults();
    properties.forEach((name, p) -> {
      if (p.getDefaultValue() != null) {
        documented.add(name);
      }
      if (!expected.containsKey(name) && !WITHOUT_DEFAULT.contains(name)) {
        unclassified.add(name);
      }
    });
    assertThat(unclassified).as("properties neither checked against the library's default nor known to have none")
        .isEmpty();
    assertThat(documented).as("properties with a defaultValue").isEqualTo(new TreeSet<>(expected.keySet()));
  }

  @Test
  void hintsWhenAPropertyHasAFixedSetOfValuesOfferEachValueWithADescription() {
    List<String> enums = new ArrayList<>();
    properties.forEach((name, p) -> {
      Class<?> type = type(p);
      if (type == null || !type.isEnum()) {
        assertThat(p.getHints().getValueHints()).as(name + " has no fixed set of values").isEmpty();
        return;
      }
      enums.add(name);
      List<String> constants = Arrays.stream(type.getEnumConstants())
          .map(c -> ((Enum<?>) c).name().toLowerCase(Locale.ROOT).replace('_', '-')).toList();
      List<ValueHint> hints = p.getHints().getValueHints();
      assertThat(hints).as(name + " hints").extracting(h -> String.valueOf(h.getValue()))
          .containsExactlyElementsOf(constants);
      assertThat(hints).as(name + " hint descriptions")
          .allSatisfy(h -> assertThat(h.getDescription()).isNotBlank().endsWith("."));
      if (p.getDefaultValue() != null) {
        assertThat(constants).as(name + " defaultValue is one of its values").contains(p.getDefaultValue().toString());
      }
    });
    assertThat(enums).contains(DEFAULTS + "type", DEFAULTS + "cookies.accept-policy", DEFAULTS + "proxy.type",
        DEFAULTS + "http-version-policy", DEFAULTS + "request-cache-policy",
        DEFAULTS + "tls-minimum-supported-protocol-version", DEFAULTS + "tls-maximum-supported-protocol-version",
        DEFAULTS + "transport-security.minimum-tls-version", DEFAULTS + "background.store");
  }

  /** The defaultValue bound to the property's type as Spring Boot binds a configured value. */
  private static Object bind(ConfigurationMetadataProperty property) {
    Binder binder = new Binder(List.of(new MapConfigurationPropertySource(Map.of("value", property.getDefaultValue()))),
        new PropertySourcesPlaceholdersResolver(new StandardEnvironment()));
    return binder.bind("value", Bindable.of(type(property))).get();
  }

  private static Class<?> type(ConfigurationMetadataProperty property) {
    String type = property.getType();
    if (type == null || type.contains("<")) {
      return null;
    }
    return ClassUtils.resolveClassName(type, UrlSessionPropertiesMetadataTests.class.getClassLoader());
  }
}
