package dev.urlsession;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.urlsession.spi.ProtocolHandler;
import dev.urlsession.spi.ProtocolLoad;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link SessionConfiguration}: Apple's defaults (API.md, URLSESSION-BEHAVIOUR.md 1), validation, immutability. */
class SessionConfigurationTests {
  static final class NoopHandler implements ProtocolHandler {
    @Override
    public boolean canHandle(Request request) {
      return false;
    }

    @Override
    public void startLoading(ProtocolLoad load) {}

    @Override
    public void stopLoading(ProtocolLoad load) {}
  }

  static void assertAppleDefaults(SessionConfiguration c) {
    assertThat(c.identifier()).isNull();
    assertThat(c.timeoutIntervalForRequest()).isEqualTo(Duration.ofSeconds(60));
    assertThat(c.timeoutIntervalForResource()).isEqualTo(Duration.ofDays(7));
    assertThat(c.timeoutIntervalForResource()).isEqualTo(Duration.ofSeconds(604_800));
    assertThat(c.httpMaximumConnectionsPerHost()).isEqualTo(6);
    assertThat(c.httpAdditionalHeaders()).isEmpty();
    assertThat(c.requestCachePolicy()).isEqualTo(CachePolicy.USE_PROTOCOL_CACHE_POLICY);
    assertThat(c.protocolHandlers()).isEmpty();
    assertThat(c.proxy()).isSameAs(ProxyConfiguration.system());
    assertThat(c.transportSecurity()).isSameAs(TransportSecurityPolicy.defaultPolicy());
    assertThat(c.sslContext()).isNull();
    assertThat(c.tlsMinimumSupportedProtocolVersion()).isEqualTo(TlsVersion.TLS_1_2);
    assertThat(c.tlsMaximumSupportedProtocolVersion()).isEqualTo(TlsVersion.TLS_1_3);
    assertThat(c.httpVersionPolicy()).isEqualTo(HttpVersionPolicy.NEGOTIATE);
  }

  @Test
  void defaultConfigurationWhenCreatedHasAppleDefaults() {
    SessionConfiguration c = SessionConfiguration.defaultConfiguration();

    assertThat(c.kind()).isEqualTo(SessionConfiguration.Kind.DEFAULT);
    assertAppleDefaults(c);
    assertThat(c.storageDirectory()).isEqualTo(SessionConfiguration.defaultStorageDirectory());
    assertThat(SessionConfiguration.defaultStorageDirectory())
        .isEqualTo(Path.of(System.getProperty("user.home"), ".urlsession"));
  }

  @Test
  void ephemeralWhenCreatedHasAppleDefaultsAndNoStorageDirectory() {
    SessionConfiguration c = SessionConfiguration.ephemeral();

    assertThat(c.kind()).isEqualTo(SessionConfiguration.Kind.EPHEMERAL);
    assertAppleDefaults(c);
    assertThat(c.storageDirectory()).isNull();
  }

  @Test
  void builderWhenNothingSetBuildsDefaultKind() {
    SessionConfiguration c = SessionConfiguration.builder().build();

    assertThat(c.kind()).isEqualTo(SessionConfiguration.Kind.DEFAULT);
    assertAppleDefaults(c);
  }

  @Test
  void kindWhenListedHasAppleKindsInOrder() {
    assertThat(SessionConfiguration.Kind.values())
        .containsExactly(
            SessionConfiguration.Kind.DEFAULT,
            SessionConfiguration.Kind.EPHEMERAL,
            SessionConfiguration.Kind.BACKGROUND);
  }

  @Test
  void factoriesWhenCalledTwiceReturnNewObjects() {
    assertThat(SessionConfiguration.defaultConfiguration())
        .isNotSameAs(SessionConfiguration.defaultConfiguration());
    assertThat(SessionConfiguration.ephemeral()).isNotSameAs(SessionConfiguration.ephemeral());
    assertThat(SessionConfiguration.builder()).isNotSameAs(SessionConfiguration.builder());
  }

