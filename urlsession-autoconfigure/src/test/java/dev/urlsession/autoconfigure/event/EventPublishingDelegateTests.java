package dev.urlsession.autoconfigure.event;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import dev.urlsession.AuthenticationChallenge;
import dev.urlsession.AuthenticationMethod;
import dev.urlsession.ChallengeHandler;
import dev.urlsession.Credential;
import dev.urlsession.DataDelegate;
import dev.urlsession.DataResponse;
import dev.urlsession.DownloadDelegate;
import dev.urlsession.Request;
import dev.urlsession.Session;
import dev.urlsession.SessionConfiguration;
import dev.urlsession.SessionDelegate;
import dev.urlsession.SessionException;
import dev.urlsession.SessionTask;
import dev.urlsession.TaskDelegate;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.context.ApplicationEventPublisher;

/**
 * The adapter forwards every delegate method of core faithfully, including authentication
 * challenges, which it takes only when the application's delegate does.
 */
@Timeout(60)
class EventPublishingDelegateTests {
  private static final ApplicationEventPublisher IGNORE = event -> { };
  private static final Duration INTERVAL = Duration.ofMillis(250);

  @StartStop final MockWebServer server = new MockWebServer();
  private final List<Session> sessions = new ArrayList<>();

  @AfterEach
  void invalidate() {
    sessions.forEach(Session::invalidateAndCancel);
  }

  @Test
  void adapterDeclaresEveryDelegateMethodOfCoreSoThatNoneIsSilentlyDropped() {
    // When core adds a delegate method, this fails until the adapter forwards it.
    Class<?> adapter = EventPublishingDelegate.create("s", IGNORE, new BothChallenges(), INTERVAL).getClass();
    List<String> missing = new ArrayList<>();
    for (Class<?> api : List.of(SessionDelegate.class, TaskDelegate.class, DataDelegate.class, DownloadDelegate.class,
        dev.urlsession.StreamDelegate.class, dev.urlsession.WebSocketDelegate.class)) {
      for (Method m : api.getDeclaredMethods()) {
        if (!Modifier.isStatic(m.getModifiers()) && !declares(adapter, m)) {
          missing.add(api.getSimpleName() + "." + m.getName() + Arrays.toString(m.getParameterTypes()));
        }
      }
    }
    assertThat(missing).as("delegate methods the adapter does not forward").isEmpty();
  }

  @Test
  void adapterTakesChallengesOnlyWhenTheApplicationsDelegateDoes() {
    assertThat(declaredChallengeArities(EventPublishingDelegate.create("s", IGNORE, null, INTERVAL))).isEmpty();
    assertThat(declaredChallengeArities(EventPublishingDelegate.create("s", IGNORE, new DataDelegate() { }, INTERVAL)))
        .isEmpty();
    assertThat(declaredChallengeArities(EventPublishingDelegate.create("s", IGNORE, new SessionChallenges(), INTERVAL)))
        .containsExactly(3);
    assertThat(declaredChallengeArities(EventPublishingDelegate.create("s", IGNORE, new TaskChallenges(), INTERVAL)))
        .containsExactly(4);
    assertThat(declaredChallengeArities(EventPublishingDelegate.create("s", IGNORE, new BothChallenges(), INTERVAL)))
        .containsExactlyInAnyOrder(3, 4);
  }

