package dev.urlsession;

import dev.urlsession.SessionException.Code;
import dev.urlsession.internal.ClientIdentities;
import dev.urlsession.internal.HttpChallenge;
import dev.urlsession.internal.TransactionRecorder;
import dev.urlsession.internal.WebSocketConnection;
import dev.urlsession.internal.WebSocketEngine;
import dev.urlsession.internal.WebSocketEvents;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.LoggerFactory;

/**
 * The opening handshake of a WebSocket task (RFC 6455 section 4.1, URLSESSION-BEHAVIOUR.md
 * 10.2), up to the server's {@code 101}: the request it sends (with the session's headers,
 * cookies and credentials, {@link WebSocketHandshakes}), and each attempt, a new connection of
 * Jetty's ({@link WebSocketEngine#connect}) with its own transaction metrics. The challenges are
 * a data task's (URLSESSION-BEHAVIOUR.md 3.5, {@link Authenticator}): the server's {@code 401}
 * and the HTTP proxy's {@code 407} to the tunnel's {@code CONNECT} are asked of the delegate
 * with the proposed credential and the failure count, and an answer with a credential makes a
 * new attempt (the origin's credential as {@code Authorization}, the proxy's given to Jetty,
 * which answers the proxy itself); without one the task fails with {@code BAD_SERVER_RESPONSE},
 * its response the {@code 401} or {@code 407}. A credential that worked is kept as the session's
 * credential storage says. The TLS server trust of each connection is decided likewise, and with
 * the platform's trust a server's request for a client certificate is the task's
 * {@code CLIENT_CERTIFICATE} challenge, as for https loads: an identity chosen makes a new attempt,
 * whose connection presents it; none given to a server that insists fails the task with
 * {@code CLIENT_CERTIFICATE_REQUIRED}. With {@code waitsForConnectivity}, an attempt that could
 * not connect (no route, no address, refused) makes the task wait and try again as a data task
 * does ({@link TaskTimers}), telling the delegate once. An attempt whose request never left
 * because Jetty's proxy tunnel raced itself ({@link WebSocketEngine#lostTunnelRace}) is made again,
 * silently, a few times at most. Once the connection is open its events go to the task
 * ({@link Host}).
 *
 * <p>One per task; its fields are guarded by the task's lock. Events come from Jetty's threads
 * and the delegate queue; each attempt is an object of its own, so that what an earlier attempt
 * reports late is ignored.
 */
final class WebSocketOpening implements Authenticator.Answers {
  private static final int MAX_TUNNEL_RACES = 3;

  /** The task, as its opening sees it. */
  interface Host {
    /** Whether the task is completing (caller holds the lock). */
    boolean completing();

    /** Completes the task (caller holds the lock); returns what to run after releasing it. */
    @Nullable Runnable complete(@Nullable SessionException error);

    /** Whether the task runs, not suspended (caller holds the lock). */
    boolean running();

    /** Cancels the task (called without the lock). */
    void cancel();

    /** The handshake succeeded: the connection is open. The events below follow it. */
    void opened(WebSocketConnection connection, @Nullable String protocol);

    void text(String text);

    void binary(byte[] data);

    void pong(long id);

    void closed(int code, @Nullable String reason);

    /** The open connection met an error ({@link #closed} follows). */
    void failedOpen(Throwable cause);
  }

  private final RealSession session;
  private final RealWebSocketTask task;
  private final Host host;
  private final TaskEvents events;
  private final TaskTimers timers;
  private final Authenticator auth;
  // --- guarded by the task's lock ---
  private final List<TransactionRecorder> transactions = new ArrayList<>(1);
  /** The request as the listener left it, credentials of the URL included: what each attempt sends. */
  private @Nullable Request request;
  private @Nullable Attempt attempt;
  private @Nullable Runnable abort;
  /** Whether a 401 or 407 is being answered (the delegate asked, or default handling due). */
  private boolean challenged;
  /** Attempts lost to Jetty's tunnel race ({@link WebSocketEngine#lostTunnelRace}), each tried again. */
  private int tunnelRaces;

  WebSocketOpening(RealSession session, RealWebSocketTask task, Host host, TaskEvents events, TaskTimers timers) {
    this.session = session;
    this.task = task;
    this.host = host;
    this.events = events;
    this.timers = timers;
    this.auth = new Authenticator(session, task, events, this,
        (space, credential) -> session.webSockets.engine().useProxyCredential(space, credential));
  }

