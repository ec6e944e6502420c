package dev.urlsession.autoconfigure.event;

import dev.urlsession.Session;
import dev.urlsession.StreamTask;

/**
 * A side of a stream task's connection closed (the delegate's {@code readClosed} or
 * {@code writeClosed}): the peer ended the stream, or the application closed that side. A stream
 * task publishes {@link TaskCreatedEvent}, these, and {@link TaskCompletedEvent} last (also when its
 * connection was handed over as streams, then without error).
 *
 * @since 0.1.0
 */
public final class StreamClosedEvent extends TaskEvent {
  private static final long serialVersionUID = 1L;

  /** Which side closed. */
  public enum Side {
    /** Nothing more will be read: the peer's end of stream, or {@code closeRead()}. */
    READ,
    /** Nothing more will be written: {@code closeWrite()}. */
    WRITE
  }

  private final Side side;

  /** The event for {@code task}'s {@code side}. */
  public StreamClosedEvent(Session session, String sessionName, StreamTask task, Side side) {
    super(session, sessionName, task);
    this.side = side;
  }

  /** The side that closed. */
  public Side getSide() {
    return side;
  }

  @Override
  public StreamTask getTask() {
    return (StreamTask) super.getTask();
  }

  @Override
  String describe() {
    return super.describe() + ", " + side;
  }
}
