package dev.urlsession.hostile;

import dev.urlsession.DataDelegate;
import dev.urlsession.Session;
import dev.urlsession.SessionException;
import dev.urlsession.SessionTask;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * A session delegate that collects the body, records each {@code didComplete} (its task and error) and
 * {@code didBecomeInvalid}, and notes any call made on an HttpClient I/O thread or under the
 * task's lock. After {@link #awaitInvalid} every delegate call of the session has been made, so
 * {@link #completions()} is final.
 */
final class Completions implements DataDelegate {
  record Completion(long task, Optional<SessionException> error) {}

  private final List<Completion> completions = new CopyOnWriteArrayList<>();
  private final java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
  final List<String> violations = new CopyOnWriteArrayList<>();
  private final CompletableFuture<@Nullable SessionException> first = new CompletableFuture<>();
  private final CompletableFuture<Void> invalid = new CompletableFuture<>();

  @Override
  public void didReceiveData(Session session, dev.urlsession.DataTask task, byte[] data) {
    check(task, "didReceiveData");
    synchronized (body) {
      body.write(data, 0, data.length);
    }
  }

  /** The body bytes the data tasks received, all of them in order. */
  byte[] body() {
    synchronized (body) {
      return body.toByteArray();
    }
  }

  @Override
  public void didComplete(Session session, SessionTask task, @Nullable SessionException error) {
    check(task, "didComplete");
    completions.add(new Completion(task.taskIdentifier(), Optional.ofNullable(error)));
    first.complete(error);
  }

  @Override
  public void didBecomeInvalid(Session session, @Nullable SessionException error) {
    check(null, "didBecomeInvalid");
    invalid.complete(null);
  }

  private void check(@Nullable SessionTask task, String call) {
    String thread = Thread.currentThread().getName();
    if (thread.startsWith("urlsession-io-")) {
      violations.add(call + " on I/O thread " + thread);
    }
    if (task != null && Thread.holdsLock(task)) {
      violations.add(call + " under the task's lock");
    }
  }

  /** The error of the first completion (null for success), waiting at most {@code seconds}. */
  @Nullable SessionException awaitCompletion(long seconds) throws Exception {
    return first.get(seconds, TimeUnit.SECONDS);
  }

  /** Waits (bounded) for {@code didBecomeInvalid}: nothing is delivered after it. */
  void awaitInvalid() throws Exception {
    invalid.get(20, TimeUnit.SECONDS);
  }

  List<Completion> completions() {
    return List.copyOf(completions);
  }
}
