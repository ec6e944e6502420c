package dev.urlsession.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import okio.Buffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Spring Boot application with a background session, in a child JVM ({@link
 * BackgroundApplicationMain}): a file whose listener crashed is delivered once after the restart,
 * though the session is created before any listener is registered, and an application without a
 * web server stays up until its transfer was delivered.
 */
@Timeout(180)
class BackgroundApplicationTests {
  @StartStop final MockWebServer server = new MockWebServer();
  @TempDir Path storage;
  final List<Process> children = new ArrayList<>();
  Path lastLog;

  @AfterEach
  void stop() {
    children.forEach(Process::destroyForcibly);
  }

  static byte[] body(int size) {
    byte[] b = new byte[size];
    new Random(size).nextBytes(b);
    return b;
  }

  static String sha256(byte[] b) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }

  /** Runs the application in a child JVM until it exits by itself; returns its exit status. */
  int run(String mode, Path journal) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Path log = storage.resolve(mode + "-" + System.nanoTime() + ".log");
    Process child = new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
        BackgroundApplicationMain.class.getName(), mode, storage.toString(), journal.toString(),
        server.url("/report.bin").toString()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    children.add(child);
    if (!child.waitFor(90, TimeUnit.SECONDS)) {
      fail(mode + " did not exit by itself; its output:\n" + read(log));
    }
    lastLog = log;
    return child.exitValue();
  }

  static String read(Path log) {
    try {
      return Files.readString(log);
    } catch (Exception e) {
      return e.toString();
    }
  }

  static List<Path> files(Path dir) throws Exception {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (var s = Files.list(dir)) {
      return s.toList();
    }
  }

  @Test
  void aFileWhoseListenerCrashedIsDeliveredOnceAfterTheRestartThoughTheSessionStartsBeforeListeners()
      throws Exception {
    byte[] report = body(2 * 1024 * 1024);
    server.enqueue(new MockResponse.Builder().addHeader("ETag", "\"r1\"").body(new Buffer().write(report)).build());
    Path journal = storage.resolve("journal.txt");
    Path store = storage.resolve("background/restart-test");

    assertThat(run("enqueue-then-crash", journal)).isEqualTo(9); // halted inside the listener
    assertThat(journal).doesNotExist();
    assertThat(files(store.resolve("finished"))).hasSize(1); // kept for delivery

    assertThat(run("restart", journal)).as(() -> read(lastLog)).isZero();
    assertThat(Files.readAllLines(journal)).containsExactly("delivered 1 " + sha256(report) + " report");
    assertThat(files(store.resolve("finished"))).isEmpty();
    assertThat(files(store.resolve("transfers"))).isEmpty(); // nothing left to deliver again
    assertThat(server.getRequestCount()).isEqualTo(1); // never downloaded again
  }

  @Test
  void anApplicationWithoutAWebServerStaysUpUntilItsDownloadWasDelivered() throws Exception {
    byte[] report = body(1024 * 1024);
    server.enqueue(new MockResponse.Builder().body(new Buffer().write(report))
        .throttleBody(256 * 1024, 1, TimeUnit.SECONDS).build()); // about 4 s: main returns long before
    Path journal = storage.resolve("journal.txt");
    assertThat(run("enqueue-and-return", journal)).as(() -> read(lastLog)).isZero();
    assertThat(Files.readAllLines(journal)).containsExactly("delivered 1 " + sha256(report) + " report");
  }
}
