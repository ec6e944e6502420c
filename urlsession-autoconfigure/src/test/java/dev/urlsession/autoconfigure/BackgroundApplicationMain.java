package dev.urlsession.autoconfigure;

import dev.urlsession.DownloadTask;
import dev.urlsession.Session;
import dev.urlsession.autoconfigure.event.DownloadFinishedEvent;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.event.EventListener;

/**
 * A Spring Boot application with no web server and one background session, run in a child JVM
 * by {@code BackgroundApplicationTests}, written as the README recommends: an
 * {@code @EventListener} takes each {@link DownloadFinishedEvent}'s file.
 *
 * <p>{@code <mode> <storage> <journal> <url>}, modes:
 * <ul>
 *   <li>{@code enqueue-then-crash}: downloads {@code url}; the listener halts the JVM (as
 *       {@code kill -9} would) before it records anything;
 *   <li>{@code restart}: enqueues nothing; a bean created after the session waits up to 2 s for
 *       the session to deliver before any listener is registered (it must not);
 *   <li>{@code enqueue-and-return}: downloads {@code url}; {@code main} returns at once.
 * </ul>
 * The listener appends {@code delivered <task id> <sha-256> <description>} to the journal.
 * Nothing closes the context or calls {@code System.exit}: the JVM ends when nothing keeps it.
 */
@SpringBootConfiguration
@ImportAutoConfiguration(UrlSessionAutoConfiguration.class)
public class BackgroundApplicationMain {
  static String mode;
  static Path storage;
  static Path journal;

  public static void main(String[] args) {
    mode = args[0];
    storage = Path.of(args[1]);
    journal = Path.of(args[2]);
    String url = args[3];
    SpringApplication app = new SpringApplication(BackgroundApplicationMain.class);
    app.setWebApplicationType(WebApplicationType.NONE);
    app.run("--urlsession.sessions.downloads.type=background",
        "--urlsession.sessions.downloads.identifier=restart-test",
        "--urlsession.sessions.downloads.storage-directory=" + storage,
        "--urlsession.sessions.downloads.background.polling-interval=100ms",
        "--app.url=" + url);
  }

  @Bean
  ApplicationRunner enqueue(@Qualifier("downloads") Session downloads) {
    return args -> {
      if (mode.startsWith("enqueue")) {
        DownloadTask task = downloads.downloadTask(URI.create(args.getOptionValues("app.url").get(0)));
        task.taskDescription("report");
        task.resume();
      }
    };
  }

  @Bean
  Listener listener() {
    return new Listener();
  }

  /** Created after the session: holds the start up long enough for an early delivery to happen. */
  @Bean
  Object straggler(@Qualifier("downloads") Session downloads) throws Exception {
    if (mode.equals("restart")) {
      Path finished = storage.resolve("background/restart-test/finished");
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
      while (System.nanoTime() < deadline && Files.list(finished).findAny().isPresent()) {
        TimeUnit.MILLISECONDS.sleep(20); // the only way to see a delivery that must not happen
      }
    }
    return new Object();
  }

  static final class Listener {
    @EventListener
    void downloaded(DownloadFinishedEvent event) throws Exception {
      String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(Files.readAllBytes(event.getLocation())));
      if (mode.equals("enqueue-then-crash")) {
        Runtime.getRuntime().halt(9);
      }
      record("delivered " + event.getTask().taskIdentifier() + " " + sha + " " + event.getTask().taskDescription());
    }

    private static void record(String line) throws IOException {
      try (FileChannel c = FileChannel.open(journal, StandardOpenOption.CREATE, StandardOpenOption.APPEND,
          StandardOpenOption.WRITE)) {
        c.write(ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8)));
        c.force(true);
      }
    }
  }
}
