package dev.urlsession;

import dev.urlsession.internal.BodyBuffer;
import java.util.function.IntConsumer;
import org.jspecify.annotations.Nullable;

/**
 * The body of a data or upload task: collected for its completion handler (or future), up to
 * {@code maximumInMemoryBodySize} (more fails the task with {@code DATA_LENGTH_EXCEEDS_MAXIMUM}), handed to
 * the data delegate's {@code didReceiveData} chunk by chunk, or dropped when nobody wants it. A
 * delegate may first decide about the response ({@code didReceiveResponse}). Every method is
 * called with the task's lock held.
 */
final class DataSink implements BodySink {
  private final RealSession session;
  private final DataTask task;
  private final TaskEvents events;
  private final ResultRoute route;
  /** Runs when a chunk handed to the delegate was taken (flow control). */
  private final IntConsumer delivered;
  private final @Nullable BodyBuffer collected;
  /** The most a collected body may hold: {@code maximumInMemoryBodySize}. */
  private final long limit;
  private @Nullable DataDelegate receiver;
  private @Nullable Response response;

  DataSink(RealSession session, DataTask task, TaskEvents events, ResultRoute route, IntConsumer delivered) {
    this.session = session;
    this.task = task;
    this.events = events;
    this.route = route;
    this.delivered = delivered;
    this.collected = route.dataHandler != null ? new BodyBuffer() : null;
    this.limit = session.configuration().maximumInMemoryBodySize();
  }

  @Override
  public Start start(Response response, Request request, Counts counts) {
    this.response = response;
    if (route.handlerMode()) {
      long length = response.expectedContentLength();
      return collected != null && length > limit ? Start.fail(tooLarge(length)) : Start.RECEIVE;
    }
    receiver = events.pick(DataDelegate.class, "didReceiveData");
    DataDelegate d = events.pick(DataDelegate.class, "didReceiveResponse");
    return d == null ? Start.RECEIVE : Start.ask(d);
  }

  @Override
  public boolean take(byte[] chunk) throws SessionException {
    if (collected != null) {
      if ((long) collected.size() + chunk.length > limit) {
        throw tooLarge(-1);
      }
      collected.add(chunk);
      return true;
    }
    DataDelegate d = receiver;
    if (d == null) {
      return true;
    }
    events.post("didReceiveData", () -> {
      try {
        d.didReceiveData(session, task, chunk);
      } finally {
        delivered.accept(chunk.length);
      }
    });
    return false;
  }

  /** A body collected in memory would pass {@code maximumInMemoryBodySize}. */
  private SessionException tooLarge(long length) {
    return new SessionException(SessionException.Code.DATA_LENGTH_EXCEEDS_MAXIMUM,
        response != null ? response.url() : null, "resource exceeds maximum size: the body"
            + (length >= 0 ? " of " + length + " bytes" : "") + " is larger than maximumInMemoryBodySize ("
            + limit + " bytes), the most a task collects in memory; use a download task or a delegate instead",
        null);
  }

  @Override
  public boolean handsOver() {
    return collected == null && receiver != null;
  }

  @Override
  public Finished finish(@Nullable SessionException failure, Request request) {
    byte[] body = collected != null && failure == null ? collected.toByteArray() : null;
    return new Finished(failure, null, null, null, body);
  }
}
