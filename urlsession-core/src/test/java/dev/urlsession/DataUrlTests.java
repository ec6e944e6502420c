package dev.urlsession;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.urlsession.SessionException.Code;
import dev.urlsession.internal.DataUrlHandler;
import java.net.URI;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The built-in data: handler (RFC 2397; URLSESSION-BEHAVIOUR.md 8.1), with the URLs of
 * swift-corelibs-foundation's TestDataURLProtocol.
 */
@Timeout(30)
class DataUrlTests {
  /** 👨‍👨‍👧‍👧: four emoji joined by three ZERO WIDTH JOINERs (25 bytes of UTF-8, 22 of UTF-16). */
  static final String FAMILY = "\uD83D\uDC68\u200D\uD83D\uDC68\u200D\uD83D\uDC67\u200D\uD83D\uDC67";

  final RecordingDelegate delegate = new RecordingDelegate();
  Session session;

  Session session() {
    if (session == null) {
      session = Session.create(SessionConfiguration.ephemeral(), delegate, null);
    }
    return session;
  }

  @AfterEach
  void tearDown() {
    if (session != null) {
      session.invalidateAndCancel();
    }
  }

  DataTask load(String url) throws Exception {
    DataTask task = session().dataTask(URI.create(url));
    task.resume();
    delegate.awaitCompletion();
    return task;
  }

  @Test
  void dataUrlWhenLongerThanTheLimitFailsWithAMessageThatDoesNotHoldIt() throws Exception {
    String url = "data:text/plain;base64," + "QUJD".repeat(DataUrlHandler.DEFAULT_MAX_LENGTH / 4 + 1);

    DataTask task = load(url);

    SessionException error = task.error();
    assertThat(error.code()).isEqualTo(SessionException.Code.DATA_LENGTH_EXCEEDS_MAXIMUM);
    assertThat(error.getMessage()).hasSizeLessThan(1024)
        .contains("data:text/plain;base64,QUJDQUJD").contains("(" + url.length() + " characters)");
    assertThat(task.toString()).hasSizeLessThan(1024);
  }

  @Test
  void dataUrlWhenPlainDeliversResponseDataAndCompletion() throws Exception {
    DataTask task = load("data:,123");
    assertThat(delegate.awaitCompletion()).isNull();
    delegate.assertEvents("didCreateTask", "didReceiveResponse 0", "didReceiveData",
        "didFinishCollectingMetrics", "didComplete null");
    assertThat(delegate.body.toString(StandardCharsets.US_ASCII)).isEqualTo("123");
    Response r = task.response();
    assertThat(r.url()).isEqualTo(URI.create("data:,123"));
    assertThat(r.statusCode()).isZero();
    assertThat(r.mimeType()).isEqualTo("text/plain");
    assertThat(r.textEncodingName()).isNull();
    assertThat(r.expectedContentLength()).isEqualTo(3);
    assertThat(r.headers().size()).isZero();
    assertThat(task.countOfBytesReceived()).isEqualTo(3);
    assertThat(task.countOfBytesExpectedToReceive()).isEqualTo(3);
    assertThat(delegate.metrics.transactionMetrics()).hasSize(1);
    assertThat(delegate.metrics.transactionMetrics().get(0).networkProtocolName()).isNull();
  }

  @Test
  void dataUrlWhenBase64DecodesTheBody() throws Exception {
    DataTask task = load("data:;charset=utf-8;base64,8J+RqOKAjfCfkajigI3wn5Gn4oCN8J+Rpw==");
    assertThat(delegate.awaitCompletion()).isNull();
    assertThat(delegate.body.toString(StandardCharsets.UTF_8)).isEqualTo(FAMILY);
    assertThat(task.response().expectedContentLength()).isEqualTo(25);
    assertThat(task.response().mimeType()).isEqualTo("text/plain");
    assertThat(task.response().textEncodingName()).isEqualTo("utf-8");
  }

  @Test
  void dataUrlWhenPercentEncodedDecodesTheBytes() throws Exception {
    DataTask task = load("data:text/plain;charset=utf-8,%f0%9f%91%a8%e2%80%8d%f0%9f%91%a8%e2%80%8d"
        + "%f0%9f%91%a7%e2%80%8d%f0%9f%91%a7");
    assertThat(delegate.awaitCompletion()).isNull();
    assertThat(delegate.body.toString(StandardCharsets.UTF_8)).isEqualTo(FAMILY);
    assertThat(task.response().expectedContentLength()).isEqualTo(25);
  }

