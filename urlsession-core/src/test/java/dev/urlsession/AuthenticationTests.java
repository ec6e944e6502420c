package dev.urlsession;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.urlsession.Credential.Persistence;
import dev.urlsession.SessionException.Code;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** HTTP authentication challenges (URLSESSION-BEHAVIOUR.md 3.5). */
@Timeout(30)
class AuthenticationTests {
  @StartStop final MockWebServer server = new MockWebServer();
  final List<AuthenticationChallenge> challenges = new CopyOnWriteArrayList<>();
  Session session;

  /** A delegate that records challenges and answers them with {@code answer}. */
  RecordingDelegate answering(BiConsumer<AuthenticationChallenge, ChallengeHandler> answer) {
    return new RecordingDelegate() {
      @Override
      public void didReceiveChallenge(Session s, SessionTask t, AuthenticationChallenge c, ChallengeHandler h) {
        recordEvent(t, "didReceiveChallenge " + c.protectionSpace().authenticationMethod() + " "
            + c.protectionSpace().realm() + " " + c.previousFailureCount());
        challenges.add(c);
        answer.accept(c, h);
      }
    };
  }

  Session session(SessionDelegate delegate, CredentialStorage storage) {
    session = Session.create(SessionConfiguration.ephemeral().toBuilder().credentialStorage(storage).build(),
        delegate, null);
    return session;
  }

  @AfterEach
  void tearDown() {
    if (session != null) {
      session.invalidateAndCancel();
    }
  }

  static MockResponse basicChallenge(String realm) {
    return new MockResponse.Builder().code(401).addHeader("WWW-Authenticate", "Basic realm=\"" + realm + "\"")
        .body("please log in").build();
  }

