package dev.urlsession.demo;

import dev.urlsession.DataResponse;
import dev.urlsession.Request;
import dev.urlsession.Session;
import java.io.IOException;
import java.io.OutputStream;
import java.io.Reader;
import java.io.Writer;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * The finished downloads: files moved out of the session's storage into {@code files/}, with
 * their SHA-256 and, when the origin publishes one ({@code <url>.sha256}, as download sites do),
 * the published SHA-256, fetched with the {@code private} (ephemeral) session: nothing of that
 * request is written to disk. What the page shows of each file is kept in {@code file-info/}.
 *
 * <p>{@link #keep} runs in an event listener, on the session's delegate queue: it only moves the
 * file, and hashing happens on a thread of its own. Thread-safe.
 */
@Component
class FinishedFiles {
  private static final Logger log = LoggerFactory.getLogger(FinishedFiles.class);
  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

  private final Path directory;
  private final Path info;
  private final Session privateSession;
  private final Broadcaster broadcaster;
  private final Map<String, FileView> files = new ConcurrentHashMap<>();
  private final ExecutorService hasher = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "demo-sha256");
    t.setDaemon(true);
    return t;
  });

  FinishedFiles(@Value("${demo.data-directory}") Path dataDirectory, @Qualifier("private") Session privateSession,
      Broadcaster broadcaster) throws IOException {
    this.directory = Files.createDirectories(dataDirectory.resolve("files"));
    this.info = Files.createDirectories(dataDirectory.resolve("file-info"));
    this.privateSession = privateSession;
    this.broadcaster = broadcaster;
    load();
  }

  /** The finished files, newest first. */
  List<FileView> list() {
    return files.values().stream().sorted(Comparator.comparingLong(FileView::finishedAt).reversed()).toList();
  }

  /** The file of that name, or {@code null}. */
  @Nullable FileView get(String name) {
    return files.get(name);
  }

  /** Where finished files are. */
  Path directory() {
    return directory;
  }

  /**
   * Moves a downloaded file in under {@code name} (or {@code name-2}, ... when taken), then
   * computes its SHA-256 and fetches the published one in the background.
   *
   * @return the name it was saved under
   */
  String keep(Path download, String name, URI url) throws IOException {
    Path target = directory.resolve(name);
    for (int n = 2; ; n++) {
      try {
        Files.move(download, target); // the session's storage is on the same file system: a rename
        break;
      } catch (FileAlreadyExistsException e) {
        target = directory.resolve(numbered(name, n));
      }
    }
    String saved = target.getFileName().toString();
    FileView view = new FileView(saved, Files.size(target), null, null, url.toString(), System.currentTimeMillis());
    update(view);
    hashLater(view);
    return saved;
  }

  private void hashLater(FileView view) {
    try {
      hasher.execute(() -> hash(view));
    } catch (RejectedExecutionException e) {
      log.debug("Stopping: {} is hashed at the next start", view.name());
    }
  }

  private void hash(FileView view) {
    try {
      FileView hashed = new FileView(view.name(), view.size(), sha256(directory.resolve(view.name())), null,
          view.url(), view.finishedAt());
      update(hashed);
      log.info("Saved {} ({} bytes, SHA-256 {})", directory.resolve(view.name()), view.size(), hashed.sha256());
      verify(hashed);
    } catch (IOException e) {
      log.warn("Could not hash {}", view.name(), e);
    }
  }

  /** Fetches {@code <url>.sha256} with the private session and records it when it is one. */
  private void verify(FileView view) {
    URI published = checksumUrl(URI.create(view.url()));
    if (published == null) {
      return;
    }
    privateSession.data(Request.get(published))
        .orTimeout(30, TimeUnit.SECONDS)
        .whenComplete((DataResponse r, @Nullable Throwable failure) -> {
          String text = failure == null && r.response().statusCode() == 200
              ? new String(r.body(), StandardCharsets.US_ASCII).trim() : "";
          String digest = text.split("\\s+", 2)[0].toLowerCase(java.util.Locale.ROOT);
          if (SHA256.matcher(digest).matches()) {
            FileView current = files.get(view.name());
            if (current != null) {
              update(new FileView(current.name(), current.size(), current.sha256(), digest, current.url(),
                  current.finishedAt()));
            }
          } else {
            log.debug("No SHA-256 published at {}", published, failure);
          }
        });
  }

  /** {@code http://host/path.sha256?query} for {@code http://host/path?query}; {@code null} for other schemes. */
  static @Nullable URI checksumUrl(URI url) {
    String scheme = url.getScheme();
    if (!"http".equalsIgnoreCase(scheme) && !"https".equalsIgnoreCase(scheme) || url.getRawPath() == null
        || url.getRawPath().isEmpty()) {
      return null;
    }
    try {
      return new URI(scheme + "://" + url.getRawAuthority() + url.getRawPath() + ".sha256"
          + (url.getRawQuery() != null ? "?" + url.getRawQuery() : ""));
    } catch (URISyntaxException e) {
      return null;
    }
  }

  private void update(FileView view) {
    files.put(view.name(), view);
    try {
      Properties p = new Properties();
      p.setProperty("url", view.url());
      p.setProperty("finishedAt", Long.toString(view.finishedAt()));
      if (view.sha256() != null) {
        p.setProperty("sha256", view.sha256());
      }
      if (view.publishedSha256() != null) {
        p.setProperty("publishedSha256", view.publishedSha256());
      }
      Path temporary = info.resolve(view.name() + ".tmp");
      try (Writer out = Files.newBufferedWriter(temporary, StandardCharsets.UTF_8)) {
        p.store(out, view.name());
      }
      Files.move(temporary, info.resolve(view.name() + ".properties"), StandardCopyOption.REPLACE_EXISTING,
          StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      log.warn("Could not record what is known of {}", view.name(), e);
    }
    broadcaster.send("file", view);
  }

  /** Reads the files of earlier runs; those whose SHA-256 was not computed yet get it now. */
  private void load() throws IOException {
    try (Stream<Path> listing = Files.list(directory)) {
      for (Path file : (Iterable<Path>) listing::iterator) {
        if (!Files.isRegularFile(file)) {
          continue;
        }
        String name = file.getFileName().toString();
        Properties p = new Properties();
        Path recorded = info.resolve(name + ".properties");
        if (Files.exists(recorded)) {
          try (Reader in = Files.newBufferedReader(recorded, StandardCharsets.UTF_8)) {
            p.load(in);
          }
        }
        FileView view = new FileView(name, Files.size(file), p.getProperty("sha256"), p.getProperty("publishedSha256"),
            p.getProperty("url", ""), Long.parseLong(p.getProperty("finishedAt",
                Long.toString(Files.getLastModifiedTime(file).toMillis()))));
        files.put(name, view);
        if (view.sha256() == null) {
          hashLater(view);
        }
      }
    }
  }

  private static String numbered(String name, int n) {
    int dot = name.lastIndexOf('.');
    return dot > 0 ? name.substring(0, dot) + "-" + n + name.substring(dot) : name + "-" + n;
  }

  static String sha256(Path file) throws IOException {
    try (DigestInputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
      in.transferTo(OutputStream.nullOutputStream());
      return HexFormat.of().formatHex(in.getMessageDigest().digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  @EventListener(ContextClosedEvent.class)
  void close() {
    hasher.shutdownNow();
  }
}