  /** SCF's valid URIs: URL, body decoded with the charset, length, MIME type, charset. */
  static Stream<Arguments> validUrls() {
    return Stream.of(
        Arguments.of("data:,123", "123", 3, "text/plain", null),
        Arguments.of("data:;charset=utf-8;base64,8J+RqOKAjfCfkajigI3wn5Gn4oCN8J+Rpw==", FAMILY, 25, "text/plain", "utf-8"),
        Arguments.of("data:text/plain;charset=utf-8,%f0%9f%91%a8%e2%80%8d%f0%9f%91%a8%e2%80%8d%f0%9f%91%a7"
            + "%e2%80%8d%f0%9f%91%a7", FAMILY, 25, "text/plain", "utf-8"),
        Arguments.of("data:;charset=utf-16;base64,2D3caCAN2D3caCAN2D3cZyAN2D3cZw==", FAMILY, 22, "text/plain", "utf-16"),
        Arguments.of("data:;charset=utf-16le;base64,Pdho3A0gPdho3A0gPdhn3A0gPdhn3A==", FAMILY, 22, "text/plain", "utf-16le"),
        Arguments.of("data:;charset=utf-16be;base64,2D3caCAN2D3caCAN2D3cZyAN2D3cZw==", FAMILY, 22, "text/plain", "utf-16be"),
        Arguments.of("data:application/json;charset=iso-8859-1;key=value,,123", ",123", 4, "application/json", "iso-8859-1"),
        Arguments.of("data:;charset=utf-8;charset=utf-16;image/png,abc", "abc", 3, "text/plain", "utf-8"),
        Arguments.of("data:a/b;key=value;charset=macroman,blahblah", "blahblah", 8, "a/b", "macroman"));
  }

