package dev.urlsession.autoconfigure.event;

import dev.urlsession.AuthenticationChallenge;
import dev.urlsession.CachedResponse;
import dev.urlsession.CloseCode;
import dev.urlsession.ChallengeHandler;
import dev.urlsession.DataDelegate;
import dev.urlsession.DataTask;
import dev.urlsession.DelayedRequestDisposition;
import dev.urlsession.DownloadDelegate;
import dev.urlsession.DownloadTask;
import dev.urlsession.Request;
import dev.urlsession.Response;
import dev.urlsession.ResponseDisposition;
import dev.urlsession.Session;
import dev.urlsession.SessionConfiguration;
import dev.urlsession.SessionDelegate;
import dev.urlsession.SessionException;
import dev.urlsession.SessionTask;
import dev.urlsession.StreamDelegate;
import dev.urlsession.StreamTask;
import dev.urlsession.TaskDelegate;
import dev.urlsession.TaskMetrics;
import dev.urlsession.WebSocketDelegate;
import dev.urlsession.WebSocketTask;
import dev.urlsession.internal.DelegateMethods;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.util.Assert;

/**
 * The delegate of a named session: publishes its delegate calls as {@link UrlSessionEvent}s and
 * forwards every call to the application's own {@link SessionDelegate}, when there is one.
 *
 * <pre>{@code
 * Session session = Session.create(configuration,
 *     EventPublishingDelegate.create("api", applicationContext, myDelegate, Duration.ofMillis(250)), null);
 * }</pre>
 *
 * <p>Forwarding is faithful: a decision (redirect, response disposition, body stream) goes to
 * the application's delegate when its class implements that method, and otherwise gets the
 * default answer that the session would have given without any delegate (a cached response is
 * stored as proposed). Authentication
 * challenges are only taken when the application's delegate implements
 * {@code didReceiveChallenge} (session or task level): {@link #create} then returns a subclass
 * that declares exactly those methods, so that the session still asks a task's own delegate,
 * and evaluates server trust without a delegate round trip, as it would without this adapter.
 * Events are published after the call was forwarded, even if the application's delegate threw.
 *
 * <p>Events are published synchronously on the session's delegate queue (this delegate's calls
 * run there). A listener that throws is logged with the session name and task id and the session
 * goes on, except for a {@link DownloadFinishedEvent} of a background session: its exception
 * reaches the session, which keeps the file and delivers it again (with the event) the next time
 * the session is created, so a file is never deleted before a listener took it; with Spring's default event multicaster such a listener also keeps the listeners after
 * it from receiving that one event (set an {@code ErrorHandler} on the multicaster to isolate
 * each listener).
 *
 * <p>The completion event of a task is published right after its {@code didComplete}. Tasks whose
 * results bypass the session delegate (completion handlers, the future API, a delegate of the
 * task's own that implements {@code didComplete}) publish it when the task's
 * {@link SessionTask#completion()} completes, which is on the delegate queue too unless another
 * thread waits on that very future. A task with a delegate of its own that implements
 * {@code didCreateTask} publishes no events at all.
 *
 * <p>Thread-safe.
 *
 * @since 0.1.0
 */
public class EventPublishingDelegate implements DataDelegate, DownloadDelegate, StreamDelegate, WebSocketDelegate {
  private static final Logger log = LoggerFactory.getLogger(EventPublishingDelegate.class);

  private final String sessionName;
  private final ApplicationEventPublisher publisher;
  final @Nullable SessionDelegate delegate;
  private final long progressIntervalNanos;
  /** Progress bookkeeping of running tasks, removed when they complete. */
  private final Map<SessionTask, Progress> progress = new ConcurrentHashMap<>();
  /** Data tasks that became download tasks: they end without a completion event. */
  private final Set<SessionTask> handedOver = ConcurrentHashMap.newKeySet();
  /**
   * Tasks with a completion hook, to {@code true} once their completion event was published
   * from {@code didComplete} (the hook then stays silent).
   */
  private final Map<SessionTask, Boolean> hooked = new ConcurrentHashMap<>();

