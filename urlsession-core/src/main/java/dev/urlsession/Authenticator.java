package dev.urlsession;

import dev.urlsession.internal.ClientIdentities;
import dev.urlsession.internal.HttpChallenge;
import java.net.URI;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A task's authentication (URLSESSION-BEHAVIOUR.md 3.5): the 401 and 407 challenges it is offered
 * (Basic, Digest), asked of the delegate one by one, with the proposed credential and the failure
 * count per protection space; the credentials it sends (preemptive Basic from the URL or the
 * storage, then answers) and keeps once they worked; and the TLS challenges of its connections
 * (server trust, client certificates). The task calls every method holding its lock, and applies
 * the {@link Step} it gets back; a delegate's answer comes back to it through {@link Answers}.
 */
final class Authenticator {
  private static final Logger log = LoggerFactory.getLogger(Authenticator.class);
  private static final int MAX_AUTHENTICATION_ATTEMPTS = 10;
  private static final int MAX_CLIENT_CERTIFICATE_ASKS = 5;

  /** How the delegate answered a challenge. */
  enum Answer { USE, DEFAULT, CANCEL, REJECT }

  /** Where a delegate's answer goes: the task, which takes its lock and asks {@link #answered}. */
  interface Answers {
    void challengeAnswered(HttpChallenge challenge, Answer answer, @Nullable Credential credential);
  }

  /** What the task does next. */
  enum Step {
    /** A delegate was asked: wait for its answer. */
    ASKED,
    /** Nobody takes the challenge: answer it by default, after releasing the lock. */
    ANSWER_BY_DEFAULT,
    /** No credential: the 401 or 407 is the task's response ({@link #takeChallengeResponse()}). */
    GIVE_UP,
    /** Load the request again with {@link #headers()} (or the proxy credential HttpClient now holds). */
    RETRY
  }

  private final RealSession session;
  private final SessionTask task;
  private final TaskEvents events;
  private final Answers answers;
  /** Where a credential for a proxy goes: the client that answers the proxy itself. */
  private final BiConsumer<ProtectionSpace, Credential> proxyCredentials;
  private List<HttpChallenge> challenges = List.of();
  private int challengeIndex;
  private @Nullable Response challengeResponse;
  /** Failed attempts per protection space; created by the first failure. */
  private @Nullable Map<ProtectionSpace, Integer> failures;
  /** The credential sent with the current load and the space it answers, saved once it works. */
  private @Nullable Credential credentialInUse;
  private @Nullable ProtectionSpace spaceInUse;
  private Map<String, String> headers = Map.of();
  private int attempts;
  /** CLIENT_CERTIFICATE challenges asked so far (their previousFailureCount). */
  private int clientCertificateAsks;

  Authenticator(RealSession session, SessionTask task, TaskEvents events, Answers answers) {
    this(session, task, events, answers, session::useProxyCredential);
  }

  /**
   * An authenticator whose proxy credentials go to {@code proxyCredentials} (a WebSocket task's
   * go to the WebSocket client, not to the HTTP engine).
   */
  Authenticator(RealSession session, SessionTask task, TaskEvents events, Answers answers,
      BiConsumer<ProtectionSpace, Credential> proxyCredentials) {
    this.session = session;
    this.task = task;
    this.events = events;
    this.answers = answers;
    this.proxyCredentials = proxyCredentials;
  }

  /** Headers the next load sends ({@code Authorization}); may be empty. */
  Map<String, String> headers() {
    return headers;
  }

  /** Whether nothing was sent or asked yet: the first load of the task may send Basic preemptively. */
  boolean untouched() {
    return headers.isEmpty() && credentialInUse == null && attempts == 0;
  }

