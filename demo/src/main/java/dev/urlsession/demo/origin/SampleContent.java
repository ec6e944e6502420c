package dev.urlsession.demo.origin;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The bytes of the sample files: generated, never stored. The file of a given size always has
 * the same content (a SplitMix64 stream seeded with the size), so any range of it can be produced
 * on its own, a resumed download can be checked byte for byte, and its SHA-256 is known.
 *
 * <p>Thread-safe.
 */
public final class SampleContent {
  /** The largest sample served: 1 GiB. */
  public static final long MAX_SIZE = 1L << 30;

  private static final Pattern SIZE = Pattern.compile("(\\d{1,10})(B|KiB|MiB|GiB)?");
  private static final long GOLDEN_GAMMA = 0x9e3779b97f4a7c15L;
  private static final Map<Long, String> DIGESTS = new ConcurrentHashMap<>();

  private SampleContent() {}

  /**
   * The size a name such as {@code 16MiB}, {@code 500KiB} or {@code 1234} stands for.
   *
   * @throws IllegalArgumentException if it is not such a name, or larger than {@link #MAX_SIZE}
   */
  public static long parseSize(String name) {
    Matcher m = SIZE.matcher(name);
    if (!m.matches()) {
      throw new IllegalArgumentException("not a size: " + name + " (try 1234, 500KiB or 16MiB)");
    }
    long unit = switch (m.group(2) == null ? "B" : m.group(2)) {
      case "KiB" -> 1L << 10;
      case "MiB" -> 1L << 20;
      case "GiB" -> 1L << 30;
      default -> 1;
    };
    long size = Long.parseLong(m.group(1)) * unit;
    if (size > MAX_SIZE) {
      throw new IllegalArgumentException("larger than 1GiB: " + name);
    }
    return size;
  }

  /** A size as people read it: {@code 16 MiB}, {@code 500 KiB}, {@code 1.5 MiB}, {@code 12 B}. */
  public static String format(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    String[] units = {"KiB", "MiB", "GiB"};
    double value = bytes;
    int i = -1;
    while (value >= 1024 && i < units.length - 1) {
      value /= 1024;
      i++;
    }
    return (value == Math.rint(value) ? String.valueOf((long) value) : String.format(Locale.ROOT, "%.1f", value))
        + " " + units[i];
  }

  /** Fills {@code buffer[0, length)} with the bytes at {@code offset} of the sample of {@code size} bytes. */
  public static void fill(long size, long offset, byte[] buffer, int length) {
    long position = offset;
    int i = 0;
    while (i < length) {
      long word = word(size, position >>> 3);
      int shift = (int) (position & 7);
      int n = Math.min(8 - shift, length - i);
      for (int k = 0; k < n; k++) {
        buffer[i + k] = (byte) (word >>> ((shift + k) * 8));
      }
      i += n;
      position += n;
    }
  }

  /** The sample of {@code size} bytes, whole (for tests and small sizes). */
  public static byte[] bytes(int size) {
    byte[] all = new byte[size];
    fill(size, 0, all, size);
    return all;
  }

  /** The lower-case hexadecimal SHA-256 of the sample of {@code size} bytes (computed once). */
  public static String sha256(long size) {
    return DIGESTS.computeIfAbsent(size, SampleContent::digest);
  }

  private static String digest(long size) {
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
    byte[] buffer = new byte[64 * 1024];
    for (long offset = 0; offset < size; offset += buffer.length) {
      int n = (int) Math.min(buffer.length, size - offset);
      fill(size, offset, buffer, n);
      digest.update(buffer, 0, n);
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  /** Word {@code index} of the stream seeded with {@code seed}: SplitMix64's output function. */
  private static long word(long seed, long index) {
    long z = seed + (index + 1) * GOLDEN_GAMMA;
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }
}
