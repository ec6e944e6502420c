package dev.urlsession.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.urlsession.SessionDelegate;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.util.TestPropertyValues;
import org.springframework.core.env.Environment;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.io.support.SpringFactoriesLoader;
import org.springframework.core.io.support.SpringFactoriesLoader.ArgumentResolver;

/**
 * Invalid {@code urlsession.*} properties fail the start, and the failure analysis names the
 * full property path, the value, the reason and the fix.
 */
@Timeout(60)
class InvalidSessionConfigurationFailureAnalyzerTests {
  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(UrlSessionAutoConfiguration.class, SslAutoConfiguration.class));

  @Test
  void sessionWhenTypeIsUnknownFailsWithPropertyPath() {
    FailureAnalysis analysis = analyzeFailure(runner, "urlsession.sessions.api.type=bogus");
    assertThat(analysis.getDescription())
        .contains("Property: urlsession.sessions.api.type")
        .contains("Value: \"bogus\"")
        .contains("Reason: it is not a session type");
    assertThat(analysis.getAction())
        .isEqualTo("Set urlsession.sessions.api.type to default, ephemeral or background.");
  }

  @Test
  void sessionWhenTypeIsUnknownFailsWithPropertyPathEvenWhenABeanInjectsTheSession() {
    FailureAnalysis analysis = analyzeFailure(runner.withUserConfiguration(InjectsApi.class),
        "urlsession.sessions.api.type=bogus", "urlsession.sessions.api.primary=true");
    assertThat(analysis.getDescription()).contains("Property: urlsession.sessions.api.type");
  }

  @Test
  void backgroundSessionWithoutIdentifierFailsNamingTheIdentifierProperty() {
    FailureAnalysis analysis = analyzeFailure(runner, "urlsession.sessions.downloads.type=background");
    assertThat(analysis.getDescription())
        .contains("Property: urlsession.sessions.downloads.identifier")
        .contains("Reason: a background session needs an identifier");
    assertThat(analysis.getAction()).startsWith("Set urlsession.sessions.downloads.identifier to a name");
  }

  @Test
  void identifierInDefaultsFailsWithTheDefaultsPath() {
    FailureAnalysis analysis = analyzeFailure(runner, "urlsession.defaults.identifier=com.example.x",
        "urlsession.sessions.downloads.type=background", "urlsession.sessions.downloads.identifier=com.example.d");
    assertThat(analysis.getDescription()).contains("Property: urlsession.defaults.identifier");
    assertThat(analysis.getAction()).startsWith("Move urlsession.defaults.identifier");
  }

  @Test
  void sessionWhenTimeoutIsNegativeFailsWithPropertyPath() {
    FailureAnalysis analysis = analyzeFailure(runner,
        "urlsession.sessions.api.timeout-interval-for-request=-5s");
    assertThat(analysis.getDescription())
        .startsWith("Invalid urlsession configuration:")
        .contains("Property: urlsession.sessions.api.timeout-interval-for-request")
        .contains("Value: \"-5s\"")
        .contains("Origin: \"urlsession.sessions.api.timeout-interval-for-request\" from property source")
        .contains("Reason: must be a positive duration");
    assertThat(analysis.getAction()).isEqualTo("Set urlsession.sessions.api.timeout-interval-for-request"
        + " to a positive duration, such as 30s, or remove it to use the default.");
  }

  @Test
  void defaultsWhenTimeoutIsZeroFailsWithTheDefaultsPath() {
    FailureAnalysis analysis = analyzeFailure(runner,
        "urlsession.defaults.timeout-interval-for-resource=0s", "urlsession.sessions.api.type=default");
    assertThat(analysis.getDescription())
        .contains("Property: urlsession.defaults.timeout-interval-for-resource")
        .contains("Value: \"0s\"");
  }

  @Test
  void sessionWhenConnectionLimitIsZeroFailsWithPropertyPath() {
    FailureAnalysis analysis = analyzeFailure(runner,
        "urlsession.sessions.api.http-maximum-connections-per-host=0");
    assertThat(analysis.getDescription())
        .contains("Property: urlsession.sessions.api.http-maximum-connections-per-host")
        .contains("Reason: must be a positive number");
  }

  @Test
  void sessionWhenSslBundleIsMissingFailsNamingTheBundleProperty() {
    FailureAnalysis analysis = analyzeFailure(runner, "urlsession.sessions.api.ssl.bundle=nope");
    assertThat(analysis.getDescription())
        .contains("Property: urlsession.sessions.api.ssl.bundle")
        .contains("Value: \"nope\"")
        .contains("Reason: there is no SSL bundle named 'nope'");
    assertThat(analysis.getAction())
        .contains("spring.ssl.bundle.jks.nope or spring.ssl.bundle.pem.nope")
        .contains("set urlsession.sessions.api.ssl.bundle to a bundle you define (none is configured)");
  }

  @Test
  void sessionWhenSslBundleIsSetWithoutSslBundleSupportFailsNamingTheBundleProperty() {
    FailureAnalysis analysis = analyzeFailure(
        new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(UrlSessionAutoConfiguration.class)),
        "urlsession.sessions.api.ssl.bundle=local");
    assertThat(analysis.getDescription())
        .contains("Property: urlsession.sessions.api.ssl.bundle")
        .contains("Reason: no SslBundles bean is available");
  }

  @Test
  void sessionWhenReservedHeaderValueHasAControlCharacterFailsWithPropertyPath() {
    FailureAnalysis analysis = analyzeFailure(runner,
        "urlsession.sessions.api.http-additional-headers.Content-Length=5\r\nX: 1");
    assertThat(analysis.getDescription())
        .contains("Property: urlsession.sessions.api.http-additional-headers[Content-Length]")
        .contains("value of header Content-Length contains control character 0xd");
    assertThat(analysis.getAction()).startsWith("Use a header name that is an RFC 9110 token");
  }

  @Test
  void sessionWhenHeaderValueHasAControlCharacterFailsWithPropertyPath() {
    FailureAnalysis analysis = analyzeFailure(runner,
        "urlsession.defaults.http-additional-headers[X-Evil]=a\r\nInjected: yes",
        "urlsession.sessions.api.type=default");
    assertThat(analysis.getDescription())
        .contains("Property: urlsession.defaults.http-additional-headers[X-Evil]")
        .contains("Value: \"a\\r\\nInjected: yes\"")
        .contains("value of header X-Evil contains control character 0xd at index 1");
    assertThat(analysis.getAction()).startsWith("Use a header name that is an RFC 9110 token");
  }

  @Test
  void sessionWhenHeaderNameIsNotATokenFailsWithPropertyPath() {
    FailureAnalysis analysis = analyzeFailure(runner,
        "urlsession.sessions.api.http-additional-headers[Bad Header]=x");
    assertThat(analysis.getDescription())
        .contains("Property: urlsession.sessions.api.http-additional-headers[Bad Header]")
        .contains("is not an RFC 9110 token");
  }

  @Test
  void sessionWhenDelegateBeanIsMissingFailsWithPropertyPath() {
    FailureAnalysis analysis = analyzeFailure(runner.withBean("other", SessionDelegate.class, () -> new SessionDelegate() {}),
        "urlsession.sessions.api.delegate-bean=myDelegate");
    assertThat(analysis.getDescription())
        .contains("Property: urlsession.sessions.api.delegate-bean")
        .contains("Reason: there is no bean named 'myDelegate'");
    assertThat(analysis.getAction()).contains("SessionDelegate beans: [other]");
  }

  @Test
  void sessionWhenDelegateBeanIsNoSessionDelegateFailsWithPropertyPath() {
    FailureAnalysis analysis = analyzeFailure(runner.withBean("myDelegate", String.class, () -> "no"),
        "urlsession.sessions.api.delegate-bean=myDelegate");
    assertThat(analysis.getDescription())
        .contains("Property: urlsession.sessions.api.delegate-bean")
        .contains("Reason: bean 'myDelegate' is a java.lang.String, not a dev.urlsession.SessionDelegate");
  }

  @Test
  void sessionsWhenTwoArePrimaryFailWithThePathOfTheSecond() {
    FailureAnalysis analysis = analyzeFailure(runner, "urlsession.sessions.api.primary=true",
        "urlsession.sessions.private.primary=true");
    assertThat(analysis.getDescription())
        .contains("Property: urlsession.sessions.private.primary")
        .contains("Reason: sessions [api, private] are all marked primary");
  }

  @Test
  void sessionWhenHttpProxyHasNoHostFailsNamingTheMissingProperty() {
    FailureAnalysis analysis = analyzeFailure(runner, "urlsession.sessions.api.proxy.type=http",
        "urlsession.sessions.api.proxy.port=3128");
    assertThat(analysis.getDescription())
        .contains("Property: urlsession.sessions.api.proxy.host")
        .contains("Value: (not set)")
        .contains("Reason: an http proxy needs a host");
  }

  @Test
  void sessionWhenProxyPortIsOutOfRangeFailsWithPropertyPath() {
    FailureAnalysis analysis = analyzeFailure(runner, "urlsession.sessions.api.proxy.type=socks",
        "urlsession.sessions.api.proxy.host=socks.internal", "urlsession.sessions.api.proxy.port=70000");
    assertThat(analysis.getDescription())
        .contains("Property: urlsession.sessions.api.proxy.port")
        .contains("proxy port must be 1..65535 but was 70000");
  }

  @Test
  void sessionWhenDirectProxyHasAHostFailsWithPropertyPath() {
    FailureAnalysis analysis = analyzeFailure(runner, "urlsession.sessions.api.proxy.host=proxy.internal");
    assertThat(analysis.getDescription())
        .contains("Property: urlsession.sessions.api.proxy.host")
        .contains("Reason: it applies only to http and socks proxies, and the proxy type is system");
    assertThat(analysis.getAction()).contains("set urlsession.sessions.api.proxy.type to http or socks");
  }

  @Test
  void sessionWhenSystemProxyHasAPasswordFailsWithoutShowingIt() {
    FailureAnalysis analysis = analyzeFailure(runner, "urlsession.sessions.api.proxy.password=s3cret");
    assertThat(analysis.getDescription())
        .contains("Property: urlsession.sessions.api.proxy.password")
        .contains("Value: \"******\"")
        .doesNotContain("s3cret");
  }

  @Test
  void sessionWhenProxyPasswordHasNoUserNameFailsNamingTheMissingProperty() {
    FailureAnalysis analysis = analyzeFailure(runner, "urlsession.sessions.api.proxy.type=http",
        "urlsession.sessions.api.proxy.host=proxy.internal", "urlsession.sessions.api.proxy.port=3128",
        "urlsession.sessions.api.proxy.password=secret");
    assertThat(analysis.getDescription()).contains("Property: urlsession.sessions.api.proxy.username");
  }

  @Test
  void sessionWhenTlsMinimumIsAboveMaximumFailsWithPropertyPath() {
    FailureAnalysis analysis = analyzeFailure(runner,
        "urlsession.sessions.api.tls-minimum-supported-protocol-version=tls-1-3",
        "urlsession.defaults.tls-maximum-supported-protocol-version=tls-1-2");
    assertThat(analysis.getDescription())
        .contains("Property: urlsession.sessions.api.tls-minimum-supported-protocol-version")
        .contains("Reason: the minimum TLS version tls-1-3 is above the maximum tls-1-2");
  }

  @Test
  void sessionWhenEphemeralHasAStorageDirectoryFailsWithPropertyPath() {
    FailureAnalysis analysis = analyzeFailure(runner, "urlsession.sessions.private.type=ephemeral",
        "urlsession.sessions.private.storage-directory=/tmp/x");
    assertThat(analysis.getDescription())
        .contains("Property: urlsession.sessions.private.storage-directory")
        .contains("Reason: an ephemeral session keeps nothing on disk");
  }

  @Test
  void sessionWhenExceptionDomainHasNoDomainFailsWithPropertyPath() {
    FailureAnalysis analysis = analyzeFailure(runner,
        "urlsession.sessions.api.transport-security.exception-domains[0].includes-subdomains=true");
    assertThat(analysis.getDescription())
        .contains("Property: urlsession.sessions.api.transport-security.exception-domains[0].domain");
  }

  @Test
  void sessionWhenExceptionDomainMakesNoExceptionFailsWithPropertyPath() {
    FailureAnalysis analysis = analyzeFailure(runner,
        "urlsession.sessions.api.transport-security.exception-domains[0].domain=legacy.example.com");
    assertThat(analysis.getDescription())
        .contains("Property: urlsession.sessions.api.transport-security.exception-domains[0].allows-insecure-http-loads")
        .contains("Reason: exception domain legacy.example.com makes no exception");
  }

  @Test
  void eventsWhenProgressIntervalIsNegativeFailsWithPropertyPath() {
    FailureAnalysis analysis = analyzeFailure(runner, "urlsession.events.progress-interval=-1s");
    assertThat(analysis.getDescription())
        .contains("Property: urlsession.events.progress-interval")
        .contains("Reason: must be zero or a positive duration");
  }

  @Test
  void observationWhenMaxUriTagsIsNegativeFailsWithPropertyPath() {
    FailureAnalysis analysis = analyzeFailure(runner, "urlsession.observation.max-uri-tags=-5");
    assertThat(analysis.getDescription())
        .contains("Property: urlsession.observation.max-uri-tags")
        .contains("Reason: must be zero or a positive number");
  }

  @Test
  void sessionsWhoseNamesDifferOnlyByDashesOrCaseFailTheStartNamingBoth() {
    FailureAnalysis analysis = analyzeFailure(runner, "urlsession.sessions.my-api.http-maximum-connections-per-host=3",
        "urlsession.sessions.myapi.http-additional-headers.X-Who=myapi");
    assertThat(analysis.getDescription())
        .contains("urlsession.sessions.my")
        .contains("only by dashes, underscores or case");
  }

  @Test
  void sessionWhenPropertyNameIsMisspelledFailsTheStart() {
    runner.withPropertyValues("urlsession.sessions.api.timeout-interval-for-requst=5s").run(context -> {
      assertThat(context).hasFailed();
      assertThat(context.getStartupFailure())
          .hasStackTraceContaining("urlsession.sessions.api.timeout-interval-for-requst");
    });
  }

  @Test
  void analyzerIsRegisteredInSpringFactoriesAndExplainsBeforeSpringBootsOwn() {
    StandardEnvironment environment = new StandardEnvironment();
    List<FailureAnalyzer> analyzers = SpringFactoriesLoader.forDefaultResourceLocation()
        .load(FailureAnalyzer.class, ArgumentResolver.of(Environment.class, environment),
            SpringFactoriesLoader.FailureHandler.handleMessage((message, failure) -> { }));
    assertThat(analyzers).anyMatch(InvalidSessionConfigurationFailureAnalyzer.class::isInstance);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    runner.withPropertyValues("urlsession.sessions.api.type=bogus")
        .run(context -> failure.set(context.getStartupFailure()));
    // As FailureAnalyzers does: the first analysis wins.
    FailureAnalysis first = analyzers.stream().map(a -> a.analyze(failure.get()))
        .filter(java.util.Objects::nonNull).findFirst().orElseThrow();
    assertThat(first.getDescription()).startsWith("Invalid urlsession configuration:");
  }

  @Test
  void analyzerIgnoresOtherFailures() {
    assertThat(new InvalidSessionConfigurationFailureAnalyzer(null).analyze(new IllegalStateException("x"))).isNull();
  }

  @org.springframework.context.annotation.Configuration(proxyBeanMethods = false)
  static class InjectsApi {
    @org.springframework.context.annotation.Bean
    String usesApi(@org.springframework.beans.factory.annotation.Qualifier("api") dev.urlsession.Session api) {
      return "uses " + api;
    }
  }

  /** Starts a context with {@code properties}, expects it to fail, and analyzes the failure. */
  private static FailureAnalysis analyzeFailure(ApplicationContextRunner runner, String... properties) {
    AtomicReference<Throwable> failure = new AtomicReference<>();
    runner.withPropertyValues(properties).run(context -> {
      assertThat(context).hasFailed();
      failure.set(context.getStartupFailure());
    });
    StandardEnvironment environment = new StandardEnvironment();
    TestPropertyValues.of(properties).applyTo(environment);
    FailureAnalysis analysis = new InvalidSessionConfigurationFailureAnalyzer(environment).analyze(failure.get());
    assertThat(analysis).as("analysis of %s", failure.get()).isNotNull();
    return analysis;
  }
}
