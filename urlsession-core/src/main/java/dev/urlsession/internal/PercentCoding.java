package dev.urlsession.internal;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Percent-encoding (RFC 3986 2.1) of outside input, strictly: {@code data:} URLs, {@code ftp:}
 * paths, RFC 8187 extended values, and the session's cookie file. The one decoder of the library.
 */
public final class PercentCoding {
  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private PercentCoding() {}

  /**
   * The bytes {@code s} stands for from {@code start}: each {@code %XX} decoded; with
   * {@code printableOnly}, any other character must be printable ASCII ({@code !} to {@code ~});
   * without, ASCII is taken as is and other characters as their UTF-8 bytes (an IRI's).
   *
   * @throws IllegalArgumentException at an incomplete or bad escape, or an unescaped character
   *     that is not allowed, naming its index
   */
  public static byte[] decode(String s, int start, boolean printableOnly) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(16, s.length() - start));
    for (int i = start; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%') {
        if (i + 2 >= s.length()) {
          throw new IllegalArgumentException("incomplete percent-escape at index " + i);
        }
        int hi = Character.digit(s.charAt(i + 1), 16);
        int lo = Character.digit(s.charAt(i + 2), 16);
        if (hi < 0 || lo < 0) {
          throw new IllegalArgumentException("bad percent-escape at index " + i);
        }
        out.write(hi << 4 | lo);
        i += 2;
      } else if (printableOnly ? c > 0x20 && c < 0x7f : c < 0x80) {
        out.write(c);
      } else if (printableOnly) {
        throw new IllegalArgumentException("unescaped character at index " + i);
      } else {
        int end = i + 1;
        if (Character.isHighSurrogate(c) && end < s.length() && Character.isLowSurrogate(s.charAt(end))) {
          end++;
        }
        byte[] utf8 = s.substring(i, end).getBytes(StandardCharsets.UTF_8);
        out.write(utf8, 0, utf8.length);
        i = end - 1;
      }
    }
    return out.toByteArray();
  }

  /**
   * The text of UTF-8 {@code bytes}, strictly.
   *
   * @throws IllegalArgumentException if they are not UTF-8
   */
  public static String utf8(byte[] bytes) {
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException("percent-escapes that are not UTF-8");
    }
  }

  /** {@code s} as UTF-8 with every byte outside printable ASCII, and {@code %}, escaped. */
  public static String encode(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (byte x : s.getBytes(StandardCharsets.UTF_8)) {
      int c = x & 0xff;
      if (c > 0x20 && c < 0x7f && c != '%') {
        b.append((char) c);
      } else {
        b.append('%').append(HEX[c >> 4]).append(HEX[c & 0xf]);
      }
    }
    return b.toString();
  }
}