  /**
   * Basic credentials sent without waiting for a challenge: the URL's {@code user:password@}, or
   * a Basic credential the storage already holds for this host.
   */
  void preempt(Request request) {
    URI url = request.url();
    if (!"http".equalsIgnoreCase(url.getScheme()) && !"https".equalsIgnoreCase(url.getScheme())
        || request.header("Authorization") != null || "TRACE".equals(request.method())) {
      return; // TRACE: no credentials in a request the server echoes (RFC 9110 9.3.8)
    }
    Credential fromUrl = urlCredential(url);
    if (fromUrl != null) {
      headers = Map.of("Authorization", HttpChallenge.basic(fromUrl));
      return;
    }
    CredentialStorage storage = session.configuration().credentialStorage();
    if (storage == null || url.getHost() == null) {
      return;
    }
    Map.Entry<ProtectionSpace, Credential> basic =
        storage.defaultBasicCredential(url.getScheme(), url.getHost(), HttpChallenge.port(url));
    if (basic != null) {
      credentialInUse = basic.getValue(); // a 401 now counts as this credential's failure
      spaceInUse = basic.getKey();
      headers = Map.of("Authorization", HttpChallenge.basic(basic.getValue()));
    }
  }

  /** The task follows a redirect to another origin: credentials never follow it. */
  void leftOrigin() {
    headers = Map.of();
    credentialInUse = null;
    spaceInUse = null;
  }

  /** A response that is not a challenge means the credential in use worked: keep it as asked. */
  void responded(Response r) {
    Credential c = credentialInUse;
    ProtectionSpace space = spaceInUse;
    CredentialStorage storage = session.configuration().credentialStorage();
    if (c != null && space != null && storage != null && r.statusCode() != 401 && r.statusCode() != 407
        && c.persistence() != Credential.Persistence.NONE) {
      if (storage.defaultCredential(space) == null) {
        storage.setDefaultCredential(c, space);
      } else {
        storage.set(c, space);
      }
    }
    credentialInUse = null;
    spaceInUse = null;
  }

  /** The 401 or 407 being answered, to deliver as the response when the task gives up. */
  Response takeChallengeResponse() {
    Response r = challengeResponse;
    challengeResponse = null;
    return r;
  }

  /** A 401 or 407 to a load of {@code request}, offering {@code offered}: asks about the first one. */
  Step challenged(List<HttpChallenge> offered, Response r, Request request) {
    if (spaceInUse != null) {
      if (failures == null) {
        failures = new HashMap<>();
      }
      failures.merge(spaceInUse, 1, Integer::sum); // the credential just sent did not work
    }
    credentialInUse = null;
    spaceInUse = null;
    challenges = offered;
    challengeIndex = 0;
    challengeResponse = r;
    if (++attempts > MAX_AUTHENTICATION_ATTEMPTS) {
      log.warn("Task {}: giving up after {} authentication attempts", task.taskIdentifier(),
          MAX_AUTHENTICATION_ATTEMPTS);
      return Step.GIVE_UP;
    }
    return ask(request);
  }

  /** The challenge being asked about, to answer by default. */
  HttpChallenge current() {
    return challenges.get(challengeIndex);
  }

  /** Whether {@code c} is the challenge being asked about (an answer to an older one is stale). */
  boolean isCurrent(HttpChallenge c) {
    return challengeIndex < challenges.size() && challenges.get(challengeIndex) == c;
  }

  /** Asks the delegate about the current challenge, or says to handle it by default. */
  private Step ask(Request request) {
    HttpChallenge c = challenges.get(challengeIndex);
    ProtectionSpace space = c.protectionSpace();
    AuthenticationChallenge challenge = new AuthenticationChallenge(space, proposedCredential(space, request),
        failures(space), challengeResponse, null);
    SessionDelegate sessionLevel = space.authenticationMethod().isSessionLevel() ? events.sessionChallengeDelegate() : null;
    TaskDelegate taskLevel = sessionLevel != null ? null : events.pick(TaskDelegate.class, "didReceiveChallenge/4");
    if (sessionLevel == null && taskLevel == null) {
      return Step.ANSWER_BY_DEFAULT;
    }
    ChallengeHandler handler = new OnceChallengeHandler() {
      @Override
      void answer(Answer answer, @Nullable Credential credential) {
        answers.challengeAnswered(c, answer, credential);
      }
    };
    events.post("didReceiveChallenge", sessionLevel != null
        ? () -> sessionLevel.didReceiveChallenge(session, challenge, handler)
        : () -> taskLevel.didReceiveChallenge(session, task, challenge, handler));
    return Step.ASKED;
  }

