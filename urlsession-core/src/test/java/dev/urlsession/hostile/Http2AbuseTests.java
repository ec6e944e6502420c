package dev.urlsession.hostile;

import static dev.urlsession.hostile.RawH2Server.CONTINUATION;
import static dev.urlsession.hostile.RawH2Server.DATA;
import static dev.urlsession.hostile.RawH2Server.END_HEADERS;
import static dev.urlsession.hostile.RawH2Server.END_STREAM;
import static dev.urlsession.hostile.RawH2Server.HEADERS;
import static dev.urlsession.hostile.RawH2Server.INTERNAL_ERROR;
import static dev.urlsession.hostile.RawH2Server.NO_ERROR;
import static dev.urlsession.hostile.RawH2Server.PING;
import static dev.urlsession.hostile.RawH2Server.PROTOCOL_ERROR;
import static dev.urlsession.hostile.RawH2Server.SETTINGS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.urlsession.HttpVersionPolicy;
import dev.urlsession.Session;
import dev.urlsession.SessionConfiguration;
import dev.urlsession.SessionException;
import dev.urlsession.SessionException.Code;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * RELIABILITY.md row 10 and issue 18: a hostile HTTP/2 server (frames written by hand; h2c with
 * prior knowledge, or TLS with ALPN) that sends GOAWAY, RST_STREAM, a flood of SETTINGS or PING
 * frames without reading the answers, or a header block that is huge or never ends. Each task
 * ends with exactly one completion carrying the code the abuse deserves, and the connection, the
 * session's threads and its files are released afterwards ({@link LeakCheck}).
 *
 * <p>Two answers are HttpCore's (5.4.4), not ours, and are bounded by the task's request timeout:
 * a GOAWAY that excludes a stream does not fail it while the server keeps the connection open
 * (HttpCore fails only pushed streams there), and zero-length CONTINUATION frames are not counted
 * against its limit of 100.
 */
@Timeout(60)
@ExtendWith(LeakCheck.class)
class Http2AbuseTests {
  static final HeldCertificate CERT = new HeldCertificate.Builder()
      .addSubjectAlternativeName("localhost").addSubjectAlternativeName("127.0.0.1").build();

  final Completions delegate = new Completions();
  @Nullable RawH2Server server;
  @Nullable Session session;

  @AfterEach
  void stop() throws Exception {
    if (session != null) {
      session.invalidateAndCancel();
      delegate.awaitInvalid();
    }
    if (server != null) {
      server.close();
    }
  }

  private @Nullable SessionException load(RawH2Server.Script script, Duration requestTimeout) throws Exception {
    return load(script, requestTimeout, false);
  }

  /** One data task against {@code script}; its error, once it is sure it completed exactly once. */
  private @Nullable SessionException load(RawH2Server.Script script, Duration requestTimeout, boolean tls)
      throws Exception {
    server = new RawH2Server(script, tls
        ? new HandshakeCertificates.Builder().heldCertificate(CERT).build().sslContext() : null);
    SessionConfiguration.Builder config = SessionConfiguration.ephemeral().toBuilder()
        .httpVersionPolicy(HttpVersionPolicy.HTTP_2)
        .timeoutIntervalForRequest(requestTimeout);
    if (tls) {
      SSLContext trusting = new HandshakeCertificates.Builder().addTrustedCertificate(CERT.certificate()).build()
          .sslContext();
      config.sslContext(trusting);
    }
    session = Session.create(config.build(), delegate, null);
    session.dataTask(server.url("/abuse")).resume();
    SessionException error = delegate.awaitCompletion(30);
    session.invalidateAndCancel();
    delegate.awaitInvalid();
    assertThat(delegate.completions()).as("completions").hasSize(1);
    assertThat(delegate.violations).isEmpty();
    // The server's script ends when the client has closed the connection.
    server.scriptEnded.get(20, TimeUnit.SECONDS);
    return error;
  }

  private static void assertCode(@Nullable SessionException error, Code expected) {
    assertThat(error).isNotNull();
    assertThat(error.code()).as(error.toString()).isEqualTo(expected);
  }

  @Test
  void goAwayWhenTheServerThenClosesFailsTheTaskOnceWithConnectionLost() throws Exception {
    SessionException error = load(c -> {
      c.writeSettings();
      c.readRequest();
      c.writeGoAway(0, NO_ERROR); // stream 1 was not processed
      c.close();
    }, Duration.ofSeconds(20));
    assertCode(error, Code.NETWORK_CONNECTION_LOST);
  }

  @Test
  void goAwayWithAnErrorCodeFailsTheTaskOnceWithConnectionLostAtOnce() throws Exception {
    SessionException error = load(c -> {
      c.writeSettings();
      c.readRequest();
      c.writeGoAway(0, PROTOCOL_ERROR);
      c.readUntilClosed();
    }, Duration.ofSeconds(20));
    assertCode(error, Code.NETWORK_CONNECTION_LOST);
  }

  @Test
  void goAwayWhenTheServerKeepsTheConnectionOpenEndsTheTaskOnceAtItsRequestTimeout() throws Exception {
    SessionException error = load(c -> {
      c.writeSettings();
      c.readRequest();
      c.writeGoAway(0, NO_ERROR);
      c.readUntilClosed(); // HttpCore waits for the server to close: the idle timeout ends it
    }, Duration.ofSeconds(2));
    assertCode(error, Code.TIMED_OUT);
  }

