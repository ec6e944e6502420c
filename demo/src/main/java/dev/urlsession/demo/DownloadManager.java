package dev.urlsession.demo;

import dev.urlsession.DownloadTask;
import dev.urlsession.ResumeData;
import dev.urlsession.Session;
import dev.urlsession.SessionException;
import dev.urlsession.SessionTask;
import dev.urlsession.autoconfigure.event.DownloadFinishedEvent;
import dev.urlsession.autoconfigure.event.TaskCompletedEvent;
import dev.urlsession.autoconfigure.event.TaskProgressEvent;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Service;

/**
 * The download manager: its transfers are download tasks of the background session
 * {@code downloads}, so they go on across restarts of the application (the session re-attaches
 * to them, and {@code allTasks()} lists them). What it knows of each comes from the session's
 * events, published as Spring application events: {@link TaskProgressEvent},
 * {@link DownloadFinishedEvent} (the listener moves the file out before the session deletes it)
 * and {@link TaskCompletedEvent}. Every change goes to the page as a server-sent event.
 *
 * <p>Pausing cancels a transfer with resume data, kept on disk ({@link PausedTransfers}); resuming
 * starts a new task from that data, which continues with a {@code Range} request where the
 * transfer stopped. Thread-safe: listeners run on the session's delegate queue, requests on the
 * web server's threads.
 */
@Service
public class DownloadManager {
  private static final Logger log = LoggerFactory.getLogger(DownloadManager.class);
  private static final String SESSION = "downloads";

  private final Session downloads;
  private final PausedTransfers paused;
  private final FinishedFiles files;
  private final Broadcaster broadcaster;
  /** The tasks of the session, by identifier, until they complete. */
  private final Map<Long, DownloadTask> tasks = new ConcurrentHashMap<>();
  /** Every row of the page, by identifier. */
  private final Map<Long, TransferView> transfers = new ConcurrentHashMap<>();

  /** The state of the page: its transfers (oldest first) and finished files (newest first). */
  public record Snapshot(List<TransferView> transfers, List<FileView> files) {}

  DownloadManager(@Qualifier(SESSION) Session downloads, PausedTransfers paused, FinishedFiles files,
      Broadcaster broadcaster) throws IOException, ExecutionException, InterruptedException, TimeoutException {
    this.downloads = downloads;
    this.paused = paused;
    this.files = files;
    this.broadcaster = broadcaster;
    // Transfers of an earlier run: the background session re-attached to them when it was created.
    for (SessionTask task : downloads.allTasks().get(30, TimeUnit.SECONDS)) {
      if (task instanceof DownloadTask download) {
        tasks.put(task.taskIdentifier(), download);
        transfers.put(task.taskIdentifier(), viewOf(task));
        log.info("Continuing {} ({} of {} bytes on disk)", nameOf(task), task.countOfBytesReceived(),
            task.countOfBytesExpectedToReceive());
      }
    }
    for (PausedTransfers.Entry entry : paused.all()) {
      transfers.put(entry.id(), new TransferView(entry.id(), entry.name(), entry.url().toString(),
          TransferView.PAUSED, entry.received(), entry.expected(), null, null, null));
    }
  }

  /** Every transfer and finished file, as the page shows them. */
  public Snapshot snapshot() {
    return new Snapshot(transfers.values().stream().sorted(Comparator.comparingLong(TransferView::id)).toList(),
        files.list());
  }

  /** The row of a transfer, or {@code null}. */
  public @Nullable TransferView transfer(long id) {
    return transfers.get(id);
  }

  /**
   * Starts downloading {@code url} in the background session.
   *
   * @throws IllegalArgumentException if it is not an absolute {@code http} or {@code https} URL
   */
  public TransferView enqueue(String url) {
    URI uri = parse(url);
    DownloadTask task = downloads.downloadTask(uri);
    // Stored with the transfer, so that the page shows the same name after a restart.
    task.taskDescription(fileName(uri));
    return start(task, null);
  }

  /**
   * Pauses a running transfer: cancels it with resume data, which is kept on disk.
   *
   * @throws NoSuchElementException if no such transfer is in the session
   */
  public void pause(long id) {
    DownloadTask task = tasks.get(id);
    if (task == null) {
      throw new NoSuchElementException("no running transfer " + id);
    }
    update(id, v -> v.inSession() ? v.withState(TransferView.PAUSING) : v);
    task.cancelByProducingResumeData().whenComplete((data, failure) -> paused(id, data));
  }

  private void paused(long id, @Nullable ResumeData data) {
    TransferView view = transfers.get(id);
    if (view == null || !view.state().equals(TransferView.PAUSING)) {
      return; // it completed, or was cancelled, before the pause took effect
    }
    try {
      paused.save(id, view.name(), URI.create(view.url()), view.expected(), data);
    } catch (IOException e) {
      log.warn("Could not keep the resume data of {}; resuming starts over", view.name(), e);
    }
    // Without resume data (the transfer had not started, or the origin refuses ranges) it starts over.
    update(id, v -> v.withState(TransferView.PAUSED).withProgress(data == null ? 0 : data.bytesReceived(), -1));
  }

