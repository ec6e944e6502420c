package dev.urlsession;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link ProxyConfiguration}: routes, validation, bypass rules, and no password in logs (RELIABILITY.md row 9). */
class ProxyConfigurationTests {
  static final String PASSWORD = "pa55-W\u00f6rd-7c1e";

  @Test
  void systemWhenCalledTwiceReturnsSameSingleton() {
    ProxyConfiguration p = ProxyConfiguration.system();

    assertThat(ProxyConfiguration.system()).isSameAs(p);
    assertThat(p.type()).isEqualTo(ProxyConfiguration.Type.SYSTEM);
    assertThat(p.host()).isNull();
    assertThat(p.port()).isZero();
    assertThat(p.username()).isNull();
    assertThat(p.password()).isNull();
    assertThat(p.bypass()).isEmpty();
    assertThat(p.toString()).isEqualTo("ProxyConfiguration{SYSTEM}");
  }

  @Test
  void directWhenCalledTwiceReturnsSameSingleton() {
    ProxyConfiguration p = ProxyConfiguration.direct();

    assertThat(ProxyConfiguration.direct()).isSameAs(p);
    assertThat(p.type()).isEqualTo(ProxyConfiguration.Type.DIRECT);
    assertThat(p.host()).isNull();
    assertThat(p).isNotEqualTo(ProxyConfiguration.system());
    assertThat(p.toString()).isEqualTo("ProxyConfiguration{DIRECT}");
  }

  @Test
  void httpWhenValidKeepsHostAndPort() {
    ProxyConfiguration p = ProxyConfiguration.http("proxy.internal", 3128);

    assertThat(p.type()).isEqualTo(ProxyConfiguration.Type.HTTP);
    assertThat(p.host()).isEqualTo("proxy.internal");
    assertThat(p.port()).isEqualTo(3128);
    assertThat(p.username()).isNull();
    assertThat(p.password()).isNull();
    assertThat(p.bypass()).isEmpty();
  }

