package dev.urlsession;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.urlsession.SessionException.BackgroundTaskCancelledReason;
import dev.urlsession.SessionException.Code;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link SessionException} and its codes: Apple's values (URLSESSION-BEHAVIOUR.md 7.2), messages without secrets. */
class SessionExceptionTests {
  static final URI URL = URI.create("https://example.org/a");

  /** One row per line of the table in URLSESSION-BEHAVIOUR.md 7.2. */
  @ParameterizedTest
  @CsvSource({
    "UNKNOWN, -1",
    "BACKGROUND_SESSION_REQUIRES_SHARED_CONTAINER, -995",
    "BACKGROUND_SESSION_IN_USE_BY_ANOTHER_PROCESS, -996",
    "BACKGROUND_SESSION_WAS_DISCONNECTED, -997",
    "CANCELLED, -999",
    "BAD_URL, -1000",
    "TIMED_OUT, -1001",
    "UNSUPPORTED_URL, -1002",
    "CANNOT_FIND_HOST, -1003",
    "CANNOT_CONNECT_TO_HOST, -1004",
    "NETWORK_CONNECTION_LOST, -1005",
    "DNS_LOOKUP_FAILED, -1006",
    "HTTP_TOO_MANY_REDIRECTS, -1007",
    "RESOURCE_UNAVAILABLE, -1008",
    "NOT_CONNECTED_TO_INTERNET, -1009",
    "REDIRECT_TO_NON_EXISTENT_LOCATION, -1010",
    "BAD_SERVER_RESPONSE, -1011",
    "USER_CANCELLED_AUTHENTICATION, -1012",
    "USER_AUTHENTICATION_REQUIRED, -1013",
    "ZERO_BYTE_RESOURCE, -1014",
    "CANNOT_DECODE_RAW_DATA, -1015",
    "CANNOT_DECODE_CONTENT_DATA, -1016",
    "CANNOT_PARSE_RESPONSE, -1017",
    "INTERNATIONAL_ROAMING_OFF, -1018",
    "CALL_IS_ACTIVE, -1019",
    "DATA_NOT_ALLOWED, -1020",
    "REQUEST_BODY_STREAM_EXHAUSTED, -1021",
    "APP_TRANSPORT_SECURITY_REQUIRES_SECURE_CONNECTION, -1022",
    "FILE_DOES_NOT_EXIST, -1100",
    "FILE_IS_DIRECTORY, -1101",
    "NO_PERMISSIONS_TO_READ_FILE, -1102",
    "DATA_LENGTH_EXCEEDS_MAXIMUM, -1103",
    "FILE_OUTSIDE_SAFE_AREA, -1104",
    "SECURE_CONNECTION_FAILED, -1200",
    "SERVER_CERTIFICATE_HAS_BAD_DATE, -1201",
    "SERVER_CERTIFICATE_UNTRUSTED, -1202",
    "SERVER_CERTIFICATE_HAS_UNKNOWN_ROOT, -1203",
    "SERVER_CERTIFICATE_NOT_YET_VALID, -1204",
    "CLIENT_CERTIFICATE_REJECTED, -1205",
    "CLIENT_CERTIFICATE_REQUIRED, -1206",
    "CANNOT_LOAD_FROM_NETWORK, -2000",
    "CANNOT_CREATE_FILE, -3000",
    "CANNOT_OPEN_FILE, -3001",
    "CANNOT_CLOSE_FILE, -3002",
    "CANNOT_WRITE_TO_FILE, -3003",
    "CANNOT_REMOVE_FILE, -3004",
    "CANNOT_MOVE_FILE, -3005",
    "DOWNLOAD_DECODING_FAILED_MID_STREAM, -3006",
    "DOWNLOAD_DECODING_FAILED_TO_COMPLETE, -3007",
  })
  void codeWhenListedInAppleTableHasAppleValue(Code code, int value) {
    assertThat(code.value()).isEqualTo(value);
    assertThat(Code.of(value)).isSameAs(code);
  }