  /**
   * The delegate answered challenge {@code c} (it is the current one) of a load of {@code request}:
   * the next challenge is asked after a rejection, a credential is sent, or the task gives up.
   */
  Step answered(HttpChallenge c, Answer answer, @Nullable Credential given, Request request) {
    ProtectionSpace space = c.protectionSpace();
    if (answer == Answer.REJECT) {
      if (++challengeIndex < challenges.size()) {
        return ask(request);
      }
      answer = Answer.DEFAULT;
    }
    Credential credential = given;
    if (answer == Answer.DEFAULT) {
      Credential proposed = proposedCredential(space, request);
      credential = proposed != null && failures(space) == 0 ? proposed : null;
    }
    if (credential == null) {
      return Step.GIVE_UP;
    }
    if (space.isProxy()) {
      // Proxy credentials go to the client, which answers the proxy (the CONNECT of a tunnel
      // too): a header on the request would travel through the tunnel to the origin.
      proxyCredentials.accept(space, credential);
    } else {
      String value = c.authorization(request, credential);
      if (value == null) {
        return Step.GIVE_UP;
      }
      Map<String, String> next = new LinkedHashMap<>(headers);
      next.put(c.headerName(), value);
      headers = Map.copyOf(next);
    }
    credentialInUse = credential;
    spaceInUse = space;
    challengeResponse = null;
    return Step.RETRY;
  }

  /**
   * A new TLS connection presented {@code trust}: the session delegate (or, without one, the task
   * delegate) decides through a SERVER_TRUST challenge, posted now; returns null then, or the
   * default evaluation's answer when no delegate takes the challenge. {@code cancel} cancels the
   * task (called without its lock).
   */
  @Nullable Boolean serverTrust(URI url, ServerTrust trust, Consumer<Boolean> decision, Runnable cancel) {
    ProtectionSpace space = ProtectionSpace.forServerTrust(trust.host(), HttpChallenge.port(url), trust);
    AuthenticationChallenge challenge = new AuthenticationChallenge(space, null, 0, null, null);
    SessionDelegate sessionLevel = events.sessionChallengeDelegate();
    TaskDelegate taskLevel = sessionLevel != null ? null : events.pick(TaskDelegate.class, "didReceiveChallenge/4");
    if (sessionLevel == null && taskLevel == null) {
      return trust.isTrustedByDefault();
    }
    ChallengeHandler handler = new OnceChallengeHandler() {
      @Override
      void answer(Answer answer, @Nullable Credential credential) {
        if (answer == Answer.CANCEL) {
          cancel.run();
          decision.accept(false);
        } else if (answer == Answer.USE) {
          // Only an explicit trust credential for this very chain overrides the evaluation.
          decision.accept(credential != null && trust.equals(credential.serverTrust())
              || (credential == null && trust.isTrustedByDefault()));
        } else {
          decision.accept(trust.isTrustedByDefault());
        }
      }
    };
    events.post("didReceiveChallenge", sessionLevel != null
        ? () -> sessionLevel.didReceiveChallenge(session, challenge, handler)
        : () -> taskLevel.didReceiveChallenge(session, task, challenge, handler));
    return null;
  }

