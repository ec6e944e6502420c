package dev.urlsession.autoconfigure.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.StreamingHttpOutputMessage;
import org.springframework.http.client.ClientHttpRequest;
import org.springframework.http.client.ClientHttpResponse;
import org.springframework.util.StreamUtils;

/**
 * Spring's contract of a {@code ClientHttpRequestFactory} (what spring-web's
 * {@code AbstractHttpRequestFactoryTests} asks of every factory, in this project's own words), run
 * on ours and on Spring's HttpComponents factory as the control.
 */
@Timeout(60)
@ParameterizedClass
@EnumSource(ContractFactory.Kind.class)
class ClientHttpRequestFactoryContractTests {
  @Parameter ContractFactory.Kind kind;

  private final MockWebServer server = new MockWebServer();
  private ContractFactory under;
  private String baseUrl;

  @BeforeEach
  void start() throws IOException {
    server.start();
    baseUrl = "http://localhost:" + server.getPort();
    server.setDispatcher(new ContractDispatcher("localhost:" + server.getPort()));
    under = kind.open();
  }

  @AfterEach
  void stop() throws Exception {
    under.close();
    server.close();
  }

  private ClientHttpRequest request(String path, HttpMethod method) throws IOException {
    return under.factory.createRequest(URI.create(baseUrl + path), method);
  }

  /** Writes {@code body} as Spring's own callers do: streaming when the request can. */
  private static void write(ClientHttpRequest request, byte[] body) throws IOException {
    if (request instanceof StreamingHttpOutputMessage streaming) {
      streaming.setBody(out -> StreamUtils.copy(body, out));
    } else {
      StreamUtils.copy(body, request.getBody());
    }
  }

  /** The body the dispatcher explains a failed expectation with; read only when an assertion fails. */
  private static java.util.function.Supplier<String> describe(ClientHttpResponse response) {
    return () -> {
      try {
        return bodyOf(response);
      } catch (IOException e) {
        return e.toString();
      }
    };
  }

  private static String bodyOf(ClientHttpResponse response) throws IOException {
    return StreamUtils.copyToString(response.getBody(), StandardCharsets.UTF_8);
  }

  @Test
  void requestWhenExecutedReportsTheStatusMethodAndUri() throws Exception {
    URI uri = URI.create(baseUrl + "/status/notfound");
    ClientHttpRequest request = under.factory.createRequest(uri, HttpMethod.GET);

    assertThat(request.getMethod()).isEqualTo(HttpMethod.GET);
    assertThat(request.getURI()).isEqualTo(uri);
    try (ClientHttpResponse response = request.execute()) {
      assertThat(response.getStatusCode()).isEqualTo(HttpStatus.NOT_FOUND);
    }
  }

  @Test
  void requestWhenItHasHeadersAndABodySendsBothAndTheResponseCarriesThem() throws Exception {
    ClientHttpRequest request = request("/echo", HttpMethod.PUT);
    request.getHeaders().add("MyHeader", "value1");
    request.getHeaders().add("MyHeader", "value2");
    byte[] body = "Hello World".getBytes(StandardCharsets.UTF_8);
    request.getHeaders().setContentLength(body.length);
    write(request, body);

    try (ClientHttpResponse response = request.execute()) {
      assertThat(response.getStatusCode()).as(describe(response)).isEqualTo(HttpStatus.OK);
      assertThat(response.getHeaders().get("MyHeader")).containsExactly("value1", "value2");
      assertThat(StreamUtils.copyToByteArray(response.getBody())).isEqualTo(body);
    }
  }

  @Test
  void bodyWhenRequestWasExecutedCannotBeWrittenAgain() throws Exception {
    ClientHttpRequest request = request("/echo", HttpMethod.POST);
    byte[] body = "Hello World".getBytes(StandardCharsets.UTF_8);
    request.getHeaders().setContentLength(body.length);
    write(request, body);

    try (ClientHttpResponse response = request.execute()) {
      assertThatIllegalStateException().isThrownBy(() -> StreamUtils.copy(body, request.getBody()));
      assertThat(response.getStatusCode()).isEqualTo(HttpStatus.OK);
    }
  }

