package dev.urlsession;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Apple's reserved headers set by the caller are ignored, and the session's own go on the wire
 * (URLSESSION-BEHAVIOUR.md 1.3: the session "may ignore, overwrite, or not send" them).
 */
@Timeout(30)
class ReservedHeadersTests {
  /** Every reserved header with a value that would change the framing or the route if sent. */
  private static final Map<String, String> RESERVED = new LinkedHashMap<>();

  static {
    RESERVED.put("Content-Length", "999");
    RESERVED.put("Transfer-Encoding", "chunked");
    RESERVED.put("Host", "evil.example");
    RESERVED.put("Connection", "Upgrade, close");
    RESERVED.put("Keep-Alive", "timeout=1");
    RESERVED.put("TE", "trailers");
    RESERVED.put("Trailer", "X-After");
    RESERVED.put("Upgrade", "h2c");
    RESERVED.put("Expect", "100-continue");
    RESERVED.put("Proxy-Authorization", "Basic c2VjcmV0");
    RESERVED.put("Proxy-Connection", "keep-alive");
    RESERVED.put("WWW-Authenticate", "Basic realm=\"x\"");
  }

  @StartStop final MockWebServer server = new MockWebServer();
  private Session session;

  @AfterEach
  void invalidate() {
    if (session != null) {
      session.invalidateAndCancel();
    }
  }

  private void assertOnlyTheSessionsOwnReservedHeaders(RecordedRequest recorded, long bodyLength) {
    assertThat(recorded.getHeaders().values("Host")).containsExactly(server.getHostName() + ":" + server.getPort());
    if (bodyLength > 0) {
      assertThat(recorded.getHeaders().values("Content-Length")).containsExactly(Long.toString(bodyLength));
    } else {
      assertThat(recorded.getHeaders().values("Content-Length")).isEmpty();
    }
    for (String name : new String[] {"Transfer-Encoding", "Keep-Alive", "TE", "Trailer", "Upgrade", "Expect",
        "Proxy-Authorization", "Proxy-Connection", "WWW-Authenticate"}) {
      assertThat(recorded.getHeaders().values(name)).as(name).isEmpty();
    }
    assertThat(recorded.getHeaders().values("Connection")).doesNotContain("Upgrade, close");
  }

  @Test
  void requestWhenCallerSetsReservedHeadersSendsTheSessionsOwnInstead() throws Exception {
    session = Session.create(SessionConfiguration.ephemeral());
    server.enqueue(new MockResponse.Builder().body("first").build());
    server.enqueue(new MockResponse.Builder().body("second").build());
    Request.Builder post = Request.builder(server.url("/post").uri()).method("POST")
        .body("hello".getBytes(StandardCharsets.UTF_8)).header("X-Kept", "k");
    RESERVED.forEach(post::header);

    DataResponse first = session.data(post.build()).get(10, SECONDS);
    // A GET with a stray Content-Length: sent without it, so nothing is smuggled after it.
    Request.Builder get = Request.builder(server.url("/get").uri());
    RESERVED.forEach(get::addHeader);
    DataResponse second = session.data(get.build()).get(10, SECONDS);

    assertThat(new String(first.body(), StandardCharsets.UTF_8)).isEqualTo("first");
    assertThat(new String(second.body(), StandardCharsets.UTF_8)).isEqualTo("second");
    RecordedRequest recordedPost = server.takeRequest(5, SECONDS);
    assertThat(recordedPost.getBody().utf8()).isEqualTo("hello");
    assertThat(recordedPost.getHeaders().get("X-Kept")).isEqualTo("k");
    assertOnlyTheSessionsOwnReservedHeaders(recordedPost, 5);
    RecordedRequest recordedGet = server.takeRequest(5, SECONDS);
    assertThat(recordedGet.getTarget()).isEqualTo("/get");
    assertOnlyTheSessionsOwnReservedHeaders(recordedGet, 0);
  }

  @Test
  void httpAdditionalHeadersWhenReservedAreNotSent() throws Exception {
    Map<String, String> additional = new LinkedHashMap<>(RESERVED);
    additional.put("X-Session", "s");
    session = Session.create(SessionConfiguration.ephemeral().toBuilder().httpAdditionalHeaders(additional).build());
    server.enqueue(new MockResponse.Builder().body("ok").build());

    session.data(Request.builder(server.url("/upload").uri()).method("PUT")
        .body("abc".getBytes(StandardCharsets.UTF_8)).build()).get(10, SECONDS);

    RecordedRequest recorded = server.takeRequest(5, SECONDS);
    assertThat(recorded.getHeaders().get("X-Session")).isEqualTo("s");
    assertThat(recorded.getBody().utf8()).isEqualTo("abc");
    assertOnlyTheSessionsOwnReservedHeaders(recorded, 3);
  }
}