  /**
   * The server of a new TLS connection asked for a client certificate and got none: the session
   * delegate (or, without one, the task delegate) answers a CLIENT_CERTIFICATE challenge, posted
   * now; returns null then, or the answer when no delegate takes it: default handling uses the
   * storage's default identity for the space, if any, else none.
   */
  ClientIdentities.@Nullable Answer clientCertificate(ProtectionSpace space,
      Consumer<ClientIdentities.Answer> decision, Runnable cancel) {
    if (clientCertificateAsks >= MAX_CLIENT_CERTIFICATE_ASKS) {
      // Identities were chosen again and again and never presented (a key the server's
      // handshake cannot use): go on without, the server decides.
      return ClientIdentities.Answer.NONE;
    }
    CredentialStorage storage = session.configuration().credentialStorage();
    Credential stored = storage == null ? null : storage.defaultCredential(space);
    Credential proposed = stored != null && stored.hasIdentity() ? stored : null;
    AuthenticationChallenge challenge = new AuthenticationChallenge(space, proposed, clientCertificateAsks++, null, null);
    ClientIdentities.Answer byDefault = proposed != null
        ? new ClientIdentities.Answer(proposed, false) : ClientIdentities.Answer.NONE;
    SessionDelegate sessionLevel = events.sessionChallengeDelegate();
    TaskDelegate taskLevel = sessionLevel != null ? null : events.pick(TaskDelegate.class, "didReceiveChallenge/4");
    if (sessionLevel == null && taskLevel == null) {
      return byDefault;
    }
    ChallengeHandler handler = new OnceChallengeHandler() {
      @Override
      void answer(Answer answer, @Nullable Credential credential) {
        switch (answer) {
          case CANCEL:
            cancel.run();
            decision.accept(ClientIdentities.Answer.CANCEL);
            break;
          case DEFAULT:
            decision.accept(byDefault);
            break;
          case REJECT:
            decision.accept(ClientIdentities.Answer.NONE);
            break;
          default:
            decision.accept(useIdentity(space, credential));
        }
      }
    };
    events.post("didReceiveChallenge", sessionLevel != null
        ? () -> sessionLevel.didReceiveChallenge(session, challenge, handler)
        : () -> taskLevel.didReceiveChallenge(session, task, challenge, handler));
    return null;
  }

  private ClientIdentities.Answer useIdentity(ProtectionSpace space, @Nullable Credential credential) {
    if (credential == null || !credential.hasIdentity()) {
      return ClientIdentities.Answer.NONE; // go on without a certificate
    }
    CredentialStorage storage = session.configuration().credentialStorage();
    if (storage != null && credential.persistence() != Credential.Persistence.NONE) {
      storage.set(credential, space); // in memory only: CredentialStorage never writes identities
    }
    return new ClientIdentities.Answer(credential, false);
  }

  /** The storage's default credential for {@code space}, or the URL's {@code user:password@}. */
  private @Nullable Credential proposedCredential(ProtectionSpace space, Request request) {
    CredentialStorage storage = session.configuration().credentialStorage();
    Credential stored = storage == null ? null : storage.defaultCredential(space);
    return stored != null ? stored : urlCredential(request.url());
  }

  private static @Nullable Credential urlCredential(URI url) {
    String info = url.getUserInfo();
    if (info == null) {
      return null;
    }
    int colon = info.indexOf(':');
    try {
      return Credential.of(colon < 0 ? info : info.substring(0, colon),
          colon < 0 ? "" : info.substring(colon + 1), Credential.Persistence.NONE);
    } catch (IllegalArgumentException e) {
      return null; // control characters: not a usable credential
    }
  }

  private int failures(ProtectionSpace space) {
    return failures == null ? 0 : failures.getOrDefault(space, 0);
  }

  /** A challenge handler answered at most once: a second answer throws. */
  private abstract static class OnceChallengeHandler implements ChallengeHandler {
    private final AtomicBoolean answered = new AtomicBoolean();

    abstract void answer(Answer answer, @Nullable Credential credential);

    private void once(Answer answer, @Nullable Credential credential) {
      if (!answered.compareAndSet(false, true)) {
        throw new IllegalStateException("the challenge handler was already called");
      }
      answer(answer, credential);
    }

    @Override
    public void useCredential(@Nullable Credential credential) {
      once(Answer.USE, credential);
    }

    @Override
    public void performDefaultHandling() {
      once(Answer.DEFAULT, null);
    }

    @Override
    public void cancelAuthenticationChallenge() {
      once(Answer.CANCEL, null);
    }

    @Override
    public void rejectProtectionSpace() {
      once(Answer.REJECT, null);
    }
  }
}
