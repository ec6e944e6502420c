package dev.urlsession;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link Headers}: case-insensitive multimap semantics and RFC 9110 validation (RELIABILITY.md row 3). */
class HeadersTests {
  /** RFC 9110 section 5.6.2 delimiters: never allowed in a token. */
  static final String RFC9110_DELIMITERS = "\"(),/:;<=>?@[\\]{}";

  static Headers sample() {
    return Headers.builder()
        .add("Accept", "text/html")
        .add("X-Trace", "1")
        .add("accept", "application/json")
        .add("ACCEPT", "*/*")
        .build();
  }

  @Test
  void firstWhenNameDiffersInCaseReturnsFirstValue() {
    Headers h = sample();

    assertThat(h.first("accept")).isEqualTo("text/html");
    assertThat(h.first("ACCEPT")).isEqualTo("text/html");
    assertThat(h.first("aCcEpT")).isEqualTo("text/html");
    assertThat(h.first("x-trace")).isEqualTo("1");
  }

  @Test
  void firstWhenNameAbsentReturnsNull() {
    assertThat(sample().first("Content-Type")).isNull();
    assertThat(Headers.empty().first("Accept")).isNull();
  }

  @Test
  void allWhenNameDiffersInCaseReturnsEveryValueInOrder() {
    assertThat(sample().all("AcCePt")).containsExactly("text/html", "application/json", "*/*");
    assertThat(sample().all("X-TRACE")).containsExactly("1");
  }

  @Test
  void allWhenNameAbsentIsEmpty() {
    assertThat(sample().all("Cookie")).isEmpty();
  }

  @Test
  void containsWhenNameDiffersInCaseIsTrue() {
    Headers h = sample();

    assertThat(h.contains("accept")).isTrue();
    assertThat(h.contains("X-TRACE")).isTrue();
    assertThat(h.contains("Cookie")).isFalse();
  }

  @Test
  void namesWhenSpellingsDifferKeepsFirstSpellingOncePerName() {
    assertThat(sample().names()).containsExactly("Accept", "X-Trace");
  }

  @Test
  void sizeWhenNameRepeatsCountsEveryField() {
    Headers h = sample();

    assertThat(h.size()).isEqualTo(4);
    assertThat(h.isEmpty()).isFalse();
    assertThat(h.name(2)).isEqualTo("accept");
    assertThat(h.value(2)).isEqualTo("application/json");
    assertThat(Headers.empty().size()).isZero();
    assertThat(Headers.empty().isEmpty()).isTrue();
  }

  @Test
  void toMapWhenNameRepeatsJoinsValuesWithCommaSpaceUnderFirstSpelling() {
    Map<String, String> map = sample().toMap();

    assertThat(map).containsExactly(
        Map.entry("Accept", "text/html, application/json, */*"), Map.entry("X-Trace", "1"));
  }

  @Test
  void ofWhenGivenMapKeepsIterationOrder() {
    Map<String, String> source = new LinkedHashMap<>();
    source.put("B", "2");
    source.put("A", "1");

    Headers h = Headers.of(source);

    assertThat(h.names()).containsExactly("B", "A");
    assertThat(h.first("a")).isEqualTo("1");
  }

  @Test
  void builderSetWhenNamePresentInSeveralCasesReplacesAllKeepingFirstPositionAndSpelling() {
    Headers h = Headers.builder()
        .add("X-A", "a")
        .add("Accept", "1")
        .add("X-B", "b")
        .add("ACCEPT", "2")
        .add("accept", "3")
        .set("aCCept", "new")
        .build();

    assertThat(h.size()).isEqualTo(3);
    assertThat(h.name(0)).isEqualTo("X-A");
    assertThat(h.name(1)).isEqualTo("Accept");
    assertThat(h.value(1)).isEqualTo("new");
    assertThat(h.name(2)).isEqualTo("X-B");
    assertThat(h.all("accept")).containsExactly("new");
  }

