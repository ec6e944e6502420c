package dev.urlsession.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import dev.urlsession.demo.origin.SampleContent;
import dev.urlsession.demo.origin.SampleOrigin;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import tools.jackson.databind.JsonNode;

/** The download manager through the page's API and event stream, against the sample origin. */
@Timeout(120)
class DownloadManagerTests extends DemoTestSupport {
  @Autowired
  FinishedFiles files;

  @Value("${demo.data-directory}")
  Path data;

  @Test
  void transferWhenEnqueuedStreamsItsProgressToThePageAndSavesTheFileWithItsSha256() throws Exception {
    try (EventStream stream = new EventStream(page("/api/events"))) {
      await().atMost(Duration.ofSeconds(10)).until(() -> !stream.events().isEmpty());
      assertThat(stream.events().get(0).name()).isEqualTo("snapshot");

      long id = enqueue(sample("/files/3MiB.bin?rate=3MiB"));
      TransferView done = awaitState(id, TransferView.DONE);
      FileView file = awaitHashed(done);
      await().atMost(Duration.ofSeconds(10)).until(() -> stream.of("file", "name", file.name()).stream()
          .anyMatch(f -> f.hasNonNull("publishedSha256")));

      // The page saw the transfer start, progress (one event at most every 200 ms), finish, then the file.
      List<JsonNode> rows = stream.of("transfer", "id", String.valueOf(id));
      assertThat(rows.get(0).get("state").asString()).isEqualTo("running");
      assertThat(rows.get(0).get("received").asLong()).isZero();
      assertThat(rows.get(rows.size() - 1).get("state").asString()).isEqualTo("done");
      assertThat(rows.get(rows.size() - 1).get("received").asLong()).isEqualTo(3 * MIB);
      assertThat(rows.get(rows.size() - 1).get("savedAs").asString()).isEqualTo(file.name());
      assertThat(rows).extracting(r -> r.get("received").asLong()).isSorted()
          .anySatisfy(received -> assertThat(received).isStrictlyBetween(0L, 3L * MIB));
      List<JsonNode> fileEvents = stream.of("file", "name", file.name());
      assertThat(fileEvents.get(0).get("sha256").isNull()).isTrue(); // moved first, hashed on another thread
      JsonNode last = fileEvents.get(fileEvents.size() - 1);
      assertThat(last.get("sha256").asString()).isEqualTo(SampleContent.sha256(3 * MIB));
      assertThat(last.get("publishedSha256").asString()).isEqualTo(SampleContent.sha256(3 * MIB));
    }
    assertThat(FinishedFiles.sha256(files.directory().resolve("3MiB.bin"))).isEqualTo(SampleContent.sha256(3 * MIB));
  }

  @Test
  void transferWhenPausedAndResumedContinuesWhereItStoppedAndFinishesByteExact() throws Exception {
    long id = enqueue(sample("/files/6MiB.bin?rate=3MiB"));
    await().atMost(Duration.ofSeconds(30)).until(() -> manager.transfer(id).received() >= MIB);
    assertThat(post("/api/transfers/" + id + "/pause", "").statusCode()).isEqualTo(202);
    TransferView paused = awaitState(id, TransferView.PAUSED);
    assertThat(paused.received()).isPositive();
    assertThat(data.resolve("paused").resolve(id + ".resume")).isNotEmptyFile();

    HttpResponse<String> resumed = post("/api/transfers/" + id + "/resume", "");
    assertThat(resumed.statusCode()).isEqualTo(201);
    long next = json(resumed).get("id").asLong();
    assertThat(json(resumed).get("replaces").asLong()).isEqualTo(id);
    assertThat(manager.transfer(id)).isNull();
    assertThat(data.resolve("paused").resolve(id + ".resume")).doesNotExist();

    FileView file = awaitHashed(awaitState(next, TransferView.DONE));
    assertThat(file.sha256()).isEqualTo(SampleContent.sha256(6 * MIB));
    // The resumed task asked for the rest only. (The origin records the first, cut response once
    // its write fails.)
    await().atMost(Duration.ofSeconds(30)).until(() -> served("/files/6MiB.bin?rate=3MiB").size() == 2);
    assertThat(served("/files/6MiB.bin?rate=3MiB")).extracting(SampleOrigin.Served::status, SampleOrigin.Served::range)
        .containsExactlyInAnyOrder(tuple(200, null), tuple(206, "bytes=" + paused.received() + "-"));
  }