  private EventPublishingDelegate(String sessionName, ApplicationEventPublisher publisher,
      @Nullable SessionDelegate delegate, Duration progressInterval) {
    Assert.notNull(sessionName, "sessionName must not be null");
    Assert.notNull(publisher, "publisher must not be null");
    Assert.notNull(progressInterval, "progressInterval must not be null");
    Assert.isTrue(!progressInterval.isNegative(), "progressInterval must not be negative");
    this.sessionName = sessionName;
    this.publisher = publisher;
    this.delegate = delegate;
    this.progressIntervalNanos = saturatedNanos(progressInterval);
  }

  /**
   * A delegate for session {@code sessionName}.
   *
   * @param sessionName the name events carry
   * @param publisher where events go, usually the application context
   * @param delegate the application's delegate that gets every call, or {@code null}
   * @param progressInterval the shortest time between two progress events of one task; zero for
   *     no limit
   * @throws IllegalArgumentException if a parameter other than {@code delegate} is null, or the
   *     interval is negative
   */
  public static EventPublishingDelegate create(String sessionName, ApplicationEventPublisher publisher,
      @Nullable SessionDelegate delegate, Duration progressInterval) {
    boolean sessionChallenges = implementsMethod(delegate, "didReceiveChallenge/3");
    boolean taskChallenges = delegate instanceof TaskDelegate && implementsMethod(delegate, "didReceiveChallenge/4");
    if (sessionChallenges && taskChallenges) {
      return new ForwardingAllChallenges(sessionName, publisher, delegate, progressInterval);
    }
    if (sessionChallenges) {
      return new ForwardingSessionChallenges(sessionName, publisher, delegate, progressInterval);
    }
    if (taskChallenges) {
      return new ForwardingTaskChallenges(sessionName, publisher, delegate, progressInterval);
    }
    return new EventPublishingDelegate(sessionName, publisher, delegate, progressInterval);
  }

  /** The name of the session the events are published for. */
  public String sessionName() {
    return sessionName;
  }

  /** The application's delegate calls are forwarded to, or {@code null}. */
  public @Nullable SessionDelegate delegate() {
    return delegate;
  }

  // --- SessionDelegate ---

  @Override
  public void didBecomeInvalid(Session session, @Nullable SessionException error) {
    try {
      if (delegate != null) {
        delegate.didBecomeInvalid(session, error);
      }
    } finally {
      publish(new SessionInvalidatedEvent(session, sessionName, error), null);
    }
  }

  @Override
  public void didFinishEventsForBackgroundSession(Session session) {
    try {
      if (delegate != null) {
        delegate.didFinishEventsForBackgroundSession(session);
      }
    } finally {
      publish(new BackgroundEventsFinishedEvent(session, sessionName), null);
    }
  }

  // --- TaskDelegate ---

  @Override
  public void didCreateTask(Session session, SessionTask task) {
    try {
      TaskDelegate d = taskDelegate();
      if (d != null) {
        d.didCreateTask(session, task);
      }
    } finally {
      publish(new TaskCreatedEvent(session, sessionName, task), task);
      hook(session, task);
    }
  }

  @Override
  public void taskIsWaitingForConnectivity(Session session, SessionTask task) {
    TaskDelegate d = taskDelegate();
    if (d != null) {
      d.taskIsWaitingForConnectivity(session, task);
    }
  }

  @Override
  public void willBeginDelayedRequest(Session session, SessionTask task, Request request,
      Consumer<DelayedRequestDisposition> handler) {
    TaskDelegate d = implementing(TaskDelegate.class, "willBeginDelayedRequest");
    if (d != null) {
      d.willBeginDelayedRequest(session, task, request, handler);
    } else {
      handler.accept(DelayedRequestDisposition.continueLoading());
    }
  }

  @Override
  public void willPerformHttpRedirection(Session session, SessionTask task, Response redirect,
      Request newRequest, Consumer<@Nullable Request> completionHandler) {
    try {
      TaskDelegate d = implementing(TaskDelegate.class, "willPerformHttpRedirection");
      if (d != null) {
        d.willPerformHttpRedirection(session, task, redirect, newRequest, completionHandler);
      } else {
        completionHandler.accept(newRequest);
      }
    } finally {
      publish(new TaskRedirectedEvent(session, sessionName, task, redirect, newRequest), task);
    }
  }

