package dev.urlsession.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.urlsession.demo.origin.SampleContent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The page in a real browser (Debian's headless Chromium through Selenium): downloads with live
 * progress bars, pause and resume, finished files with their SHA-256. Ends with a screenshot,
 * {@code target/demo.png} (the README's picture).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = "demo.origin.port=0")
@Timeout(300)
class BrowserTests {
  private static final int MIB = 1 << 20;
  private static final Path DATA = DemoTestSupport.newDataDirectory();
  private static ChromeDriver browser;

  @LocalServerPort
  int port;

  @DynamicPropertySource
  static void dataDirectory(DynamicPropertyRegistry registry) {
    registry.add("demo.data-directory", DATA::toString);
  }

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
  void pageWhenSamplesAreDownloadedShowsLiveProgressPausesResumesAndListsTheFilesWithTheirSha256()
      throws Exception {
    browser.get("http://localhost:" + port + "/");
    await(Duration.ofSeconds(30), "the samples and the live stream", d ->
        d.findElements(By.cssSelector("button.sample")).size() == 5
            && d.findElement(By.id("connection")).getText().equals("live"));

    // A small file: its bar reaches 100 %.
    String small = download("/files/1MiB.bin");
    await(Duration.ofSeconds(60), "1MiB.bin at 100 %", d -> attribute(d, small, "data-state").equals("done"));
    assertThat(row(small).getAttribute("data-percent")).isEqualTo("100");
    assertThat(row(small).findElement(By.cssSelector(".bar .label")).getText()).isEqualTo("100 % · 1 MiB of 1 MiB");

    // 16 MiB at 4 MiB/s: paused on the way, resumed, finished.
    String big = download("/files/16MiB.bin?rate=4MiB");
    await(Duration.ofSeconds(60), "16MiB.bin under way", d -> percent(d, big) >= 5);
    click(big, "button.pause");
    await(Duration.ofSeconds(30), "16MiB.bin paused", d -> attribute(d, big, "data-state").equals("paused"));
    int pausedAt = percent(browser, big);
    assertThat(pausedAt).isBetween(1, 99);
    click(big, "button.resume");
    // The resumed transfer is a new task, shown in the same row.
    String resumed = await(Duration.ofSeconds(30), "16MiB.bin resumed", d -> rowIds(d).stream()
        .filter(id -> !id.equals(big) && name(d, id).equals("16MiB.bin")).findFirst().orElse(null));
    assertThat(rowIds(browser)).doesNotContain(big);
    assertThat(percent(browser, resumed)).isGreaterThanOrEqualTo(pausedAt);
    await(Duration.ofSeconds(60), "16MiB.bin at 100 %", d -> attribute(d, resumed, "data-state").equals("done"));
    assertThat(row(resumed).getAttribute("data-percent")).isEqualTo("100");

    // The finished files, with the SHA-256 computed here and the one the origin publishes.
    for (String[] file : List.of(new String[] {"1MiB.bin", SampleContent.sha256(MIB)},
        new String[] {"16MiB.bin", SampleContent.sha256(16 * MIB)})) {
      By fileRow = By.cssSelector("tr.file[data-name='" + file[0] + "']");
      await(Duration.ofSeconds(30), file[0] + " verified", d -> !d.findElements(fileRow).isEmpty()
          && d.findElement(fileRow).findElement(By.className("published")).getText().equals("✓ matches"));
      assertThat(browser.findElement(fileRow).findElement(By.className("sha")).getText()).isEqualTo(file[1]);
      assertThat(browser.findElement(fileRow).getAttribute("data-sha256")).isEqualTo(file[1]);
    }

    // For the picture: one transfer running and one paused.
    String large = download("/files/64MiB.bin?rate=8MiB");
    String slow = download("/slow/4MiB.bin");
    await(Duration.ofSeconds(60), "both under way", d -> percent(d, large) >= 10 && percent(d, slow) >= 5);
    click(slow, "button.pause");
    await(Duration.ofSeconds(30), "4MiB.bin paused", d -> attribute(d, slow, "data-state").equals("paused"));
    Path screenshot = Path.of("target", "demo.png");
    Files.write(screenshot, browser.getScreenshotAs(OutputType.BYTES));
    assertThat(Files.size(screenshot)).isGreaterThan(10_000);

    // Cancel removes a running and a paused transfer.
    click(large, "button.cancel");
    click(slow, "button.cancel");
    await(Duration.ofSeconds(30), "the cancelled rows gone", d -> !rowIds(d).contains(large)
        && !rowIds(d).contains(slow));
  }

  /** Clicks the sample button of {@code path}; returns the id of the row that appears for it. */
  private String download(String path) {
    Set<String> before = Set.copyOf(rowIds(browser));
    browser.findElement(By.cssSelector("button.sample[data-url$='" + path + "']")).click();
    return await(Duration.ofSeconds(30), "a row for " + path, d -> rowIds(d).stream()
        .filter(id -> !before.contains(id)).findFirst().orElse(null));
  }

  /** Clicks the button {@code selector} in the row of transfer {@code id}. */
  private static void click(String id, String selector) {
    await(Duration.ofSeconds(10), "click " + selector + " of " + id, d -> {
      d.findElement(By.cssSelector("#transfer-" + id + " " + selector)).click();
      return true;
    });
  }

  private static <T> T await(Duration timeout, String what, Function<WebDriver, T> condition) {
    return new WebDriverWait(browser, timeout).withMessage(what).ignoring(
        org.openqa.selenium.StaleElementReferenceException.class).until(d -> {
          T value = condition.apply(d);
          return value instanceof Boolean b && !b ? null : value;
        });
  }

  private static List<String> rowIds(WebDriver d) {
    return d.findElements(By.cssSelector("#transfers tr[data-id]")).stream().map(r -> r.getAttribute("data-id"))
        .collect(Collectors.toList());
  }

  private static WebElement row(String id) {
    return browser.findElement(By.id("transfer-" + id));
  }

  private static String attribute(WebDriver d, String id, String name) {
    List<WebElement> rows = d.findElements(By.id("transfer-" + id));
    return rows.isEmpty() ? "" : String.valueOf(rows.get(0).getAttribute(name));
  }

  private static String name(WebDriver d, String id) {
    return attribute(d, id, "data-name");
  }

  private static int percent(WebDriver d, String id) {
    String value = attribute(d, id, "data-percent");
    return value.isEmpty() ? -1 : Integer.parseInt(value);
  }
}
