package dev.urlsession;

import dev.urlsession.internal.Checks;
import dev.urlsession.internal.FileNames;
import java.net.URI;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * The metadata of a response (Apple's {@code URLResponse} and {@code HTTPURLResponse} in one
 * type). For non-HTTP schemes {@link #statusCode()} is 0 and {@link #headers()} is empty.
 *
 * <p>HTTP 4xx and 5xx responses are responses, never errors.
 *
 * <p>Instances are immutable and thread-safe.
 *
 * @since 0.1.0
 */
public final class Response {
  private final URI url;
  private final int statusCode;
  private final @Nullable String reasonPhrase;
  private final Headers headers;
  /** Set explicitly on the builder; otherwise derived from {@code Content-Type} when asked. */
  private final @Nullable String mimeType;
  private final boolean mimeTypeSet;
  private final @Nullable String textEncodingName;
  private final boolean textEncodingSet;
  private final long expectedContentLength;

  private Response(Builder b) {
    this.url = b.url;
    this.statusCode = b.statusCode;
    this.reasonPhrase = b.reasonPhrase;
    this.headers = b.headers.build();
    this.mimeType = b.mimeType;
    this.mimeTypeSet = b.mimeTypeSet;
    this.textEncodingName = b.textEncodingName;
    this.textEncodingSet = b.textEncodingSet;
    this.expectedContentLength =
        b.expectedContentLengthSet ? b.expectedContentLength : contentLengthOf(headers);
  }

  /** A builder for a response from {@code url}. */
  public static Builder builder(URI url) {
    return new Builder(url);
  }

  /** The URL of the response (after redirects, the last one). */
  public URI url() {
    return url;
  }

  /** The HTTP status code, or 0 for non-HTTP schemes. */
  public int statusCode() {
    return statusCode;
  }

  /**
   * The reason phrase of the status line as the server sent it ({@code "Server Error"} in
   * {@code HTTP/1.1 500 Server Error}; empty when the line had none), or {@code null} when no
   * status line carried one: HTTP/2 and later, non-HTTP schemes, responses built without it
   * (a cached response read back from disk, for instance). Apple's {@code HTTPURLResponse} does
   * not expose it; {@code HTTPURLResponse.localizedString(forStatusCode:)} is the standard phrase.
   *
   * @since 0.1.0
   */
  public @Nullable String reasonPhrase() {
    return reasonPhrase;
  }

  /** The header fields as received (including {@code Content-Encoding} of decoded bodies). */
  public Headers headers() {
    return headers;
  }

  /** The first value of header {@code name} (case-insensitive), or {@code null}. */
  public @Nullable String header(String name) {
    return headers.first(name);
  }

  /** The MIME type, lower-case and without parameters, or {@code null} when not known. */
  public @Nullable String mimeType() {
    return mimeTypeSet ? mimeType : mimeTypeOf(headers.first("Content-Type"));
  }

  /** The lower-case {@code charset} parameter of the content type, or {@code null}. */
  public @Nullable String textEncodingName() {
    return textEncodingSet ? textEncodingName : charsetOf(headers.first("Content-Type"));
  }

  /** The declared length of the body ({@code Content-Length}), or -1 when unknown. */
  public long expectedContentLength() {
    return expectedContentLength;
  }

  /**
   * A file name for the body: from {@code Content-Disposition}, else the URL's last path segment,
   * else {@code "Unknown"}. Always a bare, safe name: never a path, never {@code ..}, no control
   * characters.
   */
  public String suggestedFilename() {
    return FileNames.suggestedFilename(header("Content-Disposition"), url(), mimeType());
  }

  /** A builder holding every value of this response. */
  public Builder toBuilder() {
    Builder b = new Builder(url).statusCode(statusCode).reasonPhrase(reasonPhrase).headers(headers);
    b.mimeType(mimeType()).textEncodingName(textEncodingName());
    b.expectedContentLength(expectedContentLength);
    return b;
  }

  @Override
  public String toString() {
    return "Response{" + (statusCode == 0 ? "" : statusCode + " ") + url + "}";
  }

  static @Nullable String mimeTypeOf(@Nullable String contentType) {
    if (contentType == null) {
      return null;
    }
    int semi = contentType.indexOf(';');
    String type = (semi >= 0 ? contentType.substring(0, semi) : contentType).trim();
    return type.isEmpty() ? null : type.toLowerCase(Locale.ROOT);
  }

  static @Nullable String charsetOf(@Nullable String contentType) {
    if (contentType == null) {
      return null;
    }
    // Parameters after the first ';', each "name=value", scanned without splitting the string.
    int i = contentType.indexOf(';');
    while (i >= 0) {
      int next = contentType.indexOf(';', i + 1);
      int end = next < 0 ? contentType.length() : next;
      int eq = contentType.indexOf('=', i + 1);
      if (eq > 0 && eq < end && contentType.substring(i + 1, eq).trim().equalsIgnoreCase("charset")) {
        String v = contentType.substring(eq + 1, end).trim();
        if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
          v = v.substring(1, v.length() - 1);
        }
        return v.isEmpty() ? null : v.toLowerCase(Locale.ROOT);
      }
      i = next;
    }
    return null;
  }

  static long contentLengthOf(Headers headers) {
    String value = headers.first("Content-Length");
    if (value == null) {
      return -1;
    }
    try {
      long n = Long.parseLong(value.trim());
      return n >= 0 ? n : -1;
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /**
   * Builds a {@link Response}; used by protocol handlers and caches. MIME type, text encoding and
   * expected length are derived from the headers unless set explicitly. Not thread-safe.
   *
   * @since 0.1.0
   */
  public static final class Builder {
    private final URI url;
    private int statusCode;
    private @Nullable String reasonPhrase;
    private Headers.Builder headers = Headers.builder();
    private @Nullable String mimeType;
    private boolean mimeTypeSet;
    private @Nullable String textEncodingName;
    private boolean textEncodingSet;
    private long expectedContentLength = -1;
    private boolean expectedContentLengthSet;

    private Builder(URI url) {
      this.url = Checks.notNull(url, "url");
    }

    /** Sets the status code (0 for non-HTTP, else 100 to 999). */
    public Builder statusCode(int statusCode) {
      if (statusCode != 0 && (statusCode < 100 || statusCode > 999)) {
        throw new IllegalArgumentException("statusCode must be 0 or 100..999 but was " + statusCode);
      }
      this.statusCode = statusCode;
      return this;
    }

    /**
     * Sets the reason phrase of the status line, or removes it with {@code null}.
     *
     * @throws IllegalArgumentException if it holds a control character (CR, LF, NUL, ...) other
     *     than horizontal tab, or a character above U+00FF
     * @since 0.1.0
     */
    public Builder reasonPhrase(@Nullable String reasonPhrase) {
      if (reasonPhrase != null) {
        for (int i = 0; i < reasonPhrase.length(); i++) {
          char c = reasonPhrase.charAt(i);
          if ((c < 0x20 && c != '\t') || c == 0x7f || c > 0xff) {
            throw new IllegalArgumentException(
                "reasonPhrase contains character U+" + String.format("%04X", (int) c) + " at index " + i);
          }
        }
      }
      this.reasonPhrase = reasonPhrase;
      return this;
    }

    /** Adds a header field. */
    public Builder header(String name, String value) {
      headers.add(name, value);
      return this;
    }

    /** Replaces all header fields. */
    public Builder headers(Headers headers) {
      this.headers = Checks.notNull(headers, "headers").toBuilder();
      return this;
    }

    /** Sets the MIME type instead of deriving it from {@code Content-Type}. */
    public Builder mimeType(@Nullable String mimeType) {
      this.mimeType = mimeType == null ? null : mimeType.toLowerCase(Locale.ROOT);
      this.mimeTypeSet = true;
      return this;
    }

    /** Sets the text encoding instead of deriving it from {@code Content-Type}. */
    public Builder textEncodingName(@Nullable String textEncodingName) {
      this.textEncodingName =
          textEncodingName == null ? null : textEncodingName.toLowerCase(Locale.ROOT);
      this.textEncodingSet = true;
      return this;
    }

    /** Sets the expected length (-1 for unknown) instead of deriving it from {@code Content-Length}. */
    public Builder expectedContentLength(long expectedContentLength) {
      Checks.argument(expectedContentLength >= -1, "expectedContentLength must be >= -1");
      this.expectedContentLength = expectedContentLength;
      this.expectedContentLengthSet = true;
      return this;
    }

    /** The immutable response. */
    public Response build() {
      return new Response(this);
    }
  }
}
