package dev.urlsession.autoconfigure.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import java.io.EOFException;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okio.Buffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.core.io.ByteArrayResource;
import org.springframework.http.HttpEntity;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;
import org.springframework.web.client.HttpClientErrorException;
import org.springframework.web.client.HttpServerErrorException;
import org.springframework.web.client.RestTemplate;

/**
 * What Spring's {@code RestTemplateIntegrationTests} ask of every request factory against
 * MockWebServer, in this project's own words, run on ours and on Spring's HttpComponents factory
 * as the control. The server checks each request and answers 500 with the reason when one is
 * wrong.
 */
@Timeout(60)
@ParameterizedClass
@EnumSource(ContractFactory.Kind.class)
class RestTemplateContractTests {
  static final String HELLO = "H\u00e9llo W\u00f6rld";
  static final MediaType TEXT_UTF8 = new MediaType("text", "plain", StandardCharsets.UTF_8);

  @Parameter ContractFactory.Kind kind;

  private final MockWebServer server = new MockWebServer();
  private ContractFactory under;
  private RestTemplate template;
  private String baseUrl;

  record Sample(String with1, String without) {}

  @BeforeEach
  void start() throws IOException {
    server.setDispatcher(new TemplateDispatcher());
    server.start();
    baseUrl = "http://localhost:" + server.getPort();
    under = kind.open();
    template = new RestTemplate(under.factory);
  }

  @AfterEach
  void stop() throws Exception {
    under.close();
    server.close();
  }

  @Test
  void getForObjectAndEntityWhenTextReadTheBodyAndItsType() {
    assertThat(template.getForObject(baseUrl + "/{path}", String.class, "get")).isEqualTo(HELLO);
    ResponseEntity<String> entity = template.getForEntity(baseUrl + "/get", String.class);
    assertThat(entity.getStatusCode()).isEqualTo(HttpStatus.OK);
    assertThat(entity.getHeaders().getContentType()).isEqualTo(TEXT_UTF8);
    assertThat(entity.getBody()).isEqualTo(HELLO);
    assertThat(template.getForObject("http://localhost:{port}/get", String.class, server.getPort())).isEqualTo(HELLO);
  }

