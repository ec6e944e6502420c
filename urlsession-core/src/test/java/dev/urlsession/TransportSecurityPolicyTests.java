package dev.urlsession;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link TransportSecurityPolicy}: the ATS counterpart (URLSESSION-BEHAVIOUR.md 8.5, RELIABILITY.md row 2). */
class TransportSecurityPolicyTests {
  @Test
  void defaultPolicyWhenReadHasAtsDefaults() {
    TransportSecurityPolicy p = TransportSecurityPolicy.defaultPolicy();

    assertThat(p.allowsArbitraryLoads()).isFalse();
    assertThat(p.allowsLocalNetworking()).isTrue();
    assertThat(p.exceptionDomains()).isEmpty();
    assertThat(TransportSecurityPolicy.defaultPolicy()).isSameAs(p);
  }

  @ParameterizedTest
  @ValueSource(strings = {"localhost", "LOCALHOST", "localhost.", "127.0.0.1", "127.1.2.3", "::1", "[::1]",
      "0:0:0:0:0:0:0:1", "[0:0:0:0:0:0:0:1]", "intranet", "printer", "Build-Server", "nas.local", "NAS.Local",
      "printer.local.", "a.b.local", "app.localhost", "API.LOCALHOST", "x.y.localhost."})
  void defaultPolicyWhenHostIsLocalAllowsCleartext(String host) {
    assertThat(TransportSecurityPolicy.defaultPolicy().allowsInsecureLoad(host)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"example.com", "EXAMPLE.COM", "example.com.", "www.example.com", "local.example.com",
      "localhost.example.com", "example.localhostx", "evil-local.com", "a.locals", "notlocal.com", "8.8.8.8",
      "93.184.215.14", "2606:4700::1111", "[2606:4700::1111]"})
  void defaultPolicyWhenHostIsPublicRefusesCleartext(String host) {
    assertThat(TransportSecurityPolicy.defaultPolicy().allowsInsecureLoad(host)).isFalse();
  }

  @Test
  void defaultPolicyWhenHostIsNullRefusesCleartext() {
    assertThat(TransportSecurityPolicy.defaultPolicy().allowsInsecureLoad(null)).isFalse();
  }

  @Test
  void exceptionDomainWhenSubdomainsExcludedAllowsOnlyThatHost() {
    TransportSecurityPolicy p = TransportSecurityPolicy.builder().exceptionDomain("legacy.example.com", false).build();

    assertThat(p.allowsInsecureLoad("legacy.example.com")).isTrue();
    assertThat(p.allowsInsecureLoad("LEGACY.Example.COM")).isTrue();
    assertThat(p.allowsInsecureLoad("legacy.example.com.")).isTrue();
    assertThat(p.allowsInsecureLoad("api.legacy.example.com")).isFalse();
    assertThat(p.allowsInsecureLoad("example.com")).isFalse();
    assertThat(p.allowsInsecureLoad("notlegacy.example.com")).isFalse();
    assertThat(p.allowsInsecureLoad("legacy.example.com.evil.org")).isFalse();
    assertThat(p.exceptionDomains()).containsExactly(Map.entry("legacy.example.com", false));
  }

  @Test
  void exceptionDomainWhenSubdomainsIncludedAllowsHostAndSubdomainsOnly() {
    TransportSecurityPolicy p = TransportSecurityPolicy.builder().exceptionDomain("example.com", true).build();

    assertThat(p.allowsInsecureLoad("example.com")).isTrue();
    assertThat(p.allowsInsecureLoad("api.example.com")).isTrue();
    assertThat(p.allowsInsecureLoad("a.b.c.EXAMPLE.com.")).isTrue();
    assertThat(p.allowsInsecureLoad("badexample.com")).isFalse();
    assertThat(p.allowsInsecureLoad("example.com.evil.org")).isFalse();
    assertThat(p.allowsInsecureLoad("example.org")).isFalse();
    assertThat(p.exceptionDomains()).containsExactly(Map.entry("example.com", true));
  }

  @Test
  void exceptionDomainWhenGivenInUpperCaseWithTrailingDotIsNormalised() {
    TransportSecurityPolicy p = TransportSecurityPolicy.builder().exceptionDomain("Legacy.EXAMPLE.com.", true).build();

    assertThat(p.exceptionDomains()).containsExactly(Map.entry("legacy.example.com", true));
    assertThat(p.allowsInsecureLoad("legacy.example.com")).isTrue();
    assertThat(p.allowsInsecureLoad("x.legacy.example.com")).isTrue();
  }

