package dev.urlsession.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.urlsession.demo.origin.SampleContent;
import dev.urlsession.demo.origin.SampleOrigin;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.nio.file.Files;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Stopping the application mid-download and starting it again: two runs in sequence, sharing the
 * data directory and the ports, as a user who restarts the demo with its page open in a browser
 * (headless Chromium).
 */
@Timeout(240)
class RestartTests {
  private static final int MIB = 1 << 20;
  private static ChromeDriver browser;

  @BeforeAll
  static void startBrowser() throws Exception {
    SystemChromium.ensureInstalled();
    browser = SystemChromium.start(Files.createTempDirectory(Path.of("target"), "chromium-profile-"), 1280, 1060);
  }

  @AfterAll
  static void stopBrowser() {
    if (browser != null) {
      browser.quit();
    }
  }

  @Test
  void downloadsWhenTheApplicationRestartsMidTransferContinueAndFinishByteExact() throws Exception {
    Path data = DemoTestSupport.newDataDirectory();
    int port = freePort();
    String[] args = {"--server.port=" + port, "--demo.origin.port=" + freePort(), "--demo.data-directory=" + data};
    String running = "/files/12MiB.bin?rate=4MiB";
    String pausing = "/files/10MiB.bin?rate=4MiB";
    long runningId;
    long pausedId;
    long pausedAt;
    try (ConfigurableApplicationContext first = SpringApplication.run(DemoApplication.class, args)) {
      DownloadManager manager = first.getBean(DownloadManager.class);
      URI origin = first.getBean(SampleOrigin.class).baseUrl();
      runningId = manager.enqueue(origin + running).id();
      pausedId = manager.enqueue(origin + pausing).id();
      await().atMost(Duration.ofSeconds(60)).until(() -> manager.transfer(runningId).received() >= 2 * MIB
          && manager.transfer(pausedId).received() >= MIB);
      manager.pause(pausedId);
      pausedAt = await().atMost(Duration.ofSeconds(30)).until(() -> manager.transfer(pausedId),
          t -> t.state().equals(TransferView.PAUSED)).received();
      assertThat(manager.transfer(runningId).state()).isEqualTo(TransferView.RUNNING);
      browser.get("http://localhost:" + port + "/");
      awaitPage("both transfers on the page", d -> state(d, runningId).equals("running")
          && state(d, pausedId).equals("paused"));
    } // stopped mid-download
    awaitPage("the page noticing", d -> !d.findElement(By.id("connection")).getText().equals("live"));

    try (ConfigurableApplicationContext second = SpringApplication.run(DemoApplication.class, args)) {
      DownloadManager manager = second.getBean(DownloadManager.class);
      SampleOrigin origin = second.getBean(SampleOrigin.class);
      // Both are back on the page: the running one re-attached by the background session, with
      // the bytes it had on disk, and the paused one from its resume data.
      String state = pageState(second);
      assertThat(state).contains("\"id\":" + runningId + ",\"name\":\"12MiB.bin\"",
          "\"id\":" + pausedId + ",\"name\":\"10MiB.bin\"", "\"state\":\"paused\",\"received\":" + pausedAt);
      assertThat(manager.transfer(runningId).received()).isPositive();

      // The page, never reloaded, reconnects and shows the transfer going on to the end.
      awaitPage("the page live again", d -> d.findElement(By.id("connection")).getText().equals("live"));
      awaitPage("12MiB.bin at 100 % on the page", d -> state(d, runningId).equals("done"));
      assertThat(browser.findElement(By.id("transfer-" + runningId)).getAttribute("data-percent")).isEqualTo("100");

      long resumedId = manager.resume(pausedId).id();
      awaitPage("10MiB.bin resumed, at 100 % on the page", d -> state(d, resumedId).equals("done"));
      TransferView continued = awaitDone(manager, runningId);
      TransferView resumed = awaitDone(manager, resumedId);
      assertThat(awaitSha256(manager, continued)).isEqualTo(SampleContent.sha256(12 * MIB));
      assertThat(awaitSha256(manager, resumed)).isEqualTo(SampleContent.sha256(10 * MIB));
      assertThat(FinishedFiles.sha256(data.resolve("files").resolve(continued.savedAs())))
          .isEqualTo(SampleContent.sha256(12 * MIB));

      // After the restart each file was only asked for from where it stopped, never from byte 0.
      assertThat(served(origin, running)).isNotEmpty().allSatisfy(s -> {
        assertThat(s.status()).isEqualTo(206);
        assertThat(s.range()).matches("bytes=[1-9][0-9]*-");
      });
      assertThat(served(origin, pausing)).extracting(SampleOrigin.Served::range)
          .containsExactly("bytes=" + pausedAt + "-");
    }
  }

  private static void awaitPage(String what, Function<WebDriver, Boolean> condition) {
    new WebDriverWait(browser, Duration.ofSeconds(60)).withMessage(what)
        .ignoring(StaleElementReferenceException.class).until(condition);
  }

  /** The state the page shows for a transfer, or an empty string. */
  private static String state(WebDriver d, long id) {
    List<WebElement> rows = d.findElements(By.id("transfer-" + id));
    return rows.isEmpty() ? "" : String.valueOf(rows.get(0).getAttribute("data-state"));
  }

  private static TransferView awaitDone(DownloadManager manager, long id) {
    return await().atMost(Duration.ofSeconds(60)).until(() -> manager.transfer(id),
        t -> t != null && t.state().equals(TransferView.DONE));
  }

  private static String awaitSha256(DownloadManager manager, TransferView done) {
    String name = Objects.requireNonNull(done.savedAs());
    return await().atMost(Duration.ofSeconds(60)).until(() -> manager.snapshot().files().stream()
        .filter(f -> f.name().equals(name)).map(FileView::sha256).filter(Objects::nonNull).findFirst().orElse(null),
        Objects::nonNull);
  }

  private static List<SampleOrigin.Served> served(SampleOrigin origin, String target) {
    return origin.served().stream().filter(s -> s.target().equals(target)).toList();
  }

  /** What the page gets from {@code /api/state} of that run. */
  private static String pageState(ConfigurableApplicationContext context) throws Exception {
    int port = ((WebServerApplicationContext) context).getWebServer().getPort();
    HttpResponse<String> r = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/api/state")).timeout(Duration.ofSeconds(30))
            .build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    return r.body();
  }

  private static int freePort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
