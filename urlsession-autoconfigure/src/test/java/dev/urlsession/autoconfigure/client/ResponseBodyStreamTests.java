package dev.urlsession.autoconfigure.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.urlsession.SessionTask;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Closing the body stream cancels the task only when the task has not received its whole body;
 * the buffer stays bounded even while the reader's thread is slow to finish a resume.
 */
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

  @Test
  void overfillWhileTheReadersResumeIsUnderWayIsSuspendedBeforeTheNextChunk() throws Exception {
    List<String> calls = new CopyOnWriteArrayList<>();
    CountDownLatch resuming = new CountDownLatch(1);
    CountDownLatch releaseResume = new CountDownLatch(1);
    SessionTask slow = (SessionTask) Proxy.newProxyInstance(getClass().getClassLoader(),
        new Class<?>[] {SessionTask.class}, (proxy, method, args) -> {
          calls.add(method.getName());
          if (method.getName().equals("resume")) {
            resuming.countDown();
            releaseResume.await(10, TimeUnit.SECONDS); // a reader thread the machine does not schedule
          }
          return null;
        });
    ResponseBodyStream body = new ResponseBodyStream(100);
    body.attach(slow);
    body.offer(new byte[101]); // over the limit: suspended
    assertThat(calls).containsExactly("suspend");
    // The reader drains the buffer; its thread resumes the task and stalls inside resume().
    CompletableFuture<byte[]> reader = CompletableFuture.supplyAsync(() -> {
      try {
        return body.readNBytes(101);
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
    assertThat(resuming.await(10, TimeUnit.SECONDS)).isTrue();
    // The delegate queue overfills the buffer meanwhile: offer() may not return before the task is
    // suspended again, or chunks would keep coming for as long as the reader's thread stalls
    // (here 200 ms, then it goes on).
    CompletableFuture.delayedExecutor(200, TimeUnit.MILLISECONDS).execute(releaseResume::countDown);
    List<String> whenOfferReturned = CompletableFuture.supplyAsync(() -> {
      body.offer(new byte[101]);
      return List.copyOf(calls);
    }).get(10, TimeUnit.SECONDS);
    assertThat(whenOfferReturned).containsExactly("suspend", "resume", "suspend");
    assertThat(reader.get(10, TimeUnit.SECONDS)).hasSize(101);
    assertThat(calls).containsExactly("suspend", "resume", "suspend");
  }
}
