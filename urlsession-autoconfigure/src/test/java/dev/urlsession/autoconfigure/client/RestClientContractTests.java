package dev.urlsession.autoconfigure.client;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.UnaryOperator;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.StreamingHttpOutputMessage;
import org.springframework.util.FastByteArrayOutputStream;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;
import org.springframework.util.StreamUtils;
import org.springframework.web.client.HttpClientErrorException;
import org.springframework.web.client.HttpServerErrorException;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestClientException;

/**
 * What Spring's {@code RestClientIntegrationTests} ask of every request factory against
 * MockWebServer, in this project's own words, run on ours and on Spring's HttpComponents factory
 * as the control.
 */
@Timeout(60)
@ParameterizedClass
@EnumSource(ContractFactory.Kind.class)
class RestClientContractTests {
  @Parameter ContractFactory.Kind kind;

  private final MockWebServer server = new MockWebServer();
  private ContractFactory under;
  private RestClient client;

  record Pojo(String foo, String bar) {}

  record Container<T>(T value) {}

  @BeforeEach
  void start() throws IOException {
    server.start();
    under = kind.open();
    client = RestClient.builder().requestFactory(under.factory).baseUrl(server.url("/").toString()).build();
  }

  @AfterEach
  void stop() throws Exception {
    under.close();
    server.close();
  }

  private void respond(UnaryOperator<MockResponse.Builder> response) {
    server.enqueue(response.apply(new MockResponse.Builder()).build());
  }

  private RecordedRequest taken() throws InterruptedException {
    RecordedRequest request = server.takeRequest(5, SECONDS);
    assertThat(request).as("a request reached the server").isNotNull();
    return request;
  }

  @Test
  void retrieveWhenTextSendsTheHeaderAndReadsTheBody() throws Exception {
    respond(r -> r.setHeader("Content-Type", "text/plain").body("Hello Spring!"));

    String body = client.get().uri("/greeting").header("X-Test-Header", "testvalue").retrieve().body(String.class);

    assertThat(body).isEqualTo("Hello Spring!");
    RecordedRequest request = taken();
    assertThat(request.getTarget()).isEqualTo("/greeting");
    assertThat(request.getHeaders().get("X-Test-Header")).isEqualTo("testvalue");
    assertThat(server.getRequestCount()).isEqualTo(1);
  }

  @Test
  void retrieveWhenJsonReadsObjectsListsAndGenericTypes() throws Exception {
    respond(r -> r.setHeader("Content-Type", "application/json").body("{\"bar\":\"barbar\",\"foo\":\"foofoo\"}"));
    respond(r -> r.setHeader("Content-Type", "application/json")
        .body("[{\"bar\":\"bar1\",\"foo\":\"foo1\"},{\"bar\":\"bar2\",\"foo\":\"foo2\"}]"));
    respond(r -> r.setHeader("Content-Type", "application/json")
        .body("{\"value\":[{\"bar\":\"barbar\",\"foo\":\"foofoo\"}]}"));

    Pojo pojo = client.get().uri("/pojo").accept(MediaType.APPLICATION_JSON).retrieve().body(Pojo.class);
    List<Pojo> pojos = client.get().uri("/pojos").retrieve().body(new ParameterizedTypeReference<>() {});
    Container<List<Pojo>> container = client.get().uri("/json").retrieve()
        .body(new ParameterizedTypeReference<>() {});

    assertThat(pojo).isEqualTo(new Pojo("foofoo", "barbar"));
    assertThat(pojos).containsExactly(new Pojo("foo1", "bar1"), new Pojo("foo2", "bar2"));
    assertThat(container.value()).containsExactly(new Pojo("foofoo", "barbar"));
    assertThat(taken().getHeaders().get(HttpHeaders.ACCEPT)).isEqualTo("application/json");
  }

  @Test
  void toEntityWhenJsonKeepsTheStatusTypeAndLength() {
    String content = "{\"bar\":\"barbar\",\"foo\":\"foofoo\"}";
    respond(r -> r.setHeader("Content-Type", "application/json").body(content));
    respond(r -> r.setHeader("Content-Type", "application/json").body(content));

    ResponseEntity<String> entity = client.get().uri("/json").retrieve().toEntity(String.class);
    ResponseEntity<Void> bodiless = client.get().uri("/json").retrieve().toBodilessEntity();

    assertThat(entity.getStatusCode()).isEqualTo(HttpStatus.OK);
    assertThat(entity.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_JSON);
    assertThat(entity.getHeaders().getContentLength()).isEqualTo(31);
    assertThat(entity.getBody()).isEqualTo(content);
    assertThat(bodiless.getHeaders().getContentLength()).isEqualTo(31);
    assertThat(bodiless.getBody()).isNull();
  }

