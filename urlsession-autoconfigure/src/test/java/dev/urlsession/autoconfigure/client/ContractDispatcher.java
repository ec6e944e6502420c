package dev.urlsession.autoconfigure.client;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.Locale;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPOutputStream;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import okio.Buffer;

/**
 * The server side of {@link ClientHttpRequestFactoryContractTests}: answers by path, and answers
 * 500 with the reason as body when the request breaks an expectation (the test then fails on the
 * status with that reason).
 *
 * <ul>
 *   <li>{@code /echo}: 200 with the request's headers and body;
 *   <li>{@code /status/ok}, {@code /status/notfound}, {@code /status/server}: 200, 404, 500;
 *   <li>{@code /params?...}: 200 when the query came through unchanged;
 *   <li>{@code /methods/<name>}: 200 when the method was {@code <name>}; a body sent with it must
 *       be framed by {@code Content-Length} or chunked;
 *   <li>{@code /header/<name>}: the values of that request header, as {@code name:v1,v2} (or
 *       {@code name:null});
 *   <li>{@code /compress/gzip}, {@code /compress/deflate}: the request body, so encoded.
 * </ul>
 */
final class ContractDispatcher extends Dispatcher {
  private final String expectedHost;

  ContractDispatcher(String expectedHost) {
    this.expectedHost = expectedHost;
  }

  @Override
  public MockResponse dispatch(RecordedRequest request) {
    String target = request.getTarget();
    try {
      if (target.equals("/echo")) {
        expect(expectedHost.equals(request.getHeaders().get("Host")), "Host " + request.getHeaders().get("Host"));
        MockResponse.Builder echo = new MockResponse.Builder()
            .headers(request.getHeaders().newBuilder().removeAll("Transfer-Encoding").build());
        Buffer body = request.getBody() == null ? new Buffer() : new Buffer().write(request.getBody());
        return echo.body(body).build();
      }
      if (target.equals("/status/ok")) {
        return new MockResponse.Builder().build();
      }
      if (target.equals("/status/notfound")) {
        return new MockResponse.Builder().code(404).build();
      }
      if (target.equals("/status/server")) {
        return new MockResponse.Builder().code(500).build();
      }
      if (target.startsWith("/params")) {
        expect(target.equals("/params?param1=value&param2=value1&param2=value2"), "query of " + target);
        return new MockResponse.Builder().build();
      }
      if (target.startsWith("/methods/")) {
        String expected = target.substring("/methods/".length()).toUpperCase(Locale.ROOT);
        expect(request.getMethod().equals(expected), "method " + request.getMethod() + " for " + expected);
        if (request.getBodySize() > 0) {
          String length = request.getHeaders().get("Content-Length");
          String chunked = request.getHeaders().get("Transfer-Encoding");
          expect("chunked".equals(chunked) || length != null && Long.parseLong(length) == request.getBodySize(),
              "framing Content-Length " + length + ", Transfer-Encoding " + chunked);
        }
        return new MockResponse.Builder().build();
      }
      if (target.startsWith("/header/")) {
        String name = target.substring("/header/".length());
        List<String> values = request.getHeaders().values(name);
        return new MockResponse.Builder().body(name + ":" + (values.isEmpty() ? "null" : String.join(",", values)))
            .build();
      }
      if (target.startsWith("/compress/") && request.getMethod().equals("POST")) {
        String encoding = target.substring("/compress/".length());
        byte[] plain = request.getBody() == null ? new byte[0] : request.getBody().toByteArray();
        ByteArrayOutputStream encoded = new ByteArrayOutputStream();
        try (OutputStream out = encoding.equals("deflate")
            ? new DeflaterOutputStream(encoded) : new GZIPOutputStream(encoded)) {
          out.write(plain);
        }
        return new MockResponse.Builder().setHeader("Content-Encoding", encoding)
            .body(new Buffer().write(encoded.toByteArray())).build();
      }
      return new MockResponse.Builder().code(404).build();
    } catch (AssertionError | IOException | RuntimeException e) {
      return new MockResponse.Builder().code(500).body(String.valueOf(e.getMessage()))
          .setHeader("Content-Type", "text/plain; charset=utf-8").build();
    }
  }

  private static void expect(boolean condition, String what) {
    if (!condition) {
      throw new AssertionError("unexpected " + what);
    }
  }
}