  @Test
  void socksWhenValidKeepsHostAndPort() {
    ProxyConfiguration p = ProxyConfiguration.socks("socks.internal", 1080);

    assertThat(p.type()).isEqualTo(ProxyConfiguration.Type.SOCKS);
    assertThat(p.host()).isEqualTo("socks.internal");
    assertThat(p.port()).isEqualTo(1080);
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 80, 65535})
  void portWhenInRangeIsAccepted(int port) {
    assertThat(ProxyConfiguration.http("p", port).port()).isEqualTo(port);
    assertThat(ProxyConfiguration.socks("p", port).port()).isEqualTo(port);
  }

  @ParameterizedTest
  @ValueSource(ints = {0, -1, 65536, 100_000, Integer.MIN_VALUE, Integer.MAX_VALUE})
  void portWhenOutOfRangeIsRejected(int port) {
    assertThatThrownBy(() -> ProxyConfiguration.http("proxy", port))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("proxy port")
        .hasMessageContaining(String.valueOf(port));
    assertThatThrownBy(() -> ProxyConfiguration.socks("proxy", port))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("proxy port");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " ", "\t", "  \n "})
  void hostWhenBlankIsRejected(String host) {
    assertThatThrownBy(() -> ProxyConfiguration.http(host, 3128))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("proxy host");
    assertThatThrownBy(() -> ProxyConfiguration.socks(host, 1080))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("proxy host");
  }

  @Test
  void hostWhenNullIsRejected() {
    assertThatThrownBy(() -> ProxyConfiguration.http(null, 3128))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("proxy host");
    assertThatThrownBy(() -> ProxyConfiguration.socks(null, 1080))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("proxy host");
  }

  @Test
  void withCredentialsWhenHttpOrSocksKeepsThemOnACopy() {
    ProxyConfiguration http = ProxyConfiguration.http("proxy", 3128);
    ProxyConfiguration socks = ProxyConfiguration.socks("socks", 1080);

    ProxyConfiguration httpAuth = http.withCredentials("alice", PASSWORD);
    ProxyConfiguration socksAuth = socks.withCredentials("bob", PASSWORD);

    assertThat(httpAuth.username()).isEqualTo("alice");
    assertThat(httpAuth.password()).isEqualTo(PASSWORD);
    assertThat(httpAuth.type()).isEqualTo(ProxyConfiguration.Type.HTTP);
    assertThat(httpAuth.host()).isEqualTo("proxy");
    assertThat(httpAuth.port()).isEqualTo(3128);
    assertThat(socksAuth.username()).isEqualTo("bob");
    assertThat(socksAuth.type()).isEqualTo(ProxyConfiguration.Type.SOCKS);
    assertThat(http.username()).isNull();
    assertThat(http.password()).isNull();
  }

  @Test
  void withCredentialsWhenSystemOrDirectIsRejected() {
    assertThatThrownBy(() -> ProxyConfiguration.system().withCredentials("u", "p"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("credentials");
    assertThatThrownBy(() -> ProxyConfiguration.direct().withCredentials("u", "p"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("credentials");
  }

  @Test
  void withCredentialsWhenNullIsRejected() {
    ProxyConfiguration p = ProxyConfiguration.http("proxy", 3128);

    assertThatThrownBy(() -> p.withCredentials(null, "p"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("proxy username");
    assertThatThrownBy(() -> p.withCredentials("u", null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("proxy password");
  }

  @Test
  void toStringWhenCredentialsSetNeverContainsPassword() {
    ProxyConfiguration p = ProxyConfiguration.http("proxy.internal", 3128)
        .withCredentials("alice", PASSWORD)
        .withBypass(List.of("localhost", "*.internal"));
    ProxyConfiguration s = ProxyConfiguration.socks("socks.internal", 1080).withCredentials("bob", PASSWORD);

    assertThat(p.toString())
        .doesNotContain(PASSWORD)
        .isEqualTo("ProxyConfiguration{HTTP proxy.internal:3128, user=alice, password=****,"
            + " bypass=[localhost, *.internal]}");
    assertThat(s.toString()).doesNotContain(PASSWORD).contains("user=bob");
  }

  @Test
  void toStringWhenNoCredentialsShowsHostAndPort() {
    assertThat(ProxyConfiguration.socks("socks.internal", 1080).toString())
        .isEqualTo("ProxyConfiguration{SOCKS socks.internal:1080}");
  }

  @Test
  void equalsWhenSameRouteAndCredentialsIsTrue() {
    ProxyConfiguration a = ProxyConfiguration.http("proxy", 3128).withCredentials("u", "p").withBypass(List.of("x"));
    ProxyConfiguration b = ProxyConfiguration.http("proxy", 3128).withCredentials("u", "p").withBypass(List.of("x"));

    assertThat(a).isEqualTo(b);
    assertThat(a.hashCode()).isEqualTo(b.hashCode());
    assertThat(a).isNotEqualTo(ProxyConfiguration.http("proxy", 3128).withCredentials("u", "other"));
    assertThat(a).isNotEqualTo(ProxyConfiguration.socks("proxy", 3128).withCredentials("u", "p"));
    assertThat(ProxyConfiguration.http("proxy", 3128)).isNotEqualTo(ProxyConfiguration.http("proxy", 3129));
  }

  @Test
  void bypassesWhenPatternIsExactHostMatchesOnlyThatHostIgnoringCase() {
    ProxyConfiguration p = ProxyConfiguration.http("proxy", 3128).withBypass(List.of("localhost", "10.0.0.1", "Intra.Example.com"));

    assertThat(p.bypasses("localhost")).isTrue();
    assertThat(p.bypasses("LOCALHOST")).isTrue();
    assertThat(p.bypasses("10.0.0.1")).isTrue();
    assertThat(p.bypasses("intra.example.com")).isTrue();
    assertThat(p.bypasses("api.intra.example.com")).isFalse();
    assertThat(p.bypasses("example.com")).isFalse();
    assertThat(p.bypasses("10.0.0.10")).isFalse();
    assertThat(p.bypasses("mylocalhost")).isFalse();
  }

  @Test
  void bypassesWhenPatternIsWildcardDomainMatchesDomainAndSubdomains() {
    ProxyConfiguration p = ProxyConfiguration.http("proxy", 3128).withBypass(List.of("*.internal", "*.Example.ORG"));

    assertThat(p.bypasses("internal")).isTrue();
    assertThat(p.bypasses("svc.internal")).isTrue();
    assertThat(p.bypasses("a.b.svc.INTERNAL")).isTrue();
    assertThat(p.bypasses("example.org")).isTrue();
    assertThat(p.bypasses("www.example.org")).isTrue();
    assertThat(p.bypasses("notinternal")).isFalse();
    assertThat(p.bypasses("svc.internal.evil.com")).isFalse();
    assertThat(p.bypasses("badexample.org")).isFalse();
    assertThat(p.bypasses("example.org.evil.com")).isFalse();
  }

  @Test
  void bypassesWhenNoPatternsIsFalse() {
    assertThat(ProxyConfiguration.http("proxy", 3128).bypasses("localhost")).isFalse();
  }

  @Test
  void withBypassWhenSourceListChangedAfterwardsIsUnaffected() {
    List<String> patterns = new ArrayList<>(List.of("a.example"));
    ProxyConfiguration p = ProxyConfiguration.http("proxy", 3128).withBypass(patterns);

    patterns.add("b.example");

    assertThat(p.bypass()).containsExactly("a.example");
    assertThat(p.bypasses("b.example")).isFalse();
    assertThatThrownBy(() -> p.bypass().add("c.example")).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void withBypassWhenNullIsRejected() {
    assertThatThrownBy(() -> ProxyConfiguration.http("proxy", 3128).withBypass(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bypass");
  }

  @Test
  void withBypassWhenElementNullIsRejected() {
    List<String> patterns = Arrays.asList("a.example", null);

    assertThatThrownBy(() -> ProxyConfiguration.http("proxy", 3128).withBypass(patterns))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bypass");
  }

  @Test
  void withCredentialsWhenCalledKeepsBypassAndViceVersa() {
    ProxyConfiguration p = ProxyConfiguration.http("proxy", 3128)
        .withBypass(List.of("*.internal"))
        .withCredentials("u", "p");
    ProxyConfiguration q = ProxyConfiguration.http("proxy", 3128)
        .withCredentials("u", "p")
        .withBypass(List.of("*.internal"));

    assertThat(p.bypass()).containsExactly("*.internal");
    assertThat(p.username()).isEqualTo("u");
    assertThat(q.username()).isEqualTo("u");
    assertThat(q.password()).isEqualTo("p");
    assertThat(p).isEqualTo(q);
  }
}
