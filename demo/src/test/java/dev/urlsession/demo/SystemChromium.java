package dev.urlsession.demo;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Debian's Chromium and its ChromeDriver ({@code /usr/bin/chromium}, {@code /usr/bin/chromedriver}),
 * installed with apt-get when missing (CI runs as root on Debian); Selenium drives them directly
 * and never downloads a browser or a driver.
 */
final class SystemChromium {
  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  private static final String HOW = "This test drives Debian's Chromium: install it with"
      + " `apt-get install -y chromium chromium-driver` (as root), then run the tests again.";

  /** Held, so that their levels stay set. */
  private static final List<Logger> CDP_LOGGERS = List.of(Logger.getLogger("org.openqa.selenium.devtools"),
      Logger.getLogger("org.openqa.selenium.chromium"));

  private SystemChromium() {}

  /** Installs the two packages unless both programs are there; fails with how to install them. */
  static synchronized void ensureInstalled() throws IOException, InterruptedException {
    if (installed()) {
      return;
    }
    run(List.of("apt-get", "update", "-q"));
    run(List.of("apt-get", "install", "-y", "-q", "-o", "DPkg::Lock::Timeout=300", "chromium", "chromium-driver"));
    if (!installed()) {
      throw new IllegalStateException(CHROMIUM + " or " + CHROMEDRIVER + " is still missing. " + HOW);
    }
  }

  private static boolean installed() {
    return Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
  }

  private static void run(List<String> command) throws IOException, InterruptedException {
    Path log = Files.createTempFile("apt-get-", ".log");
    Process process;
    try {
      ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
      builder.environment().put("DEBIAN_FRONTEND", "noninteractive");
      process = builder.start();
    } catch (IOException e) {
      throw new IllegalStateException("Cannot run " + String.join(" ", command) + " (" + e.getMessage() + "). " + HOW, e);
    }
    if (!process.waitFor(15, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      throw new IllegalStateException(String.join(" ", command) + " did not finish within 15 minutes. " + HOW);
    }
    if (process.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", command) + " failed (exit " + process.exitValue() + "): "
          + tail(log) + "\n" + HOW);
    }
  }

  private static String tail(Path log) throws IOException {
    List<String> lines = Files.readAllLines(log);
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 10), lines.size()));
  }

  /** A new headless browser with a fresh profile in {@code profile}, its window {@code width} x {@code height}. */
  static ChromeDriver start(Path profile, int width, int height) {
    // Selenium ships DevTools bindings for a few Chrome versions only; WebDriver needs none of them.
    CDP_LOGGERS.forEach(l -> l.setLevel(Level.SEVERE));
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    // As root, without GPU, and without any connection of its own: this machine reaches no
    // network but the package registries, and the test needs none.
    options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--user-data-dir=" + profile.toAbsolutePath(), "--window-size=" + width + "," + height);
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(new File(CHROMEDRIVER.toString()))
        .usingAnyFreePort()
        .build();
    return new ChromeDriver(service, options);
  }
}
