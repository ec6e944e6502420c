package dev.urlsession;

import java.nio.file.Path;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The delegate of a background session's internal worker session: maps each worker task to its
 * run ({@link BackgroundRunner.Attempt}), keeps its figures and finished file, and forwards
 * progress to the application's delegate as the background task's. Runs on the worker's delegate
 * queue; the application's calls are posted to the background session's queue.
 */
final class BackgroundWorkerEvents implements DownloadDelegate, DataDelegate {
  private final BackgroundSession session;
  private final BackgroundRunner runner;

  BackgroundWorkerEvents(BackgroundSession session, BackgroundRunner runner) {
    this.session = session;
    this.runner = runner;
  }

  @Override
  public void didWriteData(Session s, DownloadTask t, long bytesWritten, long totalBytesWritten,
      long totalBytesExpectedToWrite) {
    BackgroundRunner.Attempt a = runner.attemptOf(t);
    if (a == null || willBeRetried(t)) {
      return;
    }
    a.received = totalBytesWritten;
    a.expected = totalBytesExpectedToWrite;
    a.task.received(totalBytesWritten, totalBytesExpectedToWrite);
    forward(DownloadDelegate.class, "didWriteData",
        d -> d.didWriteData(session, (DownloadTask) a.task, bytesWritten, totalBytesWritten, totalBytesExpectedToWrite));
  }

  @Override
  public void didResumeAtOffset(Session s, DownloadTask t, long fileOffset, long expectedTotalBytes) {
    BackgroundRunner.Attempt a = runner.attemptOf(t);
    if (a == null) {
      return;
    }
    a.received = fileOffset;
    a.expected = expectedTotalBytes;
    a.task.received(fileOffset, expectedTotalBytes);
    forward(DownloadDelegate.class, "didResumeAtOffset",
        d -> d.didResumeAtOffset(session, (DownloadTask) a.task, fileOffset, expectedTotalBytes));
  }

  @Override
  public void didFinishDownloadingTo(Session s, DownloadTask t, Path location) {
    BackgroundRunner.Attempt a = runner.attemptOf(t);
    if (a != null) {
      runner.keepFinished(a, location, t);
    }
  }

  @Override
  public void didSendBodyData(Session s, SessionTask t, long bytesSent, long totalBytesSent,
      long totalBytesExpectedToSend) {
    BackgroundRunner.Attempt a = runner.attemptOf(t);
    if (a == null) {
      return;
    }
    a.sent = totalBytesSent;
    a.task.sent(totalBytesSent, totalBytesExpectedToSend);
    forward(TaskDelegate.class, "didSendBodyData",
        d -> d.didSendBodyData(session, a.task, bytesSent, totalBytesSent, totalBytesExpectedToSend));
  }

  @Override
  public void didReceiveResponse(Session s, DataTask t, Response r, Consumer<ResponseDisposition> h) {
    BackgroundRunner.Attempt a = runner.attemptOf(t);
    if (a != null) {
      a.response = r;
      a.task.responded(r);
    }
    h.accept(ResponseDisposition.ALLOW);
  }

  @Override
  public void didReceiveData(Session s, DataTask t, byte[] data) {
    BackgroundRunner.Attempt a = runner.attemptOf(t);
    if (a != null && a.task instanceof DataTask && !willBeRetried(t)) {
      forward(DataDelegate.class, "didReceiveData", d -> d.didReceiveData(session, (DataTask) a.task, data));
    }
  }

  @Override
  public void didReceiveChallenge(Session s, SessionTask t, AuthenticationChallenge c, ChallengeHandler h) {
    BackgroundRunner.Attempt a = runner.attemptOf(t);
    SessionDelegate d = session.delegate();
    if (a == null || !(d instanceof TaskDelegate) || !Delegates.implementsMethod(d, "didReceiveChallenge")) {
      h.performDefaultHandling();
      return;
    }
    session.post("didReceiveChallenge", () -> ((TaskDelegate) d).didReceiveChallenge(session, a.task, c, h));
  }

  @Override
  public void didComplete(Session s, SessionTask t, @Nullable SessionException error) {
    BackgroundRunner.Attempt a = runner.attemptOf(t);
    if (a != null) {
      runner.completed(a, t, error);
    }
  }

  /**
   * Whether the worker task's response is a server error, which the runner retries: its body is no
   * progress of the transfer, and the application hears nothing of it.
   */
  private static boolean willBeRetried(SessionTask workerTask) {
    Response r = workerTask.response();
    return r != null && r.statusCode() >= 500;
  }

  /** Posts {@code call} to the application's delegate when it is a {@code type} implementing {@code method}. */
  private <T> void forward(Class<T> type, String method, Consumer<T> call) {
    SessionDelegate d = session.delegate();
    if (type.isInstance(d) && Delegates.implementsMethod(d, method)) {
      session.post(method, () -> call.accept(type.cast(d)));
    }
  }
}
