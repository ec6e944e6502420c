package dev.urlsession;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Cookies in and out of the HTTP path, on every hop (URLSESSION-BEHAVIOUR.md 9.2, 3.4). */
@Timeout(30)
class CookieIntegrationTests {
  @StartStop final MockWebServer server = new MockWebServer();

  Session session(SessionConfiguration.Builder b) {
    return Session.create(b.build());
  }

  @Test
  void traceCarriesNoStoredCookiesAndSucceeds() throws Exception {
    CookieStorage storage = CookieStorage.inMemory();
    try (Session s = session(SessionConfiguration.ephemeral().toBuilder().httpCookieStorage(storage))) {
      server.enqueue(new MockResponse.Builder().addHeader("Set-Cookie", "sid=31d4; Path=/").body("set").build());
      server.enqueue(new MockResponse.Builder().body("echo").build());
      s.data(Request.get(server.url("/login").uri())).get(10, SECONDS);
      // The server echoes a TRACE: RFC 9110 9.3.8 keeps credentials out of it (HttpClient refuses one with them).
      DataResponse trace = s.data(Request.builder(server.url("/t").uri()).method("TRACE").build()).get(10, SECONDS);
      assertThat(trace.response().statusCode()).isEqualTo(200);
      server.takeRequest(5, SECONDS);
      mockwebserver3.RecordedRequest r = server.takeRequest(5, SECONDS);
      assertThat(r.getMethod()).isEqualTo("TRACE");
      assertThat(r.getHeaders().get("Cookie")).isNull();
    }
  }

  @Test
  void cookiesSetByAResponseAreSentWithTheNextRequest() throws Exception {
    CookieStorage storage = CookieStorage.inMemory();
    try (Session s = session(SessionConfiguration.ephemeral().toBuilder().httpCookieStorage(storage))) {
      server.enqueue(new MockResponse.Builder().addHeader("Set-Cookie", "sid=31d4; Path=/").body("set").build());
      server.enqueue(new MockResponse.Builder().body("sent").build());
      s.data(Request.get(server.url("/login").uri())).get(10, SECONDS);
      s.data(Request.get(server.url("/account").uri())).get(10, SECONDS);
      assertThat(server.takeRequest(5, SECONDS).getHeaders().get("Cookie")).isNull();
      assertThat(server.takeRequest(5, SECONDS).getHeaders().get("Cookie")).isEqualTo("sid=31d4");
      assertThat(storage.cookies()).extracting(Cookie::name).containsExactly("sid");
    }
  }

  @Test
  void cookiesOfARedirectResponseAreStoredAndSentOnTheNextHop() throws Exception {
    try (Session s = session(SessionConfiguration.ephemeral().toBuilder())) {
      server.enqueue(new MockResponse.Builder().code(302).addHeader("Location", "/next")
          .addHeader("Set-Cookie", "hop=1").build());
      server.enqueue(new MockResponse.Builder().body("ok").build());
      s.data(Request.get(server.url("/first").uri())).get(10, SECONDS);
      server.takeRequest(5, SECONDS);
      assertThat(server.takeRequest(5, SECONDS).getHeaders().get("Cookie")).isEqualTo("hop=1");
    }
  }

  @Test
  void acceptPolicyNeverStoresNothingAndShouldSetCookiesFalseSendsNothing() throws Exception {
    CookieStorage storage = CookieStorage.inMemory();
    try (Session never = session(SessionConfiguration.ephemeral().toBuilder().httpCookieStorage(storage)
        .httpCookieAcceptPolicy(CookieAcceptPolicy.NEVER))) {
      server.enqueue(new MockResponse.Builder().addHeader("Set-Cookie", "a=1").body("x").build());
      DataResponse r = never.data(Request.get(server.url("/n").uri())).get(10, SECONDS);
      assertThat(r.response().header("Set-Cookie")).isEqualTo("a=1"); // still visible in the headers
      assertThat(storage.cookies()).isEmpty();
    }
    storage.setCookie(Cookie.builder("b", "2").originUrl(server.url("/").uri()).build());
    try (Session quiet = session(SessionConfiguration.ephemeral().toBuilder().httpCookieStorage(storage)
        .httpShouldSetCookies(false))) {
      server.enqueue(new MockResponse.Builder().body("y").build());
      quiet.data(Request.get(server.url("/q").uri())).get(10, SECONDS);
      server.takeRequest(5, SECONDS);
      assertThat(server.takeRequest(5, SECONDS).getHeaders().get("Cookie")).isNull();
    }
  }

