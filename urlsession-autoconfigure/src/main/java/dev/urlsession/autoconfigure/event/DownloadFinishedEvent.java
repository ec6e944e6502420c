package dev.urlsession.autoconfigure.event;

import dev.urlsession.DownloadTask;
import dev.urlsession.Session;
import java.nio.file.Path;

/**
 * A download task finished writing its file (the delegate's {@code didFinishDownloadingTo}),
 * published before its {@link TaskCompletedEvent}. The file exists only while listeners run:
 * the session deletes it when the publication returns, so a listener that keeps the data moves
 * or copies the file. A listener that runs later ({@code @Async}, or a
 * {@code @TransactionalEventListener} after commit) finds no file.
 *
 * <p>For a background session the event comes at least once: when the application stops (or
 * crashes) inside a listener, or a listener throws, the file is kept and the event is published
 * again at the next start, for the same task identifier. Make the listener idempotent.
 *
 * <pre>{@code
 * @EventListener
 * void downloaded(DownloadFinishedEvent event) throws IOException {
 *   Files.move(event.getLocation(), inbox.resolve("task-" + event.getTask().taskIdentifier()));
 * }
 * }</pre>
 *
 * @since 0.1.0
 */
public final class DownloadFinishedEvent extends TaskEvent {
  private static final long serialVersionUID = 1L;

  private final transient Path location;

  /** The event for {@code task}, whose file is at {@code location} while listeners run. */
  public DownloadFinishedEvent(Session session, String sessionName, DownloadTask task, Path location) {
    super(session, sessionName, task);
    this.location = location;
  }

  /** The downloaded file: move or copy it before the listener returns. */
  public Path getLocation() {
    return location;
  }

  @Override
  String describe() {
    return super.describe() + ", location=" + location;
  }
}
