package dev.urlsession.demo;

import static org.awaitility.Awaitility.await;

import dev.urlsession.demo.origin.SampleOrigin;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The demo running on a random port, with its sample origin on another and a data directory of
 * its own under {@code target/}; test classes extending this share one application.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = "demo.origin.port=0")
abstract class DemoTestSupport {
  static final int MIB = 1 << 20;
  static final JsonMapper JSON = JsonMapper.builder().build();
  private static final Path DATA = newDataDirectory();
  private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  @LocalServerPort
  int port;

  @Autowired
  DownloadManager manager;

  @Autowired
  SampleOrigin origin;

  @DynamicPropertySource
  static void dataDirectory(DynamicPropertyRegistry registry) {
    registry.add("demo.data-directory", DATA::toString);
  }

  /** A new, empty directory under {@code target/}. */
  static Path newDataDirectory() {
    try {
      return Files.createTempDirectory(Files.createDirectories(Path.of("target")), "demo-data-").toAbsolutePath();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  URI page(String path) {
    return URI.create("http://localhost:" + port + path);
  }

  String sample(String pathAndQuery) {
    return origin.baseUrl() + pathAndQuery;
  }

  HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(page(path)).GET());
  }

  HttpResponse<String> post(String path, String json) throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(page(path)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json)));
  }

  HttpResponse<String> delete(String path) throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(page(path)).DELETE());
  }

  private static HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
    return CLIENT.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Starts downloading {@code url} through the page's API; returns the transfer's id. */
  long enqueue(String url) throws IOException, InterruptedException {
    HttpResponse<String> r = post("/api/transfers", JSON.writeValueAsString(java.util.Map.of("url", url)));
    if (r.statusCode() != 201) {
      throw new AssertionError("enqueue " + url + ": " + r.statusCode() + " " + r.body());
    }
    return JSON.readTree(r.body()).get("id").asLong();
  }

  static JsonNode json(HttpResponse<String> response) {
    return JSON.readTree(response.body());
  }

  /** Waits (at most 60 s) until the transfer is in {@code state}, and returns it. */
  TransferView awaitState(long id, String state) {
    return await().atMost(Duration.ofSeconds(60)).until(() -> manager.transfer(id),
        t -> t != null && t.state().equals(state));
  }

  /** Waits (at most 60 s) until the finished file is hashed, and returns it. */
  FileView awaitHashed(TransferView done) {
    String name = Objects.requireNonNull(done.savedAs(), "saved as");
    return await().atMost(Duration.ofSeconds(60)).until(() -> manager.snapshot().files().stream()
        .filter(f -> f.name().equals(name)).findFirst().orElse(null), f -> f != null && f.sha256() != null);
  }
}
