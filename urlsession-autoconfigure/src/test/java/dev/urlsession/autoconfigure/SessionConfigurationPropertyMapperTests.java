package dev.urlsession.autoconfigure;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import dev.urlsession.CachePolicy;
import dev.urlsession.CookieAcceptPolicy;
import dev.urlsession.HttpCache;
import dev.urlsession.HttpVersionPolicy;
import dev.urlsession.ProxyConfiguration;
import dev.urlsession.Request;
import dev.urlsession.Session;
import dev.urlsession.SessionConfiguration;
import dev.urlsession.SessionRegistry;
import dev.urlsession.TlsVersion;
import dev.urlsession.TransportSecurityPolicy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * Every {@code urlsession.*} property reaches the session configuration, layered as library
 * defaults, then {@code urlsession.defaults}, then the session's own properties.
 */
@Timeout(60)
class SessionConfigurationPropertyMapperTests {
  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(UrlSessionAutoConfiguration.class, SslAutoConfiguration.class));

  @StartStop final MockWebServer server = new MockWebServer();

  private static SessionConfiguration configuration(AssertableApplicationContext context, String name) {
    return context.getBean(SessionRegistry.class).session(name).configuration();
  }

  @Test
  void sessionWhenNothingButTheTypeIsSetHasTheLibraryDefaults() {
    runner.withPropertyValues("urlsession.sessions.api.type=default").run(context -> {
      SessionConfiguration c = configuration(context, "api");
      SessionConfiguration library = SessionConfiguration.defaultConfiguration();
      assertThat(c.kind()).isEqualTo(SessionConfiguration.Kind.DEFAULT);
      assertThat(c.timeoutIntervalForRequest()).isEqualTo(library.timeoutIntervalForRequest());
      assertThat(c.timeoutIntervalForResource()).isEqualTo(library.timeoutIntervalForResource());
      assertThat(c.httpMaximumConnectionsPerHost()).isEqualTo(library.httpMaximumConnectionsPerHost());
      assertThat(c.httpAdditionalHeaders()).isEqualTo(library.httpAdditionalHeaders());
      assertThat(c.requestCachePolicy()).isEqualTo(library.requestCachePolicy());
      assertThat(c.proxy()).isEqualTo(library.proxy());
      assertThat(c.transportSecurity()).isSameAs(library.transportSecurity());
      assertThat(c.sslContext()).isNull();
      assertThat(c.tlsMinimumSupportedProtocolVersion()).isEqualTo(library.tlsMinimumSupportedProtocolVersion());
      assertThat(c.tlsMaximumSupportedProtocolVersion()).isEqualTo(library.tlsMaximumSupportedProtocolVersion());
      assertThat(c.httpVersionPolicy()).isEqualTo(library.httpVersionPolicy());
      assertThat(c.storageDirectory()).isEqualTo(library.storageDirectory());
    });
  }

  @Test
  void sessionWhenTypeIsEphemeralStartsFromTheEphemeralConfiguration() {
    runner.withPropertyValues("urlsession.sessions.private.type=ephemeral").run(context -> {
      SessionConfiguration c = configuration(context, "private");
      assertThat(c.kind()).isEqualTo(SessionConfiguration.Kind.EPHEMERAL);
      assertThat(c.storageDirectory()).isNull();
    });
  }

  @Test
  void sessionWhenTypeIsOnlySetInDefaultsTakesIt() {
    runner.withPropertyValues("urlsession.defaults.type=ephemeral", "urlsession.sessions.api.primary=true")
        .run(context -> assertThat(configuration(context, "api").kind()).isEqualTo(SessionConfiguration.Kind.EPHEMERAL));
  }

  @Test
  void timeoutsWithoutAUnitAreSecondsAsApplesAre() {
    runner.withPropertyValues("urlsession.sessions.api.timeout-interval-for-request=30",
        "urlsession.sessions.api.timeout-interval-for-resource=600").run(context -> {
          assertThat(configuration(context, "api").timeoutIntervalForRequest()).isEqualTo(Duration.ofSeconds(30));
          assertThat(configuration(context, "api").timeoutIntervalForResource()).isEqualTo(Duration.ofMinutes(10));
        });
  }

  @Test
  void timeoutsOfDefaultsApplyToEverySessionAndTheSessionsOwnWin() {
    runner.withPropertyValues(
        "urlsession.defaults.timeout-interval-for-request=30s",
        "urlsession.defaults.timeout-interval-for-resource=10m",
        "urlsession.sessions.api.timeout-interval-for-request=5s",
        "urlsession.sessions.private.type=ephemeral").run(context -> {
          assertThat(configuration(context, "api").timeoutIntervalForRequest()).isEqualTo(Duration.ofSeconds(5));
          assertThat(configuration(context, "api").timeoutIntervalForResource()).isEqualTo(Duration.ofMinutes(10));
          assertThat(configuration(context, "private").timeoutIntervalForRequest()).isEqualTo(Duration.ofSeconds(30));
          assertThat(configuration(context, "private").timeoutIntervalForResource()).isEqualTo(Duration.ofMinutes(10));
        });
  }

  @Test
  void httpMaximumConnectionsPerHostIsSet() {
    runner.withPropertyValues("urlsession.defaults.http-maximum-connections-per-host=4",
        "urlsession.sessions.api.http-maximum-connections-per-host=8",
        "urlsession.sessions.private.type=ephemeral").run(context -> {
          assertThat(configuration(context, "api").httpMaximumConnectionsPerHost()).isEqualTo(8);
          assertThat(configuration(context, "private").httpMaximumConnectionsPerHost()).isEqualTo(4);
        });
  }

  @Test
  void httpAdditionalHeadersOfDefaultsAndSessionAreMergedTheSessionWinning() {
    runner.withPropertyValues(
        "urlsession.defaults.http-additional-headers.User-Agent=shop/1.0",
        "urlsession.defaults.http-additional-headers[X-Trace]=on",
        "urlsession.sessions.api.http-additional-headers[user-agent]=api/2",
        "urlsession.sessions.api.http-additional-headers.Accept=application/json",
        "urlsession.sessions.private.type=ephemeral").run(context -> {
          assertThat(configuration(context, "api").httpAdditionalHeaders()).containsOnly(
              entry("X-Trace", "on"), entry("user-agent", "api/2"), entry("Accept", "application/json"));
          assertThat(configuration(context, "private").httpAdditionalHeaders()).containsOnly(
              entry("User-Agent", "shop/1.0"), entry("X-Trace", "on"));
        });
  }

  @Test
  void secretHeadersOfDefaultsAndSessionBothApply() {
    runner.withPropertyValues(
        "urlsession.defaults.secret-headers=X-Api-Key",
        "urlsession.sessions.api.secret-headers[0]=X-Tenant-Token",
        "urlsession.sessions.private.type=ephemeral").run(context -> {
          assertThat(configuration(context, "api").secretHeaders()).containsExactlyInAnyOrder("x-api-key", "x-tenant-token");
          assertThat(configuration(context, "private").secretHeaders()).containsExactly("x-api-key");
        });
  }

  @Test
  void secretHeaderThatIsNoTokenFailsTheStartNamingTheProperty() {
    runner.withPropertyValues("urlsession.sessions.api.secret-headers[0]=X Api Key").run(context -> {
      assertThat(context).hasFailed();
      Throwable t = context.getStartupFailure();
      while (t != null && !(t instanceof InvalidSessionConfigurationException)) {
        t = t.getCause();
      }
      assertThat(t).isNotNull().hasMessageContaining("urlsession.sessions.api.secret-headers[0]");
    });
  }

  @Test
  void httpAdditionalHeadersAreSentOnTheWire() throws Exception {
    server.enqueue(new MockResponse.Builder().body("ok").build());
    runner.withPropertyValues("urlsession.sessions.api.http-additional-headers.User-Agent=shop/1.0")
        .run(context -> {
          Session api = context.getBean(SessionRegistry.class).session("api");
          assertThat(api.data(Request.get(server.url("/").uri())).get(10, SECONDS).response().statusCode())
              .isEqualTo(200);
        });
    assertThat(server.takeRequest(5, SECONDS).getHeaders().get("User-Agent")).isEqualTo("shop/1.0");
  }

  @Test
  void httpAdditionalHeadersWhenReservedStartAndAreIgnoredAsTheSessionDoes() throws Exception {
    server.enqueue(new MockResponse.Builder().body("ok").build());
    runner.withPropertyValues("urlsession.sessions.api.http-additional-headers.User-Agent=shop/1.0",
        "urlsession.sessions.api.http-additional-headers.Host=evil.example",
        "urlsession.sessions.api.http-additional-headers[Content-Length]=5",
        "urlsession.sessions.api.http-additional-headers[Proxy-Authorization]=Basic eA==")
        .run(context -> {
          assertThat(context).hasNotFailed();
          assertThat(configuration(context, "api").httpAdditionalHeaders())
              .containsOnly(entry("User-Agent", "shop/1.0"));
          Session api = context.getBean(SessionRegistry.class).session("api");
          assertThat(api.data(Request.get(server.url("/").uri())).get(10, SECONDS).response().statusCode())
              .isEqualTo(200);
        });
    RecordedRequest recorded = server.takeRequest(5, SECONDS);
    assertThat(recorded.getHeaders().get("User-Agent")).isEqualTo("shop/1.0");
    assertThat(recorded.getHeaders().get("Host")).isEqualTo(server.getHostName() + ":" + server.getPort());
    assertThat(recorded.getHeaders().get("Content-Length")).isNull();
    assertThat(recorded.getHeaders().get("Proxy-Authorization")).isNull();
  }

  @Test
  void requestCachePolicyIsSet() {
    runner.withPropertyValues("urlsession.sessions.api.request-cache-policy=reload-ignoring-local-cache-data")
        .run(context -> assertThat(configuration(context, "api").requestCachePolicy())
            .isEqualTo(CachePolicy.RELOAD_IGNORING_LOCAL_CACHE_DATA));
  }

  @Test
  void httpVersionPolicyIsSet() {
    runner.withPropertyValues("urlsession.defaults.http-version-policy=http-1-1",
        "urlsession.sessions.api.http-version-policy=http-2",
        "urlsession.sessions.private.type=ephemeral").run(context -> {
          assertThat(configuration(context, "api").httpVersionPolicy()).isEqualTo(HttpVersionPolicy.HTTP_2);
          assertThat(configuration(context, "private").httpVersionPolicy()).isEqualTo(HttpVersionPolicy.HTTP_1_1);
        });
  }

  @Test
  void tlsVersionsAreSet() {
    runner.withPropertyValues("urlsession.defaults.tls-minimum-supported-protocol-version=tls-1-3",
        "urlsession.sessions.api.tls-maximum-supported-protocol-version=tls-1-3").run(context -> {
          assertThat(configuration(context, "api").tlsMinimumSupportedProtocolVersion()).isEqualTo(TlsVersion.TLS_1_3);
          assertThat(configuration(context, "api").tlsMaximumSupportedProtocolVersion()).isEqualTo(TlsVersion.TLS_1_3);
        });
  }

  @Test
  void sessionWithAStorageDirectoryOfItsOwnTouchesNothingInTheDefaultOne(
      @org.junit.jupiter.api.io.TempDir Path home, @org.junit.jupiter.api.io.TempDir Path dir) {
    String userHome = System.getProperty("user.home");
    System.setProperty("user.home", home.toString()); // where the library's default storage directory is
    try {
      runner.withPropertyValues("urlsession.sessions.api.type=default",
          "urlsession.sessions.api.storage-directory=" + dir).run(context -> {
            // Waits until the cache's directory is open: caches open in turn on one writer thread.
            assertThat(configuration(context, "api").httpCache().currentDiskUsage()).isZero();
            assertThat(dir.resolve("cache")).isDirectory();
            assertThat(home.resolve(".urlsession")).doesNotExist();
          });
    } finally {
      System.setProperty("user.home", userHome);
    }
  }

  @Test
  void storageDirectoryOfDefaultsAppliesToSessionsThatKeepFilesOnly(@org.junit.jupiter.api.io.TempDir Path dir) {
    runner.withPropertyValues("urlsession.defaults.storage-directory=" + dir,
        "urlsession.sessions.api.type=default",
        "urlsession.sessions.private.type=ephemeral").run(context -> {
          assertThat(configuration(context, "api").storageDirectory()).isEqualTo(dir.toAbsolutePath().normalize());
          assertThat(configuration(context, "private").storageDirectory()).isNull();
        });
  }

  @Test
  void cookiePropertiesAreSetAndDisablingRemovesTheStorage(@org.junit.jupiter.api.io.TempDir Path dir) {
    runner.withPropertyValues("urlsession.defaults.storage-directory=" + dir,
        "urlsession.defaults.cookies.accept-policy=only-from-main-document-domain",
        "urlsession.sessions.api.cookies.should-set=false",
        "urlsession.sessions.none.cookies.enabled=false").run(context -> {
          SessionConfiguration api = configuration(context, "api");
          assertThat(api.httpCookieAcceptPolicy()).isEqualTo(CookieAcceptPolicy.ONLY_FROM_MAIN_DOCUMENT_DOMAIN);
          assertThat(api.httpShouldSetCookies()).isFalse();
          assertThat(api.httpCookieStorage()).isNotNull();
          SessionConfiguration none = configuration(context, "none");
          assertThat(none.httpCookieStorage()).isNull();
          assertThat(none.httpShouldSetCookies()).isTrue();
        });
  }

  @Test
  void cookiesDisabledInDefaultsCanBeEnabledBySession() {
    runner.withPropertyValues("urlsession.defaults.cookies.enabled=false",
        "urlsession.sessions.api.cookies.enabled=true",
        "urlsession.sessions.other.type=ephemeral").run(context -> {
          assertThat(configuration(context, "api").httpCookieStorage()).isNotNull();
          assertThat(configuration(context, "other").httpCookieStorage()).isNull();
        });
  }

  @Test
  void cookiesWhenDisabledAreNeitherStoredNorSent() throws Exception {
    server.enqueue(new MockResponse.Builder().addHeader("Set-Cookie", "a=1; Path=/").build());
    server.enqueue(new MockResponse.Builder().build());
    runner.withPropertyValues("urlsession.sessions.private.type=ephemeral",
        "urlsession.sessions.private.cookies.enabled=false").run(context -> {
          Session session = context.getBean(SessionRegistry.class).session("private");
          session.data(Request.get(server.url("/set").uri())).get(10, SECONDS);
          session.data(Request.get(server.url("/next").uri())).get(10, SECONDS);
          server.takeRequest();
          assertThat(server.takeRequest().getHeaders().get("Cookie")).isNull();
        });
  }

  @Test
  void cachePropertiesSizeTheSessionsCache(@org.junit.jupiter.api.io.TempDir Path dir) {
    runner.withPropertyValues("urlsession.defaults.cache.memory-capacity=1MB",
        "urlsession.sessions.api.storage-directory=" + dir,
        "urlsession.sessions.api.cache.disk-capacity=50MB",
        "urlsession.sessions.private.type=ephemeral",
        "urlsession.sessions.nocache.type=ephemeral",
        "urlsession.sessions.nocache.cache.enabled=false").run(context -> {
          HttpCache api = configuration(context, "api").httpCache();
          assertThat(api.memoryCapacity()).isEqualTo(1024L * 1024);
          assertThat(api.diskCapacity()).isEqualTo(50L * 1024 * 1024);
          assertThat(configuration(context, "private").httpCache().memoryCapacity()).isEqualTo(1024L * 1024);
          assertThat(configuration(context, "nocache").httpCache()).isNull();
        });
  }

  @Test
  void cacheSizesOfSessionsSharingADirectoryMustAgree(@org.junit.jupiter.api.io.TempDir Path dir) {
    runner.withPropertyValues("urlsession.defaults.storage-directory=" + dir,
        "urlsession.sessions.a.cache.memory-capacity=1MB",
        "urlsession.sessions.b.cache.memory-capacity=2MB").run(context -> {
          assertThat(context).hasFailed();
          assertThat(context.getStartupFailure()).rootCause()
              .isInstanceOf(InvalidSessionConfigurationException.class)
              .hasMessageContaining("urlsession.sessions.b.cache.memory-capacity")
              .hasMessageContaining("session 'a' shares this session's cache");
        });
  }

  @Test
  void cacheDiskCapacityOfAnEphemeralSessionIsRejectedAndNegativeSizesToo() {
    runner.withPropertyValues("urlsession.sessions.private.type=ephemeral",
        "urlsession.sessions.private.cache.disk-capacity=10MB").run(context -> {
          assertThat(context).hasFailed();
          assertThat(context.getStartupFailure()).rootCause()
              .hasMessageContaining("urlsession.sessions.private.cache.disk-capacity")
              .hasMessageContaining("keeps nothing on disk");
        });
    runner.withPropertyValues("urlsession.sessions.api.type=ephemeral",
        "urlsession.sessions.api.cache.memory-capacity=-1MB").run(context -> {
          assertThat(context).hasFailed();
          assertThat(context.getStartupFailure()).rootCause()
              .hasMessageContaining("urlsession.sessions.api.cache.memory-capacity")
              .hasMessageContaining("cannot be negative");
        });
    runner.withPropertyValues("urlsession.sessions.api.type=ephemeral",
        "urlsession.sessions.api.cache.enabled=false",
        "urlsession.sessions.api.cache.memory-capacity=1MB").run(context -> {
          assertThat(context).hasFailed();
          assertThat(context.getStartupFailure()).rootCause()
              .hasMessageContaining("urlsession.sessions.api.cache.memory-capacity")
              .hasMessageContaining("urlsession.sessions.api.cache.enabled is false");
        });
  }

  @Test
  void waitsForConnectivityIsSet() {
    runner.withPropertyValues("urlsession.defaults.waits-for-connectivity=true",
        "urlsession.sessions.api.type=default",
        "urlsession.sessions.other.waits-for-connectivity=false").run(context -> {
          assertThat(configuration(context, "api").waitsForConnectivity()).isTrue();
          assertThat(configuration(context, "other").waitsForConnectivity()).isFalse();
        });
  }

  @Test
  void credentialsWhenDisabledLeaveTheSessionWithoutStorage() {
    runner.withPropertyValues("urlsession.sessions.api.credentials.enabled=false",
        "urlsession.sessions.other.type=default").run(context -> {
          assertThat(configuration(context, "api").credentialStorage()).isNull();
          assertThat(configuration(context, "other").credentialStorage()).isNotNull();
        });
  }

  @Test
  void proxyHttpWithCredentialsAndBypassIsSet() {
    runner.withPropertyValues("urlsession.sessions.api.proxy.type=http",
        "urlsession.sessions.api.proxy.host=proxy.internal",
        "urlsession.sessions.api.proxy.port=3128",
        "urlsession.sessions.api.proxy.username=user",
        "urlsession.sessions.api.proxy.password=secret",
        "urlsession.sessions.api.proxy.bypass=localhost,*.internal").run(context -> assertThat(
            configuration(context, "api").proxy()).isEqualTo(ProxyConfiguration.http("proxy.internal", 3128)
                .withCredentials("user", "secret").withBypass(List.of("localhost", "*.internal"))));
  }

  @Test
  void proxySocksAndDirectAreSet() {
    runner.withPropertyValues("urlsession.sessions.api.proxy.type=socks",
        "urlsession.sessions.api.proxy.host=socks.internal",
        "urlsession.sessions.api.proxy.port=1080",
        "urlsession.sessions.private.proxy.type=direct").run(context -> {
          assertThat(configuration(context, "api").proxy()).isEqualTo(ProxyConfiguration.socks("socks.internal", 1080));
          assertThat(configuration(context, "private").proxy()).isEqualTo(ProxyConfiguration.direct());
        });
  }

  @Test
  void proxySettingsOfDefaultsAreInheritedFieldByField() {
    runner.withPropertyValues("urlsession.defaults.proxy.type=http",
        "urlsession.defaults.proxy.host=proxy.internal",
        "urlsession.defaults.proxy.port=3128",
        "urlsession.sessions.api.proxy.bypass=*.internal",
        "urlsession.sessions.api.proxy.port=8080").run(context -> assertThat(configuration(context, "api").proxy())
            .isEqualTo(ProxyConfiguration.http("proxy.internal", 8080).withBypass(List.of("*.internal"))));
  }

  @Test
  void proxyTypeSetByASessionInheritsNoOtherProxySettingOfDefaults() {
    runner.withPropertyValues("urlsession.defaults.proxy.type=http",
        "urlsession.defaults.proxy.host=proxy.internal",
        "urlsession.defaults.proxy.port=3128",
        "urlsession.sessions.api.type=default",
        "urlsession.sessions.private.proxy.type=direct").run(context -> {
          assertThat(configuration(context, "api").proxy()).isEqualTo(ProxyConfiguration.http("proxy.internal", 3128));
          assertThat(configuration(context, "private").proxy()).isEqualTo(ProxyConfiguration.direct());
        });
  }

  @Test
  void transportSecurityIsSetWithExceptionDomainsMerged() {
    runner.withPropertyValues("urlsession.defaults.transport-security.allows-local-networking=false",
        "urlsession.defaults.transport-security.minimum-tls-version=tls-1-3",
        "urlsession.defaults.transport-security.exception-domains[0].domain=legacy.example.com",
        "urlsession.defaults.transport-security.exception-domains[0].includes-subdomains=true",
        "urlsession.defaults.transport-security.exception-domains[0].allows-insecure-http-loads=true",
        "urlsession.sessions.api.transport-security.exception-domains[0].domain=LEGACY.example.com",
        "urlsession.sessions.api.transport-security.exception-domains[0].allows-insecure-http-loads=true",
        "urlsession.sessions.api.transport-security.exception-domains[1].domain=old.example.org",
        "urlsession.sessions.api.transport-security.exception-domains[1].minimum-tls-version=tls-1-0",
        "urlsession.sessions.private.transport-security.allows-arbitrary-loads=true").run(context -> {
          TransportSecurityPolicy api = configuration(context, "api").transportSecurity();
          assertThat(api.allowsArbitraryLoads()).isFalse();
          assertThat(api.allowsLocalNetworking()).isFalse();
          assertThat(api.exceptionDomains()).containsOnly(entry("legacy.example.com", false));
          assertThat(api.allowsInsecureLoad("127.0.0.1")).isFalse();
          assertThat(api.allowsInsecureLoad("old.example.org")).isFalse();
          assertThat(api.minimumTlsVersion()).isEqualTo(TlsVersion.TLS_1_3);
          assertThat(api.minimumTlsVersion("old.example.org")).isEqualTo(TlsVersion.TLS_1_0);
          assertThat(api.minimumTlsVersion("legacy.example.com")).isEqualTo(TlsVersion.TLS_1_3);
          TransportSecurityPolicy other = configuration(context, "private").transportSecurity();
          assertThat(other.allowsArbitraryLoads()).isTrue();
          assertThat(other.exceptionDomains()).containsOnly(entry("legacy.example.com", true));
          assertThat(other.allowsInsecureLoad("www.legacy.example.com")).isTrue();
        });
  }

  @Test
  void transportSecurityWhenCleartextIsNotAllowedFailsTheLoad() throws Exception {
    runner.withPropertyValues("urlsession.sessions.api.transport-security.allows-local-networking=false")
        .run(context -> {
          Session api = context.getBean(SessionRegistry.class).session("api");
          assertThat(api.data(Request.get(server.url("/").uri()))).failsWithin(Duration.ofSeconds(10))
              .withThrowableOfType(java.util.concurrent.ExecutionException.class)
              .withCauseInstanceOf(dev.urlsession.SessionException.class)
              .withMessageContaining("APP_TRANSPORT_SECURITY_REQUIRES_SECURE_CONNECTION");
        });
  }

  @Test
  void sslBundleGivesTheSessionItsTrustMaterial() throws Exception {
    HeldCertificate certificate = new HeldCertificate.Builder()
        .addSubjectAlternativeName("localhost").addSubjectAlternativeName("127.0.0.1").build();
    server.useHttps(new HandshakeCertificates.Builder().heldCertificate(certificate).build().sslSocketFactory());
    server.enqueue(new MockResponse.Builder().body("secret").build());
    runner.withPropertyValues("spring.ssl.bundle.pem.local.truststore.certificate=" + certificate.certificatePem(),
        "urlsession.sessions.api.ssl.bundle=local").run(context -> {
          Session api = context.getBean(SessionRegistry.class).session("api");
          assertThat(api.configuration().sslContext()).isNotNull();
          var response = api.data(Request.get(server.url("/").uri())).get(10, SECONDS);
          assertThat(new String(response.body(), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("secret");
        });
  }

  @Test
  void boundPropertiesAreNotChangedByTheLayering() {
    runner.withPropertyValues("urlsession.defaults.timeout-interval-for-request=30s",
        "urlsession.defaults.http-additional-headers.User-Agent=shop/1.0",
        "urlsession.sessions.api.http-additional-headers.Accept=text/plain").run(context -> {
          UrlSessionProperties properties = context.getBean(UrlSessionProperties.class);
          NamedSessionProperties api = properties.getSessions().get("api");
          assertThat(api.getTimeoutIntervalForRequest()).isNull();
          assertThat(api.getHttpAdditionalHeaders()).containsOnly(entry("Accept", "text/plain"));
          assertThat(properties.getDefaults().getHttpAdditionalHeaders()).isEqualTo(Map.of("User-Agent", "shop/1.0"));
          assertThat(configuration(context, "api").httpAdditionalHeaders())
              .containsOnly(entry("User-Agent", "shop/1.0"), entry("Accept", "text/plain"));
        });
  }

  @Test
  void mapperAppliesLibraryDefaultsThenDefaultsThenTheSessionOntoAFreshBuilder() {
    SessionProperties defaults = new SessionProperties();
    defaults.setTimeoutIntervalForRequest(Duration.ofSeconds(30));
    defaults.setHttpMaximumConnectionsPerHost(4);
    NamedSessionProperties session = new NamedSessionProperties();
    session.setHttpMaximumConnectionsPerHost(8);
    SessionConfigurationPropertyMapper mapper = new SessionConfigurationPropertyMapper(null);
    SessionConfiguration first = mapper.map("api", defaults, session).build();
    SessionConfiguration second = mapper.map("api", defaults, session).build();
    assertThat(first.timeoutIntervalForRequest()).isEqualTo(Duration.ofSeconds(30));
    assertThat(first.httpMaximumConnectionsPerHost()).isEqualTo(8);
    assertThat(first.timeoutIntervalForResource()).isEqualTo(Duration.ofDays(7));
    assertThat(second.httpMaximumConnectionsPerHost()).isEqualTo(8);
    assertThat(session.getTimeoutIntervalForRequest()).isNull();
  }
}
