package dev.urlsession;

import dev.urlsession.internal.Checks;
import dev.urlsession.internal.CookieDomains;
import dev.urlsession.internal.CookieFileFormat;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A cookie jar (Apple's {@code HTTPCookieStorage}): stores cookies by name, domain and path,
 * answers which ones go with a request, and applies an {@link CookieAcceptPolicy}.
 *
 * <pre>{@code
 * CookieStorage storage = CookieStorage.persistent(Path.of("cookies.txt"));
 * storage.setCookies(Cookie.cookies(setCookieValues, url), url, null);
 * Map<String, String> fields = Cookie.requestHeaderFields(storage.cookies(url));
 * }</pre>
 *
 * <h2>Kinds</h2>
 * {@link #shared()} is one process-wide storage in memory; {@link #inMemory()} makes a private
 * one (ephemeral sessions use one each); {@link #persistent(Path)} keeps cookies that have an
 * expiry date in a file. Session cookies ({@link Cookie#isSessionOnly()}) are never written.
 *
 * <h2>Limits</h2>
 * At most {@value #MAX_COOKIES_PER_DOMAIN} cookies per registrable domain (so
 * {@code a.example.com} and {@code b.example.com} share one allowance) and
 * {@value #MAX_COOKIES} in total; beyond them the least recently used cookies are evicted
 * (RFC 6265 5.3). Expired cookies are purged whenever the storage is read or written.
 *
 * <h2>Persistence</h2>
 * The file is read once, when the storage is created. Changes are written at most once per
 * second by a daemon thread, at JVM shutdown if still pending, and at once by {@link #flush()}.
 * Every write goes to a temporary file in the same directory, readable by its owner only
 * ({@code rw-------} where the file system is POSIX), then atomically replaces the file. A file
 * that cannot be read, or whose content is not exactly what this class writes (garbage,
 * truncation, a flipped byte), is logged at WARN and treated as empty; it is replaced on the
 * next write. Write failures are logged at WARN and never thrown.
 *
 * <p>Thread-safe: every method may be called from any thread. No lock is held while the file is
 * written.
 *
 * @since 0.1.0
 */
public final class CookieStorage {
  /** Longer paths first, then older cookies first (RFC 6265 5.4 step 2). */
  private static final Comparator<Entry> REQUEST_ORDER =
      Comparator.<Entry>comparingInt(e -> e.cookie.path().length()).reversed()
          .thenComparingLong(e -> e.createdTick);

  /** The most cookies kept for one registrable domain. */
  public static final int MAX_COOKIES_PER_DOMAIN = 50;

  /** The most cookies kept in one storage. */
  public static final int MAX_COOKIES = 3000;

  private static final Logger log = LoggerFactory.getLogger(CookieStorage.class);
  /** Far above what {@link #MAX_COOKIES} escaped cookies can take; a bigger file is not ours. */
  private static final long MAX_FILE_BYTES = 64L * 1024 * 1024;
  private static final long WRITE_DELAY_MILLIS = 1000;

  private static final CookieStorage SHARED = new CookieStorage(null, Clock.systemUTC());

  /** Storages with a write pending, flushed by a shutdown hook; entries live at most a second. */
  private static final Set<CookieStorage> PENDING = ConcurrentHashMap.newKeySet();

  private final @Nullable Path file;
  private final Clock clock;
  private volatile CookieAcceptPolicy acceptPolicy = CookieAcceptPolicy.ONLY_FROM_MAIN_DOCUMENT_DOMAIN;

  // --- state, guarded by lock ---
  private final Object lock = new Object();
  /** Every entry, least recently used first (access order). */
  private final LinkedHashMap<Cookie, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);
  /** Entries by domain without its leading dot: a request looks up its host and parent domains. */
  private final Map<String, Map<Cookie, Entry>> byDomain = new HashMap<>();
  /** Entries by registrable domain, for the per-domain limit. */
  private final Map<String, Map<Cookie, Entry>> byGroup = new HashMap<>();
  /** No entry expires before this; null when none has an expiry. Only a hint: may be early. */
  private @Nullable Instant nextExpiry;
  /** Orders creation (tie-breaker for equal instants) and last access (LRU). */
  private long tick;
  /** Incremented by every change that affects the file. */
  private long version;
  private boolean writeScheduled;

  // --- file writing, guarded by writeLock; writeLock is taken before lock, never inside it ---
  private final Object writeLock = new Object();
  private long writtenVersion = -1;

  /** A stored cookie with RFC 6265's creation and last-access times. */
  private static final class Entry {
    final Cookie cookie;
    /** The registrable domain the per-domain limit counts against. */
    final String group;
    final Instant created;
    final long createdTick;
    long lastAccess;

    Entry(Cookie cookie, String group, Instant created, long createdTick) {
      this.cookie = cookie;
      this.group = group;
      this.created = created;
      this.createdTick = createdTick;
      this.lastAccess = createdTick;
    }
  }

  private CookieStorage(@Nullable Path file, Clock clock) {
    this.file = file;
    this.clock = clock;
    if (file != null) {
      load(file);
      synchronized (lock) {
        writtenVersion = version;
      }
    }
  }

  /**
   * The process-wide storage that default sessions use. It is kept in memory for now; a later
   * release persists it under {@link SessionConfiguration#defaultStorageDirectory()}.
   */
  public static CookieStorage shared() {
    return SHARED;
  }

  /** A new, private storage that keeps everything in memory (ephemeral sessions use one each). */
  public static CookieStorage inMemory() {
    return new CookieStorage(null, Clock.systemUTC());
  }

  /**
   * A new storage that keeps cookies with an expiry date in {@code file}, reading it now if it
   * exists. A missing parent directory is created on the first write. Use one instance per file:
   * two instances on one file overwrite each other's changes.
   *
   * @throws IllegalArgumentException if {@code file} is null
   */
  public static CookieStorage persistent(Path file) {
    return new CookieStorage(Checks.notNull(file, "file").toAbsolutePath(), Clock.systemUTC());
  }

  /** A storage on {@code clock}, persistent when {@code file} is not null (for tests). */
  static CookieStorage create(@Nullable Path file, Clock clock) {
    return new CookieStorage(file == null ? null : file.toAbsolutePath(), clock);
  }

  /** The accept policy; {@link CookieAcceptPolicy#ONLY_FROM_MAIN_DOCUMENT_DOMAIN} by default. */
  public CookieAcceptPolicy cookieAcceptPolicy() {
    return acceptPolicy;
  }

  /**
   * Sets the accept policy for later calls.
   *
   * @throws IllegalArgumentException if {@code policy} is null
   */
  public void cookieAcceptPolicy(CookieAcceptPolicy policy) {
    this.acceptPolicy = Checks.notNull(policy, "cookieAcceptPolicy");
  }

  /** Every unexpired cookie, oldest first; a new, modifiable list. */
  public List<Cookie> cookies() {
    synchronized (lock) {
      purgeExpired(clock.instant());
      List<Entry> all = new ArrayList<>(entries.values());
      all.sort(Comparator.comparingLong(e -> e.createdTick));
      List<Cookie> result = new ArrayList<>(all.size());
      for (Entry e : all) {
        result.add(e.cookie);
      }
      return result;
    }
  }

  /**
   * The cookies to send with a request for {@code url} ({@link Cookie#matches(URI)}), in RFC
   * 6265 5.4 order: longer paths first, then the earlier created. Counts as a use of each cookie
   * returned for the least-recently-used eviction.
   *
   * @return a new, modifiable list, empty when nothing matches or the URL has no host
   * @throws IllegalArgumentException if {@code url} is null
   */
  public List<Cookie> cookies(URI url) {
    Checks.notNull(url, "url");
    synchronized (lock) {
      if (byDomain.isEmpty()) {
        return new ArrayList<>(); // the common case of a session without cookies: no host parsing
      }
    }
    String host = CookieDomains.requestHost(url);
    if (host == null) {
      return new ArrayList<>();
    }
    String path = Cookie.requestPath(url);
    boolean secure = Cookie.isSecureScheme(url);
    synchronized (lock) {
      purgeExpired(clock.instant());
      List<Entry> matching = new ArrayList<>();
      for (String d = host; d != null; d = parentDomain(d)) {
        Map<Cookie, Entry> candidates = byDomain.get(d);
        if (candidates == null) {
          continue;
        }
        for (Entry e : candidates.values()) {
          Cookie c = e.cookie;
          if ((!c.isSecure() || secure) && c.domainMatches(host) && Cookie.pathMatches(path, c.path())) {
            matching.add(e);
          }
        }
      }
      matching.sort(REQUEST_ORDER);
      List<Cookie> result = new ArrayList<>(matching.size());
      for (Entry e : matching) {
        touch(e);
        result.add(e.cookie);
      }
      return result;
    }
  }

  /**
   * Every unexpired cookie, sorted by {@code comparator}.
   *
   * @return a new, modifiable list
   * @throws IllegalArgumentException if {@code comparator} is null
   */
  public List<Cookie> sortedCookies(Comparator<Cookie> comparator) {
    Checks.notNull(comparator, "comparator");
    List<Cookie> result = cookies();
    result.sort(comparator);
    return result;
  }

  /**
   * Stores {@code cookie}, replacing one with the same name, domain and path but keeping that
   * one's creation time. An expired cookie deletes the one it would replace and is not stored.
   * Nothing happens when the accept policy is {@link CookieAcceptPolicy#NEVER}. Unlike
   * {@link #setCookies}, no check ties the cookie to a URL: the caller vouches for it.
   *
   * @throws IllegalArgumentException if {@code cookie} is null
   */
  public void setCookie(Cookie cookie) {
    Checks.notNull(cookie, "cookie");
    if (acceptPolicy == CookieAcceptPolicy.NEVER) {
      return;
    }
    boolean changed;
    synchronized (lock) {
      changed = store(cookie, clock.instant());
    }
    if (changed) {
      scheduleWrite();
    }
  }

  /**
   * Stores the cookies a response from {@code url} set, as a session does: under
   * {@link CookieAcceptPolicy#NEVER} nothing; under
   * {@link CookieAcceptPolicy#ONLY_FROM_MAIN_DOCUMENT_DOMAIN} only the cookies whose domain the
   * host of {@code mainDocumentUrl} domain-matches (RFC 6265 5.1.3): a domain cookie for
   * {@code example.com} set by {@code api.example.com} while the main document is
   * {@code www.example.com} is kept, a host-only cookie of {@code api.example.com} (a sibling
   * host) is refused; a null main document means {@code url} itself. Each cookie must also be
   * valid for {@code url}'s host: a
   * host-only cookie for exactly that host, a domain cookie for a domain the host domain-matches
   * and that is not a public suffix; others are skipped. Over plain {@code http} (loopback hosts
   * excepted), a secure cookie is skipped, and so is one that would shadow a stored secure cookie
   * of the same name (RFC 6265bis "strict secure cookies"). The rest are stored as by
   * {@link #setCookie(Cookie)}.
   *
   * @param cookies the cookies, typically {@link Cookie#cookies(List, URI)} of the response
   * @param url the URL of the response that set them
   * @param mainDocumentUrl the main document of the request, or {@code null}
   * @throws IllegalArgumentException if {@code cookies}, one of its elements, or {@code url} is
   *     null
   */
  public void setCookies(List<Cookie> cookies, URI url, @Nullable URI mainDocumentUrl) {
    setCookies(cookies, url, mainDocumentUrl, acceptPolicy);
  }

  /** As {@link #setCookies(List, URI, URI)} under {@code policy}, a session's own policy. */
  void setCookies(List<Cookie> cookies, URI url, @Nullable URI mainDocumentUrl, CookieAcceptPolicy policy) {
    Checks.notNull(cookies, "cookies");
    Checks.notNull(url, "url");
    Checks.notNull(policy, "cookieAcceptPolicy");
    for (Cookie c : cookies) {
      Checks.notNull(c, "cookie");
    }
    if (policy == CookieAcceptPolicy.NEVER || cookies.isEmpty()) {
      return;
    }
    String host = CookieDomains.requestHost(url);
    if (host == null) {
      return;
    }
    String mainHost = null;
    if (policy == CookieAcceptPolicy.ONLY_FROM_MAIN_DOCUMENT_DOMAIN && mainDocumentUrl != null) {
      mainHost = CookieDomains.requestHost(mainDocumentUrl);
      if (mainHost == null) {
        return;
      }
    }
    boolean secureUrl = Cookie.isSecureScheme(url) || CookieDomains.isLoopback(host);
    boolean changed = false;
    synchronized (lock) {
      Instant now = clock.instant();
      for (Cookie c : cookies) {
        if (!validFor(c, host) || !secureUrl && (c.isSecure() || shadowsSecureCookie(c))
            || mainHost != null && !CookieDomains.domainMatches(mainHost, c.bareDomain())) {
          continue;
        }
        changed |= store(c, now);
      }
    }
    if (changed) {
      scheduleWrite();
    }
  }

  /**
   * Deletes the stored cookie with {@code cookie}'s name, domain and path, if any.
   *
   * @throws IllegalArgumentException if {@code cookie} is null
   */
  public void deleteCookie(Cookie cookie) {
    Checks.notNull(cookie, "cookie");
    boolean changed;
    synchronized (lock) {
      Entry removed = remove(cookie);
      changed = removed != null && !removed.cookie.isSessionOnly();
    }
    if (changed) {
      scheduleWrite();
    }
  }

  /**
   * Deletes every cookie stored at or after {@code since} (a replaced cookie counts from its
   * original creation).
   *
   * @throws IllegalArgumentException if {@code since} is null
   */
  public void removeCookies(Instant since) {
    Checks.notNull(since, "since");
    boolean changed = false;
    synchronized (lock) {
      List<Entry> doomed = new ArrayList<>();
      for (Entry e : entries.values()) {
        if (!e.created.isBefore(since)) {
          doomed.add(e);
        }
      }
      for (Entry e : doomed) {
        unlink(e);
        changed |= !e.cookie.isSessionOnly();
      }
      if (changed) {
        version++;
      }
    }
    if (changed) {
      scheduleWrite();
    }
  }

  /** Deletes every cookie (a session's {@code reset()}). */
  public void removeAll() {
    boolean changed;
    synchronized (lock) {
      changed = !entries.isEmpty();
      entries.clear();
      byDomain.clear();
      byGroup.clear();
      nextExpiry = null;
      if (changed) {
        version++;
      }
    }
    if (changed) {
      scheduleWrite();
    }
  }

  /**
   * Writes the persistent cookies to the file now, on the calling thread (a session's
   * {@code flush()}); does nothing for an in-memory storage. Failures are logged, not thrown.
   */
  public void flush() {
    write();
  }

  @Override
  public String toString() {
    int size;
    synchronized (lock) {
      size = entries.size();
    }
    return "CookieStorage{" + (file != null ? file + ", " : "in memory, ") + size + " cookies, "
        + acceptPolicy + "}";
  }

  // --- the state; every method below runs under lock ---

  /** Stores or, for an expired cookie, deletes; whether the file content changed. */
  private boolean store(Cookie cookie, Instant now) {
    purgeExpired(now);
    if (cookie.isExpired(now)) {
      Entry removed = remove(cookie);
      return removed != null && !removed.cookie.isSessionOnly();
    }
    Entry old = entries.get(cookie);
    Entry entry;
    if (old != null) {
      unlink(old);
      entry = new Entry(cookie, old.group, old.created, old.createdTick);
    } else {
      entry = new Entry(cookie, group(cookie), now, ++tick);
    }
    link(entry);
    touch(entry);
    boolean changed = !cookie.isSessionOnly() || old != null && !old.cookie.isSessionOnly();
    changed |= evict(entry.group);
    if (changed) {
      version++;
    }
    return changed;
  }

  private @Nullable Entry remove(Cookie cookie) {
    Entry e = entries.get(cookie);
    if (e != null) {
      unlink(e);
      if (!e.cookie.isSessionOnly()) {
        version++;
      }
    }
    return e;
  }

  /** Adds {@code e} to every index, as the most recently used entry. */
  private void link(Entry e) {
    entries.put(e.cookie, e);
    byDomain.computeIfAbsent(e.cookie.bareDomain(), k -> new HashMap<>()).put(e.cookie, e);
    byGroup.computeIfAbsent(e.group, k -> new HashMap<>()).put(e.cookie, e);
    Instant expires = e.cookie.expiresDate();
    if (expires != null && (nextExpiry == null || expires.isBefore(nextExpiry))) {
      nextExpiry = expires;
    }
  }

  /** Removes {@code e} from every index. */
  private void unlink(Entry e) {
    entries.remove(e.cookie);
    removeFrom(byDomain, e.cookie.bareDomain(), e.cookie);
    removeFrom(byGroup, e.group, e.cookie);
  }

  private static void removeFrom(Map<String, Map<Cookie, Entry>> index, String key, Cookie cookie) {
    Map<Cookie, Entry> m = index.get(key);
    if (m != null) {
      m.remove(cookie);
      if (m.isEmpty()) {
        index.remove(key);
      }
    }
  }

  /** Records a use of {@code e} for the least-recently-used order. */
  private void touch(Entry e) {
    e.lastAccess = ++tick;
    entries.get(e.cookie);
  }

  /** Evicts least recently used cookies over the limits; whether a persistent one went. */
  private boolean evict(String group) {
    boolean changed = false;
    Map<Cookie, Entry> inGroup = byGroup.get(group);
    while (inGroup != null && inGroup.size() > MAX_COOKIES_PER_DOMAIN) {
      Entry lru = null;
      for (Entry e : inGroup.values()) {
        if (lru == null || e.lastAccess < lru.lastAccess) {
          lru = e;
        }
      }
      unlink(lru);
      changed |= !lru.cookie.isSessionOnly();
    }
    while (entries.size() > MAX_COOKIES) {
      Entry lru = entries.values().iterator().next();
      unlink(lru);
      changed |= !lru.cookie.isSessionOnly();
    }
    return changed;
  }

  /** Removes expired entries, scanning only when one may have expired. */
  private void purgeExpired(Instant now) {
    if (nextExpiry == null || now.isBefore(nextExpiry)) {
      return;
    }
    List<Entry> expired = new ArrayList<>();
    Instant next = null;
    for (Entry e : entries.values()) {
      Instant expires = e.cookie.expiresDate();
      if (expires == null) {
        continue;
      }
      if (!expires.isAfter(now)) {
        expired.add(e);
      } else if (next == null || expires.isBefore(next)) {
        next = expires;
      }
    }
    nextExpiry = next;
    for (Entry e : expired) {
      unlink(e);
    }
    if (!expired.isEmpty()) {
      version++;
    }
  }

  /** The domain one label up, or null for a single label or an IP address. */
  private static @Nullable String parentDomain(String domain) {
    if (CookieDomains.isIpAddress(domain)) {
      return null;
    }
    int dot = domain.indexOf('.');
    return dot < 0 ? null : domain.substring(dot + 1);
  }

  /** Whether a cookie may be set by a response from canonical {@code host}. */
  private static boolean validFor(Cookie c, String host) {
    if (c.isHostOnly()) {
      return c.domain().equals(host);
    }
    String domain = c.bareDomain();
    return CookieDomains.domainMatches(host, domain)
        && !CookieDomains.isIpAddress(domain)
        && !CookieDomains.isPublicSuffix(domain);
  }

  private boolean shadowsSecureCookie(Cookie c) {
    for (Entry e : entries.values()) {
      Cookie old = e.cookie;
      if (old.isSecure()
          && old.name().equals(c.name())
          && (CookieDomains.domainMatches(old.bareDomain(), c.bareDomain())
              || CookieDomains.domainMatches(c.bareDomain(), old.bareDomain()))
          && Cookie.pathMatches(c.path(), old.path())) {
        return true;
      }
    }
    return false;
  }

  private static String group(Cookie c) {
    return CookieDomains.registrableDomain(c.bareDomain());
  }

  // --- the file (CookieFileFormat): persistent cookies only, written a moment after a change ---

  private void scheduleWrite() {
    if (file == null) {
      return;
    }
    synchronized (lock) {
      if (writeScheduled) {
        return;
      }
      writeScheduled = true;
      PENDING.add(this);
    }
    try {
      Writer.EXECUTOR.schedule(this::write, WRITE_DELAY_MILLIS, TimeUnit.MILLISECONDS);
    } catch (RuntimeException e) {
      log.warn("Could not schedule writing cookies to {}, writing now: {}", file, e.toString());
      write();
    }
  }

  private void write() {
    Path f = file;
    if (f == null) {
      return;
    }
    synchronized (writeLock) {
      long snapshotVersion;
      List<String[]> rows = new ArrayList<>();
      synchronized (lock) {
        writeScheduled = false;
        PENDING.remove(this);
        purgeExpired(clock.instant());
        snapshotVersion = version;
        if (snapshotVersion == writtenVersion) {
          return;
        }
        List<Entry> all = new ArrayList<>(entries.values());
        all.sort(Comparator.comparingLong(e -> e.createdTick));
        for (Entry e : all) {
          Cookie c = e.cookie;
          Instant expires = c.expiresDate();
          if (expires != null) {
            rows.add(new String[] {escape(c.name()), escape(c.value()), escape(c.domain()), escape(c.path()),
                Long.toString(expires.toEpochMilli()), c.isSecure() ? "1" : "0", c.isHttpOnly() ? "1" : "0",
                c.sameSite() == null ? "-" : "+" + escape(c.sameSite()), Long.toString(e.created.toEpochMilli())});
          }
        }
      }
      try {
        CookieFileFormat.write(f, CookieFileFormat.format(rows));
        writtenVersion = snapshotVersion;
      } catch (IOException | RuntimeException e) {
        log.warn("Could not write cookies to {}: {}", f, e.toString());
      }
    }
  }

  private void load(Path f) {
    if (!Files.exists(f)) {
      return;
    }
    List<String[]> rows;
    try {
      if (Files.size(f) > MAX_FILE_BYTES) {
        log.warn("Ignoring cookie file {}: larger than {} bytes; it will be replaced", f, MAX_FILE_BYTES);
        return;
      }
      rows = CookieFileFormat.parse(Files.readAllBytes(f));
    } catch (IOException | RuntimeException e) {
      log.warn("Could not read cookie file {}, starting empty: {}", f, e.toString());
      return;
    }
    if (rows == null) {
      log.warn("Ignoring cookie file {}: corrupt or truncated; it will be replaced", f);
      return;
    }
    Instant now = clock.instant();
    synchronized (lock) {
      for (String[] row : rows) {
        Cookie cookie;
        Instant created;
        try {
          Cookie.Builder b = Cookie.builder(unescape(row[0]), unescape(row[1]))
              .domain(unescape(row[2]))
              .path(unescape(row[3]))
              .expiresDate(Instant.ofEpochMilli(Long.parseLong(row[4])))
              .secure(row[5].equals("1"))
              .httpOnly(row[6].equals("1"));
          if (row[7].startsWith("+")) {
            b.sameSite(unescape(row[7].substring(1)));
          }
          cookie = b.build();
          created = Instant.ofEpochMilli(Long.parseLong(row[8]));
        } catch (RuntimeException e) {
          // passed the checksum, so written by us; refused now (a newer public suffix list)
          log.warn("Dropping a cookie from {}: {}", f, e.getMessage());
          continue;
        }
        if (cookie.isExpired(now)) {
          continue;
        }
        Entry old = entries.get(cookie);
        if (old != null) {
          unlink(old);
        }
        Entry e = new Entry(cookie, group(cookie), created, ++tick);
        link(e);
        touch(e);
        evict(e.group);
      }
    }
  }

  static String escape(String s) {
    return CookieFileFormat.escape(s);
  }

  static String unescape(String s) {
    return CookieFileFormat.unescape(s);
  }

  private static final class Writer {
    static final ScheduledThreadPoolExecutor EXECUTOR;

    static {
      AtomicInteger n = new AtomicInteger();
      EXECUTOR = new ScheduledThreadPoolExecutor(1, r -> {
        Thread t = new Thread(r, "urlsession-cookie-writer-" + n.incrementAndGet());
        t.setDaemon(true);
        return t;
      });
      EXECUTOR.setRemoveOnCancelPolicy(true);
      try {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
          for (CookieStorage s : PENDING) {
            s.write();
          }
        }, "urlsession-cookie-flush"));
      } catch (IllegalStateException | SecurityException e) {
        log.debug("No shutdown hook for pending cookie writes: {}", e.toString());
      }
    }

    private Writer() {}
  }
}
