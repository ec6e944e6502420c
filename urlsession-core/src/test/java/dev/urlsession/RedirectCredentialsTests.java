package dev.urlsession;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.urlsession.SessionException.Code;
import dev.urlsession.hostile.LeakCheck;
import java.util.Map;
import javax.net.ssl.SSLContext;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Credentials and redirects (RELIABILITY.md rows 2 and 3): the session's own {@code Authorization}
 * and {@code Cookie} never follow a redirect to another origin (as curl since CVE-2018-1000007),
 * and an https load is never turned into a cleartext one by a redirect to a host transport
 * security does not name, even a local one.
 */
@Timeout(30)
@ExtendWith(LeakCheck.class)
class RedirectCredentialsTests {
  static final HeldCertificate CERT = new HeldCertificate.Builder()
      .addSubjectAlternativeName("localhost").addSubjectAlternativeName("127.0.0.1").build();

  @StartStop final MockWebServer origin = new MockWebServer();
  @StartStop final MockWebServer other = new MockWebServer();
  final RecordingDelegate delegate = new RecordingDelegate();
  Session session;

  @AfterEach
  void close() {
    if (session != null) {
      session.invalidateAndCancel();
    }
  }

  Session session(SessionConfiguration.Builder b) {
    session = Session.create(b.build(), delegate, null);
    return session;
  }

  static SessionConfiguration.Builder withCredentials() {
    return SessionConfiguration.ephemeral().toBuilder()
        .httpAdditionalHeaders(Map.of("Authorization", "Bearer session-token", "Cookie", "sid=s3cret",
            "X-Trace", "kept"));
  }

  static MockResponse redirectTo(String location) {
    return new MockResponse.Builder().code(302).addHeader("Location", location).build();
  }

  @Test
  void secretHeadersWhenARedirectLeavesTheOriginAreNotSentThereWhoeverSetThem() throws Exception {
    origin.enqueue(redirectTo("/same-origin"));
    origin.enqueue(redirectTo(other.url("/elsewhere").toString()));
    other.enqueue(new MockResponse.Builder().body("elsewhere").build());
    session(SessionConfiguration.ephemeral().toBuilder()
        .httpAdditionalHeaders(Map.of("X-Api-Key", "session-key", "X-Trace", "kept"))
        .secretHeaders(java.util.List.of("x-api-key", "X-Request-Token")))
        .dataTask(Request.builder(origin.url("/start").uri()).header("X-Request-Token", "request-token").build())
        .resume();
    assertThat(delegate.awaitCompletion()).isNull();

    for (int i = 0; i < 2; i++) { // the first request and the same-origin hop carry them
      RecordedRequest r = origin.takeRequest(5, SECONDS);
      assertThat(r.getHeaders().get("X-Api-Key")).isEqualTo("session-key");
      assertThat(r.getHeaders().get("X-Request-Token")).isEqualTo("request-token");
    }
    RecordedRequest elsewhere = other.takeRequest(5, SECONDS);
    assertThat(elsewhere.getHeaders().get("X-Api-Key")).isNull();
    assertThat(elsewhere.getHeaders().get("X-Request-Token")).isNull();
    assertThat(elsewhere.getHeaders().get("X-Trace")).isEqualTo("kept");
  }

  @Test
  void secretHeadersMustBeTokens() {
    org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
        .isThrownBy(() -> SessionConfiguration.builder().secretHeaders(java.util.List.of("X Api Key")))
        .withMessageContaining("secretHeaders");
    assertThat(SessionConfiguration.ephemeral().secretHeaders()).isEmpty();
    assertThat(SessionConfiguration.ephemeral().toBuilder().secretHeaders(java.util.List.of("X-Api-Key")).build()
        .toBuilder().build().secretHeaders()).containsExactly("x-api-key");
  }

  @Test
  void sessionCredentialsWhenARedirectLeavesTheOriginAreNotSentThereButComeBackWithIt() throws Exception {
    origin.enqueue(redirectTo(other.url("/elsewhere").toString()));
    other.enqueue(redirectTo(origin.url("/back").toString()));
    origin.enqueue(new MockResponse.Builder().body("home again").build());
    session(withCredentials()).dataTask(origin.url("/start").uri()).resume();
    assertThat(delegate.awaitCompletion()).isNull();

    RecordedRequest first = origin.takeRequest(5, SECONDS);
    assertThat(first.getHeaders().get("Authorization")).isEqualTo("Bearer session-token");
    assertThat(first.getHeaders().get("Cookie")).isEqualTo("sid=s3cret");
    RecordedRequest elsewhere = other.takeRequest(5, SECONDS); // same host, another port: another origin
    assertThat(elsewhere.getHeaders().get("Authorization")).isNull();
    assertThat(elsewhere.getHeaders().get("Cookie")).isNull();
    assertThat(elsewhere.getHeaders().get("X-Trace")).isEqualTo("kept");
    RecordedRequest back = origin.takeRequest(5, SECONDS);
    assertThat(back.getHeaders().get("Authorization")).isEqualTo("Bearer session-token");
    assertThat(back.getHeaders().get("Cookie")).isEqualTo("sid=s3cret");
  }

  @Test
  void anHttpsRedirectToCleartextFailsWithoutSendingAnythingToTheCleartextHost() throws Exception {
    origin.useHttps(new HandshakeCertificates.Builder().heldCertificate(CERT).build().sslSocketFactory());
    SSLContext trusting = new HandshakeCertificates.Builder().addTrustedCertificate(CERT.certificate()).build()
        .sslContext();
    // Local networking allows cleartext to loopback, yet not by a downgrade (cloud metadata is local too).
    origin.enqueue(redirectTo("http://127.0.0.1:" + other.getPort() + "/latest/meta-data/"));
    session(SessionConfiguration.ephemeral().toBuilder().sslContext(trusting))
        .dataTask(origin.url("/start").uri()).resume();
    SessionException failure = delegate.awaitCompletion();
    assertThat(failure.code()).isEqualTo(Code.APP_TRANSPORT_SECURITY_REQUIRES_SECURE_CONNECTION);
    assertThat(failure.failingUrl().getPath()).isEqualTo("/latest/meta-data/");
    delegate.assertEvents("didCreateTask", "didFinishCollectingMetrics",
        "didComplete APP_TRANSPORT_SECURITY_REQUIRES_SECURE_CONNECTION");
    assertThat(other.getRequestCount()).isZero();
  }
}
