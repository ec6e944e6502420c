package dev.urlsession;

import static org.assertj.core.api.Assertions.assertThat;

import dev.urlsession.SessionException.Code;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code ResponseDisposition.BECOME_STREAM} on an HTTP load: HttpClient 5 cannot hand over the
 * connection of an exchange, so the data task completes at once with a clear error, never hangs,
 * and {@code didBecomeStreamTask} is not called.
 */
@Timeout(30)
class BecomeStreamTests {
  @StartStop final MockWebServer server = new MockWebServer();
  Session session;

  @AfterEach
  void tearDown() {
    if (session != null) {
      session.invalidateAndCancel();
    }
  }

  @Test
  void becomeStreamWhenTheLoadIsHttpFailsTheDataTaskWithAClearError() throws Exception {
    server.enqueue(new MockResponse.Builder().body("a body that stays unread").build());
    RecordingDelegate d = new RecordingDelegate() {
      @Override
      public void didBecomeStreamTask(Session s, DataTask t, StreamTask st) {
        recordEvent(t, "didBecomeStreamTask");
      }
    };
    d.disposition = ResponseDisposition.BECOME_STREAM;
    session = Session.create(SessionConfiguration.ephemeral(), d, null);
    DataTask task = session.dataTask(server.url("/upgrade").uri());
    task.resume();
    SessionException e = d.awaitCompletion();
    assertThat(e.code()).isEqualTo(Code.UNKNOWN);
    assertThat(e.getMessage()).contains("BECOME_STREAM is not supported").contains("streamTask(host, port)");
    assertThat(e.failingUrl()).isEqualTo(server.url("/upgrade").uri());
    d.assertEvents("didCreateTask", "didReceiveResponse 200", "didFinishCollectingMetrics", "didComplete UNKNOWN");
    assertThat(d.body.size()).isZero();
  }
}
