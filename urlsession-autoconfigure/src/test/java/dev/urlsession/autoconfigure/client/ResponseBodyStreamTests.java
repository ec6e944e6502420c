package dev.urlsession.autoconfigure.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.urlsession.SessionTask;
import java.lang.reflect.Proxy;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Closing the body stream cancels the task only when the task has not received its whole body. */
class ResponseBodyStreamTests {
  private final AtomicInteger cancels = new AtomicInteger();

  /** A task that received {@code received} of {@code expected} bytes and counts cancel() calls. */
  private SessionTask task(long received, long expected) {
    return (SessionTask) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {SessionTask.class},
        (proxy, method, args) -> switch (method.getName()) {
          case "countOfBytesReceived" -> received;
          case "countOfBytesExpectedToReceive" -> expected;
          case "cancel" -> {
            cancels.incrementAndGet();
            yield null;
          }
          default -> throw new UnsupportedOperationException(method.getName());
        });
  }

  @Test
  void closingAfterReadingAWholeBodyBeforeItsCompletionArrivedDoesNotCancel() throws Exception {
    ResponseBodyStream body = new ResponseBodyStream(1024);
    body.attach(task(3, 3));
    body.offer(new byte[] {1, 2, 3});
    assertThat(body.readNBytes(3)).containsExactly(1, 2, 3); // what a Content-Length reader does
    body.close(); // finish() has not come yet
    assertThat(cancels).hasValue(0);
  }

  @Test
  void closingBeforeTheWholeBodyArrivedCancels() throws Exception {
    ResponseBodyStream body = new ResponseBodyStream(1024);
    body.attach(task(3, 10));
    body.offer(new byte[] {1, 2, 3});
    body.close();
    assertThat(cancels).hasValue(1);
  }

  @Test
  void closingABodyOfUnknownLengthBeforeItsEndCancels() throws Exception {
    ResponseBodyStream body = new ResponseBodyStream(1024);
    body.attach(task(3, -1));
    body.offer(new byte[] {1, 2, 3});
    assertThat(body.readNBytes(3)).hasSize(3);
    body.close();
    assertThat(cancels).hasValue(1);
  }
}
