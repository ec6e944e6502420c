package dev.urlsession;

import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * A {@link RecordingDelegate} that is also a {@link StreamDelegate}: records {@code readClosed},
 * {@code writeClosed} and {@code didBecomeStreams} (keeping the pair), with the same thread and
 * lock checks; {@code streamTask} records challenges it answers with {@link #trustAnswer}.
 */
class RecordingStreamDelegate extends RecordingDelegate implements StreamDelegate {
  final CompletableFuture<StreamPair> streams = new CompletableFuture<>();

  @Override
  public void readClosed(Session session, StreamTask task) {
    recordEvent(task, "readClosed");
  }

  @Override
  public void writeClosed(Session session, StreamTask task) {
    recordEvent(task, "writeClosed");
  }

  @Override
  public void didBecomeStreams(Session session, StreamTask task, InputStream in, OutputStream out) {
    recordEvent(task, "didBecomeStreams");
    streams.complete(new StreamPair(in, out));
  }

  /** Records a stream task's completion event like data tasks' (for awaitCompletion). */
  @Override
  public void didComplete(Session session, SessionTask task, @Nullable SessionException error) {
    super.didComplete(session, task, error);
  }
}