  @Test
  void rstStreamInTheMiddleOfTheBodyFailsTheTaskOnceWithConnectionLost() throws Exception {
    SessionException error = load(c -> {
      c.writeSettings();
      int stream = c.readRequest();
      c.write(HEADERS, END_HEADERS, stream, RawH2Server.headerBlock(200, "content-length", "100"));
      c.write(DATA, 0, stream, new byte[10]);
      c.writeRstStream(stream, INTERNAL_ERROR);
      c.readUntilClosed();
    }, Duration.ofSeconds(20));
    assertCode(error, Code.NETWORK_CONNECTION_LOST);
    assertThat(delegate.body()).hasSize(10);
  }

  @Test
  void settingsFloodWithoutReadingTheAcknowledgementsClosesTheConnectionAndFailsTheTaskOnce() throws Exception {
    SessionException error = load(c -> {
      c.writeSettings();
      c.readRequest();
      floodUntilClosed(c, SETTINGS, new byte[0]);
    }, Duration.ofSeconds(20));
    assertCode(error, Code.NETWORK_CONNECTION_LOST);
  }

  @Test
  void pingFloodWithoutReadingTheAcknowledgementsClosesTheConnectionAndFailsTheTaskOnce() throws Exception {
    // Before FloodGuard, this filled a 256 MiB heap in ten seconds: every PING's ACK was queued.
    SessionException error = load(c -> {
      c.writeSettings();
      c.readRequest();
      floodUntilClosed(c, PING, new byte[8]);
    }, Duration.ofSeconds(20));
    assertCode(error, Code.NETWORK_CONNECTION_LOST);
  }

  @Test
  void pingFloodOverTlsWithoutReadingTheAcknowledgementsClosesTheConnectionAndFailsTheTaskOnce() throws Exception {
    SessionException error = load(c -> {
      c.writeSettings();
      c.readRequest();
      floodUntilClosed(c, PING, new byte[8]);
    }, Duration.ofSeconds(20), true);
    assertCode(error, Code.NETWORK_CONNECTION_LOST);
  }

  @Test
  void headerBlockOfOneMebibyteFailsTheTaskOnceWithBadServerResponse() throws Exception {
    SessionException error = load(c -> {
      c.writeSettings();
      int stream = c.readRequest();
      byte[] value = new byte[16_000];
      Arrays.fill(value, (byte) 'a');
      c.write(HEADERS, END_STREAM, stream, RawH2Server.headerBlock(200));
      for (int i = 0; i < 64; i++) { // 64 fields of 16 kB: 1 MiB of headers, in 65 frames
        ByteArrayOutputStream field = new ByteArrayOutputStream();
        RawH2Server.literal(field, "x-huge-" + i, new String(value, StandardCharsets.ISO_8859_1));
        c.write(CONTINUATION, i == 63 ? END_HEADERS : 0, stream, field.toByteArray());
      }
      c.flush();
      c.readUntilClosed();
    }, Duration.ofSeconds(20));
    assertCode(error, Code.BAD_SERVER_RESPONSE);
  }

  @Test
  void continuationFloodFailsTheTaskOnceWithBadServerResponse() throws Exception {
    // CVE-2023-45288's class: a header block that never ends, one byte per frame.
    SessionException error = load(c -> {
      c.writeSettings();
      int stream = c.readRequest();
      c.write(HEADERS, 0, stream, new byte[] {(byte) 0x88}); // :status 200, indexed
      try {
        for (int i = 0; i < 1_000_000; i++) {
          c.write(CONTINUATION, 0, stream, new byte[] {(byte) 0x88});
          if (i % 1000 == 0) {
            c.flush();
          }
        }
      } catch (IOException closedByTheClient) {
        return;
      }
      c.readUntilClosed();
    }, Duration.ofSeconds(20));
    assertCode(error, Code.BAD_SERVER_RESPONSE);
  }

  @Test
  void emptyContinuationFloodEndsTheTaskOnceAtItsRequestTimeout() throws Exception {
    SessionException error = load(c -> {
      c.writeSettings();
      int stream = c.readRequest();
      c.write(HEADERS, 0, stream, new byte[] {(byte) 0x88});
      try {
        while (true) { // HttpCore does not count empty frames: only the idle timeout ends this
          for (int i = 0; i < 1000; i++) {
            c.write(CONTINUATION, 0, stream, new byte[0]);
          }
          c.flush();
        }
      } catch (IOException closedByTheClient) {
        // the end
      }
    }, Duration.ofSeconds(2));
    assertCode(error, Code.TIMED_OUT);
  }

  /** Writes {@code type} frames, never reading, until the client closes the connection. */
  private static void floodUntilClosed(RawH2Server.Connection c, int type, byte[] payload) {
    try {
      for (long i = 0; i < 50_000_000L; i++) {
        c.write(type, 0, 0, payload);
        if (i % 1000 == 0) {
          c.flush();
        }
      }
    } catch (IOException closedByTheClient) {
      // what the test waits for
    }
  }
}
