package dev.urlsession.benchmarks.suite;

import dev.urlsession.DataDelegate;
import dev.urlsession.DataTask;
import dev.urlsession.DownloadResponse;
import dev.urlsession.Request;
import dev.urlsession.Session;
import dev.urlsession.SessionConfiguration;
import dev.urlsession.SessionException;
import dev.urlsession.SessionTask;
import dev.urlsession.benchmarks.HeapPeak;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.impl.async.HttpAsyncClients;
import org.apache.hc.core5.concurrent.FutureCallback;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.HttpResponse;
import org.apache.hc.core5.http.Method;
import org.apache.hc.core5.http.config.Http1Config;
import org.apache.hc.core5.http.nio.entity.AbstractBinAsyncEntityConsumer;
import org.apache.hc.core5.http.nio.support.AbstractAsyncResponseConsumer;
import org.apache.hc.core5.http.nio.support.BasicRequestProducer;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.reactor.IOReactorConfig;
import org.apache.hc.core5.util.Timeout;
import org.jspecify.annotations.Nullable;

/**
 * A large body over plain HTTP/1.1 from nginx, in a JVM of its own started with a small heap
 * ({@code -Xmx64m}): bodies counted and dropped (a session data task with a {@link DataDelegate}
 * on the default serial delegate queue, raw HttpClient 5 async with a counting consumer, and
 * {@code curl -o /dev/null}), then bodies written to a file in the same directory (a session
 * download task, {@code curl -o}). Rounds alternate the clients. Prints one {@code RESULT} line
 * per download: client, MiB/s, peak heap used while it ran (sampled every 10 ms).
 *
 * <pre>java -Xmx64m -cp ... dev.urlsession.benchmarks.suite.LargeBodies URL DIRECTORY ROUNDS</pre>
 */
public final class LargeBodies {
  private LargeBodies() {}

  public static void main(String[] args) throws Exception {
    URI url = URI.create(args[0]);
    Path dir = Path.of(args[1]);
    int rounds = Integer.parseInt(args[2]);
    Files.createDirectories(dir);
    long size = Nginx.LARGE_SIZE;
    CloseableHttpAsyncClient raw = HttpAsyncClients.custom()
        .setIOReactorConfig(IOReactorConfig.custom().setIoThreadCount(2).setTcpNoDelay(true).build())
        // The session's engine reads 64 KiB at a time; raw gets the same, its best.
        .setHttp1Config(Http1Config.custom().setBufferSize(64 * 1024).build())
        .setDefaultRequestConfig(RequestConfig.custom().setResponseTimeout(Timeout.DISABLED).build())
        .disableContentCompression()
        .build();
    raw.start();
    try (Session session = Session.create(SessionConfiguration.defaultConfiguration().toBuilder()
        .storageDirectory(dir.resolve("storage")).build())) {
      for (int round = 0; round < rounds; round++) {
        report("curl -o /dev/null", size, () -> curl(url, "/dev/null", size));
        report("raw HttpClient 5 (counting consumer)", size, () -> rawCount(raw, url, size));
        report("Session data task, DataDelegate", size, () -> delegateCount(session, url, size));
        Path curlFile = dir.resolve("curl.bin");
        report("curl -o file", size, () -> curl(url, curlFile.toString(), size));
        Files.deleteIfExists(curlFile);
        report("Session download task to file", size, () -> {
          DownloadResponse r = session.download(Request.get(url)).get(10, TimeUnit.MINUTES);
          long n = Files.size(r.location());
          Files.delete(r.location());
          check(n, size);
        });
      }
    } finally {
      raw.close(CloseMode.GRACEFUL);
    }
  }

  private interface Run {
    void run() throws Exception;
  }

  private static void report(String name, long size, Run run) throws Exception {
    System.gc();
    HeapPeak peak = HeapPeak.start();
    long start = System.nanoTime();
    run.run();
    double seconds = (System.nanoTime() - start) / 1e9;
    long peakBytes = peak.stop();
    System.out.printf(Locale.ROOT, "RESULT\t%s\t%.1f\t%.1f%n", name, size / seconds / (1 << 20),
        peakBytes / 1048576.0);
  }

  private static void check(long got, long size) {
    if (got != size) {
      throw new IllegalStateException("got " + got + " bytes of " + size);
    }
  }

  private static void curl(URI url, String target, long size) throws Exception {
    Process p = new ProcessBuilder("curl", "-s", "-o", target, "-w", "%{size_download}", url.toString())
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes()).trim();
    if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
      throw new IllegalStateException("curl failed: " + out);
    }
    check(Long.parseLong(out), size);
  }

  private static void rawCount(CloseableHttpAsyncClient raw, URI url, long size) throws Exception {
    AtomicLong count = new AtomicLong();
    CompletableFuture<Void> done = new CompletableFuture<>();
    AbstractBinAsyncEntityConsumer<Long> entity = new AbstractBinAsyncEntityConsumer<>() {
      @Override
      protected void streamStart(ContentType contentType) {}

      @Override
      protected int capacityIncrement() {
        return Integer.MAX_VALUE;
      }

      @Override
      protected void data(ByteBuffer src, boolean endOfStream) {
        count.addAndGet(src.remaining());
        src.position(src.limit());
      }

      @Override
      protected Long generateContent() {
        return count.get();
      }

      @Override
      public void releaseResources() {}
    };
    raw.execute(new BasicRequestProducer(Method.GET, url), new AbstractAsyncResponseConsumer<Long, Long>(entity) {
      @Override
      protected Long buildResult(HttpResponse response, Long n, ContentType contentType) {
        return n;
      }

      @Override
      public void informationResponse(HttpResponse response, org.apache.hc.core5.http.protocol.HttpContext c) {}
    }, new FutureCallback<Long>() {
      @Override
      public void completed(Long n) {
        done.complete(null);
      }

      @Override
      public void failed(Exception ex) {
        done.completeExceptionally(ex);
      }

      @Override
      public void cancelled() {
        done.cancel(false);
      }
    });
    done.get(10, TimeUnit.MINUTES);
    check(count.get(), size);
  }

  private static void delegateCount(Session session, URI url, long size) throws Exception {
    AtomicLong count = new AtomicLong();
    CompletableFuture<Void> done = new CompletableFuture<>();
    DataTask task = session.dataTask(Request.get(url));
    task.delegate(new DataDelegate() {
      @Override
      public void didReceiveData(Session s, DataTask t, byte[] data) {
        count.addAndGet(data.length);
      }

      @Override
      public void didComplete(Session s, SessionTask t, @Nullable SessionException error) {
        if (error != null) {
          done.completeExceptionally(error);
        } else {
          done.complete(null);
        }
      }
    });
    task.resume();
    done.get(10, TimeUnit.MINUTES);
    check(count.get(), size);
  }
}
