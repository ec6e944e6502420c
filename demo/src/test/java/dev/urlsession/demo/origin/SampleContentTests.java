package dev.urlsession.demo.origin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class SampleContentTests {
  @Test
  void sizeWhenNamedWithAUnitIsParsedInBinaryMultiples() {
    assertThat(SampleContent.parseSize("1234")).isEqualTo(1234);
    assertThat(SampleContent.parseSize("500KiB")).isEqualTo(500 * 1024);
    assertThat(SampleContent.parseSize("16MiB")).isEqualTo(16L << 20);
    assertThat(SampleContent.parseSize("1GiB")).isEqualTo(1L << 30);
  }

  @Test
  void sizeWhenMalformedOrTooLargeIsRefusedWithTheReason() {
    assertThatIllegalArgumentException().isThrownBy(() -> SampleContent.parseSize("16MB"))
        .withMessage("not a size: 16MB (try 1234, 500KiB or 16MiB)");
    assertThatIllegalArgumentException().isThrownBy(() -> SampleContent.parseSize("2GiB"))
        .withMessage("larger than 1GiB: 2GiB");
  }

  @Test
  void sizeWhenFormattedReadsAsPeopleWriteIt() {
    assertThat(SampleContent.format(12)).isEqualTo("12 B");
    assertThat(SampleContent.format(500 * 1024)).isEqualTo("500 KiB");
    assertThat(SampleContent.format(3L << 19)).isEqualTo("1.5 MiB");
    assertThat(SampleContent.format(1L << 30)).isEqualTo("1 GiB");
  }

  @Test
  void contentWhenReadFromAnyOffsetIsTheSameAsReadWhole() {
    int size = 100_003;
    byte[] whole = SampleContent.bytes(size);
    for (int offset : new int[] {0, 1, 7, 8, 9, 4095, 65_536, 99_990}) {
      int length = Math.min(1_000, size - offset);
      byte[] part = new byte[length];
      SampleContent.fill(size, offset, part, length);
      assertThat(part).as("offset %d", offset).isEqualTo(Arrays.copyOfRange(whole, offset, offset + length));
    }
  }

  @Test
  void contentWhenSizesDifferDiffersAndIsNotConstant() {
    byte[] a = SampleContent.bytes(4096);
    byte[] b = SampleContent.bytes(4097);
    assertThat(Arrays.copyOf(b, 4096)).isNotEqualTo(a);
    assertThat(a).isNotEqualTo(new byte[4096]);
    assertThat(SampleContent.bytes(4096)).isEqualTo(a);
  }

  @Test
  void sha256WhenComputedIsTheDigestOfTheContent() throws Exception {
    int size = 300_000;
    String expected = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(SampleContent.bytes(size)));
    assertThat(SampleContent.sha256(size)).isEqualTo(expected);
  }
}
