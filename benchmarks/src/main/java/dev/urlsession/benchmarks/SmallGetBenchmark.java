package dev.urlsession.benchmarks;

import dev.urlsession.DataResponse;
import dev.urlsession.ProxyConfiguration;
import dev.urlsession.Request;
import dev.urlsession.Session;
import dev.urlsession.SessionConfiguration;
import dev.urlsession.SessionException;
import dev.urlsession.SessionTask;
import dev.urlsession.TaskMetrics;
import dev.urlsession.spi.SessionListener;
import java.net.URI;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import java.util.function.ToIntFunction;
import org.apache.hc.client5.http.async.methods.SimpleHttpResponse;
import org.apache.hc.client5.http.async.methods.SimpleRequestBuilder;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.impl.async.HttpAsyncClients;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManager;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManagerBuilder;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.reactor.IOReactorConfig;
import org.apache.hc.core5.util.Timeout;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Small GETs over keep-alive HTTP/1.1 on loopback: urlsession's {@link Session} against raw
 * Apache HttpClient 5 async, at concurrency 1 and 64.
 *
 * <p>One JMH operation is one request, so the score is requests per second and
 * {@code gc.alloc.rate.norm} (with {@code -prof gc}) is bytes allocated per request. Every
 * benchmark method runs in a fork of its own, each against the same in-JVM {@link LoopbackServer}
 * (HttpCore 5 async server, 128-byte body, {@code Content-Length}, keep-alive): its allocation
 * and CPU are included in every figure and are the same for both clients.
 *
 * <ul>
 *   <li>{@code *_c1}: one request in flight at a time; each invocation sends one request and waits
 *       for its whole response.
 *   <li>{@code *_c64}: each invocation starts {@value #BATCH} requests at once and then waits for all
 *       of them (every wait bounded by one 10 s deadline), so 64 are in flight together over up to
 *       64 pooled connections. {@code @OperationsPerInvocation(64)} makes the score requests/s.
 * </ul>
 *
 * <p>Both clients are configured alike: 64 connections per route, 2 I/O threads, TCP_NODELAY, no
 * redirects, no content decompression, no cookies, no retries, no auth caching. The only work the
 * session adds is its own: task state machine, timers, delegate queue, {@code Response} and
 * metrics bookkeeping — which is what this benchmark is meant to price.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 10, time = 2, timeUnit = TimeUnit.SECONDS)
