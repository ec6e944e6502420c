package dev.urlsession;

import static org.assertj.core.api.Assertions.assertThat;

import dev.urlsession.SessionException.Code;
import java.net.URI;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@link RedirectPolicy} on its own: no server, no session, only requests and responses. */
class RedirectPolicyTests {
  static final TransportSecurityPolicy DEFAULT = TransportSecurityPolicy.defaultPolicy();
  static final Request START = get("https://a.example/start");

  static Request get(String url) {
    return Request.get(URI.create(url));
  }

  static Response redirect(int status, String location) {
    return Response.builder(URI.create("https://a.example/start")).statusCode(status).header("Location", location)
        .build();
  }

  @Test
  void onRedirectWhenTheTargetIsAFileDeliversTheRedirectAsTheResponse() {
    assertThat(RedirectPolicy.onRedirect(START, get("file:///etc/passwd"), 0, DEFAULT))
        .isEqualTo(RedirectPolicy.Proposal.DELIVER);
  }

  @Test
  void onRedirectWhenTheLimitIsReachedFailsWithTheLastResponsesUrl() {
    Request next = get("https://a.example/next");
    assertThat(RedirectPolicy.onRedirect(START, next, 19, DEFAULT)).isEqualTo(RedirectPolicy.Proposal.ASK);
    assertThat(RedirectPolicy.onRedirect(START, next, 20, DEFAULT)).isEqualTo(RedirectPolicy.Proposal.TOO_MANY);
    SessionException failure = RedirectPolicy.failure(RedirectPolicy.Proposal.TOO_MANY, START, next);
    assertThat(failure.code()).isEqualTo(Code.HTTP_TOO_MANY_REDIRECTS);
    assertThat(failure.failingUrl()).isEqualTo(START.url());
  }

  @Test
  void onRedirectWhenHttpsGoesToHttpRefusesUnlessThePolicyNamesTheHost() {
    Request metadata = get("http://169.254.169.254/latest/meta-data/");
    assertThat(RedirectPolicy.onRedirect(START, metadata, 0, DEFAULT)).isEqualTo(RedirectPolicy.Proposal.INSECURE);
    assertThat(RedirectPolicy.failure(RedirectPolicy.Proposal.INSECURE, START, metadata).code())
        .isEqualTo(Code.APP_TRANSPORT_SECURITY_REQUIRES_SECURE_CONNECTION);
    TransportSecurityPolicy named = TransportSecurityPolicy.builder()
        .exceptionDomain("legacy.example", true).build();
    assertThat(RedirectPolicy.onRedirect(START, get("http://www.legacy.example/"), 0, named))
        .isEqualTo(RedirectPolicy.Proposal.ASK);
    assertThat(RedirectPolicy.onRedirect(get("http://localhost/a"), get("http://localhost/b"), 0, DEFAULT))
        .isEqualTo(RedirectPolicy.Proposal.ASK); // not a downgrade
  }

  @Test
  void decidedWhenTheDelegateSubstitutesACleartextUrlFailsLikeTheProposal() {
    RedirectPolicy.Decision d = RedirectPolicy.decided(START, redirect(302, "/x"), get("http://a.example/x"), DEFAULT);
    assertThat(d.follows()).isFalse();
    assertThat(d.failure().code()).isEqualTo(Code.APP_TRANSPORT_SECURITY_REQUIRES_SECURE_CONNECTION);
  }

  @Test
  void decidedWhenTheDelegateRefusesDeliversTheRedirectResponse() {
    RedirectPolicy.Decision d = RedirectPolicy.decided(START, redirect(302, "/x"), null, DEFAULT);
    assertThat(d.delivers()).isTrue();
    assertThat(d.follows()).isFalse();
    assertThat(d.failure()).isNull();
  }

  @Test
  void decidedWhenTheDelegateSubstitutesAFileUrlFailsWithUnsupportedUrl() {
    RedirectPolicy.Decision d = RedirectPolicy.decided(START, redirect(302, "/x"), get("file:///tmp/secret"), DEFAULT);
    assertThat(d.follows()).isFalse();
    assertThat(d.delivers()).isFalse();
    assertThat(d.failure().code()).isEqualTo(Code.UNSUPPORTED_URL);
  }

  @ParameterizedTest
  @CsvSource({
      "POST, 301, GET, false", "POST, 302, GET, false", "POST, 303, GET, false", "PUT, 303, GET, false",
      "POST, 305, POST, true", "POST, 307, POST, true", "POST, 308, POST, true",
      "PUT, 301, PUT, true", "PUT, 302, PUT, true", "DELETE, 308, DELETE, true"})
  void decidedWhenFollowingKeepsTheBodyWhenTheMethodIsKept(String method, int status, String nextMethod,
      boolean keepsBody) {
    Request start = START.toBuilder().method(method).build();
    Request next = Request.get(URI.create("https://a.example/x")).toBuilder().method(nextMethod).build();
    RedirectPolicy.Decision d = RedirectPolicy.decided(start, redirect(status, "/x"), next, DEFAULT);
    assertThat(d.follows()).isTrue();
    assertThat(d.next().url()).isEqualTo(URI.create("https://a.example/x"));
    assertThat(d.keepsBody()).isEqualTo(keepsBody);
    assertThat(d.crossOrigin()).isFalse();
  }

  @Test
  void decidedWhenTheDelegateChangesTheMethodDropsTheBody() {
    Request start = START.toBuilder().method("PUT").build();
    RedirectPolicy.Decision d = RedirectPolicy.decided(start, redirect(307, "/x"), get("https://a.example/x"), DEFAULT);
    assertThat(d.keepsBody()).isFalse();
  }

  @ParameterizedTest
  @CsvSource({
      "https://a.example/start, https://b.example/x, true",
      "https://a.example/start, https://a.example:8443/x, true",
      "http://a.example/start, https://a.example/x, true",
      "https://a.example/start, https://A.EXAMPLE/x, false",
      "https://a.example/start, https://a.example:443/x, false",
      "http://a.example/start, http://a.example:80/y, false"})
  void decidedWhenTheHopLeavesTheOriginSaysSo(String from, String to, boolean crossOrigin) {
    RedirectPolicy.Decision d = RedirectPolicy.decided(get(from), redirect(302, to), get(to), DEFAULT);
    assertThat(d.crossOrigin()).isEqualTo(crossOrigin);
    assertThat(RedirectPolicy.sameOrigin(URI.create(from), URI.create(to))).isEqualTo(!crossOrigin);
  }
}
