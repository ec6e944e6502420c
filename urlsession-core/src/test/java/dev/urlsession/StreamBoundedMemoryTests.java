package dev.urlsession;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A stream task's memory stays bounded whatever the peer sends: a child JVM with {@code -Xmx48m}
 * reads 1 GiB from a peer that writes as fast as it can, byte-exact. The task stops reading the
 * socket when 128 KiB wait for the application, and TCP slows the peer down. The same holds for a
 * response body a data task handed over ({@code BECOME_STREAM}): the load is asked for more only
 * when the stream task has room.
 */
@Timeout(300)
class StreamBoundedMemoryTests {
  static final long SIZE = 1024L * 1024 * 1024;
  static final long BODY = 256L * 1024 * 1024;

  @Test
  void streamTaskWhenThePeerSends1GibToASlowReaderFitsIn48MibOfHeap() throws Exception {
    CompletableFuture<String> sent = new CompletableFuture<>();
    try (TcpTestServer peer = new TcpTestServer(socket -> {
      sendPattern(socket, SIZE, sent);
      socket.shutdownOutput();
      socket.getInputStream().readAllBytes();
    })) {
      assertThat(runChild(peer.port(), "socket")).isEqualTo(sent.get(10, TimeUnit.SECONDS));
    }
  }

  @Test
  void becomeStreamWhenTheResponseBodyIs256MibReadSlowlyFitsIn48MibOfHeap() throws Exception {
    CompletableFuture<String> sent = new CompletableFuture<>();
    try (TcpTestServer peer = new TcpTestServer(socket -> {
      BecomeStreamTests.head(socket, BODY);
      sendPattern(socket, BODY, sent);
      socket.getInputStream().readAllBytes();
    })) {
      assertThat(runChild(peer.port(), "become-stream")).isEqualTo(sent.get(10, TimeUnit.SECONDS));
    }
  }

  /** Writes {@code size} pattern bytes as fast as the socket takes them; completes {@code sent} with count and SHA-256. */
  static void sendPattern(Socket socket, long size, CompletableFuture<String> sent) throws java.io.IOException {
    MessageDigest sha = BoundedMemoryTests.sha256();
    BoundedMemoryTests.Pattern pattern = new BoundedMemoryTests.Pattern();
    byte[] buffer = new byte[1 << 16];
    OutputStream out = socket.getOutputStream();
    for (long n = 0; n < size; n += buffer.length) {
      pattern.fill(buffer);
      sha.update(buffer);
      out.write(buffer);
    }
    out.flush();
    sent.complete(size + " " + HexFormat.of().formatHex(sha.digest()));
  }

  /** Runs {@link StreamBoundedMemoryMain} with 48 MiB of heap; returns its count and SHA-256. */
  static String runChild(int port, String mode) throws Exception {
    String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p = new ProcessBuilder(List.of(javaBin, "-Xmx48m", "-XX:+ExitOnOutOfMemoryError",
        "-cp", System.getProperty("java.class.path"), StreamBoundedMemoryMain.class.getName(),
        Integer.toString(port), mode)).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(240, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(output).isZero();
    assertThat(output).contains("HEAP max=");
    return output.lines().filter(l -> l.startsWith("RESULT ")).findFirst().orElseThrow().substring(7);
  }
}