  @Test
  void transferWhenCancelledLeavesThePageAndKeepsNoFile() throws Exception {
    long id = enqueue(sample("/files/7MiB.bin?rate=2MiB"));
    await().atMost(Duration.ofSeconds(30)).until(() -> manager.transfer(id).received() > 0);
    assertThat(delete("/api/transfers/" + id).statusCode()).isEqualTo(204);
    await().atMost(Duration.ofSeconds(30)).until(() -> manager.transfer(id) == null);
    assertThat(manager.snapshot().files()).noneMatch(f -> f.url().contains("7MiB"));
    assertThat(delete("/api/transfers/" + id).statusCode()).isEqualTo(404);
  }

  @Test
  void pausedTransferWhenCancelledIsForgotten() throws Exception {
    java.util.List<java.nio.file.Path> before = partialFiles();
    long id = enqueue(sample("/files/5MiB.bin?rate=2MiB"));
    await().atMost(Duration.ofSeconds(30)).until(() -> manager.transfer(id).received() > 0);
    post("/api/transfers/" + id + "/pause", "");
    awaitState(id, TransferView.PAUSED);
    assertThat(partialFiles()).hasSize(before.size() + 1);
    assertThat(delete("/api/transfers/" + id).statusCode()).isEqualTo(204);
    assertThat(manager.transfer(id)).isNull();
    assertThat(data.resolve("paused").resolve(id + ".properties")).doesNotExist();
    assertThat(partialFiles()).as("the partial file is given up with the transfer")
        .containsExactlyInAnyOrderElementsOf(before);
    assertThat(post("/api/transfers/" + id + "/resume", "").statusCode()).isEqualTo(404);
  }

  @Test
  void flakySampleWhenDownloadedFinishesByteExactAfter503sAndCutConnections() throws Exception {
    long id = enqueue(sample("/flaky/5MiB.bin"));
    FileView file = awaitHashed(awaitState(id, TransferView.DONE));
    assertThat(file.sha256()).isEqualTo(SampleContent.sha256(5 * MIB));
    // 503, 2 MiB, 2 MiB, 503, 1 MiB: every retry kept what it had and resumed where the cut left it.
    assertThat(served("/flaky/5MiB.bin")).extracting(SampleOrigin.Served::status, SampleOrigin.Served::range)
        .containsExactly(tuple(503, null), tuple(200, null), tuple(206, "bytes=" + 2 * MIB + "-"),
            tuple(503, "bytes=" + 4 * MIB + "-"), tuple(206, "bytes=" + 4 * MIB + "-"));
  }

  @Test
  void urlWhenNotHttpIsRefusedWithTheReason() throws Exception {
    HttpResponse<String> refused = post("/api/transfers", "{\"url\":\"ftp://127.0.0.1/file.bin\"}");
    assertThat(refused.statusCode()).isEqualTo(400);
    assertThat(json(refused).get("detail").asString())
        .isEqualTo("enter an http:// or https:// URL with a host, such as http://127.0.0.1:8081/files/1MiB.bin");
    assertThat(post("/api/transfers/999999/pause", "").statusCode()).isEqualTo(404);
  }

  private List<SampleOrigin.Served> served(String target) {
    return origin.served().stream().filter(s -> s.target().equals(target)).toList();
  }

  /** The partial files of resume data handed out, wherever the session keeps them. */
  private java.util.List<java.nio.file.Path> partialFiles() throws java.io.IOException {
    try (var files = java.nio.file.Files.walk(data)) {
      return files.filter(p -> p.getFileName().toString().endsWith(".resume")
          && p.getFileName().toString().startsWith("urlsession-download-")).toList();
    }
  }
}