  /** The transactions of the attempts so far, for the task's metrics (caller holds the lock). */
  List<TransactionRecorder> transactions() {
    return transactions;
  }

  /**
   * The task completes (caller holds the lock): the handshake is no longer wanted. Returns what
   * aborts the attempt under way, to run after releasing the lock, or null.
   */
  @Nullable Runnable stop() {
    Runnable a = abort;
    abort = null;
    attempt = null;
    return a;
  }

  // --- starting (called without the lock) ---

  /** Starts the handshake: credentials of the URL or the storage sent at once, then the first attempt. */
  void begin() {
    synchronized (task) {
      if (host.completing()) {
        return;
      }
      auth.preempt(httpRequest(task.originalRequest()));
    }
    connect();
  }

  /** The request challenges are about: as sent, credentials of the URL included, with its HTTP URL. Lock held. */
  private Request authRequest() {
    return httpRequest(request != null ? request : task.originalRequest());
  }

  /** {@code r} with its {@code http:} or {@code https:} URL: what credentials and challenges are about. */
  private static Request httpRequest(Request r) {
    return r.toBuilder().url(WebSocketHandshakes.httpUrl(r.url())).build();
  }

  /**
   * Starts an attempt: the listener's say about the request, the transport security policy, then
   * a new connection and the handshake request with the credentials known now.
   */
  private void connect() {
    Request r = events.requestWillBeSent(task.originalRequest());
    Attempt a;
    WebSocketEngine.Handshake handshake;
    Runnable refused = null;
    synchronized (task) {
      if (host.completing()) {
        return;
      }
      URI url = r.url();
      if (WebSocketHandshakes.refusedCleartext(session.configuration(), url)) {
        refused = host.complete(new SessionException(Code.APP_TRANSPORT_SECURITY_REQUIRES_SECURE_CONNECTION, url));
        a = null;
        handshake = null;
      } else {
        request = r;
        // What the task shows and measures: the request without the credentials and cookies added.
        task.currentRequest = r.toBuilder().url(WebSocketHandshakes.withoutUserInfo(url)).build();
        Request toSend = WebSocketHandshakes.toSend(session.configuration(), r, auth.headers());
        a = new Attempt(new TransactionRecorder(task.currentRequest));
        attempt = a;
        transactions.add(a.recorder);
        handshake = new WebSocketEngine.Handshake(toSend, WebSocketHandshakes.protocols(toSend), a);
      }
    }
    if (a == null) {
      finish(refused);
      return;
    }
    Runnable stopIt;
    try {
      stopIt = session.webSockets.engine().connect(handshake);
    } catch (RuntimeException e) {
      a.failed(e);
      return;
    }
    boolean now;
    synchronized (task) {
      now = attempt != a || host.completing();
      if (!now) {
        abort = stopIt;
      }
    }
    if (now) {
      stopIt.run();
    }
  }

  private void finish(@Nullable Runnable after) { // what an event left to do outside the lock
    events.kick();
    if (after != null) {
      after.run();
    }
  }

  // --- what an attempt reports (Jetty's threads, without the lock) ---

  private void evaluateServerTrust(Attempt a, ServerTrust trust, Consumer<Boolean> decision) {
    Boolean now;
    synchronized (task) {
      now = a != attempt || host.completing() ? Boolean.FALSE
          : auth.serverTrust(WebSocketHandshakes.httpUrl(task.currentRequest.url()), trust, decision, host::cancel);
    }
    if (now != null) {
      decision.accept(now);
    } else {
      events.kick();
    }
  }

  private void clientCertificateRequested(Attempt a, ProtectionSpace space, boolean refusedWithout,
      Consumer<ClientIdentities.Answer> decision) {
    Consumer<ClientIdentities.Answer> noted = answer -> {
      if (refusedWithout && answer.identity() == null && !answer.cancelled()) {
        synchronized (task) {
          a.declinedCertificate = true; // the server will refuse the connection
        }
      }
      decision.accept(answer);
    };
    ClientIdentities.Answer now;
    synchronized (task) {
      now = a != attempt || host.completing() ? ClientIdentities.Answer.CANCEL
          : auth.clientCertificate(space, noted, host::cancel);
    }
    if (now != null) {
      noted.accept(now);
    } else {
      events.kick();
    }
  }