  @Test
  void builderSetWhenNameAbsentAppendsWithGivenSpelling() {
    Headers h = Headers.builder().add("X-A", "a").set("x-new", "v").build();

    assertThat(h.names()).containsExactly("X-A", "x-new");
    assertThat(h.first("X-NEW")).isEqualTo("v");
  }

  @Test
  void builderRemoveWhenNameDiffersInCaseRemovesEveryField() {
    Headers h = Headers.builder()
        .add("Accept", "1")
        .add("X-A", "a")
        .add("ACCEPT", "2")
        .remove("accept")
        .build();

    assertThat(h.contains("Accept")).isFalse();
    assertThat(h.size()).isEqualTo(1);
    assertThat(h.names()).containsExactly("X-A");
  }

  @Test
  void builderRemoveWhenEverythingRemovedBuildsEmpty() {
    Headers h = Headers.builder().add("A", "1").remove("a").build();

    assertThat(h.isEmpty()).isTrue();
    assertThat(h).isEqualTo(Headers.empty());
  }

  @Test
  void builderFirstWhenNameDiffersInCaseReturnsValueSetSoFar() {
    Headers.Builder b = Headers.builder().add("Accept", "1").add("accept", "2");

    assertThat(b.first("ACCEPT")).isEqualTo("1");
    assertThat(b.first("Other")).isNull();
  }

  @Test
  void toBuilderWhenChangedLeavesOriginalUnchanged() {
    Headers original = sample();

    Headers changed = original.toBuilder().set("Accept", "x").add("X-New", "y").build();

    assertThat(original).isEqualTo(sample());
    assertThat(original.all("accept")).containsExactly("text/html", "application/json", "*/*");
    assertThat(changed.all("accept")).containsExactly("x");
    assertThat(changed.first("x-new")).isEqualTo("y");
  }

  @Test
  void builderWhenChangedAfterBuildDoesNotAffectBuiltHeaders() {
    Headers.Builder b = Headers.builder().add("A", "1");
    Headers built = b.build();

    b.add("B", "2").set("A", "changed");

    assertThat(built.size()).isEqualTo(1);
    assertThat(built.first("A")).isEqualTo("1");
  }

  @Test
  void equalsWhenSameFieldsInSameOrderIsTrueWithSameHashCode() {
    Headers a = sample();
    Headers b = sample();

    assertThat(a).isEqualTo(b);
    assertThat(a.hashCode()).isEqualTo(b.hashCode());
  }

  @Test
  void equalsWhenValuesOrOrderDifferIsFalse() {
    Headers ab = Headers.builder().add("A", "1").add("B", "2").build();
    Headers ba = Headers.builder().add("B", "2").add("A", "1").build();
    Headers other = Headers.builder().add("A", "1").add("B", "3").build();

    assertThat(ab).isNotEqualTo(ba);
    assertThat(ab).isNotEqualTo(other);
    assertThat(ab).isNotEqualTo(null);
    assertThat(ab).isNotEqualTo("A: 1, B: 2");
  }