  @Test
  void getWhenThereIsNoBodyOrNoContentTypeReadsWhatThereIs() {
    assertThat(template.getForObject(baseUrl + "/get/nothing", String.class)).isNull();
    assertThat(template.getForObject(baseUrl + "/get/nocontenttype", byte[].class))
        .isEqualTo(HELLO.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void getWhen204Or304HasNoBody() {
    assertThat(template.getForObject(baseUrl + "/status/nocontent", String.class)).isNull();
    ResponseEntity<String> noContent = template.getForEntity(baseUrl + "/status/nocontent", String.class);
    assertThat(noContent.getStatusCode()).isEqualTo(HttpStatus.NO_CONTENT);
    assertThat(noContent.getBody()).isNull();
    ResponseEntity<String> notModified = template.getForEntity(baseUrl + "/status/notmodified", String.class);
    assertThat(notModified.getStatusCode()).isEqualTo(HttpStatus.NOT_MODIFIED);
    assertThat(notModified.getBody()).isNull();
  }

  @Test
  void postWhenTextSendsItWithLengthAndTypeAndReadsLocationAndBody() {
    HttpHeaders latin1 = new HttpHeaders();
    latin1.setContentType(new MediaType("text", "plain", StandardCharsets.ISO_8859_1));

    URI location = template.postForLocation(baseUrl + "/{path}", HELLO, "post");
    URI locationOfLatin1 = template.postForLocation(baseUrl + "/post", new HttpEntity<>(HELLO, latin1));
    String answer = template.postForObject(baseUrl + "/post", HELLO, String.class);

    assertThat(location).isEqualTo(URI.create(baseUrl + "/post/1"));
    assertThat(locationOfLatin1).isEqualTo(URI.create(baseUrl + "/post/1"));
    assertThat(answer).isEqualTo(HELLO);
  }

  @Test
  void patchForObjectWhenTextSendsAPatch() {
    assertThat(template.patchForObject(baseUrl + "/patch", HELLO, String.class)).isEqualTo(HELLO);
  }

  @Test
  void errorWhen404Or400Or500ReportsTheReasonPhraseTheServerSent() {
    String notFound = baseUrl + "/status/notfound";
    String badRequest = baseUrl + "/status/badrequest";
    String serverError = baseUrl + "/status/server";

    assertThatExceptionOfType(HttpClientErrorException.class)
        .isThrownBy(() -> template.execute(notFound, HttpMethod.GET, null, null))
        .satisfies(e -> {
          assertThat(e.getStatusCode()).isEqualTo(HttpStatus.NOT_FOUND);
          assertThat(e.getMessage()).isEqualTo("404 Client Error on GET request for \"" + notFound + "\": [no body]");
        });
    assertThatExceptionOfType(HttpClientErrorException.class)
        .isThrownBy(() -> template.execute(badRequest, HttpMethod.GET, null, null))
        .satisfies(e -> assertThat(e.getMessage())
            .isEqualTo("400 Client Error on GET request for \"" + badRequest + "\": [no body]"));
    assertThatExceptionOfType(HttpServerErrorException.class)
        .isThrownBy(() -> template.execute(serverError, HttpMethod.GET, null, null))
        .satisfies(e -> {
          assertThat(e.getStatusCode()).isEqualTo(HttpStatus.INTERNAL_SERVER_ERROR);
          assertThat(e.getStatusText()).isEqualTo("Server Error");
          assertThat(e.getMessage()).isEqualTo("500 Server Error on GET request for \"" + serverError + "\": [no body]");
        });
  }

  @Test
  void optionsForAllowWhenAnsweredReadsTheAllowedMethods() {
    assertThat(template.optionsForAllow(URI.create(baseUrl + "/get")))
        .isEqualTo(Set.of(HttpMethod.GET, HttpMethod.OPTIONS, HttpMethod.HEAD, HttpMethod.TRACE));
  }

  @Test
  void uriWhenVariablesNeedEncodingReachesTheServerEncoded() {
    assertThat(template.getForObject(baseUrl + "/uri/{query}", String.class, "Z\u00fcrich"))
        .isEqualTo("/uri/Z%C3%BCrich");
    assertThat(template.getForObject(baseUrl + "/uri/query={query}", String.class, "foo@bar"))
        .isEqualTo("/uri/query=foo@bar");
    assertThat(template.getForObject(baseUrl + "/uri/query={query}", String.class, "T\u014dky\u014d"))
        .isEqualTo("/uri/query=T%C5%8Dky%C5%8D");
  }

  @Test
  void multipartWhenFormDataOrMixedSendsEveryPart() {
    template.postForLocation(baseUrl + "/multipart/form-data", parts());
    HttpHeaders mixed = new HttpHeaders();
    mixed.setContentType(MediaType.MULTIPART_MIXED);
    template.postForLocation(baseUrl + "/multipart/mixed", new HttpEntity<>(parts(), mixed));
  }

  @Test
  void formWhenUrlEncodedSendsEveryField() {
    HttpHeaders headers = new HttpHeaders();
    headers.setContentType(MediaType.APPLICATION_FORM_URLENCODED);
    MultiValueMap<String, String> form = new LinkedMultiValueMap<>();
    form.add("name 1", "value 1");
    form.add("name 2", "value 2+1");
    form.add("name 2", "value 2+2");

    template.exchange(baseUrl + "/form", HttpMethod.POST, new HttpEntity<>(form, headers), Void.class);
  }

  @Test
  void exchangeWhenHeadersAreGivenSendsThem() {
    HttpHeaders headers = new HttpHeaders();
    headers.set("MyHeader", "MyValue");
    headers.setContentType(MediaType.TEXT_PLAIN);

    ResponseEntity<String> got = template.exchange(baseUrl + "/get", HttpMethod.GET, new HttpEntity<>(headers),
        String.class);
    ResponseEntity<Void> posted = template.exchange(baseUrl + "/post", HttpMethod.POST,
        new HttpEntity<>(HELLO, headers), Void.class);

    assertThat(got.getBody()).isEqualTo(HELLO);
    assertThat(posted.getHeaders().getLocation()).isEqualTo(URI.create(baseUrl + "/post/1"));
    assertThat(posted.hasBody()).isFalse();
  }

  @Test
  void jsonPostWhenAnObjectIsSentEchoesItsFields() {
    HttpHeaders headers = new HttpHeaders();
    headers.setContentType(new MediaType("application", "json", StandardCharsets.UTF_8));

    String s = template.postForObject(baseUrl + "/jsonpost", new HttpEntity<>(new Sample("with", "without"), headers),
        String.class);

    assertThat(s).contains("\"with1\":\"with\"", "\"without\":\"without\"");
  }

  @Test
  void postWhenThereIsNoBodyReadsNothing() {
    assertThat(template.postForObject(baseUrl + "/jsonpost", null, String.class)).isNull();
  }

  private static MultiValueMap<String, Object> parts() {
    MultiValueMap<String, Object> parts = new LinkedMultiValueMap<>();
    parts.add("name 1", "value 1");
    parts.add("name 2", "value 2+1");
    parts.add("name 2", "value 2+2");
    parts.add("logo", new ByteArrayResource(new byte[] {(byte) 0xff, (byte) 0xd8, (byte) 0xff, 0}) {
      @Override
      public String getFilename() {
        return "logo.jpg";
      }
    });
    return parts;
  }

  /** Answers by path; a request that breaks an expectation gets a 500 with the reason as body. */
  private final class TemplateDispatcher extends Dispatcher {
    @Override
    public MockResponse dispatch(RecordedRequest request) {
      try {
        return answer(request);
      } catch (AssertionError | IOException | RuntimeException e) {
        return new MockResponse.Builder().code(500).body(String.valueOf(e)).build();
      }
    }

    private MockResponse answer(RecordedRequest request) throws IOException {
      String target = request.getTarget();
      byte[] hello = HELLO.getBytes(StandardCharsets.UTF_8);
      switch (target) {
        case "/get":
          if (request.getMethod().equals("OPTIONS")) {
            return new MockResponse.Builder().setHeader("Allow", "GET, OPTIONS, HEAD, TRACE").build();
          }
          return ok(hello, TEXT_UTF8.toString());
        case "/get/nothing":
          return ok(new byte[0], TEXT_UTF8.toString());
        case "/get/nocontenttype":
          return ok(hello, null);
        case "/post":
          textBody(request, "POST");
          return new MockResponse.Builder().code(201).setHeader("Location", baseUrl + "/post/1")
              .setHeader("Content-Type", TEXT_UTF8.toString()).body(new Buffer().write(hello)).build();
        case "/patch":
          textBody(request, "PATCH");
          return new MockResponse.Builder().code(201).setHeader("Content-Type", TEXT_UTF8.toString())
              .body(new Buffer().write(hello)).build();
        case "/jsonpost":
          if (request.getBodySize() > 0) {
            assertThat(request.getHeaders().get("Content-Type")).startsWith("application/json");
          }
          return new MockResponse.Builder().code(201).setHeader("Content-Type", "application/json; charset=utf-8")
              .body(request.getBody() == null ? "" : request.getBody().utf8()).build();
        case "/status/nocontent":
          return new MockResponse.Builder().code(204).build();
        case "/status/notmodified":
          return new MockResponse.Builder().code(304).build();
        case "/status/notfound":
          return new MockResponse.Builder().code(404).build();
        case "/status/badrequest":
          return new MockResponse.Builder().code(400).build();
        case "/status/server":
          return new MockResponse.Builder().code(500).build();
        case "/multipart/form-data":
          multipart(request, MediaType.MULTIPART_FORM_DATA);
          return new MockResponse.Builder().build();
        case "/multipart/mixed":
          multipart(request, MediaType.MULTIPART_MIXED);
          return new MockResponse.Builder().build();
        case "/form":
          assertThat(request.getHeaders().get("Content-Type")).isEqualTo("application/x-www-form-urlencoded");
          assertThat(request.getBody().utf8()).contains("name+1=value+1", "name+2=value+2%2B1", "name+2=value+2%2B2");
          return new MockResponse.Builder().build();
        default:
          if (target.startsWith("/uri/")) {
            return new MockResponse.Builder().setHeader("Content-Type", "text/plain").body(target).build();
          }
          return new MockResponse.Builder().code(404).build();
      }
    }

    private MockResponse ok(byte[] body, String contentType) {
      MockResponse.Builder b = new MockResponse.Builder().body(new Buffer().write(body));
      return contentType == null ? b.build() : b.setHeader("Content-Type", contentType).build();
    }

    /** A text body with exactly one, positive Content-Length and a charset the body is decoded with. */
    private void textBody(RecordedRequest request, String method) {
      assertThat(request.getMethod()).isEqualTo(method);
      assertThat(request.getHeaders().values("Content-Length")).hasSize(1);
      assertThat(Long.parseLong(request.getHeaders().get("Content-Length"))).isEqualTo(request.getBodySize())
          .isPositive();
      String type = request.getHeaders().get("Content-Type");
      assertThat(type).isNotNull();
      Charset charset = type.contains("charset=") ? Charset.forName(type.split("charset=")[1])
          : StandardCharsets.ISO_8859_1;
      assertThat(request.getBody().string(charset)).isEqualTo(HELLO);
    }

    private void multipart(RecordedRequest request, MediaType expected) throws EOFException {
      MediaType type = MediaType.parseMediaType(request.getHeaders().get("Content-Type"));
      assertThat(type.isCompatibleWith(expected)).as(type.toString()).isTrue();
      String boundary = type.getParameter("boundary");
      assertThat(boundary).isNotBlank();
      Buffer body = new Buffer().write(request.getBody());
      assertPart(body, boundary, "name 1", "value 1");
      assertPart(body, boundary, "name 2", "value 2+1");
      assertPart(body, boundary, "name 2", "value 2+2");
      assertThat(body.readUtf8Line()).contains("--" + boundary);
      String disposition = body.readUtf8Line();
      assertThat(disposition).contains("name=\"logo\"", "filename=\"logo.jpg\"");
      assertThat(body.readUtf8Line()).startsWith("Content-Type: image/jpeg");
      assertThat(body.readUtf8Line()).isEqualTo("Content-Length: 4");
    }

    private void assertPart(Buffer body, String boundary, String name, String value) throws EOFException {
      assertThat(body.readUtf8Line()).contains("--" + boundary);
      assertThat(body.readUtf8Line()).contains("Content-Disposition: form-data", "name=\"" + name + "\"");
      assertThat(body.readUtf8Line()).startsWith("Content-Type: text/plain");
      assertThat(body.readUtf8Line()).isEqualTo("Content-Length: " + value.length());
      assertThat(body.readUtf8Line()).isEmpty();
      assertThat(body.readUtf8Line()).isEqualTo(value);
    }
  }
}
