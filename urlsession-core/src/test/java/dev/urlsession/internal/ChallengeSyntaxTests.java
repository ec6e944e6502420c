package dev.urlsession.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link ChallengeSyntax}: RFC 9110 11.6.1 challenge lists, checked strictly. */
class ChallengeSyntaxTests {
  @ParameterizedTest
  @ValueSource(strings = {
      "Basic",
      "Basic realm=\"shop\"",
      "Basic realm=\"shop\", charset=\"UTF-8\"",
      "Basic realm = \"spaced\"",
      "Basic realm=token-value",
      "Basic realm=\"with \\\"escaped\\\" quotes\"",
      "Basic realm=\"\"",
      "Digest realm=\"r\", qop=\"auth,auth-int\", nonce=\"abc\", opaque=\"d\", algorithm=MD5",
      "Newauth realm=\"apps\", type=1, title=\"Login to \\\"apps\\\"\", Basic realm=\"simple\"",
      "Bearer QWxhZGRpbjpvcGVuIHNlc2FtZQ==",
      "Bearer abc, Basic realm=\"r\"",
      ", Basic realm=\"r\",,",
      "Basic realm=\"caf\u00e9\"",
  })
  void wellFormedWhenTheValueFollowsTheGrammarIsTrue(String value) {
    assertThat(ChallengeSyntax.wellFormed(value)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "Basic realm=\"unterminated",
      "Digest realm=\"r\", nonce=\"unterminated",
      "Basic realm=\"ends in a backslash\\",
      "Basic realm=\"x\" junk",
      "Basic realm=two words",
      "=realm",
      "Basic realm=\"x\", =\"y\"",
      "Bearer abc==, realm=\"after a token68\"",
      "Basic\trealm=\"tab instead of space\"",
      "Basic realm=\"control \u0001 char\"",
      "Basic realm=\"x\"; charset=UTF-8",
  })
  void wellFormedWhenTheValueBreaksTheGrammarIsFalse(String value) {
    assertThat(ChallengeSyntax.wellFormed(value)).isFalse();
  }
}