  @Test
  void onlyFromMainDocumentDomainWhenTheMainDocumentIsAnotherHostRefusesTheCookie() throws Exception {
    CookieStorage storage = CookieStorage.inMemory();
    try (Session s = session(SessionConfiguration.ephemeral().toBuilder().httpCookieStorage(storage)
        .httpCookieAcceptPolicy(CookieAcceptPolicy.ONLY_FROM_MAIN_DOCUMENT_DOMAIN))) {
      URI url = server.url("/c").uri();
      server.enqueue(new MockResponse.Builder().addHeader("Set-Cookie", "refused=1").body("x").build());
      server.enqueue(new MockResponse.Builder().addHeader("Set-Cookie", "kept=1").body("y").build());
      // Another host as the main document: the server's host-only cookie is third-party to it.
      s.data(Request.builder(url).mainDocumentUrl(URI.create("http://sibling.example/page")).build())
          .get(10, SECONDS);
      s.data(Request.builder(url).mainDocumentUrl(URI.create("http://" + url.getHost() + ":1/page")).build())
          .get(10, SECONDS);
      assertThat(storage.cookies()).extracting(Cookie::name).containsExactly("kept");
    }
  }

  @Test
  void requestThatDoesNotHandleCookiesNeitherSendsNorStoresThem() throws Exception {
    CookieStorage storage = CookieStorage.inMemory();
    storage.setCookie(Cookie.builder("kept", "1").originUrl(server.url("/").uri()).build());
    try (Session s = session(SessionConfiguration.ephemeral().toBuilder().httpCookieStorage(storage))) {
      server.enqueue(new MockResponse.Builder().addHeader("Set-Cookie", "new=1").body("x").build());
      s.data(Request.builder(server.url("/x").uri()).shouldHandleCookies(false).build()).get(10, SECONDS);
      assertThat(server.takeRequest(5, SECONDS).getHeaders().get("Cookie")).isNull();
      assertThat(storage.cookies()).extracting(Cookie::name).containsExactly("kept");
    }
  }

  @Test
  void cookiesNeverReachAnotherHostThroughARedirect() throws Exception {
    try (MockWebServer other = new MockWebServer(); Session s = session(SessionConfiguration.ephemeral().toBuilder())) {
      other.start(java.net.InetAddress.getByName("127.0.0.2"), 0); // another host on loopback
      other.enqueue(new MockResponse.Builder().body("other").build());
      server.enqueue(new MockResponse.Builder().addHeader("Set-Cookie", "mine=1").body("set").build());
      server.enqueue(new MockResponse.Builder().code(302).addHeader("Location",
          "http://127.0.0.2:" + other.getPort() + "/x").build());
      URI first = URI.create("http://127.0.0.1:" + server.getPort());
      s.data(Request.get(first.resolve("/set"))).get(10, SECONDS);
      s.data(Request.get(first.resolve("/go"))).get(10, SECONDS);
      assertThat(other.takeRequest(5, SECONDS).getHeaders().get("Cookie")).isNull();
      server.takeRequest(5, SECONDS);
      assertThat(server.takeRequest(5, SECONDS).getHeaders().get("Cookie")).isEqualTo("mine=1");
    }
  }

  @Test
  void resetEmptiesCookiesAndTheCache() throws Exception {
    SessionConfiguration c = SessionConfiguration.ephemeral();
    try (Session s = Session.create(c)) {
      server.enqueue(new MockResponse.Builder().addHeader("Set-Cookie", "r=1")
          .addHeader("Cache-Control", "max-age=60").body("cached").build());
      s.data(Request.get(server.url("/r").uri())).get(10, SECONDS);
      assertThat(c.httpCookieStorage().cookies()).hasSize(1);
      assertThat(c.httpCache().cachedResponse(Request.get(server.url("/r").uri()))).isNotNull();
      s.reset().get(5, SECONDS);
      assertThat(c.httpCookieStorage().cookies()).isEmpty();
      assertThat(c.httpCache().cachedResponse(Request.get(server.url("/r").uri()))).isNull();
    }
  }

  @Test
  void ephemeralConfigurationsGetTheirOwnCookieStorage() {
    assertThat(SessionConfiguration.ephemeral().httpCookieStorage())
        .isNotSameAs(SessionConfiguration.ephemeral().httpCookieStorage());
    assertThat(SessionConfiguration.ephemeral().httpCookieAcceptPolicy())
        .isEqualTo(CookieAcceptPolicy.ONLY_FROM_MAIN_DOCUMENT_DOMAIN);
    assertThat(SessionConfiguration.ephemeral().toBuilder().httpCookieStorage(null).build().httpCookieStorage()).isNull();
  }
}
