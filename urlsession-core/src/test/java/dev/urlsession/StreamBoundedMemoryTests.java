package dev.urlsession;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
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
 * socket when 128 KiB wait for the application, and TCP slows the peer down.
 */
@Timeout(300)
class StreamBoundedMemoryTests {
  static final long SIZE = 1024L * 1024 * 1024;

  @Test
  void streamTaskWhenThePeerSends1GibToASlowReaderFitsIn48MibOfHeap() throws Exception {
    CompletableFuture<String> sent = new CompletableFuture<>();
    try (TcpTestServer peer = new TcpTestServer(socket -> {
      MessageDigest sha = BoundedMemoryTests.sha256();
      BoundedMemoryTests.Pattern pattern = new BoundedMemoryTests.Pattern();
      byte[] buffer = new byte[1 << 16];
      OutputStream out = socket.getOutputStream();
      for (long n = 0; n < SIZE; n += buffer.length) {
        pattern.fill(buffer);
        sha.update(buffer);
        out.write(buffer);
      }
      socket.shutdownOutput();
      sent.complete(SIZE + " " + HexFormat.of().formatHex(sha.digest()));
      socket.getInputStream().readAllBytes();
    })) {
      String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      Process p = new ProcessBuilder(List.of(javaBin, "-Xmx48m", "-XX:+ExitOnOutOfMemoryError",
          "-cp", System.getProperty("java.class.path"), StreamBoundedMemoryMain.class.getName(),
          Integer.toString(peer.port()))).redirectErrorStream(true).start();
      String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor(240, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).as(output).isZero();
      assertThat(output).contains("HEAP max=");
      String result = output.lines().filter(l -> l.startsWith("RESULT ")).findFirst().orElseThrow().substring(7);
      assertThat(result).isEqualTo(sent.get(10, TimeUnit.SECONDS));
    }
  }
}
