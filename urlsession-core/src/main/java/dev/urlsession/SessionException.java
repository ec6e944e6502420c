package dev.urlsession;

import java.io.IOException;
import java.net.URI;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A client-side failure of a task (Apple's {@code URLError}). HTTP error statuses are never
 * reported this way: a 404 is a {@link Response}.
 *
 * <p>{@link #code()} says what went wrong, with Apple's numeric value in {@link Code#value()};
 * {@link #failingUrl()} is the URL that failed; {@link #getCause()} is the underlying exception,
 * when there is one.
 *
 * @since 0.1.0
 */
public class SessionException extends IOException {
  private static final long serialVersionUID = 1L;

  private final Code code;
  private final @Nullable URI failingUrl;
  private final @Nullable BackgroundTaskCancelledReason backgroundTaskCancelledReason;
  private final transient @Nullable ResumeData resumeData;
  private final @Nullable String detail;

  /** A failure with {@code code} for {@code failingUrl}, with the code's description as message. */
  public SessionException(Code code, @Nullable URI failingUrl) {
    this(code, failingUrl, null, null);
  }

  /** A failure with a message of its own and an underlying cause. */
  public SessionException(
      Code code, @Nullable URI failingUrl, @Nullable String message, @Nullable Throwable cause) {
    this(code, failingUrl, message, cause, null);
  }

  /** A failure of a background transfer the system gave up, with Apple's reason. */
  public SessionException(
      Code code,
      @Nullable URI failingUrl,
      @Nullable String message,
      @Nullable Throwable cause,
      @Nullable BackgroundTaskCancelledReason reason) {
    this(code, failingUrl, message, cause, reason, null);
  }

  /** A failure of a download task that can be resumed from {@code resumeData}. */
  public SessionException(
      Code code,
      @Nullable URI failingUrl,
      @Nullable String message,
      @Nullable Throwable cause,
      @Nullable BackgroundTaskCancelledReason reason,
      @Nullable ResumeData resumeData) {
    super(buildMessage(code, failingUrl, message), cause);
    this.code = java.util.Objects.requireNonNull(code, "code");
    this.failingUrl = failingUrl;
    this.backgroundTaskCancelledReason = reason;
    this.resumeData = resumeData;
    this.detail = message;
  }

  /** This failure, with resume data attached. */
  SessionException withResumeData(ResumeData data) {
    SessionException e = new SessionException(code, failingUrl, detail, getCause(),
        backgroundTaskCancelledReason, data);
    e.setStackTrace(getStackTrace());
    return e;
  }

  private static String buildMessage(Code code, @Nullable URI url, @Nullable String message) {
    StringBuilder b = new StringBuilder(message != null ? message : code.description());
    b.append(" (").append(code.name()).append(' ').append(code.value());
    if (url != null) {
      b.append(", ").append(redact(url));
    }
    return b.append(')').toString();
  }

  /** The most characters of a URL a message or log line shows. */
  static final int MAX_URL_LENGTH = 512;

  /**
   * The URL for messages and logs: without user info, and cut to {@value #MAX_URL_LENGTH}
   * characters with its length said after the cut (a {@code data:} URL may be hundreds of
   * megabytes: it must not be copied into every message and log line).
   */
  static String redact(URI url) {
    String s = url.toString();
    // The raw authority is there even when Java cannot parse a host (user info is then unparsed).
    String authority = url.getRawAuthority();
    if (authority != null && authority.indexOf('@') >= 0) {
      String hostPart = authority.substring(authority.lastIndexOf('@') + 1);
      int at = s.indexOf("//" + authority);
      if (at >= 0) {
        s = s.substring(0, at + 2) + hostPart + s.substring(at + 2 + authority.length());
      }
    }
    if (s.length() <= MAX_URL_LENGTH) {
      return s;
    }
    int cut = MAX_URL_LENGTH;
    if (Character.isHighSurrogate(s.charAt(cut - 1))) {
      cut--;
    }
    return s.substring(0, cut) + "...(" + s.length() + " characters)";
  }

  /** What went wrong. */
  public Code code() {
    return code;
  }

  /** The URL that failed ({@code NSURLErrorFailingURLErrorKey}), or {@code null}. */
  public @Nullable URI failingUrl() {
    return failingUrl;
  }

  /**
   * For a download task that failed in a resumable way (timeout, lost connection) or was
   * cancelled by {@link DownloadTask#cancelByProducingResumeData()}: what
   * {@link Session#downloadTask(ResumeData)} needs to continue.
   */
  public Optional<ResumeData> resumeData() {
    return Optional.ofNullable(resumeData);
  }

  /**
   * For background transfers the library gave up (the task completes with {@code CANCELLED}):
   * Apple's reason. See {@link BackgroundTaskCancelledReason} for when each is given.
   */
  public Optional<BackgroundTaskCancelledReason> backgroundTaskCancelledReason() {
    return Optional.ofNullable(backgroundTaskCancelledReason);
  }

  /**
   * Apple's reasons for a background transfer cancelled by the system
   * ({@code NSURLErrorBackgroundTaskCancelledReasonKey}), and when this library gives them.
   *
   * @since 0.1.0
   */
  public enum BackgroundTaskCancelledReason {
    /**
     * The transfers were wiped: {@code Session.reset()} on a background session, or the store's
     * rows were deleted while the transfer's record remained on disk (found when a session
     * re-attaches).
     */
    USER_FORCE_QUIT_APPLICATION(0),
    /**
     * Background transfers are switched off by configuration
     * ({@code BackgroundStore.Builder.transfersEnabled(false)}).
     */
    BACKGROUND_UPDATES_DISABLED(1),
    /**
     * The storage directory lacks space: less free space than
     * {@code BackgroundStore.minimumFreeSpace()} plus what the download still needs, or a write
     * failed with "No space left on device".
     */
    INSUFFICIENT_SYSTEM_RESOURCES(2);

    private final int value;

    BackgroundTaskCancelledReason(int value) {
      this.value = value;
    }

    /** Apple's numeric value. */
    public int value() {
      return value;
    }
  }

  /**
   * Every {@code URLError.Code}, with Apple's numeric value.
   *
   * @since 0.1.0
   */
  public enum Code {
    UNKNOWN(-1, "An unknown error occurred."),
    BACKGROUND_SESSION_REQUIRES_SHARED_CONTAINER(-995, "The background session requires a shared container."),
    BACKGROUND_SESSION_IN_USE_BY_ANOTHER_PROCESS(-996, "The background session is in use by another process."),
    BACKGROUND_SESSION_WAS_DISCONNECTED(-997, "The background session was disconnected."),
    CANCELLED(-999, "cancelled"),
    BAD_URL(-1000, "bad URL"),
    TIMED_OUT(-1001, "The request timed out."),
    UNSUPPORTED_URL(-1002, "unsupported URL"),
    CANNOT_FIND_HOST(-1003, "A server with the specified hostname could not be found."),
    CANNOT_CONNECT_TO_HOST(-1004, "Could not connect to the server."),
    NETWORK_CONNECTION_LOST(-1005, "The network connection was lost."),
    DNS_LOOKUP_FAILED(-1006, "The DNS lookup failed."),
    HTTP_TOO_MANY_REDIRECTS(-1007, "too many HTTP redirects"),
    RESOURCE_UNAVAILABLE(-1008, "The requested resource is unavailable."),
    NOT_CONNECTED_TO_INTERNET(-1009, "The Internet connection appears to be offline."),
    REDIRECT_TO_NON_EXISTENT_LOCATION(-1010, "The redirect location does not exist."),
    BAD_SERVER_RESPONSE(-1011, "The server returned a bad response."),
    USER_CANCELLED_AUTHENTICATION(-1012, "The authentication was cancelled."),
    USER_AUTHENTICATION_REQUIRED(-1013, "Authentication is required to access this resource."),
    ZERO_BYTE_RESOURCE(-1014, "The resource has zero length."),
    CANNOT_DECODE_RAW_DATA(-1015, "The data could not be decoded."),
    CANNOT_DECODE_CONTENT_DATA(-1016, "The content encoding is unknown."),
    CANNOT_PARSE_RESPONSE(-1017, "The response could not be parsed."),
    INTERNATIONAL_ROAMING_OFF(-1018, "International roaming is off."),
    CALL_IS_ACTIVE(-1019, "A call is active."),
    DATA_NOT_ALLOWED(-1020, "Data is not allowed."),
    REQUEST_BODY_STREAM_EXHAUSTED(-1021, "The request body stream is exhausted."),
    APP_TRANSPORT_SECURITY_REQUIRES_SECURE_CONNECTION(
        -1022,
        "The resource could not be loaded because the App Transport Security policy requires the"
            + " use of a secure connection."),
    FILE_DOES_NOT_EXIST(-1100, "The file does not exist."),
    FILE_IS_DIRECTORY(-1101, "The file is a directory."),
    NO_PERMISSIONS_TO_READ_FILE(-1102, "There is no permission to read the file."),
    DATA_LENGTH_EXCEEDS_MAXIMUM(-1103, "resource exceeds maximum size"),
    FILE_OUTSIDE_SAFE_AREA(-1104, "The file is outside the safe area."),
    SECURE_CONNECTION_FAILED(-1200, "A TLS error occurred and a secure connection to the server cannot be made."),
    SERVER_CERTIFICATE_HAS_BAD_DATE(-1201, "The certificate for this server has expired."),
    SERVER_CERTIFICATE_UNTRUSTED(-1202, "The certificate for this server is invalid."),
    SERVER_CERTIFICATE_HAS_UNKNOWN_ROOT(-1203, "The certificate for this server has an unknown root."),
    SERVER_CERTIFICATE_NOT_YET_VALID(-1204, "The certificate for this server is not yet valid."),
    CLIENT_CERTIFICATE_REJECTED(-1205, "The server rejected the client certificate."),
    CLIENT_CERTIFICATE_REQUIRED(-1206, "The server requires a client certificate."),
    CANNOT_LOAD_FROM_NETWORK(-2000, "The resource could not be loaded from the cache only."),
    CANNOT_CREATE_FILE(-3000, "The file could not be created."),
    CANNOT_OPEN_FILE(-3001, "The file could not be opened."),
    CANNOT_CLOSE_FILE(-3002, "The file could not be closed."),
    CANNOT_WRITE_TO_FILE(-3003, "The file could not be written."),
    CANNOT_REMOVE_FILE(-3004, "The file could not be removed."),
    CANNOT_MOVE_FILE(-3005, "The file could not be moved."),
    DOWNLOAD_DECODING_FAILED_MID_STREAM(-3006, "Decoding the download failed during transfer."),
    DOWNLOAD_DECODING_FAILED_TO_COMPLETE(-3007, "Decoding the download failed after transfer.");

    private final int value;
    private final String description;

    Code(int value, String description) {
      this.value = value;
      this.description = description;
    }

    /** Apple's numeric value, e.g. -999 for {@link #CANCELLED}. */
    public int value() {
      return value;
    }

    /** Apple's usual localized description in English. */
    public String description() {
      return description;
    }

    /** The code with Apple's numeric {@code value}. */
    public static Code of(int value) {
      for (Code c : values()) {
        if (c.value == value) {
          return c;
        }
      }
      throw new IllegalArgumentException("no SessionException.Code with value " + value);
    }
  }
}
