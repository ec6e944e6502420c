package dev.urlsession;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A server that closes a keep-alive connection right after a response, without
 * {@code Connection: close}: the redirect that follows at once may be given that connection from
 * the pool before the client saw it close. HttpClient then reports the request as not executed,
 * and the session sends it again on a new connection instead of failing the task with
 * NETWORK_CONNECTION_LOST (seen once in NonAsciiUrlTests under load).
 */
@Timeout(60)
class StaleConnectionTests {
  final Session session = Session.create(SessionConfiguration.ephemeral());

  @AfterEach
  void invalidate() {
    session.invalidateAndCancel();
  }

  @Test
  void redirectWhenTheServerClosedTheConnectionAfterTheRedirectSucceedsOnANewConnection() throws Exception {
    try (RawHttpServer raw = new RawHttpServer()) {
      URI start = raw.url("/start");
      for (int round = 0; round < 300; round++) {
        raw.enqueue("HTTP/1.1 302 Found\r\nLocation: /next\r\nContent-Length: 0\r\n\r\n"); // then closes
        raw.enqueue("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        DataResponse r = session.data(Request.get(start)).get(10, SECONDS);
        assertThat(new String(r.body(), StandardCharsets.UTF_8)).as("round %d", round).isEqualTo("ok");
      }
    }
  }
}
