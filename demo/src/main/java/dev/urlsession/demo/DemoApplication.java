package dev.urlsession.demo;

import com.sun.net.httpserver.HttpServer;
import dev.urlsession.DataDelegate;
import dev.urlsession.DataTask;
import dev.urlsession.Request;
import dev.urlsession.Response;
import dev.urlsession.ResponseDisposition;
import dev.urlsession.Session;
import dev.urlsession.SessionConfiguration;
import dev.urlsession.SessionException;
import dev.urlsession.SessionTask;
import dev.urlsession.TaskMetrics;
import dev.urlsession.TransactionMetrics;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.CommandLineRunner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The first thing to run: a Spring Boot application that injects a {@link Session}, loads pages
 * from a small HTTP server it starts on loopback (this machine may have no internet), prints every
 * delegate event of a task that follows a redirect, and exits.
 */
@SpringBootApplication
public class DemoApplication implements CommandLineRunner {
  private static final Logger log = LoggerFactory.getLogger(DemoApplication.class);

  private final Session shared;

  DemoApplication(Session shared) {
    this.shared = shared;
  }

  public static void main(String[] args) {
    System.exit(SpringApplication.exit(SpringApplication.run(DemoApplication.class, args)));
  }

  @Override
  public void run(String... args) throws Exception {
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/hello", exchange -> {
      byte[] body = "Hello from a loopback server.\n".getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", "text/plain; charset=utf-8");
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    server.createContext("/old", exchange -> {
      exchange.getResponseHeaders().add("Location", "/hello");
      exchange.sendResponseHeaders(302, -1);
      exchange.close();
    });
    server.start();
    URI base = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    try {
      // 1. The injected (shared) session, the future API.
      var result = shared.data(Request.get(base.resolve("/hello"))).get(10, TimeUnit.SECONDS);
      log.info("shared session: {} {} bytes: {}", result.response().statusCode(),
          result.body().length, new String(result.body(), StandardCharsets.UTF_8).trim());

      // 2. A session of our own with a delegate that sees every event.
      CountDownLatch done = new CountDownLatch(1);
      try (Session session = Session.create(SessionConfiguration.ephemeral(), new LoggingDelegate(done), null)) {
        DataTask task = session.dataTask(base.resolve("/old"));
        log.info("task {} created in state {}", task.taskIdentifier(), task.state());
        task.resume();
        if (!done.await(10, TimeUnit.SECONDS)) {
          throw new IllegalStateException("the task did not complete in 10 s");
        }
      }
      log.info("done: see README.md for what to try next");
    } finally {
      server.stop(0);
    }
  }

  /** Logs every delegate call, in the order the session makes them. */
  static final class LoggingDelegate implements DataDelegate {
    private final CountDownLatch done;

    LoggingDelegate(CountDownLatch done) {
      this.done = done;
    }

    @Override
    public void willPerformHttpRedirection(Session s, SessionTask t, Response redirect, Request newRequest,
        Consumer<@Nullable Request> handler) {
      log.info("  willPerformHttpRedirection {} -> {}", redirect.statusCode(), newRequest.url());
      handler.accept(newRequest);
    }

    @Override
    public void didReceiveResponse(Session s, DataTask t, Response response, Consumer<ResponseDisposition> handler) {
      log.info("  didReceiveResponse {} {} ({} bytes expected)", response.statusCode(), response.mimeType(),
          response.expectedContentLength());
      handler.accept(ResponseDisposition.ALLOW);
    }

    @Override
    public void didReceiveData(Session s, DataTask t, byte[] data) {
      log.info("  didReceiveData {} bytes: {}", data.length, new String(data, StandardCharsets.UTF_8).trim());
    }

    @Override
    public void didFinishCollectingMetrics(Session s, SessionTask t, TaskMetrics metrics) {
      for (TransactionMetrics m : metrics.transactionMetrics()) {
        log.info("  metrics: {} {} -> {} over {}, reused connection: {}", m.request().method(),
            m.request().url().getPath(), m.response() == null ? "-" : m.response().statusCode(),
            m.networkProtocolName(), m.reusedConnection());
      }
    }

    @Override
    public void didComplete(Session s, SessionTask t, @Nullable SessionException error) {
      log.info("  didComplete error={} state={}", error, t.state());
      done.countDown();
    }

    @Override
    public void didBecomeInvalid(Session s, @Nullable SessionException error) {
      log.info("  didBecomeInvalid");
    }
  }
}
