package dev.urlsession.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import org.junit.jupiter.api.Test;

/** What {@link UrlSanitizer} keeps and what it masks. */
class UrlSanitizerTests {
  @Test
  void sanitizeWhenUrlHasUserInfoAndSecretQueryValuesMasksThem() {
    assertThat(UrlSanitizer.sanitize(URI.create(
        "https://ann:pw@api.example.com:8443/v1/items?token=a&Signature=b&access_key=c&page=2&sort#frag")))
        .isEqualTo("https://api.example.com:8443/v1/items?token=******&Signature=******&access_key=******&page=2&sort");
  }

  @Test
  void sanitizeWhenUrlHasNothingSecretKeepsIt() {
    assertThat(UrlSanitizer.sanitize(URI.create("http://localhost/a%20b?q=x%26y"))).isEqualTo("http://localhost/a%20b?q=x%26y");
  }

  @Test
  void sanitizeWhenUrlIsOpaqueKeepsOnlyTheScheme() {
    assertThat(UrlSanitizer.sanitize(URI.create("data:,secret"))).isEqualTo("data:******");
  }

  @Test
  void isSecretWhenHeaderCarriesCredentials() {
    assertThat(UrlSanitizer.isSecret("Authorization")).isTrue();
    assertThat(UrlSanitizer.isSecret("Proxy-Authorization")).isTrue();
    assertThat(UrlSanitizer.isSecret("X-Api-Key")).isTrue();
    assertThat(UrlSanitizer.isSecret("Cookie")).isTrue();
    assertThat(UrlSanitizer.isSecret("Accept")).isFalse();
    assertThat(UrlSanitizer.isSecret("User-Agent")).isFalse();
  }
}
