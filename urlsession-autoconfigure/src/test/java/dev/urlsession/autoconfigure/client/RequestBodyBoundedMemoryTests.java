package dev.urlsession.autoconfigure.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A request body far larger than the heap goes through {@code RestClient} on a session: a child
 * JVM with {@code -Xmx64m} uploads 512 MiB from an {@code InputStream} and from a file
 * {@code Resource}, byte-exact. Spring's HttpComponents factory does the same in the same heap
 * (the control), and Spring's buffering wrapper around ours runs out of it (the heap limit bites).
 */
@Timeout(600)
class RequestBodyBoundedMemoryTests {
  static final long SIZE = 512L * 1024 * 1024;
  static final String HEAP = "-Xmx64m";

  @TempDir Path temp;
  private HttpServer server;

  @BeforeEach
  void start() throws Exception {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/sink", exchange -> {
      long total = 0;
      MessageDigest sha = sha256();
      try (InputStream in = exchange.getRequestBody()) {
        byte[] buffer = new byte[1 << 16];
        for (int n; (n = in.read(buffer)) > 0; ) {
          total += n;
          sha.update(buffer, 0, n);
        }
      }
      byte[] answer = (total + " " + HexFormat.of().formatHex(sha.digest())).getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", "text/plain");
      exchange.sendResponseHeaders(200, answer.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(answer);
      }
    });
    server.setExecutor(Executors.newFixedThreadPool(2));
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  static String expected(InputStream in) throws Exception {
    MessageDigest sha = sha256();
    long total = 0;
    byte[] buffer = new byte[1 << 16];
    for (int n; (n = in.read(buffer)) > 0; ) {
      total += n;
      sha.update(buffer, 0, n);
    }
    return total + " " + HexFormat.of().formatHex(sha.digest());
  }

  /** The child's exit code and output. */
  record Child(int exitCode, String output) {
    String result() {
      return output.lines().filter(l -> l.startsWith("RESULT ")).findFirst().orElseThrow(
          () -> new AssertionError("no result in:\n" + output)).substring(7);
    }
  }

  Child run(String... args) throws Exception {
    String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new ArrayList<>(List.of(javaBin, HEAP, "-XX:+ExitOnOutOfMemoryError",
        "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
        "-cp", System.getProperty("java.class.path"), RequestBodyBoundedMemoryMain.class.getName()));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(300, TimeUnit.SECONDS)).isTrue();
    // The measurement, for the record: the peak heap the child used.
    output.lines().filter(l -> l.startsWith("HEAP ")).forEach(l -> System.out.println(String.join(" ", args) + ": " + l));
    return new Child(p.exitValue(), output);
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/sink";
  }

  @Test
  void inputStreamUploadWhenFarLargerThanTheHeapStreamsThroughTheSession() throws Exception {
    Child child = run("urlsession", "stream", url(), Long.toString(SIZE));

    assertThat(child.exitCode()).as(child.output()).isZero();
    assertThat(child.result()).isEqualTo(expected(new RequestBodyBoundedMemoryMain.PatternStream(SIZE)));
  }

  @Test
  void fileResourceUploadWhenFarLargerThanTheHeapStreamsThroughTheSession() throws Exception {
    Path file = temp.resolve("half-gib.bin");
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.setLength(SIZE); // sparse: zeros, no disk space needed
      f.seek(SIZE - 5);
      f.write("tail!".getBytes(StandardCharsets.US_ASCII));
    }

    Child child = run("urlsession", "resource", url(), Long.toString(SIZE), file.toString());

    assertThat(child.exitCode()).as(child.output()).isZero();
    try (InputStream in = Files.newInputStream(file)) {
      assertThat(child.result()).isEqualTo(expected(in));
    }
  }

  @Test
  void httpComponentsFactoryWhenGivenTheSameUploadAlsoFitsTheHeap() throws Exception {
    Child child = run("httpcomponents", "stream", url(), Long.toString(SIZE));

    assertThat(child.exitCode()).as(child.output()).isZero();
    assertThat(child.result()).isEqualTo(expected(new RequestBodyBoundedMemoryMain.PatternStream(SIZE)));
  }

  @Test
  void bufferingTheBodyWholeWhenTriedRunsOutOfTheHeap() throws Exception {
    Child child = run("buffering", "stream", url(), Long.toString(SIZE));

    assertThat(child.exitCode()).as(child.output()).isNotZero();
    assertThat(child.output()).contains("OutOfMemoryError").doesNotContain("RESULT ");
  }
}
