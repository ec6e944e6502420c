package dev.urlsession;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.urlsession.SessionException.Code;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import okhttp3.Protocol;
import okhttp3.tls.HandshakeCertificates;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * HTTP/2 multiplexing: the tasks to a host are streams of one connection in flight together, even
 * with one connection per host and when they all start before that connection exists; a cancelled
 * stream leaves its neighbours and the connection alone; and a connection the session does not
 * trust carries no request, whoever waits for it.
 */
@Timeout(60)
class Http2MultiplexingTests {
  @StartStop final MockWebServer server = new MockWebServer();
  Session session;

  @AfterEach
  void tearDown() {
    if (session != null) {
      session.invalidateAndCancel();
    }
  }

  void http2(HandshakeCertificates serverCertificates) {
    server.useHttps(serverCertificates.sslSocketFactory());
    server.setProtocols(List.of(Protocol.HTTP_2, Protocol.HTTP_1_1));
  }

  Session trustingSession(int connectionsPerHost) {
    http2(new HandshakeCertificates.Builder().heldCertificate(HttpsAndHttp2Tests.CERT).build());
    session = Session.create(SessionConfiguration.ephemeral().toBuilder()
        .sslContext(HttpsAndHttp2Tests.trusting())
        .httpMaximumConnectionsPerHost(connectionsPerHost)
        .httpVersionPolicy(HttpVersionPolicy.NEGOTIATE).build());
    return session;
  }

  /**
   * Answers a request only once {@code count} requests are in flight together (each waits for the
   * others, at most 10 s): served one at a time, they get 503.
   */
  static Dispatcher together(int count, CountDownLatch release) {
    CountDownLatch arrived = new CountDownLatch(count);
    return new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
        arrived.countDown();
        if (!arrived.await(10, SECONDS) || !release.await(10, SECONDS)) {
          return new MockResponse.Builder().code(503).body("not in flight together").build();
        }
        return new MockResponse.Builder().body(request.getUrl().encodedPath()).build();
      }
    };
  }

  static String body(CompletableFuture<DataResponse> f) throws Exception {
    DataResponse r = f.get(20, SECONDS);
    assertThat(r.response().statusCode()).isEqualTo(200);
    return new String(r.body(), StandardCharsets.UTF_8);
  }

  @Test
  void tasksWhenOneConnectionPerHostAreStreamsOfItInFlightTogether() throws Exception {
    Session s = trustingSession(1);
    server.setDispatcher(together(20, new CountDownLatch(0)));
    List<CompletableFuture<DataResponse>> futures = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      futures.add(s.data(Request.get(server.url("/r" + i).uri())));
    }

    for (int i = 0; i < 20; i++) {
      assertThat(body(futures.get(i))).isEqualTo("/r" + i);
    }
    for (int i = 0; i < 20; i++) {
      RecordedRequest r = server.takeRequest(5, SECONDS);
      assertThat(r.getVersion()).isEqualTo("HTTP/2");
      assertThat(r.getConnectionIndex()).isZero();
    }
    assertThat(s.statistics().connectionPool().leased()).isLessThanOrEqualTo(1);
  }

  @Test
  void cancelledTaskWhenSharingAConnectionLeavesTheOtherStreamsAndTheConnectionAlone() throws Exception {
    Session s = trustingSession(1);
    CountDownLatch release = new CountDownLatch(1);
    server.setDispatcher(together(6, release));
    CompletableFuture<DataResponse> cancelled = s.data(Request.get(server.url("/cancelled").uri()));
    List<CompletableFuture<DataResponse>> others = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      others.add(s.data(Request.get(server.url("/o" + i).uri())));
    }
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
        .until(() -> server.getRequestCount() == 6);

    cancelled.cancel(true);
    release.countDown();

    assertThatThrownBy(() -> cancelled.get(10, SECONDS)).isInstanceOf(CancellationException.class);
    for (int i = 0; i < 5; i++) {
      assertThat(body(others.get(i))).isEqualTo("/o" + i);
    }
    server.setDispatcher(together(1, new CountDownLatch(0)));
    assertThat(body(s.data(Request.get(server.url("/after").uri())))).isEqualTo("/after");
    for (int i = 0; i < 7; i++) {
      assertThat(server.takeRequest(5, SECONDS).getConnectionIndex()).as("request %d", i).isZero();
    }
  }

  @Test
  void untrustedConnectionWhenTasksWaitForItCarriesNoRequest() throws Exception {
    http2(new HandshakeCertificates.Builder().heldCertificate(ServerTrustTests.SELF_SIGNED).build());
    RecordingDelegate rejecting = new RecordingDelegate() {
      @Override
      public void didReceiveChallenge(Session s, AuthenticationChallenge c, ChallengeHandler h) {
        h.performDefaultHandling(); // the platform does not trust a self-signed certificate
      }
    };
    session = Session.create(SessionConfiguration.ephemeral().toBuilder().httpMaximumConnectionsPerHost(1)
        .httpVersionPolicy(HttpVersionPolicy.NEGOTIATE).build(), rejecting, null);
    List<CompletableFuture<DataResponse>> futures = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      futures.add(session.data(Request.get(server.url("/secret" + i).uri())));
    }

    for (CompletableFuture<DataResponse> f : futures) {
      assertThatThrownBy(() -> f.get(20, SECONDS)).hasCauseInstanceOf(SessionException.class)
          .cause().extracting(e -> ((SessionException) e).code()).isEqualTo(Code.SERVER_CERTIFICATE_UNTRUSTED);
    }
    assertThat(server.getRequestCount()).isZero();
  }
}
