package dev.urlsession.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.urlsession.DataTask;
import dev.urlsession.Request;
import dev.urlsession.Session;
import dev.urlsession.SessionConfiguration;
import dev.urlsession.SessionException;
import dev.urlsession.SessionException.Code;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * The soak run of issue 18 (not part of the default build): {@code -Durlsession.soak=<requests>}
 * requests through one default session against a loopback origin in another process, 32 at a
 * time: 71% plain, 15% cache hits (200 cacheable URLs), 9% redirects, 4% cancelled at once or a
 * moment after {@code resume()} (a 256 KiB body), 1% timing out after 50 ms; then the session's threads, its
 * connections, the process's open files and the heap after GC must be where they were after a
 * warm-up. Every task must complete exactly once, none with {@code UNKNOWN}.
 *
 * <pre>
 * ./mvnw -B -q -pl urlsession-core -am verify -Dtest=SoakTests -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Durlsession.soak=1000000
 * </pre>
 *
 * Prints the rate, the outcomes and the samples; README's "Soak run" has a measured run.
 */
@EnabledIfSystemProperty(named = "urlsession.soak", matches = "\\d+")
@Timeout(value = 2, unit = TimeUnit.HOURS)
class SoakTests {
  static final int IN_FLIGHT = 32;
  static final int WARM_UP = 20_000;

  enum Kind { PLAIN, CACHED, REDIRECTED, CANCELLED, TIMED_OUT }

  /** What the process holds: threads, sockets, open files, heap used after full collections. */
  record Sample(int threads, int sessionThreads, int sockets, int files, long heap) {
    static Sample take() {
      long heap = Long.MAX_VALUE;
      for (int i = 0; i < 4; i++) {
        System.gc();
        heap = Math.min(heap, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
      }
      Resources r = Resources.now();
      return new Sample(r.threads(), r.ioThreads(), r.sockets(), r.files(), heap);
    }

    @Override
    public String toString() {
      return String.format("threads %d (session I/O %d), sockets %d, open files %d, heap after GC %.1f MiB",
          threads, sessionThreads, sockets, files, heap / 1048576.0);
    }
  }

  final Map<Kind, Map<String, LongAdder>> outcomes = new ConcurrentHashMap<>();
  final AtomicLong completions = new AtomicLong();
  final AtomicLong doubleCompletions = new AtomicLong();

  @Test
  void oneDefaultSessionWhenSoakedWithMillionsOfMixedRequestsHoldsNoMoreThanAfterWarmUp(@TempDir Path storage)
      throws Exception {
    long requests = Long.getLong("urlsession.soak");
    String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    // Without TCP_NODELAY the JDK's server waits for a delayed ACK between head and body: 40 ms each.
    Process origin = new ProcessBuilder(List.of(javaBin, "-Dsun.net.httpserver.nodelay=true", "-cp",
        System.getProperty("java.class.path"), SoakServer.class.getName()))
        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(origin.getInputStream(), StandardCharsets.US_ASCII));
      String line = out.readLine();
      assertThat(line).startsWith("PORT ");
      URI base = URI.create("http://127.0.0.1:" + line.substring(5));
      Session session = Session.create(SessionConfiguration.defaultConfiguration().toBuilder()
          .storageDirectory(storage).build());
      try {
        run(session, base, WARM_UP, new SplittableRandom(1));
        Sample before = Sample.take();
        outcomes.clear();
        long start = System.nanoTime();
        run(session, base, requests, new SplittableRandom(2));
        double seconds = (System.nanoTime() - start) / 1e9;
        Sample after = Sample.take();
        System.out.printf("soak: %,d requests in %.1f s (%,.0f/s), 32 in flight%n", requests, seconds,
            requests / seconds);
        System.out.println("soak outcomes: " + outcomes);
        System.out.println("soak after warm-up: " + before);
        System.out.println("soak after the run: " + after);
        assertThat(doubleCompletions.get()).as("tasks completed twice").isZero();
        assertThat(outcomes.values().stream().flatMap(m -> m.keySet().stream())).doesNotContain("UNKNOWN");
        assertThat(after.sessionThreads()).isLessThanOrEqualTo(before.sessionThreads());
        assertThat(after.threads()).as("threads").isLessThanOrEqualTo(before.threads() + 8);
        assertThat(after.sockets()).as("sockets").isLessThanOrEqualTo(before.sockets() + 6);
        assertThat(after.files()).as("open files").isLessThanOrEqualTo(before.files() + 10);
        assertThat(after.heap()).as("heap after GC").isLessThanOrEqualTo(before.heap() + 16L * 1024 * 1024);
      } finally {
        session.invalidateAndCancel();
      }
    } finally {
      origin.getOutputStream().close();
      if (!origin.waitFor(10, TimeUnit.SECONDS)) {
        origin.destroyForcibly();
      }
    }
  }

  /** {@code n} requests of random kinds, {@value #IN_FLIGHT} at a time; returns when all completed. */
  private void run(Session session, URI base, long n, SplittableRandom random) throws InterruptedException {
    Semaphore slots = new Semaphore(IN_FLIGHT);
    long done = completions.get();
    for (long i = 0; i < n; i++) {
      slots.acquire();
      int dice = random.nextInt(100);
      // A timed-out task holds one of the 6 connections for its timeout: 1% of them, for 50 ms.
      Kind kind = dice < 71 ? Kind.PLAIN : dice < 86 ? Kind.CACHED : dice < 95 ? Kind.REDIRECTED
          : dice < 99 ? Kind.CANCELLED : Kind.TIMED_OUT;
      Request request = switch (kind) {
        case PLAIN -> Request.get(base.resolve("/ok"));
        case CACHED -> Request.get(base.resolve("/cached/" + random.nextInt(200)));
        case REDIRECTED -> Request.get(base.resolve("/redirect/" + random.nextInt(1000)));
        case CANCELLED -> Request.get(base.resolve("/big"));
        case TIMED_OUT -> Request.builder(base.resolve("/slow")).timeoutInterval(Duration.ofMillis(50)).build();
      };
      boolean[] once = new boolean[1];
      DataTask task = session.dataTask(request, (body, response, error) -> {
        synchronized (once) {
          if (once[0]) {
            doubleCompletions.incrementAndGet();
          }
          once[0] = true;
        }
        note(kind, response == null ? -1 : response.statusCode(), error);
        completions.incrementAndGet();
        slots.release();
      });
      task.resume();
      if (kind == Kind.CANCELLED) {
        if (random.nextBoolean()) {
          Thread.onSpinWait();
        }
        task.cancel();
      }
    }
    slots.acquire(IN_FLIGHT);
    assertThat(completions.get() - done).as("completions").isEqualTo(n);
  }

  private void note(Kind kind, int status, @Nullable SessionException error) {
    String outcome = error == null ? "status " + status : error.code().name();
    outcomes.computeIfAbsent(kind, k -> new ConcurrentHashMap<>())
        .computeIfAbsent(outcome, o -> new LongAdder()).increment();
  }
}
