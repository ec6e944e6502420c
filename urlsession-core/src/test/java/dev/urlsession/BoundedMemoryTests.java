package dev.urlsession;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Memory stays bounded whatever the size: a child JVM with {@code -Xmx128m} downloads 512 MiB
 * through a slow delegate and uploads a 1 GiB file, byte-exact.
 */
@Timeout(300)
class BoundedMemoryTests {
  static final long DOWNLOAD_SIZE = 512L * 1024 * 1024;
  @TempDir Path temp;
  HttpServer server;

  @BeforeEach
  void start() throws Exception {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/big", exchange -> {
      exchange.getResponseHeaders().add("Content-Type", "application/octet-stream");
      exchange.sendResponseHeaders(200, DOWNLOAD_SIZE);
      try (OutputStream out = exchange.getResponseBody()) {
        Pattern pattern = new Pattern();
        byte[] buffer = new byte[1 << 16];
        for (long sent = 0; sent < DOWNLOAD_SIZE; sent += buffer.length) {
          pattern.fill(buffer);
          out.write(buffer);
        }
      }
    });
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
      exchange.sendResponseHeaders(200, answer.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(answer);
      }
    });
    server.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(2));
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

  /** Deterministic pseudo-random bytes (xorshift), so both sides agree without storing them. */
  static final class Pattern {
    private long state = 0x9E3779B97F4A7C15L;

    void fill(byte[] buffer) {
      for (int i = 0; i < buffer.length; i += 8) {
        state ^= state << 13;
        state ^= state >>> 7;
        state ^= state << 17;
        long v = state;
        for (int j = 0; j < 8; j++) {
          buffer[i + j] = (byte) (v >>> (8 * j));
        }
      }
    }
  }

  String url(String path) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + path;
  }

  String runChild(String... args) throws Exception {
    String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    java.util.List<String> command = new java.util.ArrayList<>(java.util.List.of(javaBin, "-Xmx128m",
        "-XX:+ExitOnOutOfMemoryError", "-cp", System.getProperty("java.class.path"),
        BoundedMemoryMain.class.getName()));
    command.addAll(java.util.List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(240, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(output).isZero();
    assertThat(output).contains("HEAP max=");
    return output.lines().filter(l -> l.startsWith("RESULT ")).findFirst().orElseThrow().substring(7);
  }

  @Test
  void downloadOf512MibThroughASlowDelegateFitsIn128MibOfHeap() throws Exception {
    MessageDigest sha = sha256();
    Pattern pattern = new Pattern();
    byte[] buffer = new byte[1 << 16];
    for (long n = 0; n < DOWNLOAD_SIZE; n += buffer.length) {
      pattern.fill(buffer);
      sha.update(buffer);
    }
    String expected = DOWNLOAD_SIZE + " " + HexFormat.of().formatHex(sha.digest());
    assertThat(runChild("download", url("/big"))).isEqualTo(expected);
  }

  @Test
  void uploadOfA1GibFileFitsIn128MibOfHeap() throws Exception {
    Path file = temp.resolve("one-gib.bin");
    long size = 1024L * 1024 * 1024;
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.setLength(size); // sparse: zeros, no disk space needed
      f.seek(size - 5);
      f.write("tail!".getBytes(StandardCharsets.US_ASCII));
    }
    MessageDigest sha = sha256();
    try (InputStream in = java.nio.file.Files.newInputStream(file)) {
      byte[] b = new byte[1 << 16];
      for (int n; (n = in.read(b)) > 0; ) {
        sha.update(b, 0, n);
      }
    }
    assertThat(runChild("upload", url("/sink"), file.toString()))
        .isEqualTo(size + " " + HexFormat.of().formatHex(sha.digest()));
  }
}