@Measurement(iterations = 5, time = 2, timeUnit = TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@State(Scope.Benchmark)
public class SmallGetBenchmark {
  /** Requests in flight at once in the {@code *_c64} benchmarks. */
  static final int BATCH = 64;
  /** Bound on every wait for a response (or a batch of responses). */
  static final long TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(10);

  /** The loopback server, shared by whichever client state the benchmark uses. */
  @State(Scope.Benchmark)
  public static class Server {
    LoopbackServer server;
    URI uri;

    @Setup(Level.Trial)
    public void start() throws Exception {
      server = LoopbackServer.start();
      uri = server.uri();
    }

    @TearDown(Level.Trial)
    public void stop() {
      server.close();
    }
  }

  /**
   * A urlsession {@link Session}: ephemeral configuration, 64 connections per host.
   *
   * <p>{@code variant} (default {@code default}) exists for diagnosis only, with
   * {@code -p variant=...}; every variant uses the public API:
   *
   * <ul>
   *   <li>{@code default}: exactly the configuration above (system proxy selector, the session's
   *       own serial delegate queue on the library's shared pool);
   *   <li>{@code direct-proxy}: plus {@code .proxy(ProxyConfiguration.direct())}, i.e. no
   *       {@link java.net.ProxySelector} lookup per request;
   *   <li>{@code inline-queue}: a delegate queue that runs completion handlers on the thread that
   *       posts them (the I/O thread), i.e. no hand-off to a delegate thread;
   *   <li>{@code direct-proxy+inline-queue}: both;
   *   <li>{@code no-cache}: plus {@code .httpCache(null)}, i.e. the price of the ephemeral
   *       session's memory cache (a lookup and a store per response);
   *   <li>{@code listener}: plus a {@code SessionListener} on every task that adds a header to
   *       each request and counts completions, i.e. the price of the observation hooks (the
   *       Spring layer's Micrometer listener does more on top).
   * </ul>
   */
  @State(Scope.Benchmark)
  public static class SessionClient {
    @Param({"default"})
    String variant;

    Session session;
    URI uri;
    final java.util.concurrent.atomic.LongAdder completed = new java.util.concurrent.atomic.LongAdder();

    @Setup(Level.Trial)
    public void start(Server server) throws Exception {
      uri = server.uri;
      SessionConfiguration.Builder config =
          SessionConfiguration.ephemeral().toBuilder().httpMaximumConnectionsPerHost(BATCH);
      Executor delegateQueue = null;
      switch (variant) {
        case "default":
          break;
        case "direct-proxy":
          config.proxy(ProxyConfiguration.direct());
          break;
        case "inline-queue":
          delegateQueue = Runnable::run;
          break;
        case "direct-proxy+inline-queue":
          config.proxy(ProxyConfiguration.direct());
          delegateQueue = Runnable::run;
          break;
        case "no-cache":
          config.httpCache(null);
          break;
        case "listener":
          config.sessionListenerFactory(task -> new SessionListener() {
            @Override
            public Request requestWillBeSent(SessionTask t, Request request) {
              return request.toBuilder().header("traceparent", TRACEPARENT).build();
            }

            @Override
            public void taskCompleted(SessionTask t, TaskMetrics metrics, SessionException error) {
              completed.increment();
            }
          });
          break;
        default:
          throw new IllegalArgumentException("unknown variant " + variant);
      }
      session = Session.create(config.build(), null, delegateQueue);
      // First request builds the session's HTTP engine; not part of any measurement.
      check(session.data(Request.get(uri)).get(10, TimeUnit.SECONDS));
    }

    @TearDown(Level.Trial)
    public void stop() {
      session.close();
    }

    CompletableFuture<DataResponse> get() {
      return session.data(Request.get(uri));
    }
  }

  private static final String TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

  /** Raw HttpClient 5 async, configured as the session's engine is. */
  @State(Scope.Benchmark)
  public static class RawClient {
    CloseableHttpAsyncClient client;
    URI uri;

    @Setup(Level.Trial)
    public void start(Server server) throws Exception {
      uri = server.uri;
      PoolingAsyncClientConnectionManager pool =
          PoolingAsyncClientConnectionManagerBuilder.create()
              .setMaxConnPerRoute(BATCH)
              .setMaxConnTotal(BATCH * 16)
              .build();
      client =
          HttpAsyncClients.custom()
              .setConnectionManager(pool)
              .setIOReactorConfig(
                  IOReactorConfig.custom()
                      .setIoThreadCount(
                          Math.max(1, Math.min(2, Runtime.getRuntime().availableProcessors())))
                      .setTcpNoDelay(true)
                      .setSoKeepAlive(true)
                      .build())
              .setDefaultRequestConfig(
                  RequestConfig.custom()
                      .setConnectionRequestTimeout(Timeout.DISABLED)
                      .setResponseTimeout(Timeout.DISABLED)
                      .setRedirectsEnabled(false)
                      .build())
              .disableRedirectHandling()
              .disableContentCompression()
              .disableCookieManagement()
              .disableAutomaticRetries()
              .disableAuthCaching()
              .build();
      client.start();
      check(get().get(10, TimeUnit.SECONDS));
    }

    @TearDown(Level.Trial)
    public void stop() {
      client.close(CloseMode.GRACEFUL);
    }

    Future<SimpleHttpResponse> get() {
      return client.execute(SimpleRequestBuilder.get(uri).build(), null);
    }
  }

  // --- concurrency 1 ---

  @Benchmark
  public byte[] session_c1(SessionClient c) throws Exception {
    return check(c.get().get(10, TimeUnit.SECONDS));
  }

  @Benchmark
  public byte[] raw_c1(RawClient c) throws Exception {
    return check(c.get().get(10, TimeUnit.SECONDS));
  }

  // --- concurrency 64 ---

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public void session_c64(SessionClient c, Blackhole bh) throws Exception {
    bh.consume(batch(c::get, r -> check(r).length));
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public void raw_c64(RawClient c, Blackhole bh) throws Exception {
    bh.consume(batch(c::get, r -> check(r).length));
  }

  // --- helpers ---

  /**
   * Starts {@value #BATCH} requests, then waits for all of them (one {@code TIMEOUT_NANOS}
   * deadline for the batch); returns the bytes of all checked bodies.
   */
  static <T> long batch(Supplier<? extends Future<T>> start, ToIntFunction<T> check)
      throws InterruptedException, ExecutionException, TimeoutException {
    @SuppressWarnings("unchecked")
    Future<T>[] batch = new Future[BATCH];
    for (int i = 0; i < BATCH; i++) {
      batch[i] = start.get();
    }
    long deadline = System.nanoTime() + TIMEOUT_NANOS;
    long bytes = 0;
    for (Future<T> f : batch) {
      bytes += check.applyAsInt(await(f, deadline));
    }
    return bytes;
  }

  private static <T> T await(Future<T> f, long deadline)
      throws InterruptedException, ExecutionException, TimeoutException {
    return f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
  }

  static byte[] check(DataResponse r) {
    if (r.response().statusCode() != 200 || r.body().length != LoopbackServer.BODY_SIZE) {
      throw new IllegalStateException(
          "unexpected response " + r.response().statusCode() + ", " + r.body().length + " bytes");
    }
    return r.body();
  }

  static byte[] check(SimpleHttpResponse r) {
    byte[] body = r.getBodyBytes();
    if (r.getCode() != 200 || body == null || body.length != LoopbackServer.BODY_SIZE) {
      throw new IllegalStateException(
          "unexpected response " + r.getCode() + ", " + (body == null ? 0 : body.length) + " bytes");
    }
    return body;
  }
}
