package dev.urlsession;

import dev.urlsession.internal.BodyBuffer;
import java.util.function.IntConsumer;
import org.jspecify.annotations.Nullable;

/**
 * The body of a data or upload task: collected for its completion handler (or future), handed to
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
  private @Nullable DataDelegate receiver;

  DataSink(RealSession session, DataTask task, TaskEvents events, ResultRoute route, IntConsumer delivered) {
    this.session = session;
    this.task = task;
    this.events = events;
    this.route = route;
    this.delivered = delivered;
    this.collected = route.dataHandler != null ? new BodyBuffer() : null;
  }

  @Override
  public Start start(Response response, Request request, Counts counts) {
    if (route.handlerMode()) {
      return Start.RECEIVE;
    }
    receiver = events.pick(DataDelegate.class, "didReceiveData");
    DataDelegate d = events.pick(DataDelegate.class, "didReceiveResponse");
    return d == null ? Start.RECEIVE : Start.ask(d);
  }

  @Override
  public boolean take(byte[] chunk) {
    if (collected != null) {
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
