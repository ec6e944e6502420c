package dev.urlsession.spi;

import dev.urlsession.ProtectionSpace;
import dev.urlsession.Request;
import dev.urlsession.Response;
import dev.urlsession.SessionException;
import dev.urlsession.SessionTask;
import dev.urlsession.TaskMetrics;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Forwards events to several listeners, isolating each. */
final class CompositeSessionListener implements SessionListener {
  private static final Logger log = LoggerFactory.getLogger(SessionListener.class);
  private final List<SessionListener> listeners;

  private CompositeSessionListener(List<SessionListener> listeners) {
    this.listeners = listeners;
  }

  /** One listener forwarding to every listener of {@code all} that is not {@code NONE}. */
  static SessionListener of(List<SessionListener> all) {
    List<SessionListener> live = new ArrayList<>();
    for (SessionListener l : all) {
      if (l instanceof CompositeSessionListener) {
        live.addAll(((CompositeSessionListener) l).listeners);
      } else if (l != null && l != SessionListener.NONE) {
        live.add(l);
      }
    }
    return live.isEmpty() ? SessionListener.NONE : live.size() == 1 ? live.get(0) : new CompositeSessionListener(List.copyOf(live));
  }

  private void each(String event, java.util.function.Consumer<SessionListener> call) {
    for (SessionListener l : listeners) {
      try {
        call.accept(l);
      } catch (RuntimeException e) {
        log.error("SessionListener {}.{} threw; the task goes on", l, event, e);
      }
    }
  }

  @Override
  public void taskStarted(SessionTask task) {
    each("taskStarted", l -> l.taskStarted(task));
  }

  @Override
  public Request requestWillBeSent(SessionTask task, Request request) {
    Request r = request;
    for (SessionListener l : listeners) {
      try {
        Request next = l.requestWillBeSent(task, r);
        if (next != null) {
          r = next;
        }
      } catch (RuntimeException e) {
        log.error("SessionListener {}.requestWillBeSent threw; the task goes on", l, e);
      }
    }
    return r;
  }

  @Override
  public void cacheHit(SessionTask task) {
    each("cacheHit", l -> l.cacheHit(task));
  }

  @Override
  public void cacheMiss(SessionTask task) {
    each("cacheMiss", l -> l.cacheMiss(task));
  }

  @Override
  public void cacheConditionalHit(SessionTask task) {
    each("cacheConditionalHit", l -> l.cacheConditionalHit(task));
  }

  @Override
  public void redirected(SessionTask task, Response redirect, Request next) {
    each("redirected", l -> l.redirected(task, redirect, next));
  }

  @Override
  public void challengeReceived(SessionTask task, ProtectionSpace space, Response response) {
    each("challengeReceived", l -> l.challengeReceived(task, space, response));
  }

  @Override
  public void taskCompleted(SessionTask task, TaskMetrics metrics, @Nullable SessionException error) {
    each("taskCompleted", l -> l.taskCompleted(task, metrics, error));
  }
}
