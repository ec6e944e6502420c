package dev.urlsession.internal;

import dev.urlsession.CacheStoragePolicy;
import dev.urlsession.Request;
import dev.urlsession.spi.ProtocolHandler;
import dev.urlsession.spi.ProtocolLoad;

/**
 * Answers a load from a cache entry, without the network: the cached response and body go
 * through the same client calls as a network load, so delegates see the usual sequence.
 */
public final class CacheReplay implements ProtocolHandler {
  private final CacheEntry entry;

  public CacheReplay(CacheEntry entry) {
    this.entry = entry;
  }

  @Override
  public boolean canHandle(Request request) {
    return true;
  }

  @Override
  public void startLoading(ProtocolLoad load) {
    load.client().didReceiveResponse(entry.cachedResponse().response(), CacheStoragePolicy.NOT_ALLOWED);
    byte[] body = entry.cachedResponse().data();
    if (body.length > 0) {
      load.client().didLoadData(body);
    }
    load.client().didFinishLoading();
  }

  @Override
  public void stopLoading(ProtocolLoad load) {}
}
