package dev.urlsession;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The memory capacity of an {@link HttpCache} bounds the heap it takes (issue 18 item 2): each
 * entry counts what it really costs (its objects, headers, URL and timestamps), not only its body.
 * Measured in a child JVM (serial GC, a fixed heap) as the heap retained after full collections.
 */
@Timeout(120)
class CacheHeapTests {
  static final long CAPACITY = 4L * 1024 * 1024;

  long[] runChild(int count) throws Exception {
    String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p = new ProcessBuilder(List.of(javaBin, "-Xmx512m", "-Xms512m", "-XX:+UseSerialGC",
        "-cp", System.getProperty("java.class.path"), CacheHeapMain.class.getName(),
        String.valueOf(count), String.valueOf(CAPACITY))).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(100, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(output).isZero();
    String[] result = output.lines().filter(l -> l.startsWith("RESULT ")).findFirst().orElseThrow()
        .substring(7).split(" ");
    return new long[] {Long.parseLong(result[0]), Long.parseLong(result[1]), Long.parseLong(result[2])};
  }

  @Test
  void memoryCacheWhen100000TinyResponsesStoredRetainsAboutItsCapacity() throws Exception {
    long[] result = runChild(100_000);
    long retained = result[0];
    long entries = result[1];
    long counted = result[2];

    System.out.printf("100,000 tiny responses: %d bytes retained, %d entries kept, %d bytes counted%n",
        retained, entries, counted);
    assertThat(counted).isLessThanOrEqualTo(CAPACITY);
    // Generous: what the cache counts is an estimate of its objects' size, not a measure.
    assertThat(retained).as("heap retained by a 4 MiB cache").isLessThan(2 * CAPACITY);
    assertThat(entries).as("the newest entries are kept").isGreaterThan(1000);
  }
}
