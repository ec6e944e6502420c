package dev.urlsession;

import dev.urlsession.internal.StreamIo;
import dev.urlsession.internal.StreamTls;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A session's machinery for stream tasks: the I/O thread and the TLS set-up, both created with the
 * first stream task, and let go when the session is invalidated (the thread ends once streams
 * handed over by {@code captureStreams}, and responses handed over to stream tasks, are closed
 * too). Also the hand-over of a data task to a read-only stream task ({@code BECOME_STREAM}).
 * Thread-safe.
 */
final class StreamTasks {
  private final SessionConfiguration configuration;
  private @Nullable StreamIo io;
  private @Nullable StreamTls tls;
  private boolean shutdown;

  StreamTasks(SessionConfiguration configuration) {
    this.configuration = configuration;
  }

  /** A new, suspended stream task of {@code session}. */
  synchronized RealStreamTask newTask(RealSession session, long id, StreamTarget target,
      @Nullable TaskDelegate taskDelegate) {
    start();
    return new RealStreamTask(session, id, target, io, tls, taskDelegate);
  }

  /**
   * A new read-only stream task reading the rest of {@code from}'s response, which {@code load}
   * delivers from now on ({@code body} came before; {@code ended} when the load finished already).
   * Caller holds {@code from}'s lock.
   */
  synchronized RealStreamTask newReadOnlyTask(RealSession session, long id, RealTask from,
      @Nullable RealLoad load, List<byte[]> body, boolean ended) {
    start();
    LoadStream source = new LoadStream(io, load, body, ended);
    RealStreamTask task = RealStreamTask.readOnly(session, id, from, source, io, tls, from.events.taskDelegate());
    if (load != null) {
      load.stream = source; // the load's reports go to the stream task's source from now on
    }
    return task;
  }

  private void start() {
    if (io == null) {
      io = StreamIo.start();
      tls = new StreamTls(configuration);
      if (shutdown) {
        io.shutdownWhenIdle(); // a data task became a stream task during invalidation
      }
    }
  }

  /** The session is invalid: the thread ends when its last connection closes. */
  synchronized void shutdown() {
    shutdown = true;
    if (io != null) {
      io.shutdownWhenIdle();
    }
  }

  /**
   * Hands {@code from}'s load over to a new read-only stream task ({@code BECOME_STREAM},
   * URLSESSION-BEHAVIOUR.md 3.8): the data task's delegate gets {@code didBecomeStreamTask}, then
   * the stream task's delegate {@code writeClosed}, and the stream task reads the rest of the body
   * (the load's {@code data} not yet delivered first). HttpClient 5 cannot hand over a connection
   * (it pools HTTP/1.1 connections and multiplexes HTTP/2), so this is Apple's read-only variant,
   * which it documents for pipelined requests, for every handler. Caller holds {@code from}'s lock
   * and detached the load from it; the data task gets no more messages.
   */
  static void handOver(RealTask from, @Nullable RealLoad load, List<byte[]> data, boolean ended) {
    DataDelegate d = from.events.pick(DataDelegate.class, "didBecomeStreamTask");
    RealStreamTask stream = from.session.newReadOnlyStreamTask(from, load, data, ended);
    if (d != null) {
      from.events.post("didBecomeStreamTask",
          () -> d.didBecomeStreamTask(from.session, (DataTask) from, stream));
    }
    stream.begin();
  }

  /** The I/O thread, or null before the first stream task (for tests). */
  synchronized @Nullable StreamIo io() {
    return io;
  }
}
