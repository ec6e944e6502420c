package dev.urlsession;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.urlsession.hc5.ConnectionManagerCustomizer;
import dev.urlsession.hc5.HttpClientCustomizer;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The {@code dev.urlsession.hc5} escape hatch: customizers of the client and its pool. */
@Timeout(60)
class HttpClientCustomizerTests {
  @StartStop final MockWebServer server = new MockWebServer();

  @Test
  void customizersRunOnceWhenTheEngineIsBuiltAndTheirInterceptorsSeeEveryRequest() throws Exception {
    AtomicInteger clientCalls = new AtomicInteger();
    AtomicInteger poolCalls = new AtomicInteger();
    HttpClientCustomizer client = builder -> {
      clientCalls.incrementAndGet();
      builder.addRequestInterceptorLast((request, entity, context) -> request.addHeader("X-Customized", "yes"));
    };
    ConnectionManagerCustomizer pool = builder -> {
      poolCalls.incrementAndGet();
      builder.setMaxConnTotal(3);
    };
    SessionConfiguration configuration = SessionConfiguration.ephemeral().toBuilder()
        .httpClientCustomizers(List.of(client)).connectionManagerCustomizers(List.of(pool)).build();
    assertThat(configuration.httpClientCustomizers()).containsExactly(client);
    assertThat(configuration.toBuilder().build().connectionManagerCustomizers()).containsExactly(pool);
    try (Session session = Session.create(configuration)) {
      server.enqueue(new MockResponse.Builder().body("1").build());
      server.enqueue(new MockResponse.Builder().body("2").build());
      session.data(Request.get(server.url("/1").uri())).get(10, SECONDS);
      session.data(Request.get(server.url("/2").uri())).get(10, SECONDS);
      assertThat(server.takeRequest().getHeaders().get("X-Customized")).isEqualTo("yes");
      assertThat(server.takeRequest().getHeaders().get("X-Customized")).isEqualTo("yes");
      assertThat(clientCalls).hasValue(1);
      assertThat(poolCalls).hasValue(1);
    }
  }

  @Test
  void aConnectionManagerSetByACustomizerIsReplacedByTheSessionsOwn() throws Exception {
    // A pool whose DNS resolver records every lookup: if the client used it, the request would
    // go through it.
    AtomicInteger foreignLookups = new AtomicInteger();
    org.apache.hc.client5.http.nio.AsyncClientConnectionManager foreign =
        org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManagerBuilder.create()
            .setDnsResolver(new org.apache.hc.client5.http.SystemDefaultDnsResolver() {
              @Override
              public java.net.InetAddress[] resolve(String host) throws java.net.UnknownHostException {
                foreignLookups.incrementAndGet();
                return super.resolve(host);
              }
            })
            .build();
    HttpClientCustomizer replacesThePool = builder -> builder.setConnectionManager(foreign);
    try (Session session = Session.create(SessionConfiguration.ephemeral().toBuilder()
        .httpClientCustomizers(List.of(replacesThePool)).build())) {
      server.enqueue(new MockResponse.Builder().body("own pool").build());
      session.data(Request.get(server.url("/").uri())).get(10, SECONDS);
      assertThat(foreignLookups).hasValue(0);
      assertThat(session.statistics().connectionPool().max()).isPositive();
    } finally {
      foreign.close();
    }
  }

  @Test
  void nullCustomizersAreRejected() {
    assertThatThrownBy(() -> SessionConfiguration.builder().httpClientCustomizers(null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("httpClientCustomizers");
    assertThatThrownBy(() -> SessionConfiguration.builder().connectionManagerCustomizers(
        Arrays.asList((ConnectionManagerCustomizer) null)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("connectionManagerCustomizers");
  }
}