  @Override
  public void needNewBodyStream(Session session, SessionTask task,
      Consumer<@Nullable InputStream> completionHandler) {
    TaskDelegate d = implementing(TaskDelegate.class, "needNewBodyStream");
    if (d != null) {
      d.needNewBodyStream(session, task, completionHandler);
    } else {
      completionHandler.accept(null);
    }
  }

  @Override
  public void didSendBodyData(Session session, SessionTask task, long bytesSent,
      long totalBytesSent, long totalBytesExpectedToSend) {
    try {
      TaskDelegate d = taskDelegate();
      if (d != null) {
        d.didSendBodyData(session, task, bytesSent, totalBytesSent, totalBytesExpectedToSend);
      }
    } finally {
      publishProgress(session, task);
    }
  }

  @Override
  public void didFinishCollectingMetrics(Session session, SessionTask task, TaskMetrics metrics) {
    TaskDelegate d = taskDelegate();
    if (d != null) {
      d.didFinishCollectingMetrics(session, task, metrics);
    }
  }

  @Override
  public void didComplete(Session session, SessionTask task, @Nullable SessionException error) {
    try {
      TaskDelegate d = taskDelegate();
      if (d != null) {
        d.didComplete(session, task, error);
      }
    } finally {
      hooked.replace(task, Boolean.FALSE, Boolean.TRUE);
      completed(session, task, error);
    }
  }

  // --- DataDelegate ---

  @Override
  public void didReceiveResponse(Session session, DataTask task, Response response,
      Consumer<ResponseDisposition> completionHandler) {
    try {
      DataDelegate d = implementing(DataDelegate.class, "didReceiveResponse");
      if (d != null) {
        d.didReceiveResponse(session, task, response, completionHandler);
      } else {
        completionHandler.accept(ResponseDisposition.ALLOW);
      }
    } finally {
      publishResponseReceived(session, task, response);
    }
  }

  @Override
  public void didBecomeDownloadTask(Session session, DataTask task, DownloadTask downloadTask) {
    handedOver.add(task);
    // The download task continuing the transfer is never "created": report its completion.
    hook(session, downloadTask);
    if (delegate instanceof DataDelegate) {
      ((DataDelegate) delegate).didBecomeDownloadTask(session, task, downloadTask);
    }
  }

  @Override
  public void didBecomeStreamTask(Session session, DataTask task, StreamTask streamTask) {
    handedOver.add(task);
    hook(session, streamTask);
    if (delegate instanceof DataDelegate) {
      ((DataDelegate) delegate).didBecomeStreamTask(session, task, streamTask);
    }
  }

  @Override
  public void willCacheResponse(Session session, DataTask task, CachedResponse proposed,
      Consumer<@Nullable CachedResponse> completionHandler) {
    DataDelegate d = implementing(DataDelegate.class, "willCacheResponse");
    if (d != null) {
      d.willCacheResponse(session, task, proposed, completionHandler);
    } else {
      completionHandler.accept(proposed);
    }
  }

  @Override
  public void didReceiveData(Session session, DataTask task, byte[] data) {
    try {
      if (delegate instanceof DataDelegate) {
        ((DataDelegate) delegate).didReceiveData(session, task, data);
      }
    } finally {
      publishProgress(session, task);
    }
  }

  // --- DownloadDelegate ---

  @Override
  public void didFinishDownloadingTo(Session session, DownloadTask task, Path location) {
    try {
      if (delegate instanceof DownloadDelegate) {
        ((DownloadDelegate) delegate).didFinishDownloadingTo(session, task, location);
      }
    } finally {
      // Listeners run now, while the file exists; the session deletes it when this returns.
      if (Files.exists(location)) {
        DownloadFinishedEvent event = new DownloadFinishedEvent(session, sessionName, task, location);
        if (session.configuration().kind() == SessionConfiguration.Kind.BACKGROUND) {
          // Not acknowledged unless published: a background session then keeps the file and
          // delivers it again at the next start.
          publisher.publishEvent(event);
        } else {
          publish(event, task);
        }
      }
    }
  }

