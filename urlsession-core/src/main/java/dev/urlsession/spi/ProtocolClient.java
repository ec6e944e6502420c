package dev.urlsession.spi;

import dev.urlsession.CacheStoragePolicy;
import dev.urlsession.Request;
import dev.urlsession.Response;
import dev.urlsession.SessionException;

/**
 * Receives what a {@link ProtocolHandler} loads (Apple's {@code URLProtocolClient}). Thread-safe;
 * may be called from inside {@code startLoading}. Calls after the load finished, failed or was
 * stopped are ignored.
 *
 * <p>Order: {@code didReceiveResponse} once, {@code didLoadData} zero or more times, then
 * {@code didFinishLoading} or {@code didFail}. Alternatively {@code wasRedirectedTo}, after which
 * the body of the redirect response may follow as data (it is delivered only if the redirect is
 * not followed), then {@code didFinishLoading}.
 *
 * @since 0.1.0
 */
public interface ProtocolClient {
  /** The response's metadata. */
  void didReceiveResponse(Response response, CacheStoragePolicy storagePolicy);

  /** The next piece of the body. The array is handed over: do not modify it afterwards. */
  void didLoadData(byte[] data);

  /** The load completed. */
  void didFinishLoading();

  /** The load failed. */
  void didFail(SessionException error);

  /** The load is redirected to {@code request}; the session asks its delegate whether to follow. */
  void wasRedirectedTo(Request request, Response redirectResponse);
}