  private void responded(Attempt a, Response r) {
    Request sent;
    synchronized (task) {
      if (a != attempt || host.completing()) {
        return;
      }
      timers.touch();
      timers.connected(); // no longer waiting for connectivity
      task.response = r;
      a.response = r;
      if (r.statusCode() != 401 && r.statusCode() != 407) {
        auth.responded(r); // the credential sent worked: kept as the storage says
      }
      sent = task.currentRequest;
    }
    WebSocketHandshakes.storeCookies(session.configuration(), sent, r);
  }

  private void tunnelRefused(Attempt a, Response r, URI proxy) {
    synchronized (task) {
      if (a == attempt && !host.completing()) {
        timers.touch();
        timers.connected();
        a.recorder.response = r; // the attempt's one exchange: the CONNECT's
        task.response = r;
        a.response = r;
        a.proxy = proxy;
      }
    }
  }

  private void opened(Attempt a, WebSocketConnection c, @Nullable String protocol) {
    boolean current;
    synchronized (task) {
      current = a == attempt && !host.completing();
      if (current) {
        abort = null; // the handshake is over
      }
    }
    if (current) {
      host.opened(c, protocol);
    } else {
      c.disconnect();
    }
  }

  private void failed(Attempt a, Throwable cause) {
    Runnable after;
    ProtectionSpace challenged = null;
    Response r = null;
    synchronized (task) {
      if (a != attempt || host.completing() || cause instanceof CancellationException) {
        return;
      }
      attempt = null;
      abort = null;
      r = a.response;
      List<HttpChallenge> offered = challenges(a);
      if (WebSocketEngine.retriesWithIdentity(cause)) {
        after = this::connect; // a client identity was chosen: a new connection presents it
      } else if (r == null && a.recorder.proxy && tunnelRaces < MAX_TUNNEL_RACES
          && WebSocketEngine.lostTunnelRace(cause)) {
        tunnelRaces++;
        LoggerFactory.getLogger(WebSocketOpening.class).debug("{}: Jetty lost the proxy tunnel to a race; trying again",
            task);
        transactions.remove(a.recorder); // no exchange took place
        after = this::connect; // the handshake request never left: nothing to tell anyone
      } else if (a.declinedCertificate && r == null && ioFailure(cause)) {
        // No certificate was given and the server would not go on without one.
        after = host.complete(new SessionException(Code.CLIENT_CERTIFICATE_REQUIRED, task.currentRequest.url(),
            "The server requires a client certificate: none was given [" + cause + "]", cause));
      } else if (!offered.isEmpty()) {
        this.challenged = true;
        challenged = offered.get(0).protectionSpace();
        after = authStep(auth.challenged(offered, r, authRequest()));
      } else {
        SessionException e = WebSocketEngine.handshakeFailure(cause, task.currentRequest.url(), r);
        after = waitsForConnectivity(e, a) ? waitForConnectivity() : host.complete(e);
      }
    }
    if (challenged != null) {
      ProtectionSpace space = challenged;
      Response challenge = r;
      events.notify("challengeReceived", x -> x.challengeReceived(task, space, challenge));
    }
    finish(after);
  }

  /** The Basic and Digest challenges of the attempt's 401 or 407, if any. Lock held. */
  private static List<HttpChallenge> challenges(Attempt a) {
    Response r = a.response;
    if (r == null || r.statusCode() != 401 && r.statusCode() != 407) {
      return List.of();
    }
    // Their protection spaces are those of the http: or https: URL (the credential storage's).
    return HttpChallenge.parse(Response.builder(WebSocketHandshakes.httpUrl(r.url())).statusCode(r.statusCode())
        .headers(r.headers()).build(), a.proxy);
  }

