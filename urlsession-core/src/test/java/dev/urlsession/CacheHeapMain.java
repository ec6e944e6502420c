package dev.urlsession;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.URI;

/**
 * Run by {@link CacheHeapTests} in a child JVM: stores {@code count} tiny responses from distinct
 * URLs in a memory-only {@link HttpCache} of {@code capacity} bytes and prints
 * {@code RESULT <retained heap bytes> <entries counted by the cache>}: the heap used after GC with
 * the cache full, less the heap used after GC before it.
 */
public final class CacheHeapMain {
  private CacheHeapMain() {}

  public static void main(String[] args) {
    int count = Integer.parseInt(args[0]);
    long capacity = Long.parseLong(args[1]);
    byte[] body = {'o', 'k'};
    store(HttpCache.create(capacity, 0, null), 0, body); // loads and initializes every class first
    long before = usedAfterGc();
    HttpCache cache = HttpCache.create(capacity, 0, null);
    for (int i = 0; i < count; i++) {
      store(cache, i, body);
    }
    long after = usedAfterGc();
    long hits = 0;
    for (int i = count - 1; i >= 0 && hits < count; i--) {
      URI url = URI.create("https://api.example.org/items/" + i + "?fields=name,price");
      if (cache.cachedResponse(Request.get(url)) == null) {
        break;
      }
      hits++;
    }
    System.out.println("RESULT " + (after - before) + " " + hits + " " + cache.currentMemoryUsage());
    System.out.println(cache.memoryCapacity() > 0 ? "DONE" : "EMPTY");
  }

  private static void store(HttpCache cache, int i, byte[] body) {
    URI url = URI.create("https://api.example.org/items/" + i + "?fields=name,price");
    Response response = Response.builder(url).statusCode(200)
        .header("Content-Type", "application/json")
        .header("Cache-Control", "max-age=600")
        .header("ETag", "\"" + Integer.toHexString(i * 31) + "\"")
        .header("Date", "Sun, 06 Dec 2026 10:00:00 GMT")
        .build();
    cache.storeCachedResponse(new CachedResponse(response, body), Request.get(url));
  }

  static long usedAfterGc() {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 5; i++) { // the lowest of a few full collections: settled, not racing
      System.gc();
      used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
    }
    return used;
  }
}
