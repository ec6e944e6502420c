package dev.urlsession;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.urlsession.hostile.LeakCheck;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Non-ASCII URLs go on the wire as UTF-8, percent-encoded, never raw or as mojibake (issue 18
 * item 4): the first request, a redirect whose {@code Location} holds raw UTF-8 bytes, and a
 * request through an HTTP proxy (absolute form).
 */
@Timeout(30)
@ExtendWith(LeakCheck.class)
class NonAsciiUrlTests {
  @StartStop final MockWebServer server = new MockWebServer();
  final RecordingDelegate delegate = new RecordingDelegate();
  Session session = Session.create(SessionConfiguration.ephemeral(), delegate, null);

  @AfterEach
  void close() {
    session.invalidateAndCancel();
  }

  static URI unicode(String host, int port, String path, String query) throws Exception {
    return new URI("http", null, host, port, path, query, null);
  }

  @Test
  void dataTaskWhenPathAndQueryAreUnicodeSendsThemUtf8PercentEncoded() throws Exception {
    server.enqueue(new MockResponse.Builder().body("ok").build());
    URI url = unicode(server.getHostName(), server.getPort(), "/äö/€", "q=ü");
    assertThat(url.toString()).contains("äö"); // the URI itself holds the characters

    session.dataTask(url).resume();

    assertThat(delegate.awaitCompletion()).isNull();
    assertThat(server.takeRequest(5, SECONDS).getTarget()).isEqualTo("/%C3%A4%C3%B6/%E2%82%AC?q=%C3%BC");
  }

  @Test
  void redirectWhenLocationHoldsRawUtf8FollowsItPercentEncoded() throws Exception {
    try (RawHttpServer raw = new RawHttpServer()) {
      raw.enqueue(("HTTP/1.1 302 Found\r\nLocation: /äö?x=ü ÿ\r\nContent-Length: 0\r\n\r\n")
          .getBytes(StandardCharsets.UTF_8), false);
      raw.enqueue("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");

      session.dataTask(raw.url("/start")).resume();

      assertThat(delegate.awaitCompletion()).isNull();
      assertThat(delegate.body.toString(StandardCharsets.UTF_8)).isEqualTo("ok");
      assertThat(raw.requestLine(0)).isEqualTo("GET /start HTTP/1.1");
      assertThat(raw.requestLine(1)).isEqualTo("GET /%C3%A4%C3%B6?x=%C3%BC%20%C3%BF HTTP/1.1");
    }
  }

  @Test
  void redirectWhenLocationIsLatin1TextEncodesItsCharactersAsUtf8() throws Exception {
    try (RawHttpServer raw = new RawHttpServer()) {
      // 0xE4 alone is not UTF-8: the byte is the character ä (ISO-8859-1), sent as its UTF-8 form.
      raw.enqueue("HTTP/1.1 301 Moved\r\nLocation: /\u00e4\r\nContent-Length: 0\r\n\r\n");
      raw.enqueue("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");

      session.dataTask(raw.url("/start")).resume();

      assertThat(delegate.awaitCompletion()).isNull();
      assertThat(raw.requestLine(1)).isEqualTo("GET /%C3%A4 HTTP/1.1");
    }
  }

  @Test
  void requestThroughHttpProxyWhenUrlIsUnicodeSendsTheAbsoluteFormPercentEncoded() throws Exception {
    try (TestHttpProxy proxy = new TestHttpProxy()) {
      session.invalidateAndCancel();
      session = Session.create(SessionConfiguration.ephemeral().toBuilder()
          .proxy(ProxyConfiguration.http("127.0.0.1", proxy.port())).build(), delegate, null);
      server.enqueue(new MockResponse.Builder().body("ok").build());
      URI url = unicode(server.getHostName(), server.getPort(), "/straße", null);

      session.dataTask(url).resume();

      assertThat(delegate.awaitCompletion()).isNull();
      assertThat(proxy.requests()).extracting(TestHttpProxy.Seen::target)
          .containsExactly("http://" + server.getHostName() + ":" + server.getPort() + "/stra%C3%9Fe");
      assertThat(server.takeRequest(5, SECONDS).getTarget()).isEqualTo("/stra%C3%9Fe");
    }
  }
}