  @Test
  void exceptionDomainWhenSeveralGivenAllowsEach() {
    TransportSecurityPolicy p = TransportSecurityPolicy.builder()
        .exceptionDomain("a.example", false)
        .exceptionDomain("b.example", true)
        .build();

    assertThat(p.allowsInsecureLoad("a.example")).isTrue();
    assertThat(p.allowsInsecureLoad("x.a.example")).isFalse();
    assertThat(p.allowsInsecureLoad("x.b.example")).isTrue();
    assertThat(p.allowsInsecureLoad("c.example")).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " ", "\t"})
  void exceptionDomainWhenBlankIsRejected(String domain) {
    assertThatThrownBy(() -> TransportSecurityPolicy.builder().exceptionDomain(domain, true))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("exception domain");
  }

  @Test
  void exceptionDomainWhenNullIsRejected() {
    assertThatThrownBy(() -> TransportSecurityPolicy.builder().exceptionDomain(null, true))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("exception domain");
  }

  @Test
  void exceptionDomainsWhenReadAreUnmodifiable() {
    TransportSecurityPolicy p = TransportSecurityPolicy.builder().exceptionDomain("a.example", true).build();

    assertThatThrownBy(() -> p.exceptionDomains().put("evil.example", true))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void builderWhenChangedAfterBuildDoesNotAffectBuiltPolicy() {
    TransportSecurityPolicy.Builder b = TransportSecurityPolicy.builder().exceptionDomain("a.example", false);
    TransportSecurityPolicy built = b.build();

    b.exceptionDomain("b.example", false).allowsArbitraryLoads(true);

    assertThat(built.allowsInsecureLoad("b.example")).isFalse();
    assertThat(built.allowsArbitraryLoads()).isFalse();
    assertThat(built.exceptionDomains()).containsOnlyKeys("a.example");
  }

  @ParameterizedTest
  @ValueSource(strings = {"example.com", "8.8.8.8", "localhost", "printer.local", "2606:4700::1111"})
  void allowingArbitraryLoadsWhenAnyHostAllowsCleartext(String host) {
    TransportSecurityPolicy p = TransportSecurityPolicy.allowingArbitraryLoads();

    assertThat(p.allowsArbitraryLoads()).isTrue();
    assertThat(p.allowsInsecureLoad(host)).isTrue();
    assertThat(TransportSecurityPolicy.allowingArbitraryLoads()).isSameAs(p);
  }

  @Test
  void allowingArbitraryLoadsWhenHostIsNullAllowsCleartext() {
    assertThat(TransportSecurityPolicy.allowingArbitraryLoads().allowsInsecureLoad(null)).isTrue();
  }

  @Test
  void builderAllowsArbitraryLoadsWhenSetAllowsPublicHosts() {
    TransportSecurityPolicy p = TransportSecurityPolicy.builder().allowsArbitraryLoads(true).build();

    assertThat(p.allowsInsecureLoad("example.com")).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"localhost", "127.0.0.1", "::1", "[::1]", "intranet", "nas.local", "app.localhost"})
  void allowsLocalNetworkingWhenFalseRefusesLocalHosts(String host) {
    TransportSecurityPolicy p = TransportSecurityPolicy.builder().allowsLocalNetworking(false).build();

    assertThat(p.allowsLocalNetworking()).isFalse();
    assertThat(p.allowsInsecureLoad(host)).isFalse();
  }

  @Test
  void allowsLocalNetworkingWhenFalseStillHonoursExceptionDomains() {
    TransportSecurityPolicy p = TransportSecurityPolicy.builder()
        .allowsLocalNetworking(false)
        .exceptionDomain("localhost", false)
        .build();

    assertThat(p.allowsInsecureLoad("localhost")).isTrue();
    assertThat(p.allowsInsecureLoad("127.0.0.1")).isFalse();
    assertThat(p.allowsInsecureLoad("nas.local")).isFalse();
  }

  @Test
  void toStringWhenConfiguredShowsEverySetting() {
    TransportSecurityPolicy p = TransportSecurityPolicy.builder().exceptionDomain("a.example", true).build();

    assertThat(p.toString()).isEqualTo(
        "TransportSecurityPolicy{allowsArbitraryLoads=false, allowsLocalNetworking=true,"
            + " exceptionDomains={a.example=true}, minimumTlsVersion=TLS_1_2}");
  }

  @Test
  void minimumTlsVersionWhenDefaultIsTls12ForEveryHost() {
    TransportSecurityPolicy p = TransportSecurityPolicy.defaultPolicy();

    assertThat(p.minimumTlsVersion()).isEqualTo(TlsVersion.TLS_1_2);
    assertThat(p.minimumTlsVersion("example.com")).isEqualTo(TlsVersion.TLS_1_2);
    assertThat(p.minimumTlsVersion("localhost")).isEqualTo(TlsVersion.TLS_1_2);
  }

  @Test
  void minimumTlsVersionWhenSetGenerallyAppliesToEveryHost() {
    TransportSecurityPolicy p = TransportSecurityPolicy.builder().minimumTlsVersion(TlsVersion.TLS_1_3).build();

    assertThat(p.minimumTlsVersion()).isEqualTo(TlsVersion.TLS_1_3);
    assertThat(p.minimumTlsVersion("example.com")).isEqualTo(TlsVersion.TLS_1_3);
  }

  @Test
  void minimumTlsVersionWhenDomainExceptionWithoutSubdomainsAppliesToThatHostOnly() {
    TransportSecurityPolicy p = TransportSecurityPolicy.builder()
        .minimumTlsVersion("Legacy.Example.com.", false, TlsVersion.TLS_1_0)
        .build();

    assertThat(p.minimumTlsVersion("legacy.example.com")).isEqualTo(TlsVersion.TLS_1_0);
    assertThat(p.minimumTlsVersion("LEGACY.EXAMPLE.COM.")).isEqualTo(TlsVersion.TLS_1_0);
    assertThat(p.minimumTlsVersion("api.legacy.example.com")).isEqualTo(TlsVersion.TLS_1_2);
    assertThat(p.minimumTlsVersion("notlegacy.example.com")).isEqualTo(TlsVersion.TLS_1_2);
    assertThat(p.minimumTlsVersion()).isEqualTo(TlsVersion.TLS_1_2);
    assertThat(p.allowsInsecureLoad("legacy.example.com")).as("a TLS exception allows no cleartext").isFalse();
  }

  @Test
  void minimumTlsVersionWhenDomainExceptionWithSubdomainsAppliesToThem() {
    TransportSecurityPolicy p = TransportSecurityPolicy.builder()
        .minimumTlsVersion(TlsVersion.TLS_1_3)
        .minimumTlsVersion("example.com", true, TlsVersion.TLS_1_1)
        .build();

    assertThat(p.minimumTlsVersion("example.com")).isEqualTo(TlsVersion.TLS_1_1);
    assertThat(p.minimumTlsVersion("a.b.example.com")).isEqualTo(TlsVersion.TLS_1_1);
    assertThat(p.minimumTlsVersion("badexample.com")).isEqualTo(TlsVersion.TLS_1_3);
    assertThat(p.minimumTlsVersion("example.com.evil.org")).isEqualTo(TlsVersion.TLS_1_3);
  }

  @Test
  void minimumTlsVersionWhenDomainsOverlapMostSpecificWins() {
    TransportSecurityPolicy p = TransportSecurityPolicy.builder()
        .minimumTlsVersion("example.com", true, TlsVersion.TLS_1_0)
        .minimumTlsVersion("b.example.com", true, TlsVersion.TLS_1_1)
        .minimumTlsVersion("c.b.example.com", true, TlsVersion.TLS_1_2)
        .minimumTlsVersion("d.c.b.example.com", false, TlsVersion.TLS_1_3)
        .build();

    assertThat(p.minimumTlsVersion("d.c.b.example.com")).isEqualTo(TlsVersion.TLS_1_3);
    assertThat(p.minimumTlsVersion("x.c.b.example.com")).isEqualTo(TlsVersion.TLS_1_2);
    assertThat(p.minimumTlsVersion("x.b.example.com")).isEqualTo(TlsVersion.TLS_1_1);
    assertThat(p.minimumTlsVersion("x.example.com")).isEqualTo(TlsVersion.TLS_1_0);
  }

  @Test
  void minimumTlsVersionWhenNullOrBlankIsRejectedNamingIt() {
    assertThatThrownBy(() -> TransportSecurityPolicy.builder().minimumTlsVersion(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("minimumTlsVersion");
    assertThatThrownBy(() -> TransportSecurityPolicy.builder().minimumTlsVersion("example.com", true, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("minimumTlsVersion");
    assertThatThrownBy(() -> TransportSecurityPolicy.builder().minimumTlsVersion(" ", true, TlsVersion.TLS_1_3))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("domain");
    assertThatThrownBy(() -> TransportSecurityPolicy.builder().minimumTlsVersion(null, true, TlsVersion.TLS_1_3))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("domain");
  }

  @Test
  void toBuilderKeepsEverySettingAndChangesOnlyTheCopy() {
    TransportSecurityPolicy original = TransportSecurityPolicy.builder()
        .allowsLocalNetworking(false)
        .exceptionDomain("legacy.example.com", true)
        .minimumTlsVersion(TlsVersion.TLS_1_3)
        .minimumTlsVersion("old.example.com", false, TlsVersion.TLS_1_0)
        .build();
    TransportSecurityPolicy copy = original.toBuilder().build();
    assertThat(copy.allowsLocalNetworking()).isFalse();
    assertThat(copy.exceptionDomains()).isEqualTo(original.exceptionDomains());
    assertThat(copy.allowsInsecureLoad("a.legacy.example.com")).isTrue();
    assertThat(copy.minimumTlsVersion()).isEqualTo(TlsVersion.TLS_1_3);
    assertThat(copy.minimumTlsVersion("old.example.com")).isEqualTo(TlsVersion.TLS_1_0);
    TransportSecurityPolicy changed = original.toBuilder().exceptionDomain("other.example.org", false).build();
    assertThat(changed.allowsInsecureLoad("other.example.org")).isTrue();
    assertThat(original.allowsInsecureLoad("other.example.org")).isFalse();
  }

  // ---- https to http downgrades on redirect (issue 18 item 9) ----

  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(strings = {
      "http://169.254.169.254/latest/meta-data/", "http://10.0.0.5/", "http://192.168.1.1/",
      "http://localhost:8080/", "http://127.0.0.1/", "http://intranet/", "http://example.org/"})
  void allowsRedirectWhenHttpsGoesToHttpOfAnUnnamedHostRefusesWhateverTheLocalRules(String target) {
    java.net.URI from = java.net.URI.create("https://api.example.org/start");
    java.net.URI to = java.net.URI.create(target);

    assertThat(TransportSecurityPolicy.defaultPolicy().allowsRedirect(from, to)).isFalse();
    assertThat(TransportSecurityPolicy.allowingArbitraryLoads().allowsRedirect(from, to)).isFalse();
  }

  @Test
  void allowsRedirectWhenHttpsGoesToHttpOfANamedHostAllowsIt() {
    TransportSecurityPolicy policy = TransportSecurityPolicy.builder()
        .exceptionDomain("legacy.example.com", true).exceptionDomain("exact.example.net", false).build();
    java.net.URI from = java.net.URI.create("https://api.example.org/start");

    assertThat(policy.allowsRedirect(from, java.net.URI.create("http://legacy.example.com/x"))).isTrue();
    assertThat(policy.allowsRedirect(from, java.net.URI.create("http://a.legacy.example.com./x"))).isTrue();
    assertThat(policy.allowsRedirect(from, java.net.URI.create("http://EXACT.example.net/x"))).isTrue();
    assertThat(policy.allowsRedirect(from, java.net.URI.create("http://sub.exact.example.net/x"))).isFalse();
    assertThat(policy.allowsRedirect(from, java.net.URI.create("http://169.254.169.254/"))).isFalse();
  }

  @Test
  void allowsRedirectWhenNoDowngradeAllowsIt() {
    TransportSecurityPolicy policy = TransportSecurityPolicy.defaultPolicy();

    assertThat(policy.allowsRedirect(java.net.URI.create("https://a.example/"), java.net.URI.create("https://b.example/")))
        .isTrue();
    assertThat(policy.allowsRedirect(java.net.URI.create("http://localhost/"), java.net.URI.create("http://localhost/b")))
        .isTrue();
    assertThat(policy.allowsRedirect(java.net.URI.create("http://a.example/"), java.net.URI.create("https://b.example/")))
        .isTrue();
  }
}