  @ParameterizedTest
  @MethodSource("validUrls")
  void dataUrlWhenValidHasTheMimeTypeCharsetLengthAndBodyItSays(String url, String body, long length,
      String mimeType, String charset) throws Exception {
    DataTask task = load(url);
    assertThat(delegate.awaitCompletion()).isNull();
    delegate.assertEvents("didCreateTask", "didReceiveResponse 0", "didReceiveData",
        "didFinishCollectingMetrics", "didComplete null");
    Response r = task.response();
    assertThat(r.url().toString()).isEqualTo(url);
    assertThat(r.expectedContentLength()).isEqualTo(length);
    assertThat(r.mimeType()).isEqualTo(mimeType);
    assertThat(r.textEncodingName()).isEqualTo(charset);
    Charset decoding = charset == null || !Charset.isSupported(charset)
        ? StandardCharsets.US_ASCII : Charset.forName(charset);
    assertThat(new String(delegate.body.toByteArray(), decoding)).isEqualTo(body);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "data://blah",
      "data:%2c123",
      "data:application_json;charset=iso-8859-%31;key=value,123,",
      "data:appli/cation/json%3bcharset=ISO-8859-1;key=value,,123,",
      "data:text/plain;base64,not*base64",
      "data:text/pl\u00e9in,abc",
      "data:no-comma-at-all"})
  void dataUrlWhenInvalidFailsWithBadUrlAndNoResponse(String url) throws Exception {
    DataTask task = session().dataTask(URI.create(url));
    task.resume();
    SessionException e = delegate.awaitCompletion();
    assertThat(e).isNotNull();
    assertThat(e.code()).isEqualTo(Code.BAD_URL);
    assertThat(e.failingUrl()).isEqualTo(URI.create(url));
    delegate.assertEvents("didCreateTask", "didFinishCollectingMetrics", "didComplete BAD_URL");
    assertThat(task.response()).isNull();
  }

  @ParameterizedTest
  @ValueSource(strings = {"data:foo,abc", "data:a/b/c,abc", "data:/b,abc", "data:a/,abc", "data:a(b)/c,abc"})
  void dataUrlWhenTheMimeTypeIsNotTypeSlashSubtypeFallsBackToTextPlain(String url) throws Exception {
    DataTask task = load(url);
    assertThat(delegate.awaitCompletion()).isNull();
    assertThat(task.response().mimeType()).isEqualTo("text/plain");
    assertThat(delegate.body.toString(StandardCharsets.US_ASCII)).isEqualTo("abc");
  }

  @Test
  void dataUrlMimeTypeAndCharsetAreReportedLowerCase() throws Exception {
    DataTask task = load("data:Image/PNG;CharSet=UTF-8,x");
    assertThat(task.response().mimeType()).isEqualTo("image/png");
    assertThat(task.response().textEncodingName()).isEqualTo("utf-8");
  }

  @Test
  void dataUrlWithAnEmptyBodyGetsNoDataCall() throws Exception {
    DataTask task = load("data:text/html,");
    assertThat(delegate.awaitCompletion()).isNull();
    delegate.assertEvents("didCreateTask", "didReceiveResponse 0", "didFinishCollectingMetrics", "didComplete null");
    assertThat(task.response().expectedContentLength()).isZero();
    assertThat(task.response().mimeType()).isEqualTo("text/html");
  }

  @Test
  void dataUrlFragmentIsNoPartOfTheData() throws Exception {
    load("data:,abc#fragment");
    assertThat(delegate.body.toString(StandardCharsets.US_ASCII)).isEqualTo("abc");
  }

  @Test
  void dataUrlCharactersBeyondAsciiInTheDataAreTheirUtf8Bytes() throws Exception {
    load("data:;charset=utf-8,h\u00e9llo");
    assertThat(delegate.body.toByteArray()).isEqualTo("h\u00e9llo".getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void dataUrlWithCompletionHandlerGetsBodyAndResponseAndNoDataDelegateCalls() throws Exception {
    CompletableFuture<String> result = new CompletableFuture<>();
    session().dataTask(URI.create("data:text/csv;base64,YSxiCjEsMgo="), (data, response, error) ->
        result.complete(new String(data, StandardCharsets.US_ASCII) + "|" + response.mimeType() + "|"
            + response.expectedContentLength() + "|" + error)).resume();
    assertThat(result.get(10, SECONDS)).isEqualTo("a,b\n1,2\n|text/csv|8|null");
    assertThat(delegate.events).containsExactly("didCreateTask", "didFinishCollectingMetrics");
  }

  @Test
  void dataUrlWithCompletionHandlerWhenInvalidGetsOnlyTheError() throws Exception {
    CompletableFuture<Object[]> result = new CompletableFuture<>();
    session().dataTask(URI.create("data://blah"),
        (data, response, error) -> result.complete(new Object[] {data, response, error})).resume();
    Object[] args = result.get(10, SECONDS);
    assertThat(args[0]).isNull();
    assertThat(args[1]).isNull();
    assertThat(((SessionException) args[2]).code()).isEqualTo(Code.BAD_URL);
  }

  @Test
  void dataFutureCompletesWithTheBodyOrFailsWithBadUrl() throws Exception {
    DataResponse r = session().data(Request.get(URI.create("data:,future"))).get(10, SECONDS);
    assertThat(new String(r.body(), StandardCharsets.US_ASCII)).isEqualTo("future");
    assertThat(r.response().statusCode()).isZero();
    CompletableFuture<DataResponse> bad = session().data(Request.get(URI.create("data:%2c123")));
    assertThatThrownBy(() -> bad.get(10, SECONDS)).isInstanceOf(ExecutionException.class)
        .cause().isInstanceOf(SessionException.class)
        .extracting(e -> ((SessionException) e).code()).isEqualTo(Code.BAD_URL);
  }

  @Test
  void dataUrlDownloadTaskWritesTheDecodedBytesToAFile() throws Exception {
    RecordingDownloadDelegate d = new RecordingDownloadDelegate();
    session = Session.create(SessionConfiguration.ephemeral(), d, null);
    DownloadTask task = session.downloadTask(URI.create("data:application/octet-stream;base64,AAECAwQF"));
    task.resume();
    assertThat(d.awaitCompletion()).isNull();
    d.assertEvents("didCreateTask", "didWriteData", "didFinishDownloadingTo",
        "didFinishCollectingMetrics", "didComplete null");
    assertThat(d.fileContent).containsExactly(0, 1, 2, 3, 4, 5);
    assertThat(d.location).doesNotExist();
    assertThat(task.response().mimeType()).isEqualTo("application/octet-stream");
  }

  @Test
  void dataUrlLongerThanTheHandlersLimitFailsWithDataLengthExceedsMaximum() throws Exception {
    session = Session.create(SessionConfiguration.ephemeral().toBuilder()
        .protocolHandlers(List.of(new DataUrlHandler(16))).build(), delegate, null);
    session.dataTask(URI.create("data:,0123456789abcdef-too-long")).resume();
    assertThat(delegate.awaitCompletion().code()).isEqualTo(Code.DATA_LENGTH_EXCEEDS_MAXIMUM);
    delegate.assertEvents("didCreateTask", "didFinishCollectingMetrics", "didComplete DATA_LENGTH_EXCEEDS_MAXIMUM");
  }
}
