package dev.urlsession.autoconfigure.client;

import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.springframework.http.StreamingHttpOutputMessage.Body;

/**
 * The body of a streamed upload, as the session asks for it ({@code needNewBodyStream}): first
 * the pipe the executing thread writes into; again (an authentication retry, a 307 or 308
 * redirect) a new pipe that a thread of its own writes the body into, when the body is
 * {@linkplain Body#repeatable() repeatable}; otherwise none, and the task fails with
 * {@code REQUEST_BODY_STREAM_EXHAUSTED}.
 *
 * <p>Thread-safe: asked on the delegate queue, failed or abandoned there too.
 */
final class StreamedBody {
  private static final ExecutorService WRITERS = Executors.newCachedThreadPool(new ThreadFactory());

  private final Body body;
  private final int capacity;
  private final BodyPipe first;

  // --- guarded by this ---
  private int streams;
  private BodyPipe current;

  StreamedBody(Body body, BodyPipe first, int capacity) {
    this.body = body;
    this.first = first;
    this.current = first;
    this.capacity = capacity;
  }

  /** The stream to send now, or null when the body cannot be written again. */
  synchronized @Nullable InputStream next() {
    streams++;
    if (streams == 1) {
      return first.source();
    }
    if (!body.repeatable()) {
      return null;
    }
    current.abandon();
    BodyPipe again = new BodyPipe(capacity);
    current = again;
    WRITERS.execute(() -> writeAgain(again));
    return again.source();
  }

  private void writeAgain(BodyPipe pipe) {
    try {
      body.writeTo(pipe.sink());
      pipe.closeWrite();
    } catch (BodyPipe.Abandoned e) {
      // not wanted any more
    } catch (IOException | RuntimeException e) {
      if (pipe.failure() == null && !pipe.isAbandoned()) {
        // The session reads the failure and fails the task with it.
        pipe.fail(new IOException("Writing the request body again failed: " + e, e));
      }
    }
  }

  /** The task failed: every writer and reader gets {@code error}. */
  synchronized void fail(IOException error) {
    first.fail(error);
    current.fail(error);
  }

  /** The task completed: no writer needs to go on. */
  synchronized void abandon() {
    first.abandon();
    current.abandon();
  }

  private static final class ThreadFactory implements java.util.concurrent.ThreadFactory {
    private final AtomicInteger count = new AtomicInteger();

    @Override
    public Thread newThread(Runnable r) {
      Thread t = new Thread(r, "urlsession-spring-body-" + count.incrementAndGet());
      t.setDaemon(true);
      return t;
    }
  }
}
