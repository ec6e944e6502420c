package dev.urlsession;

import dev.urlsession.SessionException.Code;
import dev.urlsession.internal.StreamChannel;
import dev.urlsession.internal.StreamSource;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The operations of a stream task in the order they were asked (URLSESSION-BEHAVIOUR.md 10.1):
 * reads complete in order, and so do writes, each side on its own; a barrier (TLS started or
 * stopped, streams captured) waits for everything before it and holds back everything after it.
 * Also the state of the two sides: closed by {@code closeRead()}/{@code closeWrite()}, or the read
 * side by the end of the stream once a read returned it. Reads take bytes from the task's
 * {@link StreamSource}, writes and TLS go to its {@link StreamChannel}; a read-only task (a data
 * task's response handed over) has no channel and its write side is closed from the start. Guarded
 * by the task's lock; {@link #run} runs on the I/O thread.
 */
final class StreamOps {
  private final List<StreamOp> ops = new ArrayList<>();
  /** Plain bytes offered to the connection by writes, in total. */
  private long offered;
  private boolean readSideDone;
  private boolean writeSideDone;
  private boolean readClosedReported;

  /** The write side is closed from the start: the task is read-only. */
  void readOnly() {
    writeSideDone = true;
  }

  void add(StreamOp op) {
    ops.add(op);
  }

  /** Whether the read side is done: closed, or a read returned the end of the stream. */
  boolean readSideDone() {
    return readSideDone;
  }

  boolean isEmpty() {
    return ops.isEmpty();
  }

  /** Why an operation timed out at {@code now}, or null. */
  @Nullable String expired(long now) {
    for (StreamOp op : ops) {
      if (op.deadline != 0 && now - op.deadline >= 0) {
        return "The " + op.kind.name().toLowerCase(java.util.Locale.ROOT) + " timed out";
      }
    }
    return null;
  }

  /** Fails every outstanding read and write with {@code e}, once; drops the other operations. */
  void failAll(TaskEvents events, SessionException e) {
    for (StreamOp op : ops) {
      op.fail(events, e);
    }
    ops.clear();
  }

  /**
   * Moves bytes while operations make progress; returns what to run after releasing the lock when
   * the task ended (both sides closed, or the streams took the connection).
   */
  @Nullable Runnable run(RealStreamTask task) throws IOException {
    StreamSource c = task.source();
    boolean progressed = true;
    while (progressed && c.isOpen()) {
      progressed = false;
      if (c.atEnd() && !readClosedReported) {
        readClosedReported = true;
        task.sideClosed(true);
      }
      StreamOp read = null;
      StreamOp write = null;
      StreamOp barrier = null;
      for (StreamOp op : ops) {
        if (op.kind.barrier()) {
          barrier = op == ops.get(0) ? op : null;
          break;
        }
        if (read == null && op.kind.reads()) {
          read = op;
        } else if (write == null && op.kind.writes()) {
          write = op;
        }
      }
      if (read != null) {
        progressed |= read(task, c, read);
      }
      if (write != null) {
        progressed |= write(task, write);
      }
      if (barrier != null) {
        if (barrier.kind == StreamOp.Kind.CAPTURE) {
          ops.remove(barrier);
          return task.handOver();
        }
        progressed |= tls(task, barrier);
      }
      if (readSideDone && writeSideDone && ops.isEmpty()) {
        return task.bothSidesClosed();
      }
    }
    return null;
  }

  private boolean read(RealStreamTask task, StreamSource c, StreamOp op) throws IOException {
    if (op.kind == StreamOp.Kind.CLOSE_READ) {
      ops.remove(op);
      if (!readSideDone || !c.atEnd()) {
        c.shutdownInput();
      }
      readSideDone = true;
      if (!readClosedReported) {
        readClosedReported = true;
        task.sideClosed(true);
      }
      return true;
    }
    if (readSideDone) {
      ops.remove(op);
      op.completeRead(task.events, true);
      return true;
    }
    boolean took = false;
    if (c.available() > 0 && op.have < op.max) {
      byte[] b = c.take(op.max - op.have);
      op.add(b);
      task.received(b.length);
      took = true;
    }
    boolean end = c.atEnd() && c.available() == 0;
    if (end && !readClosedReported) {
      // The end may arrive (another thread) between run()'s check and this one: report it here,
      // or the task could complete with both sides done and no readClosed.
      readClosedReported = true;
      task.sideClosed(true);
    }
    if (op.have >= op.min || end) {
      readSideDone |= end;
      ops.remove(op);
      op.completeRead(task.events, end);
      return true;
    }
    return took;
  }

  /** A write, or closing the write side; once it is closed, writes fail and closing does nothing. */
  private boolean write(RealStreamTask task, StreamOp op) throws IOException {
    if (writeSideDone) {
      ops.remove(op);
      op.fail(task.events, new SessionException(Code.NETWORK_CONNECTION_LOST, null,
          "The write side of the stream task was closed", null));
      return true;
    }
    StreamChannel c = task.channel();
    if (op.kind == StreamOp.Kind.CLOSE_WRITE) {
      if (c.flushed() < offered) {
        return false;
      }
      ops.remove(op);
      c.shutdownOutput();
      writeSideDone = true;
      task.sideClosed(false);
      return true;
    }
    int n = op.data.hasRemaining() ? c.offer(op.data) : 0;
    offered += n;
    if (n > 0) {
      task.sent(n);
    }
    if (!op.data.hasRemaining() && op.end < 0) {
      op.end = offered;
    }
    if (op.end >= 0 && c.flushed() >= op.end) {
      ops.remove(op);
      op.completeWrite(task.events);
      return true;
    }
    return n > 0;
  }

  /**
   * Starts or stops TLS when it is the barrier's turn; true once it took effect. Stopping without
   * TLS does nothing; starting with the write side closed (a handshake needs it) fails the task.
   */
  private boolean tls(RealStreamTask task, StreamOp op) throws IOException {
    boolean start = op.kind == StreamOp.Kind.START_TLS;
    StreamChannel c = task.channel();
    if (!op.begun) {
      op.begun = true;
      if ((c != null && c.isSecure()) == start) {
        ops.remove(op); // already so: nothing to do
        return true;
      }
      if (start && (writeSideDone || c == null)) {
        throw new SessionException(Code.NETWORK_CONNECTION_LOST, null,
            "TLS cannot start: the write side of the stream task was closed", null);
      }
      if (start) {
        task.startTls();
      } else {
        c.stopTls();
      }
    }
    if (c.isOpen() && c.isSecure() == start) {
      ops.remove(op);
      return true;
    }
    return false;
  }
}