  @Override
  public void didWriteData(Session session, DownloadTask task, long bytesWritten,
      long totalBytesWritten, long totalBytesExpectedToWrite) {
    try {
      if (delegate instanceof DownloadDelegate) {
        ((DownloadDelegate) delegate).didWriteData(session, task, bytesWritten, totalBytesWritten,
            totalBytesExpectedToWrite);
      }
    } finally {
      publishProgress(session, task);
    }
  }

  @Override
  public void didResumeAtOffset(Session session, DownloadTask task, long fileOffset,
      long expectedTotalBytes) {
    if (delegate instanceof DownloadDelegate) {
      ((DownloadDelegate) delegate).didResumeAtOffset(session, task, fileOffset, expectedTotalBytes);
    }
  }

  // --- StreamDelegate ---

  @Override
  public void readClosed(Session session, StreamTask task) {
    try {
      if (delegate instanceof StreamDelegate) {
        ((StreamDelegate) delegate).readClosed(session, task);
      }
    } finally {
      publish(new StreamClosedEvent(session, sessionName, task, StreamClosedEvent.Side.READ), task);
    }
  }

  @Override
  public void writeClosed(Session session, StreamTask task) {
    try {
      if (delegate instanceof StreamDelegate) {
        ((StreamDelegate) delegate).writeClosed(session, task);
      }
    } finally {
      publish(new StreamClosedEvent(session, sessionName, task, StreamClosedEvent.Side.WRITE), task);
    }
  }

  @Override
  public void betterRouteDiscovered(Session session, StreamTask task) {
    if (delegate instanceof StreamDelegate) {
      ((StreamDelegate) delegate).betterRouteDiscovered(session, task);
    }
  }

  @Override
  public void didBecomeStreams(Session session, StreamTask task, InputStream input, OutputStream output) {
    // The task then completes without didComplete: its completion hook publishes the event.
    if (delegate instanceof StreamDelegate) {
      ((StreamDelegate) delegate).didBecomeStreams(session, task, input, output);
    }
  }

  // --- WebSocketDelegate ---

  @Override
  public void didOpenWithProtocol(Session session, WebSocketTask task, @Nullable String protocol) {
    try {
      if (delegate instanceof WebSocketDelegate) {
        ((WebSocketDelegate) delegate).didOpenWithProtocol(session, task, protocol);
      }
    } finally {
      publish(new WebSocketOpenedEvent(session, sessionName, task, protocol), task);
    }
  }

  @Override
  public void didCloseWith(Session session, WebSocketTask task, CloseCode code, byte @Nullable [] reason) {
    try {
      if (delegate instanceof WebSocketDelegate) {
        ((WebSocketDelegate) delegate).didCloseWith(session, task, code, reason);
      }
    } finally {
      publish(new WebSocketClosedEvent(session, sessionName, task, code, reason), task);
    }
  }

  // --- for delegates of a task's own that take over the data of a task ---

  /**
   * Publishes a {@link TaskResponseReceivedEvent}. For a delegate of a task's own that implements
   * {@code didReceiveResponse} (the session's delegate then does not get the call) and still wants
   * the event published; call it on the delegate queue.
   */
  public void publishResponseReceived(Session session, DataTask task, Response response) {
    publish(new TaskResponseReceivedEvent(session, sessionName, task, response), task);
  }

  /**
   * Publishes a {@link TaskProgressEvent} unless one was published for the task less than the
   * progress interval ago (then a last one is published before the completion event). For a
   * delegate of a task's own that implements {@code didReceiveData}; call it on the delegate
   * queue.
   */
  public void publishProgress(Session session, SessionTask task) {
    Progress p = progress.computeIfAbsent(task, t -> new Progress());
    long now = System.nanoTime();
    boolean due;
    synchronized (p) {
      due = !p.published || now - p.lastNanos >= progressIntervalNanos;
      if (due) {
        p.published = true;
        p.lastNanos = now;
        p.held = false;
      } else {
        p.held = true;
      }
    }
    if (due) {
      publish(new TaskProgressEvent(session, sessionName, task), task);
    }
  }

  // --- internals ---

  /**
   * Publishes the completion of a task whose result bypasses this delegate, when its completion
   * future completes: on the delegate queue, right after its completion handler.
   */
  private void hook(Session session, SessionTask task) {
    hooked.put(task, Boolean.FALSE);
    task.completion().whenComplete((t, e) -> {
      if (!Boolean.TRUE.equals(hooked.remove(task))) {
        completed(session, task, task.error());
      }
    });
  }

