package dev.urlsession;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.urlsession.hostile.LeakCheck;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Ambiguous framing (RFC 9112 6.3, issue 18 item 9): a response with both {@code Content-Length}
 * and {@code Transfer-Encoding: chunked} is read as chunked (Transfer-Encoding wins), and its
 * connection is never used again, so a body smuggled after it can never be read as the next
 * response. Proven on a raw socket server that keeps the connection open and counts connections.
 */
@Timeout(30)
@ExtendWith(LeakCheck.class)
class ResponseFramingTests {
  RawHttpServer server;
  final RecordingDelegate delegate = new RecordingDelegate();
  Session session;

  @BeforeEach
  void start() throws Exception {
    server = new RawHttpServer();
    session = Session.create(SessionConfiguration.ephemeral(), delegate, null);
  }

  @AfterEach
  void stop() throws Exception {
    session.invalidateAndCancel();
    server.close();
  }

  byte[] get(String path) throws Exception {
    java.util.concurrent.CompletableFuture<byte[]> body = new java.util.concurrent.CompletableFuture<>();
    session.dataTask(server.url(path), (data, response, error) -> {
      if (error != null) {
        body.completeExceptionally(error);
      } else {
        body.complete(data);
      }
    }).resume();
    return body.get(10, SECONDS);
  }

  @Test
  void responseWhenPlainKeepAliveReusesTheConnection() throws Exception {
    server.enqueue("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello".getBytes(StandardCharsets.US_ASCII), true);
    server.enqueue("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nworld".getBytes(StandardCharsets.US_ASCII), true);

    assertThat(get("/a")).asString().isEqualTo("hello");
    // The body can reach the task just before the connection is back in the pool.
    Awaitility.await().atMost(Duration.ofSeconds(10))
        .until(() -> session.statistics().connectionPool().available() == 1);
    assertThat(get("/b")).asString().isEqualTo("world");

    assertThat(server.acceptedConnections()).isEqualTo(1);
  }

  @Test
  void responseWhenContentLengthAndChunkedReadsChunkedAndNeverReusesTheConnection() throws Exception {
    // Content-Length claims 5 bytes; the chunked body is 11; a reader trusting Content-Length
    // would take " world\r\n0\r\n\r\n..." as the start of the next response.
    server.enqueue(("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"
        + "b\r\nhello world\r\n0\r\n\r\n").getBytes(StandardCharsets.US_ASCII), true);
    server.enqueue("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nnext".getBytes(StandardCharsets.US_ASCII), true);

    assertThat(get("/smuggle")).asString().isEqualTo("hello world");
    Awaitility.await().atMost(Duration.ofSeconds(10))
        .until(() -> session.statistics().connectionPool().leased() == 0);
    assertThat(session.statistics().connectionPool().available()).as("nothing kept for reuse").isZero();
    assertThat(get("/next")).asString().isEqualTo("next");

    assertThat(server.acceptedConnections()).as("the second request had a connection of its own").isEqualTo(2);
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> server.openConnections() <= 1);
  }
}