  @Test
  void createWhenProgressIntervalIsNegativeThrowsIllegalArgumentException() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> EventPublishingDelegate.create("s", IGNORE, null, Duration.ofMillis(-1)));
  }

  @Test
  void taskChallengesGoToTheApplicationsDelegate() throws Exception {
    server.enqueue(new MockResponse.Builder().code(401).addHeader("WWW-Authenticate", "Basic realm=\"shop\"").build());
    server.enqueue(new MockResponse.Builder().body("welcome").build());
    Session session = session(SessionConfiguration.ephemeral(), new TaskChallenges());
    DataResponse response = session.data(Request.get(server.url("/private").uri())).get(10, SECONDS);
    assertThat(response.response().statusCode()).isEqualTo(200);
    server.takeRequest(5, SECONDS);
    assertThat(server.takeRequest(5, SECONDS).getHeaders().get("Authorization")).isEqualTo("Basic dTpw");
  }

  @Test
  void taskChallengesWithoutADelegateAnsweringThemGetDefaultHandling() throws Exception {
    server.enqueue(new MockResponse.Builder().code(401).addHeader("WWW-Authenticate", "Basic realm=\"shop\"").build());
    Session session = session(SessionConfiguration.ephemeral(), new DataDelegate() { });
    DataResponse response = session.data(Request.get(server.url("/private").uri())).get(10, SECONDS);
    assertThat(response.response().statusCode()).isEqualTo(401);
  }

  @Test
  void serverTrustChallengesGoToTheApplicationsSessionDelegate() throws Exception {
    HeldCertificate certificate = new HeldCertificate.Builder()
        .addSubjectAlternativeName("localhost").addSubjectAlternativeName("127.0.0.1").build();
    server.useHttps(new HandshakeCertificates.Builder().heldCertificate(certificate).build().sslSocketFactory());
    server.enqueue(new MockResponse.Builder().body("pinned").build());
    server.enqueue(new MockResponse.Builder().body("never").build());
    Session trusting = session(SessionConfiguration.ephemeral(), new SessionChallenges());
    assertThat(trusting.data(Request.get(server.url("/").uri())).get(10, SECONDS).response().statusCode())
        .isEqualTo(200);
    Session plain = session(SessionConfiguration.ephemeral(), new DataDelegate() { });
    assertThat(plain.data(Request.get(server.url("/").uri()))).failsWithin(Duration.ofSeconds(10))
        .withThrowableOfType(ExecutionException.class).withCauseInstanceOf(SessionException.class);
  }

  @Test
  void cacheDecisionsGoToTheApplicationsDelegateElseTheProposedResponseIsStored() throws Exception {
    for (int i = 0; i < 3; i++) {
      server.enqueue(new MockResponse.Builder().addHeader("Cache-Control", "max-age=600").body("fresh " + i).build());
    }
    Session refusing = session(SessionConfiguration.ephemeral(), new RefusesCaching());
    load(refusing, "/refused");
    load(refusing, "/refused");
    Session plain = session(SessionConfiguration.ephemeral(), new DataDelegate() { });
    load(plain, "/cached");
    load(plain, "/cached");
    // Twice from the refusing session, once from the plain one (its second load hit its cache).
    assertThat(server.getRequestCount()).isEqualTo(3);
  }

  private void load(Session session, String path) throws Exception {
    dev.urlsession.DataTask task = session.dataTask(server.url(path).uri());
    task.resume();
    assertThat(task.completion().get(10, SECONDS).error()).isNull();
  }

  private Session session(SessionConfiguration configuration, SessionDelegate delegate) {
    Session session = Session.create(configuration,
        EventPublishingDelegate.create("s", IGNORE, delegate, INTERVAL), null);
    sessions.add(session);
    return session;
  }

  private static boolean declares(Class<?> type, Method method) {
    for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
      try {
        c.getDeclaredMethod(method.getName(), method.getParameterTypes());
        return true;
      } catch (NoSuchMethodException e) {
        // look further up
      }
    }
    return false;
  }

  private static List<Integer> declaredChallengeArities(Object adapter) {
    List<Integer> arities = new ArrayList<>();
    for (Class<?> c = adapter.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
      for (Method m : c.getDeclaredMethods()) {
        if (m.getName().equals("didReceiveChallenge")) {
          arities.add(m.getParameterCount());
        }
      }
    }
    return arities;
  }

  /** Trusts any server certificate (a test's pin). */
  static class SessionChallenges implements DataDelegate {
    @Override
    public void didReceiveChallenge(Session session, AuthenticationChallenge challenge, ChallengeHandler handler) {
      if (challenge.protectionSpace().authenticationMethod() == AuthenticationMethod.SERVER_TRUST) {
        handler.useCredential(Credential.forTrust(challenge.protectionSpace().serverTrust()));
      } else {
        handler.performDefaultHandling();
      }
    }
  }

  /** Answers HTTP authentication with u:p. */
  static class TaskChallenges implements DataDelegate {
    @Override
    public void didReceiveChallenge(Session session, SessionTask task, AuthenticationChallenge challenge,
        ChallengeHandler handler) {
      handler.useCredential(Credential.of("u", "p", Credential.Persistence.NONE));
    }
  }

  /** Stores nothing in the cache. */
  static final class RefusesCaching implements DataDelegate {
    @Override
    public void willCacheResponse(Session session, dev.urlsession.DataTask task, dev.urlsession.CachedResponse proposed,
        java.util.function.Consumer<dev.urlsession.CachedResponse> completionHandler) {
      completionHandler.accept(null);
    }
  }

  static final class BothChallenges extends SessionChallenges {
    @Override
    public void didReceiveChallenge(Session session, SessionTask task, AuthenticationChallenge challenge,
        ChallengeHandler handler) {
      handler.performDefaultHandling();
    }
  }
}
