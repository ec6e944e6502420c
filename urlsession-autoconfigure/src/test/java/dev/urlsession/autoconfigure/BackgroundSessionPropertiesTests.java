package dev.urlsession.autoconfigure;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.urlsession.Request;
import dev.urlsession.Session;
import dev.urlsession.SessionConfiguration;
import dev.urlsession.SessionRegistry;
import dev.urlsession.SessionTask;
import dev.urlsession.autoconfigure.event.DownloadFinishedEvent;
import dev.urlsession.autoconfigure.event.TaskCompletedEvent;
import dev.urlsession.background.BackgroundStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import javax.sql.DataSource;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import okio.Buffer;
import org.hsqldb.jdbc.JDBCDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.event.EventListener;

/** {@code type: background}: the identifier, the store settings, events, and shutdown that keeps transfers. */
@Timeout(120)
class BackgroundSessionPropertiesTests {
  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(UrlSessionAutoConfiguration.class));

  @StartStop final MockWebServer server = new MockWebServer();
  @TempDir Path dir;

  private static SessionConfiguration configuration(AssertableApplicationContext context, String name) {
    return context.getBean(SessionRegistry.class).session(name).configuration();
  }

  private String[] background(String... more) {
    List<String> values = new java.util.ArrayList<>(List.of(
        "urlsession.sessions.downloads.type=background",
        "urlsession.sessions.downloads.identifier=com.example.downloads",
        "urlsession.sessions.downloads.storage-directory=" + dir));
    values.addAll(List.of(more));
    return values.toArray(new String[0]);
  }

  @Test
  void backgroundSessionGetsItsIdentifierAndEveryStoreSetting() {
    runner.withPropertyValues(background(
        "urlsession.defaults.background.max-concurrent-transfers=8",
        "urlsession.sessions.downloads.discretionary=true",
        "urlsession.sessions.downloads.background.max-concurrent-transfers=2",
        "urlsession.sessions.downloads.background.table-name=my_transfers",
        "urlsession.sessions.downloads.background.takeover-window=30s",
        "urlsession.sessions.downloads.background.polling-interval=100ms",
        "urlsession.sessions.downloads.background.checkpoint-interval=500ms",
        "urlsession.sessions.downloads.background.checkpoint-bytes=1MB",
        "urlsession.sessions.downloads.background.retry-initial-delay=200ms",
        "urlsession.sessions.downloads.background.retry-maximum-delay=5s",
        "urlsession.sessions.downloads.background.minimum-free-space=1MB",
        "urlsession.sessions.downloads.background.keeps-process-alive=false",
        "urlsession.sessions.api.type=default")).run(context -> {
          SessionConfiguration c = configuration(context, "downloads");
          assertThat(c.kind()).isEqualTo(SessionConfiguration.Kind.BACKGROUND);
          assertThat(c.identifier()).isEqualTo("com.example.downloads");
          assertThat(c.discretionary()).isTrue();
          assertThat(c.storageDirectory()).isEqualTo(dir.toAbsolutePath().normalize());
          BackgroundStore store = c.backgroundStore();
          assertThat(store.dataSource()).isNull();
          assertThat(store.clustered()).isFalse();
          assertThat(store.maxConcurrentTransfers()).isEqualTo(2);
          assertThat(store.tableName()).isEqualTo("my_transfers");
          assertThat(store.takeoverWindow()).isEqualTo(Duration.ofSeconds(30));
          assertThat(store.pollingInterval()).isEqualTo(Duration.ofMillis(100));
          assertThat(store.checkpointInterval()).isEqualTo(Duration.ofMillis(500));
          assertThat(store.checkpointBytes()).isEqualTo(1024L * 1024);
          assertThat(store.retryInitialDelay()).isEqualTo(Duration.ofMillis(200));
          assertThat(store.retryMaximumDelay()).isEqualTo(Duration.ofSeconds(5));
          assertThat(store.minimumFreeSpace()).isEqualTo(1024L * 1024);
          assertThat(store.transfersEnabled()).isTrue();
          assertThat(store.keepsProcessAlive()).isFalse();
          assertThat(configuration(context, "api").kind()).isEqualTo(SessionConfiguration.Kind.DEFAULT);
        });
  }

  @Test
  void backgroundDownloadPublishesDownloadFinishedWhileTheFileExistsThenCompleted() {
    server.enqueue(new MockResponse.Builder().body("durable bytes").build());
    runner.withBean(Recorder.class).withPropertyValues(background()).run(context -> {
      Session session = context.getBean(SessionRegistry.class).session("downloads");
      session.downloadTask(Request.get(server.url("/file").uri())).resume();
      Recorder recorder = context.getBean(Recorder.class);
      assertThat(recorder.completed.poll(30, SECONDS).isSuccessful()).isTrue();
      assertThat(recorder.contents).containsExactly("durable bytes");
    });
  }

  @Test
  void closingTheContextKeepsTransfersAndTheNextContextFinishesThem() throws Exception {
    byte[] body = new byte[256 * 1024];
    new java.util.Random(3).nextBytes(body);
    // Slow enough that the context closes while the transfer runs.
    server.enqueue(new MockResponse.Builder().body(new Buffer().write(body))
        .throttleBody(32 * 1024, 250, java.util.concurrent.TimeUnit.MILLISECONDS).build());
    server.enqueue(new MockResponse.Builder().body(new Buffer().write(body)).build());
    String[] properties = background("urlsession.sessions.downloads.background.polling-interval=100ms");
    runner.withBean(Recorder.class).withPropertyValues(properties).run(context -> {
      Session session = context.getBean(SessionRegistry.class).session("downloads");
      SessionTask task = session.downloadTask(Request.get(server.url("/big").uri()));
      task.taskDescription("quarterly report");
      task.resume();
      assertThat(server.takeRequest(30, SECONDS)).isNotNull();
      assertThat(context.getBean(Recorder.class).completed).isEmpty();
    }); // the context closes here, mid-transfer
    runner.withBean(Recorder.class).withPropertyValues(properties).run(context -> {
      Recorder recorder = context.getBean(Recorder.class);
      TaskCompletedEvent completed = recorder.completed.poll(60, SECONDS);
      assertThat(completed).isNotNull();
      assertThat(completed.isSuccessful()).as("%s", completed.getError()).isTrue();
      assertThat(completed.getTask().taskDescription()).isEqualTo("quarterly report");
      assertThat(recorder.sizes).containsExactly((long) body.length);
    });
  }

  @Test
  void dataSourceStoreUsesTheApplicationsDataSource() {
    JDBCDataSource hsqldb = new JDBCDataSource();
    hsqldb.setURL("jdbc:hsqldb:mem:bgprops" + System.nanoTime());
    hsqldb.setUser("SA");
    runner.withBean(DataSource.class, () -> hsqldb)
        .withPropertyValues(background("urlsession.sessions.downloads.background.store=data-source"))
        .run(context -> assertThat(configuration(context, "downloads").backgroundStore().dataSource())
            .isSameAs(hsqldb));
  }

  @Test
  void dataSourceStoreWithoutADataSourceFailsNamingTheProperty() {
    runner.withPropertyValues(background("urlsession.sessions.downloads.background.store=data-source"))
        .run(context -> assertThat(context.getStartupFailure()).rootCause()
            .isInstanceOf(InvalidSessionConfigurationException.class)
            .hasMessageContaining("urlsession.sessions.downloads.background.store")
            .hasMessageContaining("no DataSource bean"));
  }

  @Test
  void clusteredEmbeddedStoreFailsNamingTheProperty() {
    runner.withPropertyValues(background("urlsession.sessions.downloads.background.clustered=true"))
        .run(context -> assertThat(context.getStartupFailure()).rootCause()
            .hasMessageContaining("urlsession.sessions.downloads.background.clustered")
            .hasMessageContaining("the store is embedded"));
  }

  @Test
  void backgroundSettingsAndIdentifierOfOtherKindsAreRefused() {
    runner.withPropertyValues("urlsession.sessions.api.background.max-concurrent-transfers=2")
        .run(context -> assertThat(context.getStartupFailure()).rootCause()
            .hasMessageContaining("urlsession.sessions.api.background.max-concurrent-transfers")
            .hasMessageContaining("only background sessions have a background store"));
    runner.withPropertyValues("urlsession.sessions.api.type=ephemeral", "urlsession.sessions.api.identifier=x")
        .run(context -> assertThat(context.getStartupFailure()).rootCause()
            .hasMessageContaining("urlsession.sessions.api.identifier")
            .hasMessageContaining("only background sessions have an identifier"));
    // Defaults' background settings apply to background sessions only: no error for the others.
    runner.withPropertyValues("urlsession.defaults.background.max-concurrent-transfers=2",
        "urlsession.sessions.api.type=default").run(context -> assertThat(context).hasNotFailed());
  }

  @Test
  void invalidIdentifierAndStoreValuesFailNamingTheProperty() {
    runner.withPropertyValues("urlsession.sessions.d.type=background", "urlsession.sessions.d.identifier=../etc")
        .run(context -> assertThat(context.getStartupFailure())
            .hasStackTraceContaining("Invalid urlsession configuration: urlsession.sessions.d.identifier"));
    runner.withPropertyValues(background("urlsession.sessions.downloads.background.max-concurrent-transfers=0"))
        .run(context -> assertThat(context.getStartupFailure())
            .hasStackTraceContaining("urlsession.sessions.downloads.background.max-concurrent-transfers = 0: must be 1 to 256"));
  }

  @Test
  void backgroundSessionWithoutAnyDelegateFailsSayingHowToGiveItOne() {
    runner.withPropertyValues(background("urlsession.events.enabled=false"))
        .run(context -> assertThat(context.getStartupFailure()).rootCause()
            .hasMessageContaining("urlsession.sessions.downloads.delegate-bean")
            .hasMessageContaining("delivers its results to a delegate"));
  }

  /** Records background events; reads each downloaded file while it exists. */
  static class Recorder {
    final BlockingQueue<TaskCompletedEvent> completed = new LinkedBlockingQueue<>();
    final List<String> contents = new CopyOnWriteArrayList<>();
    final List<Long> sizes = new CopyOnWriteArrayList<>();

    @EventListener
    void downloaded(DownloadFinishedEvent event) throws Exception {
      sizes.add(Files.size(event.getLocation()));
      if (Files.size(event.getLocation()) < 1024) {
        contents.add(Files.readString(event.getLocation(), StandardCharsets.UTF_8));
      }
    }

    @EventListener
    void completed(TaskCompletedEvent event) {
      completed.add(event);
    }
  }
}