  static String basic(String user, String password) {
    return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void basicChallengeAnsweredWithACredentialRetriesAndSavesIt() throws Exception {
    server.enqueue(basicChallenge("shop"));
    server.enqueue(new MockResponse.Builder().body("welcome").build());
    server.enqueue(new MockResponse.Builder().body("again").build());
    CredentialStorage storage = CredentialStorage.inMemory();
    RecordingDelegate d = answering((c, h) -> h.useCredential(Credential.of("ann", "s3cret", Persistence.FOR_SESSION)));
    session(d, storage).dataTask(server.url("/private").uri()).resume();
    assertThat(d.awaitCompletion()).isNull();
    d.assertEvents("didCreateTask", "didReceiveChallenge HTTP_BASIC shop 0", "didReceiveResponse 200",
        "didReceiveData", "didFinishCollectingMetrics", "didComplete null");
    assertThat(d.body.toString(StandardCharsets.UTF_8)).isEqualTo("welcome");
    AuthenticationChallenge c = challenges.get(0);
    assertThat(c.protectionSpace()).isEqualTo(ProtectionSpace.of(server.getHostName(), server.getPort(), "http",
        "shop", AuthenticationMethod.HTTP_BASIC));
    assertThat(c.failureResponse().statusCode()).isEqualTo(401);
    assertThat(c.proposedCredential()).isNull();
    assertThat(server.takeRequest(5, SECONDS).getHeaders().get("Authorization")).isNull();
    assertThat(server.takeRequest(5, SECONDS).getHeaders().get("Authorization")).isEqualTo(basic("ann", "s3cret"));
    assertThat(storage.defaultCredential(c.protectionSpace())).isEqualTo(Credential.of("ann", "s3cret", Persistence.FOR_SESSION));
    assertThat(d.metrics.transactionMetrics()).extracting(m -> m.response().statusCode()).containsExactly(401, 200);

    // Known now: the next request to the host sends it at once.
    CompletableFuture<DataResponse> next = session.data(Request.get(server.url("/other").uri()));
    assertThat(next.get(10, SECONDS).response().statusCode()).isEqualTo(200);
    assertThat(server.takeRequest(5, SECONDS).getHeaders().get("Authorization")).isEqualTo(basic("ann", "s3cret"));
  }

  @Test
  void challengeWithoutAUsableCredentialDeliversThe401AsAResponse() throws Exception {
    server.enqueue(basicChallenge("r"));
    RecordingDelegate d = new RecordingDelegate();
    session(d, CredentialStorage.inMemory()).dataTask(server.url("/p").uri()).resume();
    assertThat(d.awaitCompletion()).isNull();
    d.assertEvents("didCreateTask", "didReceiveResponse 401", "didReceiveData", "didFinishCollectingMetrics",
        "didComplete null");
    assertThat(d.body.toString(StandardCharsets.UTF_8)).isEqualTo("please log in");
    assertThat(server.getRequestCount()).isEqualTo(1);
  }

  @Test
  void wrongCredentialsRaiseThePreviousFailureCountUntilTheDelegateCancels() throws Exception {
    server.enqueue(basicChallenge("r"));
    server.enqueue(basicChallenge("r"));
    server.enqueue(basicChallenge("r"));
    RecordingDelegate d = answering((c, h) -> {
      if (c.previousFailureCount() < 2) {
        h.useCredential(Credential.of("bob", "wrong" + c.previousFailureCount(), Persistence.NONE));
      } else {
        h.cancelAuthenticationChallenge();
      }
    });
    session(d, CredentialStorage.inMemory()).dataTask(server.url("/p").uri()).resume();
    assertThat(d.awaitCompletion().code()).isEqualTo(Code.CANCELLED);
    assertThat(d.events).containsSubsequence("didReceiveChallenge HTTP_BASIC r 0",
        "didReceiveChallenge HTTP_BASIC r 1", "didReceiveChallenge HTTP_BASIC r 2", "didComplete CANCELLED");
    assertThat(server.getRequestCount()).isEqualTo(3);
  }

  @Test
  void defaultHandlingTriesTheStoredCredentialOnceThenDeliversThe401() throws Exception {
    server.enqueue(basicChallenge("vault"));
    server.enqueue(basicChallenge("vault"));
    CredentialStorage storage = CredentialStorage.inMemory();
    ProtectionSpace space = ProtectionSpace.of(server.getHostName(), server.getPort(), "http", "vault",
        AuthenticationMethod.HTTP_BASIC);
    storage.setDefaultCredential(Credential.of("eve", "old", Persistence.FOR_SESSION), space);
    RecordingDelegate d = answering((c, h) -> h.performDefaultHandling());
    // The storage knows a Basic credential for the host: it is sent at once; it fails; default
    // handling then does not try it again.
    session(d, storage).dataTask(server.url("/v").uri()).resume();
    assertThat(d.awaitCompletion()).isNull();
    assertThat(challenges).hasSize(1);
    assertThat(challenges.get(0).proposedCredential().user()).isEqualTo("eve");
    assertThat(challenges.get(0).previousFailureCount()).isEqualTo(1);
    assertThat(d.events).contains("didReceiveResponse 401");
    assertThat(server.takeRequest(5, SECONDS).getHeaders().get("Authorization")).isEqualTo(basic("eve", "old"));
    assertThat(server.getRequestCount()).isEqualTo(1);
  }

  @Test
  void userInfoInTheUrlIsSentAsBasicCredentialsButNeverInTheRequestLine() throws Exception {
    server.enqueue(new MockResponse.Builder().body("ok").build());
    RecordingDelegate d = new RecordingDelegate();
    java.net.URI url = server.url("/u").uri();
    java.net.URI withUser = java.net.URI.create("http://joe:pa%3Ass@" + url.getAuthority() + "/u");
    session(d, CredentialStorage.inMemory()).dataTask(withUser).resume();
    assertThat(d.awaitCompletion()).isNull();
    RecordedRequest r = server.takeRequest(5, SECONDS);
    assertThat(r.getHeaders().get("Authorization")).isEqualTo(basic("joe", "pa:ss"));
    assertThat(r.getRequestLine()).doesNotContain("joe");
  }

  @Test
  void digestChallengeIsAnsweredWithAValidDigestResponse() throws Exception {
    server.enqueue(new MockResponse.Builder().code(401).addHeader("WWW-Authenticate",
        "Digest realm=\"testrealm@host.com\", qop=\"auth\", nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\","
            + " opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"").build());
    server.enqueue(new MockResponse.Builder().body("digested").build());
    RecordingDelegate d = answering((c, h) -> h.useCredential(Credential.of("Mufasa", "Circle Of Life", Persistence.NONE)));
    session(d, CredentialStorage.inMemory()).dataTask(server.url("/dir/index.html").uri()).resume();
    assertThat(d.awaitCompletion()).isNull();
    assertThat(d.events).contains("didReceiveChallenge HTTP_DIGEST testrealm@host.com 0");
    server.takeRequest(5, SECONDS);
    Map<String, String> auth = digestParams(server.takeRequest(5, SECONDS).getHeaders().get("Authorization"));
    String ha1 = md5("Mufasa:testrealm@host.com:Circle Of Life");
    String ha2 = md5("GET:/dir/index.html");
    String expected = md5(ha1 + ":" + auth.get("nonce") + ":" + auth.get("nc") + ":" + auth.get("cnonce")
        + ":" + auth.get("qop") + ":" + ha2);
    assertThat(auth.get("username")).isEqualTo("Mufasa");
    assertThat(auth.get("uri")).isEqualTo("/dir/index.html");
    assertThat(auth.get("response")).isEqualTo(expected);
  }

  @Test
  void rejectingAProtectionSpaceMovesToTheNextChallengeOffered() throws Exception {
    server.enqueue(new MockResponse.Builder().code(401)
        .addHeader("WWW-Authenticate", "Digest realm=\"first\", nonce=\"abc\", Basic realm=\"second\"").build());
    server.enqueue(new MockResponse.Builder().body("ok").build());
    RecordingDelegate d = answering((c, h) -> {
      if (c.protectionSpace().authenticationMethod() == AuthenticationMethod.HTTP_DIGEST) {
        h.rejectProtectionSpace();
      } else {
        h.useCredential(Credential.of("u", "p", Persistence.NONE));
      }
    });
    session(d, CredentialStorage.inMemory()).dataTask(server.url("/two").uri()).resume();
    assertThat(d.awaitCompletion()).isNull();
    assertThat(d.events).containsSubsequence("didReceiveChallenge HTTP_DIGEST first 0",
        "didReceiveChallenge HTTP_BASIC second 0", "didReceiveResponse 200");
    server.takeRequest(5, SECONDS);
    assertThat(server.takeRequest(5, SECONDS).getHeaders().get("Authorization")).isEqualTo(basic("u", "p"));
  }

  @Test
  void a401WithoutWwwAuthenticateOrWithOnlyBearerIsAPlainResponse() throws Exception {
    server.enqueue(new MockResponse.Builder().code(401).body("no header").build());
    server.enqueue(new MockResponse.Builder().code(401).addHeader("WWW-Authenticate", "Bearer realm=\"api\"").build());
    RecordingDelegate d = answering((c, h) -> h.cancelAuthenticationChallenge());
    session(d, CredentialStorage.inMemory());
    assertThat(session.data(Request.get(server.url("/1").uri())).get(10, SECONDS).response().statusCode()).isEqualTo(401);
    assertThat(session.data(Request.get(server.url("/2").uri())).get(10, SECONDS).response().statusCode()).isEqualTo(401);
    assertThat(challenges).isEmpty();
  }

  @Test
  void wwwAuthenticateWhenMalformedRaisesNoChallengeAndDeliversThe401() throws Exception {
    server.enqueue(new MockResponse.Builder().code(401)
        .addHeader("WWW-Authenticate", "Basic realm=\"unterminated").body("denied").build());
    RecordingDelegate d = answering((c, h) -> h.useCredential(Credential.of("u", "p", Persistence.NONE)));
    session(d, CredentialStorage.inMemory()).dataTask(server.url("/m").uri()).resume();
    assertThat(d.awaitCompletion()).isNull();
    d.assertEvents("didCreateTask", "didReceiveResponse 401", "didReceiveData", "didFinishCollectingMetrics",
        "didComplete null");
    assertThat(d.body.toString(StandardCharsets.UTF_8)).isEqualTo("denied");
    assertThat(challenges).isEmpty();
    assertThat(server.getRequestCount()).isEqualTo(1);
  }

  @Test
  void proxyAuthenticateWhenMalformedRaisesNoChallengeAndDeliversThe407() throws Exception {
    server.enqueue(new MockResponse.Builder().code(407)
        .addHeader("Proxy-Authenticate", "Basic realm=\"proxy\", charset=\"UTF-8").body("proxy says no").build());
    RecordingDelegate d = answering((c, h) -> h.useCredential(Credential.of("u", "p", Persistence.NONE)));
    session(d, CredentialStorage.inMemory()).dataTask(server.url("/m").uri()).resume();
    assertThat(d.awaitCompletion()).isNull();
    d.assertEvents("didCreateTask", "didReceiveResponse 407", "didReceiveData", "didFinishCollectingMetrics",
        "didComplete null");
    assertThat(d.body.toString(StandardCharsets.UTF_8)).isEqualTo("proxy says no");
    assertThat(challenges).isEmpty();
  }

  @Test
  void proxyAuthenticateWhenWellFormedRaisesTheChallenge() throws Exception {
    // The control of the test above: the same 407 with the quoted string terminated is a challenge.
    server.enqueue(new MockResponse.Builder().code(407)
        .addHeader("Proxy-Authenticate", "Basic realm=\"proxy\", charset=\"UTF-8\"").body("proxy says no").build());
    RecordingDelegate d = answering((c, h) -> h.cancelAuthenticationChallenge());
    session(d, CredentialStorage.inMemory()).dataTask(server.url("/m").uri()).resume();
    assertThat(d.awaitCompletion().code()).isEqualTo(Code.CANCELLED);
    d.assertEvents("didCreateTask", "didReceiveChallenge HTTP_BASIC proxy 0", "didFinishCollectingMetrics",
        "didComplete CANCELLED");
  }

  @Test
  void challengeHeadersWhenOneIsMalformedRaiseOnlyTheWellFormedOne() throws Exception {
    server.enqueue(new MockResponse.Builder().code(401)
        .addHeader("WWW-Authenticate", "Digest realm=\"broken\", nonce=\"abc")
        .addHeader("WWW-Authenticate", "Basic realm=\"fine\"").build());
    server.enqueue(new MockResponse.Builder().body("in").build());
    RecordingDelegate d = answering((c, h) -> h.useCredential(Credential.of("u", "p", Persistence.NONE)));
    session(d, CredentialStorage.inMemory()).dataTask(server.url("/m").uri()).resume();
    assertThat(d.awaitCompletion()).isNull();
    d.assertEvents("didCreateTask", "didReceiveChallenge HTTP_BASIC fine 0", "didReceiveResponse 200",
        "didReceiveData", "didFinishCollectingMetrics", "didComplete null");
  }

  @Test
  void completionHandlerTasksStillGetChallengesButSessionLevelMethodsDoNotGetBasicOnes() throws Exception {
    server.enqueue(basicChallenge("r"));
    server.enqueue(new MockResponse.Builder().body("fine").build());
    List<String> sessionLevel = new ArrayList<>();
    RecordingDelegate d = new RecordingDelegate() {
      @Override
      public void didReceiveChallenge(Session s, AuthenticationChallenge c, ChallengeHandler h) {
        sessionLevel.add("session-level");
        h.performDefaultHandling();
      }

      @Override
      public void didReceiveChallenge(Session s, SessionTask t, AuthenticationChallenge c, ChallengeHandler h) {
        recordEvent(t, "task-level");
        h.useCredential(Credential.of("a", "b", Persistence.NONE));
      }
    };
    CompletableFuture<String> result = new CompletableFuture<>();
    session(d, CredentialStorage.inMemory()).dataTask(server.url("/h").uri(),
        (data, response, error) -> result.complete(response.statusCode() + " " + new String(data, StandardCharsets.UTF_8)))
        .resume();
    assertThat(result.get(10, SECONDS)).isEqualTo("200 fine");
    assertThat(d.events).contains("task-level");
    assertThat(sessionLevel).isEmpty();
  }

  @Test
  void credentialsNeverFollowARedirectToAnotherOrigin() throws Exception {
    try (MockWebServer other = new MockWebServer()) {
      other.start();
      other.enqueue(new MockResponse.Builder().body("other").build());
      server.enqueue(basicChallenge("r"));
      server.enqueue(new MockResponse.Builder().code(302).addHeader("Location", other.url("/x").toString()).build());
      RecordingDelegate d = answering((c, h) -> h.useCredential(Credential.of("a", "b", Persistence.NONE)));
      session(d, CredentialStorage.inMemory()).dataTask(server.url("/start").uri()).resume();
      assertThat(d.awaitCompletion()).isNull();
      server.takeRequest(5, SECONDS);
      assertThat(server.takeRequest(5, SECONDS).getHeaders().get("Authorization")).isNotNull();
      assertThat(other.takeRequest(5, SECONDS).getHeaders().get("Authorization")).isNull();
    }
  }

  @Test
  void permanentCredentialsArePersistedInAnOwnerOnlyFileAndReadBack(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("credentials");
    CredentialStorage storage = CredentialStorage.persistent(file);
    ProtectionSpace space = ProtectionSpace.of("example.org", 443, "https", "r", AuthenticationMethod.HTTP_BASIC);
    storage.setDefaultCredential(Credential.of("perm", "p1", Persistence.PERMANENT), space);
    storage.set(Credential.of("sess", "p2", Persistence.FOR_SESSION), space);
    assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
    assertThat(Files.readString(file)).doesNotContain("p1", "perm");
    CredentialStorage reread = CredentialStorage.persistent(file);
    assertThat(reread.credentials(space)).containsOnlyKeys("perm");
    assertThat(reread.defaultCredential(space).password()).isEqualTo("p1");
    Files.writeString(file, "garbage\n");
    assertThat(CredentialStorage.persistent(file).allCredentials()).isEmpty();
  }

  @Test
  void resetEmptiesTheCredentialStorageSoTheNextRequestIsChallengedAgain() throws Exception {
    server.enqueue(basicChallenge("r"));
    server.enqueue(new MockResponse.Builder().body("in").build());
    server.enqueue(basicChallenge("r"));
    CredentialStorage storage = CredentialStorage.inMemory();
    RecordingDelegate d = answering((c, h) -> {
      if (challenges.size() == 1) {
        h.useCredential(Credential.of("x", "y", Persistence.FOR_SESSION));
      } else {
        h.performDefaultHandling();
      }
    });
    session(d, storage);
    assertThat(session.data(Request.get(server.url("/a").uri())).get(10, SECONDS).response().statusCode()).isEqualTo(200);
    assertThat(storage.allCredentials()).hasSize(1);
    session.reset().get(5, SECONDS);
    assertThat(storage.allCredentials()).isEmpty();
    assertThat(session.data(Request.get(server.url("/b").uri())).get(10, SECONDS).response().statusCode()).isEqualTo(401);
    assertThat(challenges).hasSize(2);
  }

  @Test
  void ephemeralConfigurationsGetTheirOwnCredentialStorage() {
    CredentialStorage a = SessionConfiguration.ephemeral().credentialStorage();
    CredentialStorage b = SessionConfiguration.ephemeral().credentialStorage();
    assertThat(a).isNotNull().isNotSameAs(b);
    assertThat(SessionConfiguration.defaultConfiguration().credentialStorage()).isSameAs(CredentialStorage.shared());
    assertThat(SessionConfiguration.ephemeral().toBuilder().credentialStorage(null).build().credentialStorage()).isNull();
  }

  static Map<String, String> digestParams(String header) {
    assertThat(header).startsWith("Digest ");
    Map<String, String> params = new LinkedHashMap<>();
    for (String part : header.substring(7).split(",\\s*")) {
      int eq = part.indexOf('=');
      String v = part.substring(eq + 1).trim();
      if (v.startsWith("\"")) {
        v = v.substring(1, v.length() - 1);
      }
      params.put(part.substring(0, eq).trim(), v);
    }
    return params;
  }

  static String md5(String s) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(s.getBytes(StandardCharsets.ISO_8859_1)));
  }

}
