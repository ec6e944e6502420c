package dev.urlsession.internal;

import dev.urlsession.CacheStoragePolicy;
import dev.urlsession.Request;
import dev.urlsession.Response;
import dev.urlsession.SessionException;
import dev.urlsession.SessionException.Code;
import dev.urlsession.spi.ProtocolClient;
import dev.urlsession.spi.ProtocolLoad;
import java.net.URI;
import java.time.Instant;
import java.util.Base64;
import org.jspecify.annotations.Nullable;

/**
 * The built-in {@code data:} handler (RFC 2397; URLSESSION-BEHAVIOUR.md 8.1). Decodes the URL in
 * place and reports a response with status 0, the URL's MIME type ({@code text/plain} when
 * absent or not of the form type/subtype), its first {@code charset} parameter as text encoding
 * (other parameters are ignored) and the decoded length as expected length, then the body.
 *
 * <p>A URL without a comma, with percent-escapes or characters outside printable ASCII before the
 * comma, with a bad escape or bad base64 after it, fails with {@code BAD_URL} and no response. A
 * URL longer than the handler's limit fails with {@code DATA_LENGTH_EXCEEDS_MAXIMUM}.
 */
public final class DataUrlHandler implements BuiltInHandler {
  /** The longest data URL (characters after {@code data:}) decoded by default: 64 Mi. */
  public static final int DEFAULT_MAX_LENGTH = 64 * 1024 * 1024;

  private static final String DEFAULT_MIME_TYPE = "text/plain";

  private final int maxLength;

  /** A handler with the {@linkplain #DEFAULT_MAX_LENGTH default limit}. */
  public DataUrlHandler() {
    this(DEFAULT_MAX_LENGTH);
  }

  /** A handler that refuses data URLs longer than {@code maxLength} characters after the scheme. */
  public DataUrlHandler(int maxLength) {
    Checks.argument(maxLength >= 0, "maxLength must be >= 0 but was " + maxLength);
    this.maxLength = maxLength;
  }

  @Override
  public boolean canHandle(Request request) {
    return "data".equalsIgnoreCase(request.url().getScheme());
  }

  @Override
  public void startLoading(ProtocolLoad load, @Nullable LoadSupport support) {
    URI url = load.request().url();
    ProtocolClient client = load.client();
    TransactionRecorder recorder = support != null ? support.transaction() : new TransactionRecorder(load.request());
    recorder.requestStart = Instant.now();
    recorder.requestEnd = recorder.requestStart;
    // For an opaque URI (data:...) the scheme-specific part is all after "data:" but the
    // fragment; for a hierarchical one (data://...) it starts with the authority.
    String content = url.getRawSchemeSpecificPart();
    if (content != null && content.length() > maxLength) {
      client.didFail(new SessionException(Code.DATA_LENGTH_EXCEEDS_MAXIMUM, url,
          "resource exceeds maximum size: data URL longer than " + maxLength + " characters", null));
      return;
    }
    Decoded decoded;
    try {
      decoded = decode(content == null ? "" : content);
    } catch (IllegalArgumentException e) {
      client.didFail(new SessionException(Code.BAD_URL, url, "bad URL: " + e.getMessage(), null));
      return;
    }
    Response response = Response.builder(url)
        .mimeType(decoded.mimeType)
        .textEncodingName(decoded.charset)
        .expectedContentLength(decoded.body.length)
        .build();
    recorder.responseStart = Instant.now();
    recorder.response = response;
    client.didReceiveResponse(response, CacheStoragePolicy.NOT_ALLOWED);
    if (decoded.body.length > 0) {
      recorder.responseBodyBytesReceived = decoded.body.length;
      recorder.responseBodyBytesDecoded = decoded.body.length;
      client.didLoadData(decoded.body);
    }
    recorder.responseEnd = Instant.now();
    client.didFinishLoading();
  }

  @Override
  public void stopLoading(ProtocolLoad load) {
    // Everything is reported inside startLoading: nothing runs later.
  }

  /** What a data URL says. */
  static final class Decoded {
    final String mimeType;
    final @Nullable String charset;
    final byte[] body;

    Decoded(String mimeType, @Nullable String charset, byte[] body) {
      this.mimeType = mimeType;
      this.charset = charset;
      this.body = body;
    }
  }

  /**
   * Decodes the part of a data URL after {@code data:} (raw, escapes undecoded, no fragment).
   * IllegalArgumentException says why the URL is bad.
   */
  static Decoded decode(String content) {
    int comma = content.indexOf(',');
    if (comma < 0) {
      throw new IllegalArgumentException("a data URL needs a comma between its header and its data");
    }
    String header = content.substring(0, comma);
    for (int i = 0; i < header.length(); i++) {
      char c = header.charAt(i);
      if (c == '%') {
        throw new IllegalArgumentException("percent-escapes are not allowed in a data URL's header");
      }
      if (c <= 0x20 || c >= 0x7f) {
        throw new IllegalArgumentException("a data URL's header has a character that is not printable ASCII");
      }
    }
    String[] parts = header.split(";", -1);
    String mimeType = isMimeType(parts[0]) ? parts[0] : DEFAULT_MIME_TYPE;
    String charset = null;
    boolean base64 = false;
    for (int i = 1; i < parts.length; i++) {
      String part = parts[i];
      int eq = part.indexOf('=');
      if (i == parts.length - 1 && part.equalsIgnoreCase("base64")) {
        base64 = true; // only as the last parameter, right before the comma
      } else if (eq > 0 && charset == null && part.substring(0, eq).equalsIgnoreCase("charset")
          && eq < part.length() - 1) {
        charset = part.substring(eq + 1); // the first charset wins
      }
    }
    byte[] data;
    try {
      data = PercentCoding.decode(content, comma + 1, false); // other characters (an IRI's) as UTF-8
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("a data URL has " + e.getMessage(), e);
    }
    if (base64) {
      for (byte b : data) {
        if (b < 0) {
          throw new IllegalArgumentException("a base64 data URL has a byte that is not ASCII");
        }
      }
      try {
        data = Base64.getDecoder().decode(data);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("a data URL's base64 data is not valid: " + e.getMessage());
      }
    }
    return new Decoded(mimeType, charset, data);
  }

  /** Whether {@code s} is type/subtype, each an RFC 9110 token. */
  private static boolean isMimeType(String s) {
    int slash = s.indexOf('/');
    if (slash <= 0 || slash == s.length() - 1 || s.indexOf('/', slash + 1) >= 0) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (i != slash && !HttpSyntax.isTokenChar(c)) {
        return false;
      }
    }
    return true;
  }

}
