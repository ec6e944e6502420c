package dev.urlsession;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input for the stores, end to end (issue 5 "Bad input"): malformed Set-Cookie,
 * Cache-Control and WWW-Authenticate values, an oversized cookie and a corrupted cache file never
 * break a request, and nothing poisoned is kept.
 */
@Timeout(30)
class MalformedStoreInputTests {
  @StartStop final MockWebServer server = new MockWebServer();

  @Test
  void malformedHeadersAreIgnoredAndTheResponseIsStillDelivered() throws Exception {
    SessionConfiguration c = SessionConfiguration.ephemeral();
    try (Session s = Session.create(c)) {
      server.enqueue(new MockResponse.Builder()
          .addHeader("Set-Cookie", "=no-name")
          .addHeader("Set-Cookie", "big=" + "x".repeat(5000))
          .addHeader("Set-Cookie", "evil=1; Domain=co.uk")
          .addHeader("Set-Cookie", "good=1")
          .addHeader("Cache-Control", "max-age=\"oops\", no-such-directive, max-age=-5")
          .body("still fine").build());
      DataResponse r = s.data(Request.get(server.url("/m").uri())).get(10, SECONDS);
      assertThat(new String(r.body())).isEqualTo("still fine");
      assertThat(c.httpCookieStorage().cookies()).extracting(Cookie::name).containsExactly("good");
      server.enqueue(new MockResponse.Builder().code(401)
          .addHeader("WWW-Authenticate", "Basic realm=\"unterminated").body("no").build());
      assertThat(s.data(Request.get(server.url("/a").uri())).get(10, SECONDS).response().statusCode()).isEqualTo(401);
    }
  }

  @Test
  void corruptedCacheFilesAreDroppedAndTheRequestGoesToTheNetwork(@TempDir Path dir) throws Exception {
    Path cacheDir = dir.resolve("cache");
    HttpCache first = HttpCache.create(1024 * 1024, 10 * 1024 * 1024, cacheDir);
    try (Session s = Session.create(SessionConfiguration.ephemeral().toBuilder().httpCache(first).build())) {
      server.enqueue(new MockResponse.Builder().addHeader("Cache-Control", "max-age=600").body("original").build());
      s.data(Request.get(server.url("/c").uri())).get(10, SECONDS);
    }
    try (Stream<Path> files = Files.list(cacheDir)) {
      for (Path f : files.toList()) {
        byte[] bytes = Files.readAllBytes(f);
        bytes[bytes.length / 2] ^= 0x55;
        Files.write(f, bytes);
      }
    }
    HttpCache reopened = HttpCache.create(1024 * 1024, 10 * 1024 * 1024, cacheDir);
    try (Session s = Session.create(SessionConfiguration.ephemeral().toBuilder().httpCache(reopened).build())) {
      server.enqueue(new MockResponse.Builder().addHeader("Cache-Control", "max-age=600").body("from network").build());
      DataResponse r = s.data(Request.get(server.url("/c").uri())).get(10, SECONDS);
      assertThat(new String(r.body())).isEqualTo("from network");
      assertThat(server.getRequestCount()).isEqualTo(2);
    }
  }
}