  @Test
  void retrieveWhenJsonBodyIsEmptyIsNull() {
    respond(r -> r.setHeader("Content-Type", "application/json"));

    assertThat(client.get().uri("/null").retrieve().body(Pojo.class)).isNull();
  }

  @Test
  void retrieveWhen404ThrowsNotFound() throws Exception {
    respond(r -> r.code(404).setHeader("Content-Type", "text/plain").body("Not Found"));

    assertThatExceptionOfType(HttpClientErrorException.NotFound.class)
        .isThrownBy(() -> client.get().uri("/greeting").retrieve().body(String.class))
        .satisfies(e -> assertThat(e.getResponseBodyAsString()).isEqualTo("Not Found"));
    assertThat(taken().getTarget()).isEqualTo("/greeting");
  }

  @Test
  void retrieveWhen500ThrowsWithTheReasonPhraseTheServerSent() {
    respond(r -> r.code(500).setHeader("Content-Type", "text/plain").body("Internal Server error"));

    assertThatExceptionOfType(HttpServerErrorException.InternalServerError.class)
        .isThrownBy(() -> client.get().uri("/greeting").retrieve().body(String.class))
        .satisfies(e -> {
          assertThat(e.getStatusText()).isEqualTo("Server Error");
          assertThat(e.getResponseHeaders().getContentType()).isEqualTo(MediaType.TEXT_PLAIN);
          assertThat(e.getResponseBodyAsString()).isEqualTo("Internal Server error");
        });
  }

  @Test
  void retrieveWhenStatusIsUnknownThrowsWithTheReasonPhraseTheServerSent() {
    respond(r -> r.code(555).setHeader("Content-Type", "text/plain").body("Something went wrong"));

    assertThatExceptionOfType(HttpServerErrorException.class)
        .isThrownBy(() -> client.get().uri("/unknownPage").retrieve().body(String.class))
        .satisfies(e -> {
          assertThat(e.getMessage()).isEqualTo("555 Server Error: \"Something went wrong\"");
          assertThat(e.getStatusText()).isEqualTo("Server Error");
        });
  }

  @Test
  void statusHandlerWhenItThrowsDecidesTheOutcome() {
    respond(r -> r.code(500).setHeader("Content-Type", "text/plain").body("Internal Server error"));
    respond(r -> r.code(500).setHeader("Content-Type", "text/plain").body("Internal Server error"));
    respond(r -> r.code(500).setHeader("Content-Type", "text/plain").body("Internal Server error"));

    assertThatIllegalStateException().isThrownBy(() -> client.get().uri("/a").retrieve()
        .onStatus(HttpStatusCode::is5xxServerError, (request, response) -> {
          throw new IllegalStateException("500 error!");
        }).body(String.class));
    assertThatExceptionOfType(RestClientException.class).isThrownBy(() -> client.get().uri("/b").retrieve()
        .onStatus(HttpStatusCode::is5xxServerError, (request, response) -> {
          throw new IOException("500 error!");
        }).body(String.class)).withCauseInstanceOf(IOException.class);
    assertThat(client.get().uri("/c").retrieve().onStatus(HttpStatusCode::is5xxServerError, (q, r) -> { })
        .body(String.class)).isEqualTo("Internal Server error");
  }

  @Test
  void postWhenJsonSendsItWithItsTypeAndReadsTheAnswer() throws Exception {
    respond(r -> r.setHeader("Content-Type", "application/json").body("{\"bar\":\"BARBAR\",\"foo\":\"FOOFOO\"}"));

    Pojo result = client.post().uri("/pojo/capitalize").accept(MediaType.APPLICATION_JSON)
        .contentType(MediaType.APPLICATION_JSON).body(new Pojo("foofoo", "barbar")).retrieve().body(Pojo.class);

    assertThat(result).isEqualTo(new Pojo("FOOFOO", "BARBAR"));
    RecordedRequest request = taken();
    assertThat(request.getBody().utf8()).isEqualTo("{\"foo\":\"foofoo\",\"bar\":\"barbar\"}");
    assertThat(request.getHeaders().get(HttpHeaders.CONTENT_TYPE)).isEqualTo("application/json");
    assertThat(request.getHeaders().get(HttpHeaders.ACCEPT)).isEqualTo("application/json");
  }

