package dev.urlsession;

import dev.urlsession.internal.Checks;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Credentials by protection space (Apple's {@code URLCredentialStorage}). A persistent storage
 * writes {@link Credential.Persistence#PERMANENT} credentials to a file only its owner can read,
 * atomically; others stay in memory. Client identities ({@link Credential#forIdentity}) always
 * stay in memory, whatever their persistence: a private key is never written to the file.
 * Thread-safe.
 *
 * @since 0.1.0
 */
public final class CredentialStorage {
  private static final Logger log = LoggerFactory.getLogger(CredentialStorage.class);
  private static final String HEADER = "urlsession-credentials 1";
  private static volatile @Nullable CredentialStorage shared;

  private final @Nullable Path file;
  /** Space to user to credential, in insertion order; guarded by this. */
  private final Map<ProtectionSpace, Map<String, Credential>> credentials = new LinkedHashMap<>();
  private final Map<ProtectionSpace, String> defaults = new LinkedHashMap<>();
  private final List<Runnable> listeners = new CopyOnWriteArrayList<>();

  private CredentialStorage(@Nullable Path file) {
    this.file = file;
    if (file != null) {
      load(file);
    }
  }

  /**
   * The storage of default sessions, persisting permanent credentials in
   * {@code ~/.urlsession/credentials}.
   */
  public static CredentialStorage shared() {
    CredentialStorage s = shared;
    if (s == null) {
      synchronized (CredentialStorage.class) {
        s = shared;
        if (s == null) {
          s = persistent(SessionConfiguration.defaultStorageDirectory().resolve("credentials"));
          shared = s;
        }
      }
    }
    return s;
  }

  /** A private storage that keeps everything in memory (ephemeral sessions use one). */
  public static CredentialStorage inMemory() {
    return new CredentialStorage(null);
  }

  /** A storage that keeps permanent credentials in {@code file} (read now if it exists). */
  public static CredentialStorage persistent(Path file) {
    return new CredentialStorage(Checks.notNull(file, "file").toAbsolutePath());
  }

  /** Every credential by space and user. */
  public synchronized Map<ProtectionSpace, Map<String, Credential>> allCredentials() {
    Map<ProtectionSpace, Map<String, Credential>> copy = new LinkedHashMap<>();
    credentials.forEach((space, byUser) -> copy.put(space, Map.copyOf(byUser)));
    return copy;
  }

  /** The credentials for {@code space} by user. */
  public synchronized Map<String, Credential> credentials(ProtectionSpace space) {
    Map<String, Credential> byUser = credentials.get(Checks.notNull(space, "space"));
    return byUser == null ? Map.of() : Map.copyOf(byUser);
  }

  /**
   * Stores {@code credential} for {@code space}, replacing the one of the same user; a
   * {@code NONE} one is not stored. A space without a default credential takes it as its
   * default. Listeners run only when this changed the storage (storing an equal credential again
   * does not).
   */
  public void set(Credential credential, ProtectionSpace space) {
    storeAndTell(credential, space, false);
  }

  /**
   * Stores {@code credential} under this lock; makes it the default of {@code space} when asked
   * or when the space has none. Whether anything changed.
   */
  private boolean store(Credential credential, ProtectionSpace space, boolean makeDefault) {
    Credential previous =
        credentials.computeIfAbsent(space, k -> new LinkedHashMap<>()).put(credential.user(), credential);
    boolean changed = !credential.equals(previous);
    if (makeDefault || !defaults.containsKey(space)) {
      changed |= !credential.user().equals(defaults.put(space, credential.user()));
    }
    return changed;
  }

  /**
   * Removes {@code credential} from {@code space}, unless it is synchronizable. Does nothing (and
   * notifies nobody) unless an equal credential is stored there.
   */
  public void remove(Credential credential, ProtectionSpace space) {
    remove(credential, space, false);
  }

  /**
   * Removes {@code credential} from {@code space}; synchronizable ones only when asked. Does
   * nothing (and notifies nobody) unless an equal credential is stored there. When it was the
   * default of the space, the space is left without a default: no other credential takes its
   * place until one is stored or set as default.
   */
  public void remove(Credential credential, ProtectionSpace space, boolean removeSynchronizable) {
    Checks.notNull(credential, "credential");
    Checks.notNull(space, "space");
    if (credential.persistence() == Credential.Persistence.SYNCHRONIZABLE && !removeSynchronizable) {
      return;
    }
    synchronized (this) {
      Map<String, Credential> byUser = credentials.get(space);
      if (byUser == null || !credential.equals(byUser.get(credential.user()))) {
        return;
      }
      byUser.remove(credential.user());
      if (byUser.isEmpty()) {
        credentials.remove(space);
      }
      if (credential.user().equals(defaults.get(space))) {
        defaults.remove(space);
      }
    }
    changed(credential);
  }

  /**
   * The default credential of {@code space}: the one last set as default, or the first one
   * stored while the space had none; null when the space has no default (for instance after its
   * default was removed, even if other credentials remain).
   */
  public synchronized @Nullable Credential defaultCredential(ProtectionSpace space) {
    Map<String, Credential> byUser = credentials.get(Checks.notNull(space, "space"));
    String user = defaults.get(space);
    return byUser == null || user == null ? null : byUser.get(user);
  }

  /**
   * The default credential of the first server space for HTTP Basic at {@code scheme://host:port}
   * (for sending preemptively), with its space; null when there is none. Reads the storage in
   * place: asked for every HTTP request, it must not copy it.
   */
  synchronized Map.@Nullable Entry<ProtectionSpace, Credential> defaultBasicCredential(
      String scheme, String host, int port) {
    for (ProtectionSpace s : credentials.keySet()) {
      if (!s.isProxy() && s.authenticationMethod() == AuthenticationMethod.HTTP_BASIC
          && s.host().equalsIgnoreCase(host) && s.port() == port
          && s.protocol().equalsIgnoreCase(scheme)) {
        Credential c = defaultCredential(s);
        if (c != null) {
          return Map.entry(s, c);
        }
      }
    }
    return null;
  }

  /**
   * Stores {@code credential} and makes it the default of {@code space} (a {@code NONE} one is
   * neither). Listeners run only when this changed the storage.
   */
  public void setDefaultCredential(Credential credential, ProtectionSpace space) {
    storeAndTell(credential, space, true);
  }

  /** Stores {@code credential} unless it is {@code NONE}; listeners run when the storage changed. */
  private void storeAndTell(Credential credential, ProtectionSpace space, boolean asDefault) {
    Checks.notNull(credential, "credential");
    Checks.notNull(space, "space");
    if (credential.persistence() == Credential.Persistence.NONE) {
      return;
    }
    boolean changed;
    synchronized (this) {
      changed = store(credential, space, asDefault);
    }
    if (changed) {
      changed(credential);
    }
  }

  /** As {@link #credentials(ProtectionSpace)}, for a task. */
  public CompletableFuture<Map<String, Credential>> credentials(ProtectionSpace space, SessionTask task) {
    return CompletableFuture.completedFuture(credentials(space));
  }

  /** As {@link #defaultCredential(ProtectionSpace)}, for a task. */
  public CompletableFuture<@Nullable Credential> defaultCredential(ProtectionSpace space, SessionTask task) {
    return CompletableFuture.completedFuture(defaultCredential(space));
  }

  /** As {@link #set(Credential, ProtectionSpace)}, for a task. */
  public void set(Credential credential, ProtectionSpace space, SessionTask task) {
    set(credential, space);
  }

  /** As {@link #remove(Credential, ProtectionSpace)}, for a task. */
  public void remove(Credential credential, ProtectionSpace space, SessionTask task) {
    remove(credential, space);
  }

  /** As {@link #remove(Credential, ProtectionSpace, boolean)}, for a task. */
  public void remove(Credential credential, ProtectionSpace space, boolean removeSynchronizable,
      SessionTask task) {
    remove(credential, space, removeSynchronizable);
  }

  /** As {@link #setDefaultCredential(Credential, ProtectionSpace)}, for a task. */
  public void setDefaultCredential(Credential credential, ProtectionSpace space, SessionTask task) {
    setDefaultCredential(credential, space);
  }

  /** Removes every credential (a session's {@code reset()}); notifies only if there was one. */
  public void removeAll() {
    synchronized (this) {
      if (credentials.isEmpty()) {
        return;
      }
      credentials.clear();
      defaults.clear();
    }
    persist();
    notifyListeners();
  }

  /**
   * Calls {@code listener} (on the changing thread) after every change: a credential stored,
   * replaced or removed, or a default changed. Calls that leave the storage as it was notify
   * nobody.
   */
  public void addChangeListener(Runnable listener) {
    listeners.add(Checks.notNull(listener, "listener"));
  }

  public void removeChangeListener(Runnable listener) {
    listeners.remove(listener);
  }

  /** Writes permanent credentials now (a session's {@code flush()}). */
  public void flush() {
    persist();
  }

  private void changed(Credential credential) {
    if (credential.persistence() == Credential.Persistence.PERMANENT
        || credential.persistence() == Credential.Persistence.SYNCHRONIZABLE) {
      persist();
    }
    notifyListeners();
  }

  private void notifyListeners() {
    for (Runnable l : listeners) {
      try {
        l.run();
      } catch (RuntimeException e) {
        log.error("CredentialStorage change listener threw", e);
      }
    }
  }

  // --- the file: a header line, then one line per permanent credential, every field base64 ---

  private void persist() {
    Path f = file;
    if (f == null) {
      return;
    }
    StringBuilder b = new StringBuilder(HEADER).append('\n');
    synchronized (this) {
      credentials.forEach((space, byUser) -> byUser.values().forEach(c -> {
        if ((c.persistence() == Credential.Persistence.PERMANENT
            || c.persistence() == Credential.Persistence.SYNCHRONIZABLE) && c.hasPassword()) {
          b.append(String.join(" ", enc(space.host()), Integer.toString(space.port()),
              enc(space.protocol()), enc(space.realm() == null ? "" : "r" + space.realm()),
              space.authenticationMethod().name(), Boolean.toString(space.isProxy()),
              enc(c.user()), enc(c.password()), c.persistence().name(),
              Boolean.toString(c.user().equals(defaults.get(space))))).append('\n');
        }
      }));
    }
    try {
      dev.urlsession.internal.PrivateFiles.createDirectories(f.getParent());
      Path temp = Files.createTempFile(f.getParent(), "credentials", ".tmp");
      try {
        restrict(temp);
        Files.writeString(temp, b, StandardCharsets.UTF_8);
        Files.move(temp, f, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } finally {
        Files.deleteIfExists(temp);
      }
    } catch (IOException e) {
      log.warn("Could not write credentials to {}: {}", f, e.toString());
    }
  }

  private static void restrict(Path p) throws IOException {
    try {
      Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException e) {
      // not POSIX: the directory's permissions apply
    }
  }

  private void load(Path f) {
    if (!Files.exists(f)) {
      return;
    }
    try {
      List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8);
      if (lines.isEmpty() || !lines.get(0).equals(HEADER)) {
        log.warn("Ignoring credentials file {}: unknown format", f);
        return;
      }
      for (String line : lines.subList(1, lines.size())) {
        if (line.isBlank()) {
          continue;
        }
        try {
          String[] p = line.split(" ");
          String realm = dec(p[3]);
          ProtectionSpace space = Boolean.parseBoolean(p[5])
              ? ProtectionSpace.forProxy(dec(p[0]), Integer.parseInt(p[1]), dec(p[2]),
                  realm.isEmpty() ? null : realm.substring(1), AuthenticationMethod.valueOf(p[4]))
              : ProtectionSpace.of(dec(p[0]), Integer.parseInt(p[1]), dec(p[2]),
                  realm.isEmpty() ? null : realm.substring(1), AuthenticationMethod.valueOf(p[4]));
          Credential c = Credential.of(dec(p[6]), dec(p[7]), Credential.Persistence.valueOf(p[8]));
          credentials.computeIfAbsent(space, k -> new LinkedHashMap<>()).put(c.user(), c);
          if (Boolean.parseBoolean(p[9])) {
            defaults.put(space, c.user());
          }
        } catch (RuntimeException e) {
          log.warn("Ignoring a corrupt line of credentials file {}", f);
        }
      }
    } catch (IOException e) {
      log.warn("Could not read credentials file {}: {}", f, e.toString());
    }
  }

  private static String enc(@Nullable String s) {
    return Base64.getEncoder().encodeToString((s == null ? "" : s).getBytes(StandardCharsets.UTF_8));
  }

  private static String dec(String s) {
    return new String(Base64.getDecoder().decode(s), StandardCharsets.UTF_8);
  }

  @Override
  public String toString() {
    List<ProtectionSpace> spaces;
    synchronized (this) {
      spaces = new ArrayList<>(credentials.keySet());
    }
    return "CredentialStorage{" + (file != null ? file + ", " : "in memory, ") + spaces.size() + " spaces}";
  }
}
