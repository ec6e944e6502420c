package dev.urlsession.internal;

import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * URLs as they go on the wire: ASCII only, with every other character as its UTF-8 bytes
 * percent-encoded (the {@link URI#toASCIIString()} form), on the first request and on every
 * redirect, directly or through a proxy.
 */
public final class HttpUris {
  private HttpUris() {}

  /** {@code url} itself when it is ASCII, else its {@link URI#toASCIIString()} form. */
  public static URI ascii(URI url) {
    String s = url.toString();
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) >= 0x80) {
        return URI.create(url.toASCIIString());
      }
    }
    return url;
  }

  /**
   * The URI reference of a {@code Location} field value. Servers send non-ASCII characters in it
   * raw, as UTF-8 bytes, which the HTTP parser reads one character per byte (ISO-8859-1): those
   * are read back as UTF-8 when they are valid UTF-8. Then every character a URI may not hold
   * (non-ASCII, controls, space, {@code "<>\^`{|}}) is percent-encoded as UTF-8, as browsers do.
   *
   * @throws IllegalArgumentException when the result is still no URI reference
   */
  public static URI location(String value) {
    String text = latin1BytesAsUtf8(value.trim());
    StringBuilder b = null;
    for (int i = 0; i < text.length(); ) {
      int cp = text.codePointAt(i);
      int n = Character.charCount(cp);
      if (cp < 0x21 || cp >= 0x7f || "\"<>\\^`{|}".indexOf(cp) >= 0) {
        if (b == null) {
          b = new StringBuilder(text.length() + 16).append(text, 0, i);
        }
        for (byte x : text.substring(i, i + n).getBytes(StandardCharsets.UTF_8)) {
          b.append('%').append(Character.toUpperCase(Character.forDigit((x >> 4) & 0xf, 16)))
              .append(Character.toUpperCase(Character.forDigit(x & 0xf, 16)));
        }
      } else if (b != null) {
        b.appendCodePoint(cp);
      }
      i += n;
    }
    return URI.create(b == null ? text : b.toString());
  }

  /** {@code s} decoded as UTF-8 when it is made of ISO-8859-1 characters that form valid UTF-8. */
  private static String latin1BytesAsUtf8(String s) {
    boolean high = false;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c > 0xff) {
        return s; // already decoded text
      }
      high |= c >= 0x80;
    }
    if (!high) {
      return s;
    }
    try {
      CharBuffer decoded = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(s.getBytes(StandardCharsets.ISO_8859_1)));
      return decoded.toString();
    } catch (CharacterCodingException e) {
      return s; // Latin-1 text after all: its characters are encoded as they are
    }
  }
}
