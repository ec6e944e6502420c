package dev.urlsession;

/**
 * The result of {@link Session#data(Request)}: the whole body and the response.
 *
 * @since 0.1.0
 */
public record DataResponse(byte[] body, Response response) {}
