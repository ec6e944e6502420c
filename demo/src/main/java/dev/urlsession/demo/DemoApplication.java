package dev.urlsession.demo;

import dev.urlsession.Session;
import dev.urlsession.SessionRegistry;
import dev.urlsession.autoconfigure.client.SessionClientHttpRequestFactory;
import dev.urlsession.demo.origin.SampleOrigin;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.AbstractDependsOnBeanFactoryPostProcessor;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.event.EventListener;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.support.RestClientAdapter;
import org.springframework.web.service.invoker.HttpServiceProxyFactory;

/**
 * The demo: a download manager in a Spring Boot web application, on the three sessions of
 * {@code application.yml}. Its transfers run in the background session {@code downloads}
 * ({@link DownloadManager}); they outlive the process, so stopping the application and starting
 * it again continues them. The page ({@code static/index.html}) shows them live, fed by the
 * session's events; the {@code api} session reads the origin's catalog through an HTTP interface
 * client, and the {@code private} (ephemeral) session fetches published checksums.
 *
 * <p>Files come from {@link SampleOrigin}, an HTTP server the demo starts on loopback, so it needs
 * no network.
 */
@SpringBootApplication
public class DemoApplication {
  private static final Logger log = LoggerFactory.getLogger(DemoApplication.class);

  public static void main(String[] args) {
    SpringApplication.run(DemoApplication.class, args);
  }

  /**
   * The sample origin. Its port is fixed ({@code demo.origin.port}): the URLs of unfinished
   * transfers name it, and they continue from it after a restart.
   */
  @Bean(destroyMethod = "close")
  SampleOrigin sampleOrigin(@Value("${demo.origin.port}") int port) throws IOException {
    return new SampleOrigin(port);
  }

  /**
   * The origin starts before the sessions: the background session resumes the transfers of an
   * earlier run as soon as it is created, and they connect to the origin at once. (Beans that
   * depend on others are also destroyed first: the sessions detach while the origin still serves.)
   */
  @Bean
  static AbstractDependsOnBeanFactoryPostProcessor sessionsStartAfterTheOrigin() {
    return new AbstractDependsOnBeanFactoryPostProcessor(SessionRegistry.class, "sampleOrigin") {};
  }

  /** An HTTP interface client on the {@code api} session: RestClient through the session's request factory. */
  @Bean
  SampleCatalog sampleCatalog(@Qualifier("api") Session api, SampleOrigin origin) {
    RestClient client = RestClient.builder()
        .requestFactory(new SessionClientHttpRequestFactory(api))
        .baseUrl(origin.baseUrl().toString())
        .build();
    return HttpServiceProxyFactory.builderFor(RestClientAdapter.create(client)).build()
        .createClient(SampleCatalog.class);
  }

  /**
   * Reads the origin's catalog once with the {@code api} session (so that
   * {@code /actuator/metrics/http.client.requests} has a first sample), then tells the newcomer
   * where to look.
   */
  @EventListener
  void ready(ApplicationReadyEvent event) {
    if (event.getApplicationContext() instanceof WebServerApplicationContext web && web.getWebServer() != null) {
      SampleOrigin origin = web.getBean(SampleOrigin.class);
      int samples = web.getBean(SampleCatalog.class).samples().size();
      log.info("Download manager ready: open http://localhost:{}/ ({} samples on the origin {}; stop with Ctrl+C)",
          web.getWebServer().getPort(), samples, origin.baseUrl());
    }
  }
}
