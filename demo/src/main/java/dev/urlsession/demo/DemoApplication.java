package dev.urlsession.demo;

import dev.urlsession.DataDelegate;
import dev.urlsession.DataResponse;
import dev.urlsession.DataTask;
import dev.urlsession.Request;
import dev.urlsession.Response;
import dev.urlsession.ResponseDisposition;
import dev.urlsession.Session;
import dev.urlsession.SessionException;
import dev.urlsession.SessionTask;
import dev.urlsession.TaskMetrics;
import dev.urlsession.TransactionMetrics;
import dev.urlsession.autoconfigure.client.SessionClientHttpRequestFactory;
import dev.urlsession.autoconfigure.event.SessionInvalidatedEvent;
import dev.urlsession.autoconfigure.event.TaskCompletedEvent;
import dev.urlsession.autoconfigure.event.UrlSessionEvent;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.CommandLineRunner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.event.EventListener;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.support.RestClientAdapter;
import org.springframework.web.service.invoker.HttpServiceProxyFactory;

/**
 * The first thing to run: a Spring Boot application with two named sessions from
 * {@code application.yml} ({@code api} and {@code private}), injected with their names as
 * qualifiers. It loads pages from a small HTTP server it starts on loopback (this machine may have
 * no internet), prints every delegate call and application event of a task that follows a
 * redirect, calls an HTTP interface client running on the {@code api} session, prints the
 * {@code http.client.requests} timers Micrometer recorded for them, and exits.
 */
@SpringBootApplication
public class DemoApplication {
  private static final Logger log = LoggerFactory.getLogger(DemoApplication.class);

  public static void main(String[] args) {
    System.exit(SpringApplication.exit(SpringApplication.run(DemoApplication.class, args)));
  }

  @Bean(destroyMethod = "close")
  LoopbackServer loopbackServer() throws IOException {
    return new LoopbackServer();
  }

  /** Attached to the "private" session by {@code urlsession.sessions.private.delegate-bean}. */
  @Bean
  LoggingDelegate loggingDelegate() {
    return new LoggingDelegate();
  }

  /** An HTTP interface client on the "api" session: RestClient through the session's request factory. */
  @Bean
  Greetings greetings(@Qualifier("api") Session api, LoopbackServer server) {
    RestClient client = RestClient.builder()
        .requestFactory(new SessionClientHttpRequestFactory(api))
        .baseUrl(server.baseUrl().toString())
        .build();
    return HttpServiceProxyFactory.builderFor(RestClientAdapter.create(client)).build().createClient(Greetings.class);
  }

  @Bean
  CommandLineRunner demo(@Qualifier("api") Session api, @Qualifier("private") Session privateSession,
      Greetings greetings, LoopbackServer server, MeterRegistry meters) {
    return args -> {
      // 1. The "api" session with the future API: its User-Agent comes from application.yml.
      DataResponse agent = api.data(Request.get(server.baseUrl().resolve("/agent"))).get(10, TimeUnit.SECONDS);
      log.info("api session: {}, User-Agent sent: {}", agent.response().statusCode(), text(agent.body()));

      // 2. The "private" session: its delegate bean logs every call, and the events are logged below.
      DataTask task = privateSession.dataTask(server.baseUrl().resolve("/old"));
      log.info("private session: task {} created in state {}", task.taskIdentifier(), task.state());
      task.resume();
      task.completion().get(10, TimeUnit.SECONDS);

      // 3. An HTTP interface client running on the "api" session.
      log.info("HTTP interface on the api session: {}", greetings.greet("newcomer").trim());

      // 4. Micrometer: one http.client.requests timer sample per task, tagged with the session's name.
      for (Timer timer : meters.find("http.client.requests").timers()) {
        Meter.Id id = timer.getId();
        log.info("metrics: http.client.requests client.name={} uri={} status={} kind={}: {} task(s)",
            id.getTag("client.name"), id.getTag("uri"), id.getTag("status"), id.getTag("urlsession.task.kind"),
            timer.count());
      }
      log.info("done: see README.md (\"Spring Boot\", \"Observability\") for what to try next");
    };
  }

  /** Logs the application events the named sessions publish: all of "private", the last ones of "api". */
  @EventListener
  void on(UrlSessionEvent event) {
    if (!event.getSessionName().equals("api") || event instanceof TaskCompletedEvent
        || event instanceof SessionInvalidatedEvent) {
      log.info("    event {}", event);
    }
  }

  private static String text(byte[] body) {
    return new String(body, StandardCharsets.UTF_8).trim();
  }

  /** Logs every delegate call, in the order the session makes them. */
  static final class LoggingDelegate implements DataDelegate {
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
      log.info("  didReceiveData {} bytes: {}", data.length, text(data));
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
      log.info("  didComplete error={}", error == null ? "none" : error.code());
    }

    @Override
    public void didBecomeInvalid(Session s, @Nullable SessionException error) {
      log.info("  didBecomeInvalid ({})", s.sessionDescription());
    }
  }
}
