package dev.urlsession;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.urlsession.SessionException.Code;
import dev.urlsession.hostile.LeakCheck;
import java.util.concurrent.ExecutionException;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import okio.Buffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What a task collects in memory (a completion handler's or a future's body) stops at
 * {@code maximumInMemoryBodySize}: a larger body fails the task with
 * {@code DATA_LENGTH_EXCEEDS_MAXIMUM}, at once when its Content-Length says so, else when it
 * passes the limit; a delegate that takes the chunks, or a download, has no such limit.
 */
@Timeout(30)
@ExtendWith(LeakCheck.class)
class InMemoryBodyLimitTests {
  static final int LIMIT = 64 * 1024;
  @StartStop final MockWebServer server = new MockWebServer();
  final Session session = Session.create(SessionConfiguration.ephemeral().toBuilder()
      .maximumInMemoryBodySize(LIMIT).build());

  @AfterEach
  void close() {
    session.invalidateAndCancel();
  }

  static SessionException failureOf(java.util.concurrent.CompletableFuture<?> f) {
    Throwable t = org.assertj.core.api.Assertions.catchThrowable(() -> f.get(10, SECONDS));
    assertThat(t).isInstanceOf(ExecutionException.class).cause().isInstanceOf(SessionException.class);
    return (SessionException) t.getCause();
  }

  @Test
  void dataWhenContentLengthIsAboveTheLimitFailsBeforeReadingTheBody() {
    server.enqueue(new MockResponse.Builder().body(new Buffer().write(new byte[LIMIT + 1])).build());
    SessionException e = failureOf(session.data(Request.get(server.url("/big").uri())));
    assertThat(e.code()).isEqualTo(Code.DATA_LENGTH_EXCEEDS_MAXIMUM);
    assertThat(e.getMessage()).contains("maximumInMemoryBodySize");
  }

  @Test
  void dataWhenAChunkedBodyPassesTheLimitFails() {
    server.enqueue(new MockResponse.Builder().chunkedBody(new Buffer().write(new byte[4 * LIMIT]), 8192).build());
    SessionException e = failureOf(session.data(Request.get(server.url("/chunked").uri())));
    assertThat(e.code()).isEqualTo(Code.DATA_LENGTH_EXCEEDS_MAXIMUM);
  }

  @Test
  void dataAtTheLimitAndADelegateTakingChunksAreNotLimited() throws Exception {
    server.enqueue(new MockResponse.Builder().body(new Buffer().write(new byte[LIMIT])).build());
    assertThat(session.data(Request.get(server.url("/exact").uri())).get(10, SECONDS).body()).hasSize(LIMIT);

    server.enqueue(new MockResponse.Builder().body(new Buffer().write(new byte[4 * LIMIT])).build());
    RecordingDelegate delegate = new RecordingDelegate();
    Session withDelegate = Session.create(SessionConfiguration.ephemeral().toBuilder()
        .maximumInMemoryBodySize(LIMIT).build(), delegate, null);
    try {
      withDelegate.dataTask(server.url("/streamed").uri()).resume();
      assertThat(delegate.awaitCompletion()).isNull();
      assertThat(delegate.body.size()).isEqualTo(4 * LIMIT);
    } finally {
      withDelegate.invalidateAndCancel();
    }
  }

  @Test
  void theLimitMustBePositive() {
    assertThatThrownBy(() -> SessionConfiguration.ephemeral().toBuilder().maximumInMemoryBodySize(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maximumInMemoryBodySize");
  }
}