  @Test
  void headersWhenRequestWasExecutedAreReadOnly() throws Exception {
    ClientHttpRequest request = request("/status/ok", HttpMethod.POST);
    request.getHeaders().add("MyHeader", "value");
    write(request, "Hello World".getBytes(StandardCharsets.UTF_8));

    try (ClientHttpResponse response = request.execute()) {
      assertThat(response.getStatusCode()).isEqualTo(HttpStatus.OK);
      assertThatExceptionOfType(UnsupportedOperationException.class)
          .isThrownBy(() -> request.getHeaders().add("MyHeader", "value"));
    }
  }

  @Test
  void everyMethodWhenUsedReachesTheServerAsThatMethod() throws Exception {
    for (HttpMethod method : List.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.POST, HttpMethod.PUT,
        HttpMethod.PATCH, HttpMethod.OPTIONS, HttpMethod.DELETE)) {
      ClientHttpRequest request = request("/methods/" + method.name().toLowerCase(Locale.ROOT), method);
      if (method == HttpMethod.POST || method == HttpMethod.PUT || method == HttpMethod.PATCH) {
        write(request, new byte[] {32});
      }
      try (ClientHttpResponse response = request.execute()) {
        assertThat(response.getStatusCode()).as(describe(response)).isEqualTo(HttpStatus.OK);
        assertThat(request.getMethod()).isEqualTo(method);
      }
    }
  }

  @Test
  void queryParametersWhenPresentReachTheServerUnchanged() throws Exception {
    try (ClientHttpResponse response =
        request("/params?param1=value&param2=value1&param2=value2", HttpMethod.GET).execute()) {
      assertThat(response.getStatusCode()).as(describe(response)).isEqualTo(HttpStatus.OK);
    }
  }

  @Test
  void headerWhenItsValueIsNullIsSentEmptyOrNotAtAll() throws Exception {
    ClientHttpRequest request = request("/header/X-Null", HttpMethod.GET);
    request.getHeaders().add("X-Null", null);
    request.getHeaders().add("X-Set", "kept");

    try (ClientHttpResponse response = request.execute()) {
      assertThat(response.getStatusCode()).isEqualTo(HttpStatus.OK);
      assertThat(bodyOf(response)).isIn("X-Null:null", "X-Null:");
    }
  }

  @Test
  void statusTextWhenTheServerSentAReasonPhraseIsThatPhrase() throws Exception {
    try (ClientHttpResponse response = request("/status/server", HttpMethod.GET).execute()) {
      assertThat(response.getStatusCode()).isEqualTo(HttpStatus.INTERNAL_SERVER_ERROR);
      assertThat(response.getStatusText()).isEqualTo("Server Error"); // MockWebServer's, not "Internal Server Error"
    }
    server.setDispatcher(new mockwebserver3.QueueDispatcher());
    server.enqueue(new MockResponse.Builder().status("HTTP/1.1 200 Very Well").build());
    try (ClientHttpResponse response = request("/any", HttpMethod.GET).execute()) {
      assertThat(response.getStatusText()).isEqualTo("Very Well");
    }
  }

  @Test
  void gzipResponseWhenNotAskedForIsDecodedWithoutItsEncodingHeaders() throws Exception {
    for (String encoding : List.of("gzip", "deflate")) {
      ClientHttpRequest request = request("/compress/" + encoding, HttpMethod.POST);
      write(request, "Hello World".getBytes(StandardCharsets.UTF_8));

      try (ClientHttpResponse response = request.execute()) {
        assertThat(response.getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(bodyOf(response)).as(encoding).isEqualTo("Hello World");
        assertThat(response.getHeaders().get("Content-Encoding")).isNull();
        assertThat(response.getHeaders().getContentLength()).isEqualTo(-1);
      }
    }
  }

  @Test
  void contentLengthWhenTheBodyIsSmallIsSentOnceAndExact() throws Exception {
    ClientHttpRequest request = request("/header/Content-Length", HttpMethod.POST);
    request.getHeaders().setContentLength(5);
    write(request, "12345".getBytes(StandardCharsets.UTF_8));

    try (ClientHttpResponse response = request.execute()) {
      assertThat(bodyOf(response)).isEqualTo("Content-Length:5");
    }
  }

  @Test
  void safeMethodWithoutBodyWhenSentHasNoContentLength() throws Exception {
    for (HttpMethod method : List.of(HttpMethod.GET, HttpMethod.OPTIONS)) {
      try (ClientHttpResponse response = request("/header/Content-Length", method).execute()) {
        assertThat(bodyOf(response)).as(method.name()).isEqualTo("Content-Length:null");
      }
    }
  }
}
