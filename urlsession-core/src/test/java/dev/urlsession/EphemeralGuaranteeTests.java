package dev.urlsession;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * An ephemeral session writes nothing to disk (ARCHITECTURE.md "Storage per session kind"): a
 * child JVM whose home, temporary and working directories are fresh and empty takes one through
 * cookies, the cache, permanent credentials and a download; afterwards all three are still empty.
 * The same run with a default session leaves its cookies, cache and credentials under
 * {@code ~/.urlsession}, which shows the test would notice a file.
 */
@Timeout(120)
class EphemeralGuaranteeTests {
  @StartStop final MockWebServer server = new MockWebServer();
  @TempDir Path root;

  @BeforeEach
  void dispatcher() {
    server.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        String path = request.getUrl().encodedPath();
        switch (path) {
          case "/cookie":
            return new MockResponse.Builder().addHeader("Set-Cookie", "session=abc; Max-Age=3600; Path=/")
                .body("cookie").build();
          case "/cached":
            return new MockResponse.Builder().addHeader("Cache-Control", "max-age=600").body("cache me").build();
          case "/auth":
            return request.getHeaders().get("Authorization") == null
                ? new MockResponse.Builder().code(401).addHeader("WWW-Authenticate", "Basic realm=\"r\"").build()
                : new MockResponse.Builder().body("welcome").build();
          case "/file":
            return new MockResponse.Builder().body("x".repeat(100_000)).build();
          default:
            return new MockResponse.Builder().code(404).build();
        }
      }
    });
  }

  /** Runs the scenario in a child JVM with its own empty home, temp and working directories. */
  Path[] run(String kind) throws Exception {
    Path home = Files.createDirectories(root.resolve(kind + "-home"));
    Path tmp = Files.createDirectories(root.resolve(kind + "-tmp"));
    Path cwd = Files.createDirectories(root.resolve(kind + "-cwd"));
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new ArrayList<>(List.of(java, "-Duser.home=" + home, "-Djava.io.tmpdir=" + tmp,
        "-XX:-UsePerfData", "-Xshare:off", "-cp", System.getProperty("java.class.path"),
        EphemeralGuaranteeMain.class.getName(), kind, server.url("/").toString()));
    Process p = new ProcessBuilder(command).directory(cwd.toFile()).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(90, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(output).isZero();
    assertThat(output).contains("GET /auth 200", "DOWNLOADED 100000", "DONE");
    return new Path[] {home, tmp, cwd};
  }

  static List<Path> files(Path dir) throws Exception {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(p -> !p.equals(dir)).toList();
    }
  }

  @Test
  void ephemeralSessionLeavesNoFileAnywhere() throws Exception {
    for (Path dir : run("ephemeral")) {
      assertThat(files(dir)).as("files in " + dir).isEmpty();
    }
  }

  @Test
  void defaultSessionKeepsItsStoresUnderTheStorageDirectory() throws Exception {
    Path[] dirs = run("default");
    Path storage = dirs[0].resolve(".urlsession");
    assertThat(storage.resolve("credentials")).exists();
    assertThat(files(storage.resolve("cache"))).isNotEmpty();
    assertThat(storage.resolve("cookies")).exists();
    assertThat(files(dirs[1])).isEmpty(); // downloads went to the storage directory, and were deleted
    assertThat(files(dirs[2])).isEmpty();
  }
}