  @Test
  void toBuilderWhenChangedLeavesOriginalAndLaterFactoriesUnchanged() {
    SessionConfiguration original = SessionConfiguration.defaultConfiguration();

    SessionConfiguration changed = original.toBuilder()
        .timeoutIntervalForRequest(Duration.ofSeconds(5))
        .httpAdditionalHeaders(Map.of("Accept", "application/json"))
        .build();

    assertThat(changed.timeoutIntervalForRequest()).isEqualTo(Duration.ofSeconds(5));
    assertThat(original.timeoutIntervalForRequest()).isEqualTo(Duration.ofSeconds(60));
    assertThat(original.httpAdditionalHeaders()).isEmpty();
    assertAppleDefaults(SessionConfiguration.defaultConfiguration());
  }

  @Test
  void toBuilderWhenBuiltAgainKeepsEveryValue() throws Exception {
    ProtocolHandler handler = new NoopHandler();
    SSLContext ssl = SSLContext.getDefault();
    ProxyConfiguration proxy = ProxyConfiguration.http("proxy.internal", 3128);
    TransportSecurityPolicy ats = TransportSecurityPolicy.allowingArbitraryLoads();
    Path storage = Path.of("build", "sessions").toAbsolutePath().normalize();
    SessionConfiguration original = SessionConfiguration.builder()
        .timeoutIntervalForRequest(Duration.ofSeconds(11))
        .timeoutIntervalForResource(Duration.ofMinutes(22))
        .httpMaximumConnectionsPerHost(33)
        .httpAdditionalHeaders(Map.of("X-A", "1"))
        .requestCachePolicy(CachePolicy.RELOAD_IGNORING_LOCAL_CACHE_DATA)
        .protocolHandlers(List.of(handler))
        .proxy(proxy)
        .transportSecurity(ats)
        .sslContext(ssl)
        .tlsMinimumSupportedProtocolVersion(TlsVersion.TLS_1_3)
        .tlsMaximumSupportedProtocolVersion(TlsVersion.TLS_1_3)
        .httpVersionPolicy(HttpVersionPolicy.HTTP_1_1)
        .storageDirectory(storage)
        .maximumContentDecodingRatio(7)
        .maximumInMemoryBodySize(1234)
        .build();

    SessionConfiguration copy = original.toBuilder().build();

    assertThat(copy).isNotSameAs(original);
    assertThat(copy.kind()).isEqualTo(SessionConfiguration.Kind.DEFAULT);
    assertThat(copy.identifier()).isNull();
    assertThat(copy.timeoutIntervalForRequest()).isEqualTo(Duration.ofSeconds(11));
    assertThat(copy.timeoutIntervalForResource()).isEqualTo(Duration.ofMinutes(22));
    assertThat(copy.httpMaximumConnectionsPerHost()).isEqualTo(33);
    assertThat(copy.httpAdditionalHeaders()).containsExactly(Map.entry("X-A", "1"));
    assertThat(copy.requestCachePolicy()).isEqualTo(CachePolicy.RELOAD_IGNORING_LOCAL_CACHE_DATA);
    assertThat(copy.protocolHandlers()).containsExactly(handler);
    assertThat(copy.proxy()).isSameAs(proxy);
    assertThat(copy.transportSecurity()).isSameAs(ats);
    assertThat(copy.sslContext()).isSameAs(ssl);
    assertThat(copy.tlsMinimumSupportedProtocolVersion()).isEqualTo(TlsVersion.TLS_1_3);
    assertThat(copy.tlsMaximumSupportedProtocolVersion()).isEqualTo(TlsVersion.TLS_1_3);
    assertThat(copy.httpVersionPolicy()).isEqualTo(HttpVersionPolicy.HTTP_1_1);
    assertThat(copy.storageDirectory()).isEqualTo(storage);
    assertThat(copy.maximumContentDecodingRatio()).isEqualTo(7);
    assertThat(copy.maximumInMemoryBodySize()).isEqualTo(1234);
  }