  @Test
  void postWhenMultipartFormSendsEachPartWithItsHeaders() throws Exception {
    respond(r -> r.code(200));
    MultiValueMap<String, String> form = new LinkedMultiValueMap<>();
    form.add("foo", "bar");
    form.add("baz", "qux");

    ResponseEntity<Void> result = client.post().uri("/form").contentType(MediaType.MULTIPART_FORM_DATA)
        .body(form).retrieve().toBodilessEntity();

    assertThat(result.getStatusCode()).isEqualTo(HttpStatus.OK);
    RecordedRequest request = taken();
    assertThat(request.getHeaders().get(HttpHeaders.CONTENT_TYPE)).startsWith(MediaType.MULTIPART_FORM_DATA_VALUE);
    String[] lines = request.getBody().utf8().split("\r\n");
    assertThat(lines).hasSize(13);
    assertThat(lines[1]).isEqualTo("Content-Disposition: form-data; name=\"foo\"");
    assertThat(lines[3]).isEqualTo("Content-Length: 3");
    assertThat(lines[5]).isEqualTo("bar");
    assertThat(lines[7]).isEqualTo("Content-Disposition: form-data; name=\"baz\"");
    assertThat(lines[11]).isEqualTo("qux");
    assertThat(lines[12]).startsWith("--").endsWith("--");
  }

  @Test
  void postWhenTheBodyIsStreamingWritesToTheConnectionNotToAByteArray() throws Exception {
    respond(r -> r.code(200));
    StreamingHttpOutputMessage.Body body = out -> {
      assertThat(out).as("a streaming output").isNotInstanceOf(FastByteArrayOutputStream.class);
      new ByteArrayInputStream("test-data".getBytes(StandardCharsets.UTF_8)).transferTo(out);
    };

    ResponseEntity<Void> result = client.post().uri("/streaming/body").body(body).retrieve().toBodilessEntity();

    assertThat(result.getStatusCode()).isEqualTo(HttpStatus.OK);
    assertThat(taken().getBody().utf8()).isEqualTo("test-data");
  }

  @Test
  void exchangeWhen404GivesTheResponseToTheCaller() throws Exception {
    respond(r -> r.code(404).setHeader("Content-Type", "text/plain").body("Not Found"));

    String result = client.get().uri("/greeting").exchange((request, response) ->
        response.getStatusCode().value() + " " + StreamUtils.copyToString(response.getBody(), StandardCharsets.UTF_8));

    assertThat(result).isEqualTo("404 Not Found");
  }

  @Test
  void interceptorsInitializersAndBufferingWhenConfiguredAllApply() throws Exception {
    respond(r -> r.setHeader("Content-Type", "text/plain").body("Hello Spring!"));
    RestClient configured = client.mutate()
        .requestInitializer(request -> request.getHeaders().add("X-Init", "i"))
        .requestInterceptor((request, bytes, execution) -> {
          request.getHeaders().add("X-Intercepted", "yes");
          return execution.execute(request, bytes);
        })
        .bufferContent((uri, method) -> true)
        .defaultHeaders(headers -> headers.add("X-Default", "d"))
        .build();

    String result = configured.get().uri("/greeting").exchange((request, response) -> {
      byte[] first = StreamUtils.copyToByteArray(response.getBody());
      byte[] second = StreamUtils.copyToByteArray(response.getBody());
      assertThat(second).isEqualTo(first);
      return new String(first, StandardCharsets.UTF_8);
    });

    assertThat(result).isEqualTo("Hello Spring!");
    RecordedRequest request = taken();
    assertThat(request.getHeaders().get("X-Init")).isEqualTo("i");
    assertThat(request.getHeaders().get("X-Intercepted")).isEqualTo("yes");
    assertThat(request.getHeaders().get("X-Default")).isEqualTo("d");
  }

  @Test
  void cookiesWhenSeveralAreSetGoAsOneCookieField() throws Exception {
    respond(r -> r.body("one"));
    respond(r -> r.body("two"));
    RestClient withDefaults = client.mutate().defaultCookie("testCookie", "firstValue", "secondValue").build();

    withDefaults.get().uri("/a").retrieve().body(String.class);
    client.get().uri("/b").cookie("c1", "v1a").cookie("c1", "v1b").cookie("c2", "v2a").retrieve().body(String.class);

    assertThat(taken().getHeaders().values(HttpHeaders.COOKIE))
        .containsExactly("testCookie=firstValue; testCookie=secondValue");
    assertThat(taken().getHeaders().values(HttpHeaders.COOKIE)).containsExactly("c1=v1a; c1=v1b; c2=v2a");
  }

  @Test
  void headerWhenItsValueIsNullDoesNotFailTheRequest() throws Exception {
    respond(r -> r.setHeader("Content-Type", "text/plain").body("Hello Spring!"));

    String result = client.get().uri("/greeting")
        .httpRequest(request -> request.getHeaders().add("X-Test-Header", null)).retrieve().body(String.class);

    assertThat(result).isEqualTo("Hello Spring!");
    assertThat(taken().getHeaders().get("X-Test-Header")).isNullOrEmpty();
  }

  @Test
  void uriWhenItHasASpaceIsSentEncoded() throws Exception {
    respond(r -> r.body("ok"));

    client.get().uri(new URI(null, null, "/foo bar", null)).retrieve().body(String.class);

    assertThat(taken().getTarget()).isEqualTo("/foo%20bar");
  }
}