  @Test
  void allWhenResultModifiedThrowsUnsupportedOperation() {
    List<String> values = sample().all("Accept");
    List<String> absent = sample().all("Missing");

    assertThatThrownBy(() -> values.add("x")).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> values.set(0, "x")).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> absent.add("x")).isInstanceOf(UnsupportedOperationException.class);
    assertThat(sample().all("Accept")).containsExactly("text/html", "application/json", "*/*");
  }

  @Test
  void namesAndToMapWhenModifiedThrowUnsupportedOperation() {
    Headers h = sample();

    assertThatThrownBy(() -> h.names().add("X")).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> h.names().remove("Accept"))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> h.toMap().put("X", "y"))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThat(h.size()).isEqualTo(4);
  }

  @Test
  void valueWhenItHoldsAnyControlCharacterExceptHtabIsRejected() {
    int rejected = 0;
    for (char c = 0; c <= 0x1f; c++) {
      if (c == '\t') {
        continue;
      }
      String value = "a" + c + "b";
      final char bad = c;
      assertThatThrownBy(() -> Headers.builder().add("X-Test", value))
          .as("control character 0x%02x", (int) bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("X-Test");
      assertThatThrownBy(() -> Headers.builder().set("X-Test", value))
          .as("control character 0x%02x in set", (int) bad)
          .isInstanceOf(IllegalArgumentException.class);
      rejected++;
    }
    assertThatThrownBy(() -> Headers.builder().add("X-Test", "a\u007fb"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(rejected).isEqualTo(31);
  }

  @ParameterizedTest
  @ValueSource(strings = {"\r", "\n", "\r\n", "\u0000", "evil\r\nX-Injected: 1", "folded\r\n continued"})
  void valueWhenItHoldsLineBreakOrNulIsRejected(String value) {
    assertThatThrownBy(() -> Headers.builder().add("X-Test", value))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Headers.of(Map.of("X-Test", value)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void valueWhenItHoldsHtabIsAccepted() {
    Headers h = Headers.builder().add("X-Test", "a\tb").build();

    assertThat(h.first("X-Test")).isEqualTo("a\tb");
  }

  @Test
  void valueWhenItHoldsVisibleAsciiOrSpaceIsAccepted() {
    StringBuilder all = new StringBuilder();
    for (char c = 0x20; c <= 0x7e; c++) {
      all.append(c);
    }

    Headers h = Headers.builder().add("X-Test", all.toString()).build();

    assertThat(h.first("X-Test")).isEqualTo(all.toString());
  }

  @Test
  void valueWhenItHoldsObsTextIsAccepted() {
    for (char c = 0x80; c <= 0xff; c++) {
      String value = "a" + c + "b";

      Headers h = Headers.builder().add("X-Test", value).build();

      assertThat(h.first("X-Test")).as("obs-text 0x%02x", (int) c).isEqualTo(value);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"\u0100", "\u20ac", "\u4e2d", "\ud83d\ude00"})
  void valueWhenItHoldsCharacterAboveLatin1IsRejected(String c) {
    assertThatThrownBy(() -> Headers.builder().add("X-Test", "a" + c + "b"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void valueWhenNullIsRejected() {
    assertThatThrownBy(() -> Headers.builder().add("X-Test", null))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void valueWhenEmptyIsAccepted() {
    assertThat(Headers.builder().add("X-Empty", "").build().first("X-Empty")).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " ", "X Name", " X", "X ", "X:Y", "X:", ":authority", "X\tY", "X\r\nY",
      "X\u0000", "X\u007f", "\u00d1ame", "X-\u00e9", "X-\u4e2d"})
  void nameWhenNotATokenIsRejected(String name) {
    assertThatThrownBy(() -> Headers.builder().add(name, "v"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Headers.builder().set(name, "v"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void nameWhenItHoldsAnRfc9110DelimiterIsRejected() {
    assertThat(RFC9110_DELIMITERS).hasSize(17);
    for (char c : RFC9110_DELIMITERS.toCharArray()) {
      String name = "X" + c + "Y";
      assertThatThrownBy(() -> Headers.builder().add(name, "v"))
          .as("delimiter %s", c)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("token");
    }
  }

  @Test
  void nameWhenItHoldsAnyControlCharacterIsRejected() {
    for (char c = 0; c <= 0x20; c++) {
      String name = "X" + c + "Y";
      final char bad = c;
      assertThatThrownBy(() -> Headers.builder().add(name, "v"))
          .as("character 0x%02x", (int) bad)
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void nameWhenNullIsRejected() {
    assertThatThrownBy(() -> Headers.builder().add(null, "v"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void nameWhenEveryTcharIsAccepted() {
    String tchars = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

    Headers h = Headers.builder().add(tchars, "v").build();

    assertThat(h.names()).containsExactly(tchars);
  }

  @Test
  void toStringWhenFieldsPresentListsThemInOrder() {
    assertThat(Headers.builder().add("A", "1").add("B", "2").build().toString())
        .isEqualTo("Headers{A: 1, B: 2}");
  }
}