  @Test
  void memoryLimitsWhenNotSetHaveTheirDocumentedDefaults() {
    for (SessionConfiguration c : List.of(SessionConfiguration.defaultConfiguration(),
        SessionConfiguration.ephemeral(), SessionConfiguration.background("limits"))) {
      assertThat(c.maximumContentDecodingRatio()).isEqualTo(200);
      assertThat(c.maximumInMemoryBodySize()).isEqualTo(64L * 1024 * 1024);
    }
  }

  @Test
  void maximumContentDecodingRatioWhenNegativeIsRejectedNamingItAndZeroMeansNoLimit() {
    assertThatThrownBy(() -> SessionConfiguration.builder().maximumContentDecodingRatio(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maximumContentDecodingRatio");
    assertThat(SessionConfiguration.builder().maximumContentDecodingRatio(0).build()
        .maximumContentDecodingRatio()).isZero();
  }

  @ParameterizedTest
  @ValueSource(longs = {0, -1, Long.MIN_VALUE})
  void maximumInMemoryBodySizeWhenNotPositiveIsRejectedNamingIt(long bytes) {
    assertThatThrownBy(() -> SessionConfiguration.builder().maximumInMemoryBodySize(bytes))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maximumInMemoryBodySize")
        .hasMessageContaining(String.valueOf(bytes));
  }

  @Test
  void toBuilderWhenEphemeralKeepsKindAndNoStorage() {
    SessionConfiguration copy = SessionConfiguration.ephemeral().toBuilder()
        .httpMaximumConnectionsPerHost(2)
        .build();

    assertThat(copy.kind()).isEqualTo(SessionConfiguration.Kind.EPHEMERAL);
    assertThat(copy.storageDirectory()).isNull();
    assertThat(copy.httpMaximumConnectionsPerHost()).isEqualTo(2);
  }

  @ParameterizedTest
  @ValueSource(longs = {0, -1, -60_000})
  void timeoutIntervalForRequestWhenNotPositiveIsRejectedNamingIt(long millis) {
    assertThatThrownBy(() -> SessionConfiguration.builder().timeoutIntervalForRequest(Duration.ofMillis(millis)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("timeoutIntervalForRequest");
  }

  @ParameterizedTest
  @ValueSource(longs = {0, -1, -60_000})
  void timeoutIntervalForResourceWhenNotPositiveIsRejectedNamingIt(long millis) {
    assertThatThrownBy(() -> SessionConfiguration.builder().timeoutIntervalForResource(Duration.ofMillis(millis)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("timeoutIntervalForResource");
  }

  @Test
  void timeoutsWhenNullAreRejectedNamingThem() {
    assertThatThrownBy(() -> SessionConfiguration.builder().timeoutIntervalForRequest(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("timeoutIntervalForRequest");
    assertThatThrownBy(() -> SessionConfiguration.builder().timeoutIntervalForResource(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("timeoutIntervalForResource");
  }

  @ParameterizedTest
  @ValueSource(ints = {0, -1, Integer.MIN_VALUE})
  void httpMaximumConnectionsPerHostWhenNotPositiveIsRejectedNamingIt(int max) {
    assertThatThrownBy(() -> SessionConfiguration.builder().httpMaximumConnectionsPerHost(max))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("httpMaximumConnectionsPerHost")
        .hasMessageContaining(String.valueOf(max));
  }

  @Test
  void httpMaximumConnectionsPerHostWhenOneIsAccepted() {
    assertThat(SessionConfiguration.builder().httpMaximumConnectionsPerHost(1).build()
        .httpMaximumConnectionsPerHost()).isEqualTo(1);
  }

  @Test
  void objectSettersWhenNullAreRejectedNamingTheOption() {
    Map<String, Runnable> setters = new LinkedHashMap<>();
    setters.put("proxy", () -> SessionConfiguration.builder().proxy(null));
    setters.put("transportSecurity", () -> SessionConfiguration.builder().transportSecurity(null));
    setters.put("requestCachePolicy", () -> SessionConfiguration.builder().requestCachePolicy(null));
    setters.put("httpVersionPolicy", () -> SessionConfiguration.builder().httpVersionPolicy(null));
    setters.put("tlsMinimumSupportedProtocolVersion",
        () -> SessionConfiguration.builder().tlsMinimumSupportedProtocolVersion(null));
    setters.put("tlsMaximumSupportedProtocolVersion",
        () -> SessionConfiguration.builder().tlsMaximumSupportedProtocolVersion(null));
    setters.put("httpAdditionalHeaders", () -> SessionConfiguration.builder().httpAdditionalHeaders(null));
    setters.put("protocolHandlers", () -> SessionConfiguration.builder().protocolHandlers(null));
    setters.put("storageDirectory", () -> SessionConfiguration.builder().storageDirectory(null));

    setters.forEach((option, setter) ->
        assertThatThrownBy(setter::run)
            .as(option)
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining(option));
  }

  @Test
  void protocolHandlersWhenElementNullIsRejectedNamingIt() {
    List<ProtocolHandler> handlers = new ArrayList<>();
    handlers.add(new NoopHandler());
    handlers.add(null);

    assertThatThrownBy(() -> SessionConfiguration.builder().protocolHandlers(handlers))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("protocolHandlers");
  }

  @Test
  void sslContextWhenNullMeansJvmDefault() {
    assertThat(SessionConfiguration.builder().sslContext(null).build().sslContext()).isNull();
  }

  @ParameterizedTest
  @ValueSource(strings = {"Content-Length", "content-length", "Transfer-Encoding", "Host", "HOST", "Connection",
      "Keep-Alive", "Proxy-Connection", "TE", "Trailer", "Upgrade", "Expect", "Proxy-Authorization",
      "proxy-AUTHORIZATION", "Proxy-Other", "WWW-Authenticate"})
  void httpAdditionalHeadersWhenReservedIsIgnoredAndTheOthersKept(String name) {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("X-A", "1");
    headers.put(name, "x");

    SessionConfiguration c = SessionConfiguration.builder().httpAdditionalHeaders(headers).build();

    assertThat(c.httpAdditionalHeaders()).containsExactly(Map.entry("X-A", "1"));
  }

  @Test
  void httpAdditionalHeadersWhenReservedHasCrLfInItsValueIsStillRejected() {
    assertThatThrownBy(() -> SessionConfiguration.builder().httpAdditionalHeaders(Map.of("Host", "a\r\nX: 1")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("httpAdditionalHeaders")
        .hasMessageContaining("Host");
  }

  @ParameterizedTest
  @ValueSource(strings = {"Bad Name", "X:Y", "", "X\r\nY", "\u00d1"})
  void httpAdditionalHeadersWhenNameInvalidIsRejected(String name) {
    assertThatThrownBy(() -> SessionConfiguration.builder().httpAdditionalHeaders(Map.of(name, "x")))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {"a\r\nX-Injected: 1", "a\rb", "a\nb", "a\u0000b", "a\u007fb", "\u20ac"})
  void httpAdditionalHeadersWhenValueInvalidIsRejected(String value) {
    assertThatThrownBy(() -> SessionConfiguration.builder().httpAdditionalHeaders(Map.of("X-A", value)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("X-A");
  }

  @Test
  void httpAdditionalHeadersWhenValueNullIsRejected() {
    Map<String, String> headers = new HashMap<>();
    headers.put("X-A", null);

    assertThatThrownBy(() -> SessionConfiguration.builder().httpAdditionalHeaders(headers))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("X-A");
  }

  @Test
  void httpAdditionalHeadersWhenNameOrValueInvalidMessageNamesTheOption() {
    Map<String, Supplier<Map<String, String>>> cases = new LinkedHashMap<>();
    cases.put("invalid name", () -> Map.of("Bad Name", "x"));
    cases.put("CR LF in value", () -> Map.of("X-A", "a\r\nX-Injected: 1"));
    cases.put("NUL in value", () -> Map.of("X-A", "a\u0000b"));
    cases.put("null value", () -> {
      Map<String, String> m = new HashMap<>();
      m.put("X-A", null);
      return m;
    });

    cases.forEach((what, headers) ->
        assertThatThrownBy(() -> SessionConfiguration.builder().httpAdditionalHeaders(headers.get()))
            .as(what)
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("httpAdditionalHeaders"));
  }

  @Test
  void httpAdditionalHeadersWhenRejectedLeavesPreviousValue() {
    SessionConfiguration.Builder b = SessionConfiguration.builder().httpAdditionalHeaders(Map.of("X-Keep", "1"));
    Map<String, String> bad = new LinkedHashMap<>();
    bad.put("X-Other", "2");
    bad.put("X-Evil", "a\r\nHost: evil");

    assertThatThrownBy(() -> b.httpAdditionalHeaders(bad)).isInstanceOf(IllegalArgumentException.class);

    assertThat(b.build().httpAdditionalHeaders()).containsExactly(Map.entry("X-Keep", "1"));
  }

  @Test
  void httpAdditionalHeadersWhenValidKeepOrderAndValues() {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("User-Agent", "test/1");
    headers.put("Accept", "application/json");
    headers.put("Authorization", "Bearer t");

    SessionConfiguration c = SessionConfiguration.builder().httpAdditionalHeaders(headers).build();

    assertThat(c.httpAdditionalHeaders()).containsExactly(
        Map.entry("User-Agent", "test/1"),
        Map.entry("Accept", "application/json"),
        Map.entry("Authorization", "Bearer t"));
  }

  @Test
  void buildWhenTlsMinimumAboveMaximumIsRejectedNamingBoth() {
    SessionConfiguration.Builder b = SessionConfiguration.builder()
        .tlsMinimumSupportedProtocolVersion(TlsVersion.TLS_1_3)
        .tlsMaximumSupportedProtocolVersion(TlsVersion.TLS_1_2);

    assertThatThrownBy(b::build)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("tlsMinimumSupportedProtocolVersion")
        .hasMessageContaining("tlsMaximumSupportedProtocolVersion");
  }

  @Test
  void buildWhenTlsMinimumEqualsMaximumIsAccepted() {
    SessionConfiguration c = SessionConfiguration.builder()
        .tlsMinimumSupportedProtocolVersion(TlsVersion.TLS_1_2)
        .tlsMaximumSupportedProtocolVersion(TlsVersion.TLS_1_2)
        .build();

    assertThat(c.tlsMinimumSupportedProtocolVersion()).isEqualTo(TlsVersion.TLS_1_2);
    assertThat(c.tlsMaximumSupportedProtocolVersion()).isEqualTo(TlsVersion.TLS_1_2);
  }

  @Test
  void tlsVersionWhenListedHasJsseNamesInOrder() {
    assertThat(TlsVersion.values())
        .containsExactly(TlsVersion.TLS_1_0, TlsVersion.TLS_1_1, TlsVersion.TLS_1_2, TlsVersion.TLS_1_3);
    assertThat(TlsVersion.TLS_1_0.protocolName()).isEqualTo("TLSv1");
    assertThat(TlsVersion.TLS_1_1.protocolName()).isEqualTo("TLSv1.1");
    assertThat(TlsVersion.TLS_1_2.protocolName()).isEqualTo("TLSv1.2");
    assertThat(TlsVersion.TLS_1_3.protocolName()).isEqualTo("TLSv1.3");
  }

  @Test
  void storageDirectoryWhenEphemeralIsRejectedNamingIt() {
    assertThatThrownBy(() -> SessionConfiguration.ephemeral().toBuilder().storageDirectory(Path.of("x")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("storageDirectory");
  }

  @Test
  void storageDirectoryWhenRelativeIsMadeAbsoluteAndNormalised() {
    SessionConfiguration c = SessionConfiguration.builder().storageDirectory(Path.of("a", "..", "b")).build();

    assertThat(c.storageDirectory()).isEqualTo(Path.of("b").toAbsolutePath().normalize());
    assertThat(c.storageDirectory().isAbsolute()).isTrue();
  }

  @Test
  void httpAdditionalHeadersWhenBuiltIsUnmodifiable() {
    SessionConfiguration c = SessionConfiguration.builder().httpAdditionalHeaders(Map.of("X-A", "1")).build();
    SessionConfiguration empty = SessionConfiguration.defaultConfiguration();

    assertThatThrownBy(() -> c.httpAdditionalHeaders().put("Host", "evil"))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> c.httpAdditionalHeaders().remove("X-A"))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> c.httpAdditionalHeaders().clear())
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> empty.httpAdditionalHeaders().put("X-B", "2"))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThat(c.httpAdditionalHeaders()).containsExactly(Map.entry("X-A", "1"));
  }

  @Test
  void protocolHandlersWhenBuiltIsUnmodifiable() {
    SessionConfiguration c = SessionConfiguration.builder().protocolHandlers(List.of(new NoopHandler())).build();

    assertThatThrownBy(() -> c.protocolHandlers().add(new NoopHandler()))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> c.protocolHandlers().clear())
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> SessionConfiguration.ephemeral().protocolHandlers().add(new NoopHandler()))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void httpAdditionalHeadersWhenSourceMapChangedAfterwardsIsUnaffected() {
    Map<String, String> source = new LinkedHashMap<>();
    source.put("X-A", "1");
    SessionConfiguration.Builder b = SessionConfiguration.builder().httpAdditionalHeaders(source);

    source.put("X-A", "changed");
    source.put("Host", "evil");
    SessionConfiguration c = b.build();
    source.put("X-B", "late");

    assertThat(c.httpAdditionalHeaders()).containsExactly(Map.entry("X-A", "1"));
  }

  @Test
  void protocolHandlersWhenSourceListChangedAfterwardsIsUnaffected() {
    ProtocolHandler first = new NoopHandler();
    List<ProtocolHandler> source = new ArrayList<>(List.of(first));
    SessionConfiguration.Builder b = SessionConfiguration.builder().protocolHandlers(source);

    source.add(new NoopHandler());
    SessionConfiguration c = b.build();
    source.clear();

    assertThat(c.protocolHandlers()).containsExactly(first);
  }

  @Test
  void builderWhenChangedAfterBuildDoesNotAffectBuiltConfiguration() {
    SessionConfiguration.Builder b = SessionConfiguration.builder().httpAdditionalHeaders(Map.of("X-A", "1"));
    SessionConfiguration built = b.build();

    b.httpAdditionalHeaders(Map.of("X-B", "2"))
        .timeoutIntervalForRequest(Duration.ofSeconds(1))
        .httpMaximumConnectionsPerHost(1)
        .proxy(ProxyConfiguration.direct());

    assertThat(built.httpAdditionalHeaders()).containsExactly(Map.entry("X-A", "1"));
    assertThat(built.timeoutIntervalForRequest()).isEqualTo(Duration.ofSeconds(60));
    assertThat(built.httpMaximumConnectionsPerHost()).isEqualTo(6);
    assertThat(built.proxy()).isSameAs(ProxyConfiguration.system());
  }

  @Test
  void toStringWhenHeadersSetShowsNamesOnly() {
    SessionConfiguration c = SessionConfiguration.builder()
        .httpAdditionalHeaders(Map.of("Authorization", "Bearer secret-token"))
        .build();

    assertThat(c.toString()).contains("Authorization").doesNotContain("secret-token");
  }
}