  /**
   * Resumes a paused transfer with a new task of the session, from its resume data.
   *
   * @throws NoSuchElementException if no such transfer is paused
   */
  public TransferView resume(long id) {
    PausedTransfers.Entry entry = paused.get(id)
        .orElseThrow(() -> new NoSuchElementException("no paused transfer " + id));
    DownloadTask task = entry.resumeData() != null
        ? downloads.downloadTask(entry.resumeData())
        : downloads.downloadTask(entry.url());
    task.taskDescription(entry.name());
    TransferView view = start(task, entry);
    try {
      paused.delete(id);
    } catch (IOException e) {
      log.warn("Could not forget the paused transfer {}", id, e);
    }
    return view;
  }

  /**
   * Cancels a running or paused transfer, or removes a finished or failed one from the page.
   *
   * @throws NoSuchElementException if there is no such transfer
   */
  public void cancel(long id) throws IOException {
    DownloadTask task = tasks.get(id);
    TransferView view = transfers.get(id);
    if (task != null && view != null && view.inSession()) {
      task.cancel(); // its completion event removes it
    } else if (view != null) {
      // A paused transfer's partial file stays until it is resumed or given up: give it up.
      paused.get(id).map(PausedTransfers.Entry::resumeData).ifPresent(downloads::discardResumeData);
      paused.delete(id);
      remove(id);
    } else {
      throw new NoSuchElementException("no transfer " + id);
    }
  }

  private TransferView start(DownloadTask task, PausedTransfers.@Nullable Entry resumed) {
    long id = task.taskIdentifier();
    TransferView view = new TransferView(id, nameOf(task), task.originalRequest().url().toString(),
        TransferView.RUNNING, resumed == null ? 0 : resumed.received(), resumed == null ? -1 : resumed.expected(),
        null, resumed == null ? null : resumed.id(), null);
    tasks.put(id, task);
    transfers.put(id, view);
    if (resumed != null) {
      transfers.remove(resumed.id());
    }
    task.resume(); // durable once this returns
    broadcaster.send("transfer", view);
    return view;
  }

  // --- the session's events ---

  @EventListener(condition = "#event.sessionName == '" + SESSION + "'")
  void progressed(TaskProgressEvent event) {
    update(event.getTask(),
        v -> v.inSession() ? v.withProgress(event.getBytesReceived(), event.getBytesExpectedToReceive()) : v);
  }

  /** The file exists only while this runs: it is moved to the files directory. */
  @EventListener(condition = "#event.sessionName == '" + SESSION + "'")
  void finished(DownloadFinishedEvent event) throws IOException {
    SessionTask task = event.getTask();
    String saved = files.keep(event.getLocation(), nameOf(task), task.originalRequest().url());
    update(task, v -> v.savedAs(saved));
  }

  @EventListener(condition = "#event.sessionName == '" + SESSION + "'")
  void completed(TaskCompletedEvent event) {
    SessionTask task = event.getTask();
    long id = task.taskIdentifier();
    tasks.remove(id);
    SessionException error = event.getError();
    if (error == null) {
      long length = task.countOfBytesReceived();
      update(task, v -> v.withState(TransferView.DONE).withProgress(length, length));
    } else if (error.code() == SessionException.Code.CANCELLED) {
      TransferView view = transfers.get(id);
      if (view != null && !view.state().equals(TransferView.PAUSING) && !view.state().equals(TransferView.PAUSED)) {
        remove(id);
      }
    } else {
      log.info("{} failed: {}", nameOf(task), error.getMessage());
      update(task, v -> v.failed(error.code() + ": " + error.getMessage()));
    }
  }

  // --- internals ---

  private void update(SessionTask task, UnaryOperator<TransferView> change) {
    TransferView view = transfers.compute(task.taskIdentifier(), (id, v) -> change.apply(v != null ? v : viewOf(task)));
    broadcaster.send("transfer", view);
  }

  private void update(long id, UnaryOperator<TransferView> change) {
    TransferView view = transfers.computeIfPresent(id, (k, v) -> change.apply(v));
    if (view != null) {
      broadcaster.send("transfer", view);
    }
  }

  private void remove(long id) {
    if (transfers.remove(id) != null) {
      broadcaster.send("removed", Map.of("id", id));
    }
  }

  private static TransferView viewOf(SessionTask task) {
    return new TransferView(task.taskIdentifier(), nameOf(task), task.originalRequest().url().toString(),
        TransferView.RUNNING, task.countOfBytesReceived(), task.countOfBytesExpectedToReceive(), null, null, null);
  }

  private static String nameOf(SessionTask task) {
    String description = task.taskDescription();
    return description != null ? description : fileName(task.originalRequest().url());
  }

  /** The last segment of the URL's path, reduced to safe characters; {@code download} if none is left. */
  static String fileName(URI url) {
    String path = url.getPath() == null ? "" : url.getPath();
    String last = path.substring(path.lastIndexOf('/') + 1).replaceAll("[^A-Za-z0-9._-]", "_");
    return last.isEmpty() || last.chars().allMatch(c -> c == '.') ? "download" : last;
  }

  private static URI parse(String url) {
    URI uri;
    try {
      uri = new URI(url.strip());
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("not a URL: " + e.getMessage());
    }
    if (!"http".equalsIgnoreCase(uri.getScheme()) && !"https".equalsIgnoreCase(uri.getScheme())
        || uri.getHost() == null) {
      throw new IllegalArgumentException("enter an http:// or https:// URL with a host, such as "
          + "http://127.0.0.1:8081/files/1MiB.bin");
    }
    return uri;
  }
}