  @Test
  void codeWhenCountedMatchesTheAppleTable() {
    assertThat(Code.values()).hasSize(49);
  }

  @Test
  void codeValuesWhenComparedAreUnique() {
    Set<Integer> values = Arrays.stream(Code.values()).map(Code::value).collect(Collectors.toSet());

    assertThat(values).hasSize(Code.values().length);
  }

  @ParameterizedTest
  @EnumSource(Code.class)
  void codeOfWhenGivenEachValueRoundTrips(Code code) {
    assertThat(Code.of(code.value())).isSameAs(code);
    assertThat(code.value()).isNegative();
    assertThat(code.description()).isNotBlank();
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, -2, -998, -1023, -1099, -1207, -1999, -3008, 200, Integer.MIN_VALUE})
  void codeOfWhenValueUnknownIsRejected(int value) {
    assertThatThrownBy(() -> Code.of(value))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(String.valueOf(value));
  }

  @Test
  void descriptionWhenCancelledIsAppleText() {
    assertThat(Code.CANCELLED.description()).isEqualTo("cancelled");
    assertThat(new SessionException(Code.CANCELLED, URL).getMessage()).startsWith("cancelled");
  }

  @Test
  void descriptionWhenDataLengthExceedsMaximumIsAppleText() {
    assertThat(Code.DATA_LENGTH_EXCEEDS_MAXIMUM.description()).isEqualTo("resource exceeds maximum size");
    assertThat(new SessionException(Code.DATA_LENGTH_EXCEEDS_MAXIMUM, URL).getMessage())
        .startsWith("resource exceeds maximum size");
  }

  @Test
  void sessionExceptionWhenCreatedIsAnIOException() {
    SessionException e = new SessionException(Code.TIMED_OUT, URL);

    assertThat(e).isInstanceOf(IOException.class);
    assertThat(e.code()).isEqualTo(Code.TIMED_OUT);
  }

  @Test
  void failingUrlWhenGivenIsKeptExactly() {
    URI withUserInfo = URI.create("http://user:secret@example.org:8080/p?q=1#f");

    assertThat(new SessionException(Code.TIMED_OUT, URL).failingUrl()).isSameAs(URL);
    assertThat(new SessionException(Code.TIMED_OUT, withUserInfo).failingUrl()).isEqualTo(withUserInfo);
    assertThat(new SessionException(Code.TIMED_OUT, null).failingUrl()).isNull();
  }

  @ParameterizedTest
  @EnumSource(Code.class)
  void messageWhenCreatedContainsCodeNameValueAndUrl(Code code) {
    String message = new SessionException(code, URL).getMessage();

    assertThat(message)
        .isEqualTo(code.description() + " (" + code.name() + " " + code.value() + ", " + URL + ")");
  }

  @Test
  void messageWhenNoUrlContainsCodeNameAndValue() {
    assertThat(new SessionException(Code.TIMED_OUT, null).getMessage())
        .isEqualTo("The request timed out. (TIMED_OUT -1001)");
  }

  @Test
  void messageWhenCustomTextGivenKeepsItAndTheCode() {
    SocketTimeoutException cause = new SocketTimeoutException("read timed out");

    SessionException e = new SessionException(Code.TIMED_OUT, URL, "idle for 60 s", cause);

    assertThat(e.getMessage()).isEqualTo("idle for 60 s (TIMED_OUT -1001, https://example.org/a)");
    assertThat(e.getCause()).isSameAs(cause);
    assertThat(e.code()).isEqualTo(Code.TIMED_OUT);
  }

  @ParameterizedTest
  @ValueSource(strings = {
    "http://user:secret@example.org/",
    "https://user:secret@example.org:8443/path?q=1",
    "http://:secret@example.org/",
    "http://us%40er:se%3Acret@example.org/",
    "http://user:secret@127.0.0.1:8080/x",
    "http://user:secret@[::1]:8080/x",
    "ftp://anonymous:secret@ftp.example.org/pub/file",
  })
  void messageWhenUrlHasUserInfoNeverContainsIt(String url) {
    URI uri = URI.create(url);
    SessionException e = new SessionException(Code.USER_AUTHENTICATION_REQUIRED, uri);

    assertThat(e.getMessage()).doesNotContain("secret").doesNotContain(uri.getRawUserInfo() + "@");
    assertThat(e.toString()).doesNotContain("secret");
    assertThat(e.getMessage()).contains(uri.getRawPath());
    assertThat(e.failingUrl()).isEqualTo(uri);
  }

  @Test
  void messageWhenUserInfoAlsoAppearsInPathRedactsOnlyAuthority() {
    URI uri = URI.create("http://user:secret@example.org/docs/user:secret@example");

    String message = new SessionException(Code.TIMED_OUT, uri).getMessage();

    assertThat(message).contains("http://example.org/docs/");
    assertThat(message).doesNotContain("//user:secret@");
  }

  @ParameterizedTest
  @ValueSource(strings = {"http://user:secret@my_host:8080/x", "http://user:secret@-host/", "http://user:secret@a.-b/"})
  void messageWhenHostIsNotServerBasedStillNeverContainsUserInfo(String url) {
    SessionException e = new SessionException(Code.BAD_URL, URI.create(url));

    assertThat(e.getMessage()).doesNotContain("secret");
  }

  @Test
  void resumeDataAndReasonWhenAbsentAreEmpty() {
    SessionException e = new SessionException(Code.NETWORK_CONNECTION_LOST, URL);

    assertThat(e.resumeData()).isEmpty();
    assertThat(e.backgroundTaskCancelledReason()).isEmpty();
    assertThat(e.getCause()).isNull();
  }

  @Test
  void backgroundTaskCancelledReasonWhenGivenIsKeptWithAppleValues() {
    SessionException e = new SessionException(Code.CANCELLED, URL, null, null,
        BackgroundTaskCancelledReason.INSUFFICIENT_SYSTEM_RESOURCES);

    assertThat(e.backgroundTaskCancelledReason()).contains(BackgroundTaskCancelledReason.INSUFFICIENT_SYSTEM_RESOURCES);
    assertThat(e.getMessage()).startsWith("cancelled (CANCELLED -999");
    assertThat(BackgroundTaskCancelledReason.USER_FORCE_QUIT_APPLICATION.value()).isZero();
    assertThat(BackgroundTaskCancelledReason.BACKGROUND_UPDATES_DISABLED.value()).isEqualTo(1);
    assertThat(BackgroundTaskCancelledReason.INSUFFICIENT_SYSTEM_RESOURCES.value()).isEqualTo(2);
  }

  @Test
  void constructorWhenCodeNullIsRejected() {
    assertThatThrownBy(() -> new SessionException(null, URL)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void messageWhenUrlIsLongShowsItsStartAndItsLengthOnly() {
    URI url = URI.create("https://example.org/" + "a".repeat(10_000));

    String message = new SessionException(SessionException.Code.BAD_URL, url).getMessage();

    assertThat(message).hasSizeLessThan(700).contains("https://example.org/aaa")
        .contains("(" + url.toString().length() + " characters)");
    assertThat(SessionException.redact(URI.create("https://example.org/short"))).isEqualTo("https://example.org/short");
  }

  @Test
  void redactWhenCutFallsInsideASurrogatePairKeepsThePairWhole() {
    String path = "/" + "a".repeat(SessionException.MAX_URL_LENGTH - "https://example.org/".length() - 1) + "\uD83D\uDE00x";
    URI url = URI.create("https://example.org" + path);

    String redacted = SessionException.redact(url);

    assertThat(redacted).doesNotContain("\uD83D...").startsWith("https://example.org/aaa");
    assertThat(Character.isHighSurrogate(redacted.charAt(redacted.indexOf("...") - 1))).isFalse();
  }
}