  /** Whether {@code cause} is (or was caused by) an I/O failure. */
  private static boolean ioFailure(Throwable cause) {
    for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof java.io.IOException) {
        return true;
      }
    }
    return false;
  }

  // --- waiting for connectivity ---

  /** Whether {@code e} means the attempt found no connection and the configuration waits for one. Lock held. */
  private boolean waitsForConnectivity(SessionException e, Attempt a) {
    Code code = e.code();
    return session.configuration().waitsForConnectivity() && a.response == null
        && (code == Code.CANNOT_FIND_HOST || code == Code.CANNOT_CONNECT_TO_HOST
            || code == Code.NOT_CONNECTED_TO_INTERNET || code == Code.DNS_LOOKUP_FAILED);
  }

  /** Waits for connectivity, telling the delegate the first time. Lock held. */
  private @Nullable Runnable waitForConnectivity() {
    if (timers.waitForConnectivity()) {
      TaskDelegate d = events.pick(TaskDelegate.class, "taskIsWaitingForConnectivity");
      if (d != null) {
        events.post("taskIsWaitingForConnectivity", () -> d.taskIsWaitingForConnectivity(session, task));
      }
    }
    return null;
  }

  /** A wait for connectivity is over (a timer): a new attempt, unless the task is suspended. */
  void connectivityRetryDue() {
    synchronized (task) {
      timers.connectivityRetryFired(host.running());
      if (host.completing() || !host.running()) {
        return; // suspended: resume() tries again
      }
    }
    retryConnecting();
  }

  /** Tries to connect again after waiting for connectivity. */
  void retryConnecting() {
    synchronized (task) {
      if (host.completing()) {
        return;
      }
      timers.touch();
    }
    connect();
  }

  // --- challenges ---

  /** What an authenticator's step leaves to run. Caller holds the lock. */
  private @Nullable Runnable authStep(Authenticator.Step step) {
    switch (step) {
      case ANSWER_BY_DEFAULT:
        HttpChallenge c = auth.current();
        return () -> challengeAnswered(c, Authenticator.Answer.DEFAULT, null);
      case GIVE_UP:
        // No credential: the 401 or 407 is the answer to the upgrade, which failed.
        challenged = false;
        Response r = auth.takeChallengeResponse();
        String who = r.statusCode() == 407 ? "The proxy did not open the tunnel" : "The server did not accept the WebSocket upgrade";
        return host.complete(new SessionException(Code.BAD_SERVER_RESPONSE, task.currentRequest.url(),
            who + " (HTTP " + r.statusCode() + ")", null));
      default:
        return null; // asked: the answer comes back to challengeAnswered
    }
  }

  @Override
  public void challengeAnswered(HttpChallenge c, Authenticator.Answer answer, @Nullable Credential credential) {
    if (answer == Authenticator.Answer.CANCEL) {
      host.cancel();
      return;
    }
    Runnable after = null;
    boolean retry = false;
    synchronized (task) {
      if (host.completing() || !challenged || !auth.isCurrent(c)) {
        return;
      }
      timers.touch();
      Authenticator.Step step = auth.answered(c, answer, credential, authRequest());
      if (step == Authenticator.Step.RETRY) {
        challenged = false;
        retry = true;
      } else {
        after = authStep(step);
      }
    }
    if (retry) {
      events.kick();
      connect();
    } else {
      finish(after);
    }
  }

  /** One attempt's connection, as Jetty reports it; the tag of its destination (identity). */
  private final class Attempt implements WebSocketEvents {
    final TransactionRecorder recorder;
    /** Set once the handshake succeeded: from then on the connection's events are the task's. */
    private volatile boolean open;
    // --- guarded by the task's lock ---
    /** What answered the handshake request, or the tunnel's CONNECT; null before. */
    @Nullable Response response;
    /** The HTTP proxy that refused the tunnel, or null. */
    @Nullable URI proxy;
    /** Whether no client certificate was given to a server that refuses the connection without. */
    boolean declinedCertificate;

    Attempt(TransactionRecorder recorder) {
      this.recorder = recorder;
    }

    @Override
    public TransactionRecorder recorder() {
      return recorder;
    }

    @Override
    public void evaluateServerTrust(ServerTrust trust, Consumer<Boolean> decision) {
      WebSocketOpening.this.evaluateServerTrust(this, trust, decision);
    }

    @Override
    public void clientCertificateRequested(ProtectionSpace space, boolean refusedWithout,
        Consumer<ClientIdentities.Answer> decision) {
      WebSocketOpening.this.clientCertificateRequested(this, space, refusedWithout, decision);
    }

    @Override
    public void handshakeResponse(Response response) {
      responded(this, response);
    }

    @Override
    public void tunnelRefused(Response response, URI proxy) {
      WebSocketOpening.this.tunnelRefused(this, response, proxy);
    }

    @Override
    public void opened(WebSocketConnection connection, @Nullable String protocol) {
      open = true;
      WebSocketOpening.this.opened(this, connection, protocol);
    }

    @Override
    public void text(String text) {
      host.text(text);
    }

    @Override
    public void binary(byte[] data) {
      host.binary(data);
    }

    @Override
    public void pong(long id) {
      host.pong(id);
    }

    @Override
    public void closed(int code, @Nullable String reason) {
      host.closed(code, reason);
    }

    @Override
    public void failed(Throwable cause) {
      if (open) {
        host.failedOpen(cause);
      } else {
        WebSocketOpening.this.failed(this, cause);
      }
    }
  }
}
