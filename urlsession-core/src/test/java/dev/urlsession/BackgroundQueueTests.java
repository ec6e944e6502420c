package dev.urlsession;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * 1,000 queued background transfers with at most 4 running: a child JVM with a 64 MiB heap
 * completes them all, and the heap it uses after a GC stays flat while they drain.
 */
@Timeout(300)
class BackgroundQueueTests {
  @TempDir Path storage;

  @Test
  void aThousandQueuedTransfersCompleteInFlatMemory() throws Exception {
    try (TransferServer server = new TransferServer(0)) {
      String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      Path log = storage.resolve("many.log");
      Process p = new ProcessBuilder(javaBin, "-Xmx64m", "-XX:+ExitOnOutOfMemoryError", "-cp",
          System.getProperty("java.class.path"), BackgroundChildMain.class.getName(), "many", storage.toString(),
          "many", storage.resolve("events.txt").toString(), server.url("").toString(), "1000", "16384", "4")
          .redirectErrorStream(true).redirectOutput(log.toFile()).start();
      assertThat(p.waitFor(280, TimeUnit.SECONDS)).isTrue();
      List<String> lines = Files.readAllLines(log);
      assertThat(p.exitValue()).as(String.join("\n", lines)).isZero();
      assertThat(lines).contains("RESULT 1000 1000");
      lines.stream().filter(l -> l.startsWith("HEAP") || l.startsWith("READY")).forEach(System.out::println);
      List<Long> heap = new ArrayList<>();
      for (String l : lines) {
        if (l.startsWith("HEAP ")) {
          heap.add(Long.parseLong(l.split(" ")[2]));
        }
      }
      System.out.println("BACKGROUND-QUEUE heapAfterGcPerTenth=" + heap);
      assertThat(heap).hasSizeGreaterThanOrEqualTo(5);
      // flat: the last tenth uses no more than 8 MiB over the second tenth
      assertThat(heap.get(heap.size() - 1)).isLessThan(heap.get(1) + 8L * 1024 * 1024);
      for (int i = 0; i < 1000; i++) {
        assertThat(server.fullResponses.get("/file/" + i).get()).isEqualTo(1);
      }
    }
  }
}
