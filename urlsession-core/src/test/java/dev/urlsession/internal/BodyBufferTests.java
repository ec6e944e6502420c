package dev.urlsession.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link BodyBuffer}: one chunk without a copy, several concatenated, handed-in chunks never written. */
class BodyBufferTests {

  @Test
  void anEmptyBufferGivesAnEmptyBody() {
    BodyBuffer b = new BodyBuffer();
    b.add(new byte[0]);
    assertThat(b.size()).isZero();
    assertThat(b.toByteArray()).isEmpty();
  }

  @Test
  void aSingleChunkIsTheBodyItself() {
    byte[] chunk = {1, 2, 3};
    BodyBuffer b = new BodyBuffer();
    b.add(chunk);
    assertThat(b.size()).isEqualTo(3);
    assertThat(b.toByteArray()).isSameAs(chunk);
  }

  @Test
  void chunksAreConcatenatedWithoutWritingToTheFirst() {
    byte[] first = {1, 2, 3};
    BodyBuffer b = new BodyBuffer();
    b.add(first);
    b.add(new byte[0]);
    b.add(new byte[] {4});
    b.add(new byte[] {5, 6});
    assertThat(b.toByteArray()).containsExactly(1, 2, 3, 4, 5, 6);
    assertThat(first).containsExactly(1, 2, 3);
  }

  @Test
  void twoBuffersMayShareChunks() {
    byte[] first = {1, 2};
    byte[] second = {3};
    BodyBuffer a = new BodyBuffer();
    BodyBuffer b = new BodyBuffer();
    a.add(first);
    b.add(first);
    a.add(second);
    assertThat(a.toByteArray()).containsExactly(1, 2, 3);
    assertThat(b.toByteArray()).isSameAs(first).containsExactly(1, 2);
  }

  @Test
  void aReturnedBodyIsNotChangedByLaterChunks() {
    BodyBuffer b = new BodyBuffer();
    b.add(new byte[] {1});
    b.add(new byte[] {2});
    byte[] body = b.toByteArray();
    b.add(new byte[] {3});
    assertThat(body).containsExactly(1, 2);
    assertThat(b.toByteArray()).containsExactly(1, 2, 3);
  }

  @Test
  void manyRandomChunksGiveTheSameBytesAsOneArray() {
    Random random = new Random(42);
    byte[] expected = new byte[200_000];
    random.nextBytes(expected);
    BodyBuffer b = new BodyBuffer();
    int at = 0;
    while (at < expected.length) {
      int n = Math.min(expected.length - at, random.nextInt(5_000));
      byte[] chunk = new byte[n];
      System.arraycopy(expected, at, chunk, 0, n);
      b.add(chunk);
      at += n;
    }
    assertThat(b.size()).isEqualTo(expected.length);
    assertThat(b.toByteArray()).isEqualTo(expected);
  }
}
