package dev.urlsession.demo;

import dev.urlsession.ResumeData;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Paused transfers, kept on disk so that they survive a restart: for each, the resume data blob
 * the session produced ({@code <id>.resume}; opaque, signed by the session's store) and what the
 * page shows ({@code <id>.properties}). The blob is only valid for the session that produced it,
 * whose store keeps the partial file it names. Thread-safe.
 */
@Component
class PausedTransfers {
  private static final Logger log = LoggerFactory.getLogger(PausedTransfers.class);

  private final Path directory;

  /** A paused transfer; {@code resumeData} is {@code null} when the session produced none (it starts over). */
  record Entry(long id, String name, URI url, long received, long expected, @Nullable ResumeData resumeData) {}

  PausedTransfers(@Value("${demo.data-directory}") Path dataDirectory) throws IOException {
    this.directory = Files.createDirectories(dataDirectory.resolve("paused"));
  }

  /** Keeps a paused transfer; the description is written last, so a crash leaves no half entry. */
  void save(long id, String name, URI url, long expected, @Nullable ResumeData resumeData) throws IOException {
    if (resumeData != null) {
      write(blob(id), resumeData.toByteArray());
    }
    Properties p = new Properties();
    p.setProperty("name", name);
    p.setProperty("url", url.toString());
    p.setProperty("received", Long.toString(resumeData == null ? 0 : resumeData.bytesReceived()));
    p.setProperty("expected", Long.toString(expected));
    Path temporary = directory.resolve(id + ".properties.tmp");
    try (Writer out = Files.newBufferedWriter(temporary, StandardCharsets.UTF_8)) {
      p.store(out, "a paused transfer of the urlsession demo");
    }
    Files.move(temporary, description(id), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  Optional<Entry> get(long id) {
    if (!Files.exists(description(id))) {
      return Optional.empty();
    }
    try {
      Properties p = new Properties();
      try (Reader in = Files.newBufferedReader(description(id), StandardCharsets.UTF_8)) {
        p.load(in);
      }
      ResumeData data = Files.exists(blob(id)) ? ResumeData.from(Files.readAllBytes(blob(id))) : null;
      return Optional.of(new Entry(id, p.getProperty("name"), URI.create(p.getProperty("url")),
          Long.parseLong(p.getProperty("received")), Long.parseLong(p.getProperty("expected")), data));
    } catch (IOException | RuntimeException e) {
      log.warn("Ignoring the unreadable paused transfer {} in {}", id, directory, e);
      return Optional.empty();
    }
  }

  /** Every paused transfer, by identifier. */
  List<Entry> all() throws IOException {
    List<Entry> entries = new ArrayList<>();
    try (Stream<Path> files = Files.list(directory)) {
      for (Path file : (Iterable<Path>) files.sorted()::iterator) {
        String name = file.getFileName().toString();
        if (name.matches("\\d+\\.properties")) {
          get(Long.parseLong(name.substring(0, name.indexOf('.')))).ifPresent(entries::add);
        }
      }
    }
    return entries;
  }

  /** Forgets a paused transfer (resumed or cancelled). */
  void delete(long id) throws IOException {
    Files.deleteIfExists(description(id));
    Files.deleteIfExists(blob(id));
  }

  private Path description(long id) {
    return directory.resolve(id + ".properties");
  }

  private Path blob(long id) {
    return directory.resolve(id + ".resume");
  }

  private static void write(Path file, byte[] bytes) throws IOException {
    Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
    Files.write(temporary, bytes);
    Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