  private void completed(Session session, SessionTask task, @Nullable SessionException error) {
    Progress p = progress.remove(task);
    if (handedOver.remove(task)) {
      return; // a data task that became a download or stream task ends without messages
    }
    boolean held;
    if (p != null) {
      synchronized (p) {
        held = p.held;
      }
      if (held) {
        publish(new TaskProgressEvent(session, sessionName, task), task);
      }
    }
    publish(task instanceof DataTask
        ? new DataTaskCompletedEvent(session, sessionName, (DataTask) task, error)
        : new TaskCompletedEvent(session, sessionName, task, error), task);
  }

  private void publish(UrlSessionEvent event, @Nullable SessionTask task) {
    try {
      publisher.publishEvent(event);
    } catch (RuntimeException e) {
      log.warn("A listener of {} threw for session '{}'{}; the session goes on",
          event.getClass().getSimpleName(), sessionName,
          task != null ? " task " + task.taskIdentifier() : "", e);
    }
  }

  private @Nullable TaskDelegate taskDelegate() {
    return delegate instanceof TaskDelegate ? (TaskDelegate) delegate : null;
  }

  /** The application's delegate if it is a {@code type} whose class implements {@code method}. */
  private <T> @Nullable T implementing(Class<T> type, String method) {
    if (type.isInstance(delegate) && implementsMethod(delegate, method)) {
      return type.cast(delegate);
    }
    return null;
  }

  /** Whether {@code object}'s class declares {@code method} (a name, or {@code name/arity}). */
  private static boolean implementsMethod(@Nullable Object object, String method) {
    return DelegateMethods.implementsMethod(object, method);
  }

  private static long saturatedNanos(Duration d) {
    try {
      return d.toNanos();
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
  }

  @Override
  public String toString() {
    return "EventPublishingDelegate{session=" + sessionName
        + (delegate != null ? ", delegate=" + delegate : "") + "}";
  }

  /** Takes session-level challenges (server trust, client certificates, NTLM, Negotiate). */
  private static final class ForwardingSessionChallenges extends EventPublishingDelegate {
    ForwardingSessionChallenges(String sessionName, ApplicationEventPublisher publisher,
        @Nullable SessionDelegate delegate, Duration progressInterval) {
      super(sessionName, publisher, delegate, progressInterval);
    }

    @Override
    public void didReceiveChallenge(Session session, AuthenticationChallenge challenge, ChallengeHandler handler) {
      delegate.didReceiveChallenge(session, challenge, handler);
    }
  }

  /** Takes the challenges of tasks (HTTP Basic and Digest, proxies, and the session-level ones). */
  private static final class ForwardingTaskChallenges extends EventPublishingDelegate {
    ForwardingTaskChallenges(String sessionName, ApplicationEventPublisher publisher,
        @Nullable SessionDelegate delegate, Duration progressInterval) {
      super(sessionName, publisher, delegate, progressInterval);
    }

    @Override
    public void didReceiveChallenge(Session session, SessionTask task, AuthenticationChallenge challenge,
        ChallengeHandler handler) {
      ((TaskDelegate) delegate).didReceiveChallenge(session, task, challenge, handler);
    }
  }

  /** Takes both kinds of challenges. */
  private static final class ForwardingAllChallenges extends EventPublishingDelegate {
    ForwardingAllChallenges(String sessionName, ApplicationEventPublisher publisher,
        @Nullable SessionDelegate delegate, Duration progressInterval) {
      super(sessionName, publisher, delegate, progressInterval);
    }

    @Override
    public void didReceiveChallenge(Session session, AuthenticationChallenge challenge, ChallengeHandler handler) {
      delegate.didReceiveChallenge(session, challenge, handler);
    }

    @Override
    public void didReceiveChallenge(Session session, SessionTask task, AuthenticationChallenge challenge,
        ChallengeHandler handler) {
      ((TaskDelegate) delegate).didReceiveChallenge(session, task, challenge, handler);
    }
  }

  /** When a task's last progress event was published, and whether one was held back since. */
  private static final class Progress {
    boolean published;
    long lastNanos;
    boolean held;
  }
}
