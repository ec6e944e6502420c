package dev.urlsession;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link CachedResponse}: an immutable value (API.md, URLSESSION-BEHAVIOUR.md 9.1). */
class CachedResponseTests {
  static Response response(int status, String... headers) {
    Response.Builder b = Response.builder(URI.create("https://example.org/a")).statusCode(status);
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return b.build();
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void cachedResponseWhenBuiltWithoutPolicyIsAllowedWithoutUserInfo() {
    CachedResponse c = new CachedResponse(response(200), bytes("hello"));

    assertThat(c.storagePolicy()).isEqualTo(CacheStoragePolicy.ALLOWED);
    assertThat(c.userInfo()).isNull();
    assertThat(c.data()).isEqualTo(bytes("hello"));
    assertThat(c.response().statusCode()).isEqualTo(200);
  }

  @Test
  void dataWhenInputOrOutputArrayIsModifiedStaysUnchanged() {
    byte[] input = bytes("abc");
    CachedResponse c = new CachedResponse(response(200), input);

    input[0] = 'X';
    c.data()[1] = 'Y';

    assertThat(c.data()).isEqualTo(bytes("abc"));
  }

  @Test
  void userInfoWhenSourceMapChangesStaysUnchangedAndIsUnmodifiable() {
    Map<String, Object> info = new HashMap<>();
    info.put("k", "v");
    CachedResponse c =
        new CachedResponse(
            response(200), bytes(""), info, CacheStoragePolicy.ALLOWED_IN_MEMORY_ONLY);

    info.put("other", 1);

    assertThat(c.userInfo()).containsExactly(Map.entry("k", "v"));
    assertThatThrownBy(() -> c.userInfo().put("x", "y"))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThat(c.storagePolicy()).isEqualTo(CacheStoragePolicy.ALLOWED_IN_MEMORY_ONLY);
  }

  @Test
  void userInfoWhenMadeWithoutIsNull() {
    assertThat(new CachedResponse(response(200), bytes(""), null, CacheStoragePolicy.ALLOWED).userInfo())
        .isNull();
    assertThat(new CachedResponse(response(200), bytes("")).userInfo()).isNull();
  }

  @Test
  void userInfoWhenGivenEmptyIsEmptyNotNull() {
    assertThat(new CachedResponse(response(200), bytes(""), Map.of(), CacheStoragePolicy.ALLOWED).userInfo())
        .isNotNull()
        .isEmpty();
  }

  @Test
  void equalsWhenResponseDataUserInfoAndPolicyMatchIsTrue() {
    CachedResponse a =
        new CachedResponse(
            response(200, "ETag", "\"1\""), bytes("x"), Map.of("a", 1), CacheStoragePolicy.ALLOWED);
    CachedResponse b =
        new CachedResponse(
            response(200, "ETag", "\"1\""), bytes("x"), new HashMap<>(Map.of("a", 1)),
            CacheStoragePolicy.ALLOWED);

    assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
    assertThat(new CachedResponse(response(200), bytes("x")))
        .isEqualTo(new CachedResponse(response(200), bytes("x"), null, CacheStoragePolicy.ALLOWED));
  }

  @Test
  void equalsWhenUserInfoDiffersIsFalse() {
    CachedResponse with =
        new CachedResponse(response(200), bytes("x"), Map.of("a", 1), CacheStoragePolicy.ALLOWED);

    assertThat(with)
        .isNotEqualTo(new CachedResponse(response(200), bytes("x"), null, CacheStoragePolicy.ALLOWED));
    assertThat(with)
        .isNotEqualTo(new CachedResponse(response(200), bytes("x"), Map.of("a", 2), CacheStoragePolicy.ALLOWED));
    assertThat(new CachedResponse(response(200), bytes("x"), Map.of(), CacheStoragePolicy.ALLOWED))
        .isNotEqualTo(new CachedResponse(response(200), bytes("x"), null, CacheStoragePolicy.ALLOWED));
  }

  @Test
  void equalsWhenAnyComparedPartDiffersIsFalse() {
    CachedResponse base = new CachedResponse(response(200, "ETag", "\"1\""), bytes("x"));

    assertThat(base).isNotEqualTo(new CachedResponse(response(201, "ETag", "\"1\""), bytes("x")));
    assertThat(base).isNotEqualTo(new CachedResponse(response(200, "ETag", "\"2\""), bytes("x")));
    assertThat(base).isNotEqualTo(new CachedResponse(response(200, "ETag", "\"1\""), bytes("y")));
    assertThat(base)
        .isNotEqualTo(
            new CachedResponse(
                Response.builder(URI.create("https://example.org/b"))
                    .statusCode(200)
                    .header("ETag", "\"1\"")
                    .build(),
                bytes("x")));
    assertThat(base)
        .isNotEqualTo(
            new CachedResponse(
                response(200, "ETag", "\"1\""),
                bytes("x"),
                null,
                CacheStoragePolicy.ALLOWED_IN_MEMORY_ONLY));
  }

  @Test
  void constructorWhenArgumentIsNullThrowsNamingIt() {
    assertThatThrownBy(() -> new CachedResponse(null, bytes("")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("response");
    assertThatThrownBy(() -> new CachedResponse(response(200), null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("data");
    assertThatThrownBy(() -> new CachedResponse(response(200), bytes(""), null, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("storagePolicy");
  }

  @Test
  void constructorWhenUserInfoHoldsNullValueThrowsNamingIt() {
    Map<String, Object> info = new HashMap<>();
    info.put("k", null);

    assertThatThrownBy(
            () -> new CachedResponse(response(200), bytes(""), info, CacheStoragePolicy.ALLOWED))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("userInfo");
  }

  @Test
  void toStringWhenCalledShowsStatusUrlSizeAndPolicy() {
    assertThat(new CachedResponse(response(200), bytes("abc")).toString())
        .contains("200", "https://example.org/a", "3 bytes", "ALLOWED");
  }
}
