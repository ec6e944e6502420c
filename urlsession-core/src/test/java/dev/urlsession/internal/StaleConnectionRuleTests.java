package dev.urlsession.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.urlsession.Request;
import java.net.SocketException;
import java.net.URI;
import java.time.Instant;
import org.apache.hc.core5.http.ConnectionClosedException;
import org.apache.hc.core5.http.RequestNotExecutedException;
import org.junit.jupiter.api.Test;

/** Which failures {@link HttpProtocolHandler} sends again on a new connection: those of a stale pooled one only. */
class StaleConnectionRuleTests {
  private static TransactionRecorder recorder(boolean reused, boolean responseStarted) {
    TransactionRecorder r = new TransactionRecorder(Request.get(URI.create("http://example.test/")));
    r.reused = reused;
    r.responseStart = responseStarted ? Instant.now() : null;
    return r;
  }

  @Test
  void requestNotSentOnAReusedConnectionGoesAgainWhateverItsMethod() {
    assertThat(HttpProtocolHandler.staleConnection(new RequestNotExecutedException(), recorder(true, false), "POST")).isTrue();
  }

  @Test
  void idempotentRequestOnAReusedConnectionClosedOrResetBeforeAResponseGoesAgain() {
    assertThat(HttpProtocolHandler.staleConnection(new ConnectionClosedException(), recorder(true, false), "GET")).isTrue();
    assertThat(HttpProtocolHandler.staleConnection(new SocketException("reset"), recorder(true, false), "PUT")).isTrue();
  }

  @Test
  void idempotentRequestAnsweredWithBytesThatAreNoResponseOnAReusedConnectionGoesAgain() {
    assertThat(HttpProtocolHandler.staleConnection(new org.apache.hc.core5.http.ParseException("Invalid protocol version"),
        recorder(true, false), "GET")).isTrue();
    assertThat(HttpProtocolHandler.staleConnection(new org.apache.hc.core5.http.ParseException("Invalid protocol version"),
        recorder(false, false), "GET")).isFalse();
    assertThat(HttpProtocolHandler.staleConnection(new org.apache.hc.core5.http.ParseException("Invalid protocol version"),
        recorder(true, false), "POST")).isFalse();
    // The leftover bytes parsed as a response before the request went: the connection fails it.
    assertThat(HttpProtocolHandler.staleConnection(new org.apache.hc.core5.http.HttpException("Unexpected response"),
        recorder(true, false), "GET")).isTrue();
  }

  @Test
  void postThatMayHaveReachedTheServerDoesNotGoAgain() {
    assertThat(HttpProtocolHandler.staleConnection(new ConnectionClosedException(), recorder(true, false), "POST")).isFalse();
  }

  @Test
  void newConnectionOrAResponseCutShortIsNoStaleConnection() {
    assertThat(HttpProtocolHandler.staleConnection(new RequestNotExecutedException(), recorder(false, false), "GET")).isFalse();
    assertThat(HttpProtocolHandler.staleConnection(new ConnectionClosedException(), recorder(true, true), "GET")).isFalse();
  }

  @Test
  void otherFailuresAreNotRetried() {
    assertThat(HttpProtocolHandler.staleConnection(new java.net.SocketTimeoutException(), recorder(true, false), "GET")).isFalse();
  }
}
