package dev.urlsession.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 18 item 7: sessions an application forgets without invalidating them do not keep their
 * threads and sockets. In a child JVM, 200 sessions each make a request and are dropped; after
 * full collections the JVM is back at its baseline of I/O threads and open files, and one
 * warning per session names where it was created.
 */
@Timeout(180)
@ExtendWith(LeakCheck.class)
class LeakedSessionTests {
  static final int SESSIONS = 200;

  @StartStop final MockWebServer server = new MockWebServer();

  @Test
  void sessionsWhenForgottenWithoutInvalidationReleaseTheirThreadsAndSocketsAndWarnWhereCreated()
      throws Exception {
    for (int i = 0; i < SESSIONS + 1; i++) {
      server.enqueue(new MockResponse.Builder().body("ok").build());
    }
    String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p = new ProcessBuilder(List.of(javaBin, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
        LeakedSessionsMain.class.getName(), server.url("/").toString(), String.valueOf(SESSIONS), "60"))
        .redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(150, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(output).isZero();
    String[] result = output.lines().filter(l -> l.startsWith("RESULT ")).findFirst().orElseThrow()
        .substring(7).split(" ");
    int[] baseline = parse(result[0]);
    int[] with = parse(result[1]);
    int[] after = parse(result[2]);
    System.out.printf("threads/io threads/open files/sockets: baseline %s, with %d forgotten sessions %s,"
        + " after GC %s%n", result[0], SESSIONS, result[1], result[2]);

    assertThat(with[1]).as("the sessions had I/O threads (the test is meaningful)").isGreaterThanOrEqualTo(SESSIONS);
    assertThat(after[1]).as("session I/O threads left after GC").isZero();
    assertThat(after[0]).as("threads after GC vs baseline").isLessThanOrEqualTo(baseline[0] + 10);
    assertThat(after[2]).as("open files after GC vs baseline").isLessThanOrEqualTo(baseline[2] + 5);
    long warnings = output.lines().filter(l -> l.contains("was never invalidated")).count();
    assertThat(warnings).as(output).isEqualTo(SESSIONS);
    assertThat(output).contains("created at dev.urlsession.hostile.LeakedSessionsMain.forgetSessions(");
  }

  private static int[] parse(String sample) {
    String[] parts = sample.split("/");
    int[] values = new int[parts.length];
    for (int i = 0; i < parts.length; i++) {
      values[i] = Integer.parseInt(parts[i]);
    }
    return values;
  }
}
