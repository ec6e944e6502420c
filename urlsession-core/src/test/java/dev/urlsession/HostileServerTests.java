package dev.urlsession;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.urlsession.SessionException.Code;
import dev.urlsession.hostile.LeakCheck;
import java.time.Duration;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Malformed responses from a raw-socket server (issue 18 item 5): each ends the task with exactly
 * one completion carrying the code the malformation deserves, never {@code UNKNOWN}, and leaves no
 * connection open behind it.
 */
@Timeout(60)
@ExtendWith(LeakCheck.class)
class HostileServerTests {
  RawHttpServer server;
  final RecordingDelegate delegate = new RecordingDelegate();
  Session session;

  @BeforeEach
  void start() throws Exception {
    server = new RawHttpServer();
    session = Session.create(SessionConfiguration.ephemeral().toBuilder()
        .timeoutIntervalForRequest(Duration.ofSeconds(20)).build(), delegate, null);
  }

  @AfterEach
  void stop() throws Exception {
    session.invalidateAndCancel();
    server.close();
  }

  static Stream<Arguments> malformed() {
    String ok = "HTTP/1.1 200 OK\r\n";
    return Stream.of(
        Arguments.of("negative chunk size", ok + "Transfer-Encoding: chunked\r\n\r\n-5\r\nhello\r\n0\r\n\r\n",
            Code.BAD_SERVER_RESPONSE),
        Arguments.of("chunk size not hex", ok + "Transfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n",
            Code.BAD_SERVER_RESPONSE),
        Arguments.of("chunk size overflowing 64 bits",
            ok + "Transfer-Encoding: chunked\r\n\r\n1ffffffffffffffffff\r\nhello\r\n0\r\n\r\n", Code.BAD_SERVER_RESPONSE),
        Arguments.of("chunk without its CRLF", ok + "Transfer-Encoding: chunked\r\n\r\n5\r\nhelloXX0\r\n\r\n",
            Code.BAD_SERVER_RESPONSE),
        Arguments.of("garbage status line", "HTTP/1.1 abc Nope\r\nContent-Length: 0\r\n\r\n",
            Code.CANNOT_PARSE_RESPONSE),
        Arguments.of("two-digit status", "HTTP/1.1 20 OK\r\nContent-Length: 0\r\n\r\n", Code.CANNOT_PARSE_RESPONSE),
        Arguments.of("not HTTP at all", "SSH-2.0-OpenSSH_9.2\r\n\r\n", Code.CANNOT_PARSE_RESPONSE),
        Arguments.of("header line without a colon", ok + "this is no header\r\nContent-Length: 0\r\n\r\n",
            Code.CANNOT_PARSE_RESPONSE),
        Arguments.of("negative Content-Length", ok + "Content-Length: -1\r\n\r\nhello", Code.BAD_SERVER_RESPONSE),
        Arguments.of("Content-Length not a number", ok + "Content-Length: five\r\n\r\nhello",
            Code.BAD_SERVER_RESPONSE),
        Arguments.of("two different Content-Lengths", ok + "Content-Length: 5\r\nContent-Length: 7\r\n\r\nhello",
            Code.BAD_SERVER_RESPONSE),
        Arguments.of("unknown transfer coding", ok + "Transfer-Encoding: magic\r\n\r\nhello",
            Code.BAD_SERVER_RESPONSE),
        Arguments.of("header line of 20 KB", ok + "X-Huge: " + "a".repeat(20_000) + "\r\nContent-Length: 0\r\n\r\n",
            Code.BAD_SERVER_RESPONSE),
        Arguments.of("body shorter than its Content-Length", ok + "Content-Length: 100\r\n\r\nhello",
            Code.NETWORK_CONNECTION_LOST),
        Arguments.of("chunked body cut short", ok + "Transfer-Encoding: chunked\r\n\r\n100\r\nhello",
            Code.NETWORK_CONNECTION_LOST),
        Arguments.of("connection closed without a response", "", Code.NETWORK_CONNECTION_LOST),
        Arguments.of("corrupt gzip body", ok + "Content-Encoding: gzip\r\nContent-Length: 5\r\n\r\nhello",
            Code.CANNOT_DECODE_RAW_DATA));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("malformed")
  void dataTaskWhenResponseIsMalformedCompletesOnceWithItsCodeAndLeaksNoConnection(
      String what, String response, Code expected) throws Exception {
    for (int i = 0; i < 3; i++) {
      server.enqueue(response); // room for a retry of an idempotent request
    }

    session.dataTask(server.url("/hostile")).resume();

    SessionException error = delegate.awaitCompletion();
    assertThat(error).as(what).isNotNull();
    assertThat(error.code()).as(what + ": " + error).isEqualTo(expected);
    assertThat(error.failingUrl()).isEqualTo(server.url("/hostile"));
    session.invalidateAndCancel();
    delegate.invalid.get(10, SECONDS); // every callback of the task was delivered before this one
    assertThat(delegate.events.stream().filter(e -> e.startsWith("didComplete"))).hasSize(1);
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> server.openConnections() == 0);
  }
}
