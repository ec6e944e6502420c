package dev.urlsession;

import dev.urlsession.internal.CacheEntry;
import dev.urlsession.internal.CacheFileFormat;
import dev.urlsession.internal.CacheRules;
import dev.urlsession.internal.Checks;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An HTTP response cache in memory and, optionally, on disk (Apple's {@code URLCache}).
 *
 * <pre>{@code
 * HttpCache cache = HttpCache.create(4 << 20, 50 << 20, Path.of("/var/cache/myapp/http"));
 * CachedResponse hit = cache.cachedResponse(Request.get(URI.create("https://example.org/a")));
 * }</pre>
 *
 * <p><b>What is stored.</b> A store is ignored when the entry's policy is {@link
 * CacheStoragePolicy#NOT_ALLOWED}, the request method is not {@code GET}, the response has {@code
 * Vary: *}, or the entry is larger than 5% of the disk capacity (when it would go to disk: its body,
 * URL and header fields) or of the memory capacity (when it stays in memory: what it costs there,
 * see Capacities), as Apple documents. {@link
 * CacheStoragePolicy#ALLOWED} entries go to disk when the cache has a usable directory and a
 * non-zero disk capacity, and to memory as well when they are no larger than 5% of the memory
 * capacity; {@link CacheStoragePolicy#ALLOWED_IN_MEMORY_ONLY} entries never touch the disk. Storing
 * for the same request again replaces the entry. Whether an HTTP response should be stored at all
 * (RFC 9111) is the caller's decision; this class stores what it is given.
 *
 * <p><b>Keys.</b> An entry is found by the request's URL without its fragment, and, when the stored
 * response has a {@code Vary} field, by the values of the request fields it names (RFC 9111 4.1): a
 * request with other values is a miss.
 *
 * <p><b>Capacities.</b> Each tier evicts its least recently used entries to stay within its
 * capacity; lowering a capacity evicts at once, and a disk capacity of 0 deletes the disk entries.
 * Memory usage counts what an entry really takes of the heap, estimated: its body, about 512 bytes
 * for its objects (response, headers, URI, timestamps, index), 4 bytes per URL character and 80
 * bytes plus the characters of each header field; so the memory capacity bounds the heap even
 * for many tiny responses (a tiny response counts about 1 KiB: a 4 MiB cache keeps about 4,000
 * of them). Disk usage is the size of the entry files.
 *
 * <p><b>Disk.</b> One file per entry, named by the SHA-256 of its key, written to a temporary file
 * and moved into place atomically, in a versioned format with checksums; entries survive a restart.
 * A store returns before its file is written: the library's cache writer thread writes it about
 * 100 ms later, and until then lookups find the entry as stored (a newer store of the same entry
 * replaces the one waiting, so a busy entry is written a few times a second, not at every store). Files are not forced to the device: a crash may lose the newest entries, and a
 * file a crash left torn fails its checksum. A corrupted or truncated file is logged at WARN and
 * deleted, and the lookup is a miss. A directory that cannot be created or written is logged once
 * at WARN and the cache works in memory only. The directory is opened and its entries indexed on
 * the cache writer thread, so creating a cache does not wait for the disk; its first use does (up
 * to 10 seconds). One directory must be used by one {@code HttpCache} at a time: a cache created
 * for the directory of another in the same JVM is opened after that one's queued files are
 * written; at the JVM's exit, files still waiting are written (for up to 5 seconds). User info values survive on disk only when they are {@code String}, {@code Boolean},
 * {@code Integer}, {@code Long} or {@code Double}.
 *
 * <p><b>Threading.</b> Every method is thread-safe and may be called from any thread. A lookup that
 * reads an entry file does so on the calling thread, files are written on the cache writer thread;
 * neither holds the cache's lock meanwhile, so a store never waits for the disk.
 *
 * @since 0.1.0
 */
public final class HttpCache {
  private static final Logger LOG = LoggerFactory.getLogger(HttpCache.class);

  /** Memory capacity of {@link #shared()}: 4 MiB, as Apple's header states. */
  static final long SHARED_MEMORY_CAPACITY = 4L * 1024 * 1024;

  /** The heap an entry in memory takes besides its body, URL and header fields (bytes). */
  static final long ENTRY_OVERHEAD = 512;

  /** The heap a header field takes besides its characters: two strings and their arrays. */
  static final long HEADER_OVERHEAD = 80;

  /** An entry larger than capacity / 20 (5%) is not stored in that tier. */
  private static final int MAX_ENTRY_FRACTION = 20;

  private static final String TEMP_SUFFIX = ".tmp";
  private static final String PROBE_PREFIX = "probe.";

  private final Clock clock;
  private final Object lock = new Object();

  // Written under lock; volatile so that entryLimit() and writesToDisk(), asked for every response,
  // read them without taking the lock the lookups and stores of other threads take.
  private volatile @Nullable Path directory;
  private volatile long memoryCapacity;
  private volatile long diskCapacity;
  // Everything below is guarded by lock.
  private long memoryUsage;
  private long diskUsage;
  private boolean diskFailureLogged;

  /** Memory entries by full key, least recently used first. */
  private final LinkedHashMap<String, MemoryNode> memory = new LinkedHashMap<>(16, 0.75f, true);

  /** Disk entries by full key, least recently used first. */
  private final LinkedHashMap<String, DiskNode> disk = new LinkedHashMap<>(16, 0.75f, true);

  /**
   * Entry files to write, by full key, oldest first (a disk entry whose file is not written yet):
   * the writer takes them one by one and removes each once its file is in place.
   */
  private final LinkedHashMap<String, Pending> pending = new LinkedHashMap<>();

  /** Whether the directory is still being opened and indexed (by the writer thread). */
  private volatile boolean opening;

  /** Write passes scheduled or running for this cache (one at a time runs: one writer thread). */
  private int writePasses;

  /**
   * How long a stored file waits before it is written: repeated stores of a busy entry replace
   * each other in the meantime instead of each writing the file.
   */
  static final long WRITE_DELAY_MILLIS = 100;

  /** Primary key (URL) to the full keys stored under it, in either tier. */
  private final Map<String, Map<String, Variant>> variants = new HashMap<>();

  /** The Vary field names of one stored variant, and when it was stored. */
  private record Variant(List<String> varyNames, Instant storedTime) {}

  private record MemoryNode(String primaryKey, CacheEntry entry, long size) {}

  private record DiskNode(String primaryKey, Path file, Instant storedTime, long size) {}

  /** An entry file to write: the entry (what lookups get meanwhile) and the file's bytes. */
  private record Pending(CacheEntry entry, byte[] bytes, Path file) {}

  private static final class SharedHolder {
    static final HttpCache SHARED = HttpCache.create(SHARED_MEMORY_CAPACITY, 0, null);
  }

  HttpCache(long memoryCapacity, long diskCapacity, @Nullable Path directory, Clock clock) {
    this.memoryCapacity = checkCapacity(memoryCapacity, "memoryCapacity");
    this.diskCapacity = checkCapacity(diskCapacity, "diskCapacity");
    this.clock = Checks.notNull(clock, "clock");
    if (directory != null) {
      // Opened and indexed on the writer thread: creating a cache (a session, an application's
      // start) does not wait for the disk; the cache's first use waits until it is open.
      opening = true;
      CacheWriter.schedule(() -> openDisk(directory), 0);
    }
  }

  /** Opens the directory and indexes its entries, on the writer thread, holding the lock throughout. */
  private void openDisk(Path requested) {
    synchronized (lock) {
      try {
        this.directory = CacheWriter.openDirectory(requested, TEMP_SUFFIX, PROBE_PREFIX);
        if (this.directory != null) {
          CacheWriter.opened(this.directory, this); // after the files another cache of it queued
          loadIndex(this.directory);
          trimDisk();
        }
      } catch (RuntimeException e) {
        LOG.warn("HTTP cache directory {} cannot be used ({}); caching in memory only", requested, e.toString());
      } finally {
        opening = false;
        lock.notifyAll();
      }
    }
  }

  /** The lock, once the directory is open and indexed (waiting up to 10 s for it). */
  private Object opened() {
    if (opening) {
      synchronized (lock) {
        long deadline = System.nanoTime() + 10_000_000_000L;
        boolean interrupted = false;
        while (opening && System.nanoTime() - deadline < 0) {
          try {
            lock.wait(Math.max(1, (deadline - System.nanoTime()) / 1_000_000L));
          } catch (InterruptedException e) {
            interrupted = true;
          }
        }
        if (interrupted) {
          Thread.currentThread().interrupt();
        }
      }
    }
    return lock;
  }

  /**
   * The process-wide cache: 4 MiB in memory, no disk. Created on first use.
   *
   * @return the same instance on every call; never null
   */
  public static HttpCache shared() {
    return SharedHolder.SHARED;
  }

  /**
   * A new cache.
   *
   * @param memoryCapacity bytes kept in memory; 0 for none
   * @param diskCapacity bytes kept on disk; 0 for none (ignored without a directory)
   * @param directory where entries are kept on disk, created if missing; {@code null} for a
   *     memory-only cache. Existing entries in it are loaded.
   * @throws IllegalArgumentException if a capacity is negative
   */
  public static HttpCache create(long memoryCapacity, long diskCapacity, @Nullable Path directory) {
    return new HttpCache(memoryCapacity, diskCapacity, directory, Clock.systemUTC());
  }

  /**
   * The entry for {@code request}: same URL (fragment ignored), method {@code GET}, and the request
   * fields named by the stored response's {@code Vary} equal. Counts as a use for LRU eviction.
   *
   * @return the entry, or {@code null} on a miss (including any request other than {@code GET})
   * @throws IllegalArgumentException if {@code request} is null
   */
  public @Nullable CachedResponse cachedResponse(Request request) {
    CacheEntry entry = entry(request);
    return entry == null ? null : entry.cachedResponse();
  }

  /**
   * Stores {@code cachedResponse} for {@code request}, replacing any entry for the same request;
   * ignored in the cases listed in the class description. The request and response times used for
   * RFC 9111 age calculation are taken as now.
   *
   * @throws IllegalArgumentException if an argument is null
   */
  public void storeCachedResponse(CachedResponse cachedResponse, Request request) {
    Instant now = clock.instant();
    store(cachedResponse, request, now, now);
  }

  /**
   * Removes every entry stored for the URL of {@code request} (fragment ignored), whatever its
   * method or {@code Vary} values: the invalidation of RFC 9111 4.4.
   *
   * @throws IllegalArgumentException if {@code request} is null
   */
  public void removeCachedResponse(Request request) {
    Checks.notNull(request, "request");
    String primary = CacheRules.primaryKey(request.url());
    synchronized (opened()) {
      Map<String, Variant> keys = variants.get(primary);
      if (keys == null) {
        return;
      }
      for (String key : List.copyOf(keys.keySet())) {
        removeKey(key);
      }
    }
  }

  /** Removes every entry, in memory and on disk. */
  public void removeAllCachedResponses() {
    synchronized (opened()) {
      for (String key : List.copyOf(memory.keySet())) {
        removeMemory(key);
      }
      for (String key : List.copyOf(disk.keySet())) {
        removeDisk(key);
      }
    }
  }

  /**
   * Removes the entries stored at or after {@code since}.
   *
   * @throws IllegalArgumentException if {@code since} is null
   */
  public void removeCachedResponses(Instant since) {
    Checks.notNull(since, "since");
    synchronized (opened()) {
      for (Map.Entry<String, MemoryNode> e : List.copyOf(memory.entrySet())) {
        if (!e.getValue().entry().storedTime().isBefore(since)) {
          removeMemory(e.getKey());
        }
      }
      for (Map.Entry<String, DiskNode> e : List.copyOf(disk.entrySet())) {
        if (!e.getValue().storedTime().isBefore(since)) {
          removeDisk(e.getKey());
        }
      }
    }
  }

  /** The memory capacity in bytes. */
  public long memoryCapacity() {
    synchronized (lock) {
      return memoryCapacity;
    }
  }

  /**
   * Sets the memory capacity, evicting least recently used memory entries down to it.
   *
   * @throws IllegalArgumentException if negative
   */
  public void memoryCapacity(long memoryCapacity) {
    checkCapacity(memoryCapacity, "memoryCapacity");
    synchronized (opened()) {
      this.memoryCapacity = memoryCapacity;
      trimMemory();
    }
  }

  /** The disk capacity in bytes (as set, even when the cache has no usable directory). */
  public long diskCapacity() {
    synchronized (lock) {
      return diskCapacity;
    }
  }

  /**
   * Sets the disk capacity, deleting least recently used disk entries down to it; 0 deletes them
   * all. Memory entries are kept.
   *
   * @throws IllegalArgumentException if negative
   */
  public void diskCapacity(long diskCapacity) {
    checkCapacity(diskCapacity, "diskCapacity");
    synchronized (opened()) {
      this.diskCapacity = diskCapacity;
      trimDisk();
    }
  }

  /** The approximate bytes held in memory. */
  public long currentMemoryUsage() {
    synchronized (lock) {
      return memoryUsage;
    }
  }

  /** The bytes of the entry files on disk. */
  public long currentDiskUsage() {
    synchronized (opened()) {
      return diskUsage;
    }
  }

  @Override
  public String toString() {
    synchronized (lock) {
      return "HttpCache{memory "
          + memoryUsage
          + "/"
          + memoryCapacity
          + ", disk "
          + diskUsage
          + "/"
          + diskCapacity
          + (directory == null ? "" : " in " + directory)
          + "}";
    }
  }

  // ---------------------------------------------------------------------------------------------
  // For the HTTP path (package-private): entries with their RFC 9111 times.

  /** The entry for {@code request} with its times, or null; see {@link #cachedResponse}. */
  @Nullable CacheEntry entry(Request request) {
    Checks.notNull(request, "request");
    if (!"GET".equals(request.method())) {
      return null;
    }
    String primary = CacheRules.primaryKey(request.url());
    String found;
    DiskNode d;
    synchronized (opened()) {
      Map<String, Variant> keys = variants.get(primary);
      if (keys == null) {
        return null;
      }
      // Several Vary sets may match (the origin changed its Vary): take the newest (RFC 9111 4.1).
      String best = null;
      Instant bestTime = null;
      for (Map.Entry<String, Variant> e : keys.entrySet()) {
        Variant v = e.getValue();
        String key = CacheRules.variantKey(request.url(), v.varyNames(), request.headers());
        if (key.equals(e.getKey()) && (bestTime == null || v.storedTime().isAfter(bestTime))) {
          best = key;
          bestTime = v.storedTime();
        }
      }
      if (best == null) {
        return null;
      }
      MemoryNode m = memory.get(best);
      if (m != null) {
        disk.get(best); // keep the disk tier's LRU order in step
        return m.entry();
      }
      d = disk.get(best);
      if (d == null) {
        return null;
      }
      Pending waiting = pending.get(best);
      if (waiting != null) {
        return promote(best, d, waiting.entry()); // its file is not written yet
      }
      found = best;
    }
    // The file is read without the lock: stores (possibly on an I/O thread) never wait for a read.
    CacheEntry read = readFile(d.file());
    synchronized (lock) {
      if (disk.get(found) != d) {
        return null; // replaced or removed meanwhile
      }
      if (read == null) {
        removeDisk(found);
        return null;
      }
      return promote(found, d, read);
    }
  }

  /**
   * The largest body a store may keep: 5 % of the disk capacity when there is one, else of the
   * memory capacity (a task stops copying its body for the cache beyond it).
   */
  long entryLimit() {
    long disk = diskCapacity;
    return (disk > 0 ? disk : memoryCapacity) / MAX_ENTRY_FRACTION;
  }

  /**
   * Stores {@code cachedResponse} for {@code request} with the times the request was sent and the
   * response received; see {@link #storeCachedResponse}.
   */
  void store(
      CachedResponse cachedResponse, Request request, Instant requestTime, Instant responseTime) {
    Checks.notNull(cachedResponse, "cachedResponse");
    Checks.notNull(request, "request");
    Checks.notNull(requestTime, "requestTime");
    Checks.notNull(responseTime, "responseTime");
    CacheStoragePolicy policy = cachedResponse.storagePolicy();
    Response response = cachedResponse.response();
    if (policy == CacheStoragePolicy.NOT_ALLOWED
        || !"GET".equals(request.method())
        || CacheRules.isVaryStar(response)) {
      return;
    }
    String primary = CacheRules.primaryKey(request.url());
    List<String> varyNames = CacheRules.varyNames(response);
    String key = CacheRules.variantKey(request.url(), varyNames, request.headers());
    long size = approximateSize(cachedResponse);
    synchronized (opened()) {
      Instant storedTime = clock.instant();
      CacheEntry entry = new CacheEntry(cachedResponse, requestTime, responseTime, storedTime);
      boolean toDisk =
          policy == CacheStoragePolicy.ALLOWED && directory != null && diskCapacity > 0;
      long limit = (toDisk ? diskCapacity : memoryCapacity) / MAX_ENTRY_FRACTION;
      long tierSize = toDisk ? contentSize(cachedResponse) : size;
      if (tierSize > limit) {
        LOG.debug("not caching {}: {} bytes exceed 5% of capacity ({})", key, tierSize, limit);
        return;
      }
      // The old entry goes (a new memory entry takes its place in one step, a new file replaces the
      // old one); its variant record is replaced below, or forgotten if nothing is stored.
      if (toDisk) {
        forgetDisk(key);
      } else {
        dropDisk(key);
      }
      boolean stored = false;
      if (size <= memoryCapacity / MAX_ENTRY_FRACTION) {
        MemoryNode old = memory.put(key, new MemoryNode(primary, entry, size));
        memoryUsage += size - (old == null ? 0 : old.size());
        stored = true;
      } else {
        dropMemory(key);
      }
      if (toDisk) {
        stored |= queueWrite(key, primary, entry, cachedResponse.dataUnsafe());
      }
      if (stored) {
        variants
            .computeIfAbsent(primary, p -> new HashMap<>())
            .put(key, new Variant(varyNames, storedTime));
      } else {
        forgetIfGone(key, primary);
      }
      trimMemory();
      trimDisk();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Tiers (all called with lock held)

  /**
   * What an entry in memory costs, estimated from the objects it keeps: the body, a fixed part for
   * the entry's own objects (the entry and its three timestamps, the cached and the HTTP response,
   * the headers object, the URI and the map and variant records that index it), 4 bytes per URL
   * character (the URL is held by the URI with its parsed parts and by two cache keys), and per
   * header field its characters plus two strings' overhead. Calibrated on a 64-bit JVM with
   * compressed references (CacheHeapTests measures it): tiny responses cost about 1 KiB each.
   */
  /** An entry's content: body bytes plus the characters of its URL and header fields (its file's size, about). */
  private static long contentSize(CachedResponse c) {
    Response r = c.response();
    long size = c.dataLength() + r.url().toString().length();
    Headers h = r.headers();
    for (int i = 0; i < h.size(); i++) {
      size += h.name(i).length() + h.value(i).length();
    }
    return size;
  }

  static long approximateSize(CachedResponse c) {
    Response r = c.response();
    long size = c.dataLength() + ENTRY_OVERHEAD + 4L * r.url().toString().length();
    Headers h = r.headers();
    for (int i = 0; i < h.size(); i++) {
      size += HEADER_OVERHEAD + h.name(i).length() + h.value(i).length();
    }
    return size;
  }

  private void trimMemory() {
    Iterator<Map.Entry<String, MemoryNode>> it = memory.entrySet().iterator();
    while (memoryUsage > memoryCapacity && it.hasNext()) {
      Map.Entry<String, MemoryNode> e = it.next();
      it.remove();
      memoryUsage -= e.getValue().size();
      forgetIfGone(e.getKey(), e.getValue().primaryKey());
    }
  }

  private void trimDisk() {
    Iterator<Map.Entry<String, DiskNode>> it = disk.entrySet().iterator();
    while (diskUsage > diskCapacity && it.hasNext()) {
      Map.Entry<String, DiskNode> e = it.next();
      it.remove();
      pending.remove(e.getKey());
      diskUsage -= e.getValue().size();
      deleteQuietly(e.getValue().file());
      forgetIfGone(e.getKey(), e.getValue().primaryKey());
    }
  }

  private void removeKey(String key) {
    removeMemory(key);
    removeDisk(key);
  }

  private void removeMemory(String key) {
    MemoryNode m = dropMemory(key);
    if (m != null) {
      forgetIfGone(key, m.primaryKey());
    }
  }

  private void removeDisk(String key) {
    DiskNode d = dropDisk(key);
    if (d != null) {
      forgetIfGone(key, d.primaryKey());
    }
  }

  /** Removes the memory entry of {@code key}, keeping its variant record. */
  private @Nullable MemoryNode dropMemory(String key) {
    MemoryNode m = memory.remove(key);
    if (m != null) {
      memoryUsage -= m.size();
    }
    return m;
  }

  /** Removes the disk entry of {@code key} and its file, keeping its variant record. */
  private @Nullable DiskNode dropDisk(String key) {
    DiskNode d = forgetDisk(key);
    if (d != null) {
      deleteQuietly(d.file());
    }
    return d;
  }

  /** Removes the disk entry of {@code key} (and its pending write) from the index; the file stays. */
  private @Nullable DiskNode forgetDisk(String key) {
    pending.remove(key);
    DiskNode d = disk.remove(key);
    if (d != null) {
      diskUsage -= d.size();
    }
    return d;
  }

  private void forgetIfGone(String key, String primaryKey) {
    if (memory.containsKey(key) || disk.containsKey(key)) {
      return;
    }
    Map<String, Variant> keys = variants.get(primaryKey);
    if (keys != null) {
      keys.remove(key);
      if (keys.isEmpty()) {
        variants.remove(primaryKey);
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Disk (all called with lock held)

  private static long checkCapacity(long capacity, String name) {
    Checks.argument(capacity >= 0, name + " must be >= 0 but was " + capacity);
    return capacity;
  }

  /** Indexes the entry files of {@code dir}, least recently used first, dropping bad ones. */
  private void loadIndex(Path dir) {
    for (CacheWriter.Found f : CacheWriter.scan(dir, TEMP_SUFFIX, PROBE_PREFIX)) {
      int newline = f.key().indexOf('\n');
      String primary = newline < 0 ? f.key() : f.key().substring(0, newline);
      disk.put(f.key(), new DiskNode(primary, f.file(), f.storedTime(), f.size()));
      diskUsage += f.size();
      variants
          .computeIfAbsent(primary, p -> new HashMap<>())
          .put(f.key(), new Variant(f.vary(), f.storedTime()));
    }
  }

  /** Indexes the entry's file and queues it for the writer; false when there is no directory. */
  private boolean queueWrite(String key, String primary, CacheEntry entry, byte[] body) {
    Path dir = directory;
    if (dir == null) {
      return false;
    }
    byte[] bytes = CacheFileFormat.encode(key, entry, body);
    Path target = dir.resolve(CacheFileFormat.fileName(key));
    pending.put(key, new Pending(entry, bytes, target));
    disk.put(key, new DiskNode(primary, target, entry.storedTime(), bytes.length));
    diskUsage += bytes.length;
    if (writePasses == 0) {
      schedulePass(WRITE_DELAY_MILLIS);
    }
    return true;
  }

  private void schedulePass(long delayMillis) {
    writePasses++;
    CacheWriter.schedule(this::writePass, delayMillis);
  }

  /**
   * A pass of the writer: writes the files pending when it starts, one by one, without the lock,
   * and schedules the next pass if more came meanwhile. A file whose entry was removed while it
   * was written is deleted; one replaced meanwhile is written by the next pass.
   */
  private void writePass() {
    writePending();
    synchronized (lock) {
      writePasses--;
      if (writePasses == 0 && !pending.isEmpty()) {
        schedulePass(WRITE_DELAY_MILLIS);
      }
      lock.notifyAll();
    }
  }

  /** Writes the files pending when it starts; only on the writer thread. */
  void writePending() {
    int budget;
    synchronized (lock) {
      budget = pending.size();
    }
    for (int i = 0; i < budget; i++) {
      String key;
      Pending p;
      synchronized (lock) {
        Iterator<Map.Entry<String, Pending>> it = pending.entrySet().iterator();
        if (!it.hasNext()) {
          break;
        }
        Map.Entry<String, Pending> next = it.next();
        key = next.getKey();
        p = next.getValue();
      }
      boolean written = writeFile(p.file(), p.bytes());
      synchronized (lock) {
        boolean current = pending.get(key) == p;
        if (current) {
          pending.remove(key);
        }
        if (!written) {
          if (current) {
            removeDisk(key);
          }
        } else if (!disk.containsKey(key)) {
          deleteQuietly(p.file()); // removed or evicted while it was written
        }
      }
    }
  }

  /**
   * Waits (up to {@code timeoutMillis}) until the files of every store made so far are written;
   * false on timeout.
   */
  boolean awaitWrites(long timeoutMillis) throws InterruptedException {
    long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
    synchronized (opened()) {
      if (!pending.isEmpty()) {
        schedulePass(0); // now, not after the delay
      }
      while (writePasses > 0) {
        long left = (deadline - System.nanoTime()) / 1_000_000L;
        if (left <= 0) {
          return false;
        }
        lock.wait(left);
      }
      return true;
    }
  }

  /** Writes a file atomically; false (logged) when the disk refuses. */
  private boolean writeFile(Path target, byte[] bytes) {
    try {
      CacheWriter.writeAtomically(target, bytes, TEMP_SUFFIX);
      return true;
    } catch (IOException | RuntimeException e) {
      synchronized (lock) {
        logDiskFailure("cannot write " + target, e);
      }
      return false;
    }
  }

  /** Reads an entry file and marks it used; null (logged) when it vanished or is bad. */
  private @Nullable CacheEntry readFile(Path file) {
    CacheEntry entry;
    try {
      entry = CacheFileFormat.read(file).entry();
    } catch (NoSuchFileException e) {
      LOG.debug("HTTP cache file {} vanished", file);
      return null;
    } catch (IOException | RuntimeException e) {
      LOG.warn("Ignoring and deleting unreadable HTTP cache file {}: {}", file, e.getMessage());
      return null;
    }
    try {
      Files.setLastModifiedTime(file, FileTime.from(clock.instant()));
    } catch (IOException | RuntimeException e) {
      LOG.debug("cannot touch {}: {}", file, e.toString());
    }
    return entry;
  }

  /** Keeps an entry read from disk in memory too, when it fits. */
  private CacheEntry promote(String key, DiskNode node, CacheEntry entry) {
    long size = approximateSize(entry.cachedResponse());
    if (size <= memoryCapacity / MAX_ENTRY_FRACTION) {
      memory.put(key, new MemoryNode(node.primaryKey(), entry, size));
      memoryUsage += size;
      trimMemory();
    }
    return entry;
  }

  private void logDiskFailure(String what, Exception e) {
    if (!diskFailureLogged) {
      diskFailureLogged = true;
      LOG.warn("HTTP cache {}: {} (further disk failures are logged at DEBUG)", what, e.toString());
    } else {
      LOG.debug("HTTP cache {}: {}", what, e.toString());
    }
  }

  private static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException | RuntimeException e) {
      LOG.debug("cannot delete {}: {}", file, e.toString());
    }
  }
}
