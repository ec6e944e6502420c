package dev.urlsession;

import dev.urlsession.internal.ClientIdentities;
import dev.urlsession.internal.HttpChallenge;
import dev.urlsession.internal.LoadSupport;
import dev.urlsession.internal.RequestBody;
import dev.urlsession.internal.ResumePoint;
import dev.urlsession.internal.TransactionRecorder;
import dev.urlsession.spi.ProtocolClient;
import dev.urlsession.spi.ProtocolHandler;
import dev.urlsession.spi.ProtocolLoad;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One load of a task's current request by a protocol handler: the {@link ProtocolClient} the
 * handler reports to, which forwards each report to the task while the load is the task's current
 * one. Reports after the load finished, failed or was stopped are ignored.
 */
final class RealLoad implements ProtocolLoad, ProtocolClient, LoadSupport {
  private static final Logger log = LoggerFactory.getLogger(RealLoad.class);

  /** The task served; changes once when a data task becomes a download task. */
  volatile RealTask task;
  /** Where the body goes once a data task became a stream task (BECOME_STREAM); null before. */
  volatile @Nullable LoadStream stream;
  private final Request request;
  final ProtocolHandler handler;
  private final @Nullable RequestBody body;
  private final Map<String, String> authorization;
  final TransactionRecorder recorder;
  private final AtomicBoolean finished = new AtomicBoolean();
  private volatile @Nullable Object attachment;
  /** Set by {@link #stop} before it asks the handler to stop. */
  private volatile boolean stopped;
  private volatile @Nullable Runnable demandAction;

  RealLoad(RealTask task, Request request, ProtocolHandler handler, @Nullable RequestBody body,
      Map<String, String> authorization) {
    this.task = task;
    this.request = request;
    this.handler = handler;
    this.body = body;
    this.authorization = authorization;
    this.recorder = new TransactionRecorder(request);
  }

  boolean isFinished() {
    return finished.get();
  }

  void stop() {
    stopped = true;
    if (finished.compareAndSet(false, true)) {
      stopLoading();
    }
  }

  private void stopLoading() {
    try {
      handler.stopLoading(this);
    } catch (RuntimeException e) {
      log.error("ProtocolHandler.stopLoading threw", e);
    }
  }

  void demand() {
    Runnable r = demandAction;
    if (r != null) {
      r.run();
    }
  }

  @Override
  public Request request() {
    return request;
  }

  @Override
  public ProtocolClient client() {
    return this;
  }

  @Override
  public SessionTask task() {
    return task;
  }

  @Override
  public @Nullable Object attachment() {
    return attachment;
  }

  /**
   * Sets the handler's state; when the load was stopped meanwhile, asks the handler to stop again,
   * now that it can find what to stop. A task cancelled on another thread while its load was
   * starting otherwise stopped a load whose handler had not stored its exchange yet, and the
   * exchange ran on with nobody reading it, holding its pooled connection for good (found by the
   * soak run; hostile.CancelRaceTests). {@code stopped} is written before {@code stopLoading} reads
   * the attachment, and the attachment before this reads {@code stopped}: one of the two sees it.
   */
  @Override
  public void attachment(@Nullable Object attachment) {
    this.attachment = attachment;
    if (attachment != null && stopped) {
      stopLoading();
    }
  }

  @Override
  public void didReceiveResponse(Response response, CacheStoragePolicy storagePolicy) {
    if (!finished.get()) {
      RealTask t = task;
      RequestPreparer.storeCookies(t.session.configuration(), request, handler, response);
      if (recorder.response == null) {
        recorder.response = response;
      }
      t.chain.onResponse(this, response);
    }
  }

  // A data task may hand this load over to a download task (BECOME_DOWNLOAD) or a stream task
  // (BECOME_STREAM) while a report is on its way: the data task then refuses it (the load is no
  // longer its own) and the report goes to the task, or the stream, that took the load over.

  @Override
  public void didLoadData(byte[] data) {
    if (!finished.get()) {
      RealTask t = task;
      if (stream == null && t.onData(this, data)) {
        return;
      }
      LoadStream s = stream;
      if (s != null) {
        s.onData(data);
      } else if (task != t) {
        task.onData(this, data);
      }
    }
  }

  @Override
  public void didFinishLoading() {
    if (finished.compareAndSet(false, true)) {
      RealTask t = task;
      if (stream == null && t.onFinish(this)) {
        return;
      }
      LoadStream s = stream;
      if (s != null) {
        s.onFinish();
      } else if (task != t) {
        task.onFinish(this);
      }
    }
  }

  @Override
  public void didFail(SessionException error) {
    if (finished.compareAndSet(false, true)) {
      RealTask t = task;
      if (stream == null && t.chain.onFail(this, error)) {
        return;
      }
      LoadStream s = stream;
      if (s != null) {
        s.onFail(error);
      } else if (task != t) {
        task.chain.onFail(this, error);
      }
    }
  }

  @Override
  public void wasRedirectedTo(Request request, Response redirectResponse) {
    if (!finished.get()) {
      RequestPreparer.storeCookies(task.session.configuration(), this.request, handler, redirectResponse);
      if (recorder.response == null) {
        recorder.response = redirectResponse;
      }
      task.chain.onRedirect(this, request, redirectResponse);
    }
  }

  @Override
  public boolean wantsData() {
    LoadStream s = stream;
    return s != null ? s.wantsData() : task.wantsData(this);
  }

  @Override
  public void onDemand(Runnable action) {
    this.demandAction = action;
  }

  @Override
  public boolean writeDirectly(ByteBuffer src) {
    return task.onDataDirect(this, src);
  }

  @Override
  public void didSendBodyData(long bytes) {
    task.onBodyDataSent(this, bytes);
  }

  @Override
  public TransactionRecorder transaction() {
    return recorder;
  }

  @Override
  public @Nullable RequestBody requestBody() {
    return body;
  }

  @Override
  public void challenged(List<HttpChallenge> challenges, Response response) {
    if (!finished.get()) {
      RequestPreparer.storeCookies(task.session.configuration(), request, handler, response);
      if (recorder.response == null) {
        recorder.response = response;
      }
      task.chain.onChallenge(this, challenges, response);
    }
  }

  @Override
  public boolean leftOrigin() {
    return !RedirectPolicy.sameOrigin(task.originalRequest().url(), request.url());
  }

  @Override
  public Map<String, String> authorizationHeaders() {
    return authorization;
  }

  @Override
  public void evaluateServerTrust(ServerTrust trust, Consumer<Boolean> decision) {
    task.chain.evaluateServerTrust(this, trust, decision);
  }

  @Override
  public @Nullable String acceptEncoding() {
    return task.sink.acceptEncoding();
  }

  @Override
  public void clientCertificateRequested(ProtectionSpace space, Consumer<ClientIdentities.Answer> decision) {
    task.chain.clientCertificateRequested(this, space, decision);
  }

  @Override
  public boolean mayResume() {
    return task.sink.mayResume();
  }

  @Override
  public @Nullable ResumePoint resumePoint() {
    RealTask t = task;
    synchronized (t) { // where the current load of a resuming download starts (handlers other than HTTP)
      return t.chain.isCurrent(this) ? t.sink.resumePoint() : null;
    }
  }

  @Override
  public void resourceValidated(@Nullable String lastModified, long size, boolean continuesAtOffset) {
    RealTask t = task;
    synchronized (t) { // a handler other than HTTP told the resource's validators, before its response
      if (t.chain.isCurrent(this) && !t.completing()) {
        t.sink.validated(lastModified, size, continuesAtOffset);
      }
    }
  }
}
