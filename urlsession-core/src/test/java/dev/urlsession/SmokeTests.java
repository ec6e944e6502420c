package dev.urlsession;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

class SmokeTests {
  @StartStop final MockWebServer server = new MockWebServer();

  @Test
  void getReturnsBody() throws Exception {
    server.enqueue(new MockResponse.Builder().body("hello").build());
    try (Session s = Session.create(SessionConfiguration.ephemeral())) {
      DataResponse r = s.data(Request.get(server.url("/a").uri())).get(10, TimeUnit.SECONDS);
      assertThat(new String(r.body())).isEqualTo("hello");
      assertThat(r.response().statusCode()).isEqualTo(200);
    }
  }
}
