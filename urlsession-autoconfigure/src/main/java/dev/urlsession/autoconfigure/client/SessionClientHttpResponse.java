package dev.urlsession.autoconfigure.client;

import dev.urlsession.Headers;
import dev.urlsession.Response;
import java.io.InputStream;
import java.util.Locale;
import java.util.Set;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.client.ClientHttpResponse;

/** A session's response with its streamed body. */
final class SessionClientHttpResponse implements ClientHttpResponse {
  /** The codings the session decodes (its {@code ContentDecoder}), so the reader never sees them. */
  private static final Set<String> DECODED_ENCODINGS = Set.of("gzip", "x-gzip", "deflate", "br");

  private final Response response;
  private final ResponseBodyStream body;
  private final HttpHeaders headers;

  SessionClientHttpResponse(Response response, ResponseBodyStream body, boolean sessionDecodes) {
    this.response = response;
    this.body = body;
    this.headers = headers(response, sessionDecodes);
  }

  private static HttpHeaders headers(Response response, boolean sessionDecodes) {
    HttpHeaders h = new HttpHeaders();
    Headers received = response.headers();
    for (int i = 0; i < received.size(); i++) {
      h.add(received.name(i), received.value(i));
    }
    String encoding = response.header(HttpHeaders.CONTENT_ENCODING);
    if (sessionDecodes && encoding != null
        && DECODED_ENCODINGS.contains(encoding.trim().toLowerCase(Locale.ROOT))) {
      // The session decoded the body: these headers describe bytes the reader never sees.
      h.remove(HttpHeaders.CONTENT_ENCODING);
      h.remove(HttpHeaders.CONTENT_LENGTH);
    }
    return HttpHeaders.readOnlyHttpHeaders(h);
  }

  @Override
  public HttpStatusCode getStatusCode() {
    return HttpStatusCode.valueOf(response.statusCode());
  }

  /**
   * The reason phrase the server sent (HTTP/1.1), as Spring's other request factories report it;
   * for a response without one (HTTP/2), the standard phrase of the code, or empty for an unknown
   * code.
   */
  @Override
  public String getStatusText() {
    String sent = response.reasonPhrase();
    if (sent != null) {
      return sent;
    }
    HttpStatus status = HttpStatus.resolve(response.statusCode());
    return status != null ? status.getReasonPhrase() : "";
  }

  @Override
  public HttpHeaders getHeaders() {
    return headers;
  }

  @Override
  public InputStream getBody() {
    return body;
  }

  /** Releases the body; cancels the task if the body was not read to its end. */
  @Override
  public void close() {
    body.close();
  }
}
