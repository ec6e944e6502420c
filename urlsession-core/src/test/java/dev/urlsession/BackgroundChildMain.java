package dev.urlsession;

import dev.urlsession.background.BackgroundStore;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * A child JVM for background-session tests, killed by its parent.
 *
 * <ul>
 *   <li>{@code start <storage> <id> <journal> <baseUrl> <count> <size>}: starts {@code count}
 *       downloads of {@code /file/<n>?size=<size>} and runs until killed;
 *   <li>{@code start-default ...}: as {@code start} with the default checkpoint interval;
 *   <li>a mode ending in {@code -reattach} (such as {@code start-default-reattach}) enqueues
 *       nothing: it runs the transfers a previous process stored;
 *   <li>{@code start-nocheckpoint ...}: as {@code start}, never checkpointing (a crash before the
 *       first checkpoint);
 *   <li>{@code return ...} and {@code return-no-keepalive ...}: start the downloads and return from
 *       {@code main} at once, with the store keeping the process alive or not;
 *   <li>{@code halt-on-deliver <storage> <id> <journal> <baseUrl> 1 <size>}: one download; the
 *       process halts inside {@code didFinishDownloadingTo};
 *   <li>{@code node <storage> <id> <journal> <baseUrl> <count> <size> <jdbcUrl> <window-ms>
 *       <enqueue>}: a clustered node on PostgreSQL; enqueues the downloads when {@code enqueue}.
 *   <li>{@code many <storage> <id> <journal> <baseUrl> <count> <size> <concurrency>}: queues
 *       {@code count} downloads with at most {@code concurrency} running, prints the heap used
 *       after a GC as they complete ({@code HEAP <completed> <bytes>}), then {@code RESULT <ok>}.
 * </ul>
 * Prints {@code READY} once its transfers are stored.
 */
public final class BackgroundChildMain {
  private BackgroundChildMain() {}

  public static void main(String[] args) throws Exception {
    String mode = args[0];
    Path storage = Path.of(args[1]);
    String id = args[2];
    BackgroundRecorder rec = new BackgroundRecorder(Path.of(args[3]));
    String base = args[4];
    int count = Integer.parseInt(args[5]);
    int size = Integer.parseInt(args[6]);
    BackgroundStore.Builder store = BackgroundStore.builder()
        .maxConcurrentTransfers(Math.min(count, 32))
        .pollingInterval(Duration.ofMillis(100))
        .checkpointInterval(Duration.ofMillis(200))
        .retryInitialDelay(Duration.ofMillis(100));
    boolean enqueue = !mode.endsWith("-reattach"); // re-attaching runs the stored transfers
    if (mode.startsWith("start-default")) {
      store = BackgroundStore.builder().maxConcurrentTransfers(Math.min(count, 32));
    }
    if (mode.startsWith("start-nocheckpoint")) {
      store.checkpointInterval(Duration.ofHours(1)).checkpointBytes(1L << 40);
    }
    if (mode.equals("return-no-keepalive")) {
      store.keepsProcessAlive(false);
    }
    if (mode.equals("node")) {
      PGSimpleDataSource ds = new PGSimpleDataSource();
      ds.setURL(args[7]);
      store.dataSource(ds).clustered(true).takeoverWindow(Duration.ofMillis(Long.parseLong(args[8])))
          .maxConcurrentTransfers(8);
      enqueue = Boolean.parseBoolean(args[9]);
    }
    if (mode.equals("many")) {
      store.maxConcurrentTransfers(Integer.parseInt(args[7])).checkpointInterval(Duration.ofSeconds(2));
    }
    if (mode.equals("halt-on-deliver")) {
      rec.onFinishDownloading = () -> Runtime.getRuntime().halt(3);
    }
    long began = System.nanoTime();
    Session s = Session.create(SessionConfiguration.backgroundBuilder(id).storageDirectory(storage)
        .httpMaximumConnectionsPerHost(32).backgroundStore(store.build()).build(), rec, null);
    Thread monitor = new Thread(() -> {
      long next = count / 10;
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(4);
      while (mode.equals("many") && System.nanoTime() < deadline) {
        long done = rec.count("didComplete ");
        if (done >= next) {
          System.gc();
          Runtime rt = Runtime.getRuntime();
          System.out.println("HEAP " + done + " " + (rt.totalMemory() - rt.freeMemory()) + " "
              + (System.nanoTime() - began) / 1_000_000 + " ms");
          next += count / 10;
        }
        if (done >= count) {
          return;
        }
        try {
          TimeUnit.MILLISECONDS.sleep(20);
        } catch (InterruptedException e) {
          return;
        }
      }
    });
    monitor.start();
    if (enqueue) {
      for (int i = 0; i < count; i++) {
        DownloadTask t = s.downloadTask(URI.create(base + "/file/" + i + "?size=" + size));
        t.taskDescription("file-" + i);
        t.resume();
      }
    }
    System.out.println("READY " + (System.nanoTime() - began) / 1_000_000 + " ms");
    System.out.flush();
    if (mode.startsWith("return")) {
      return; // the session is neither closed nor waited for, as in an application's main
    }
    if (mode.equals("many")) {
      monitor.join(TimeUnit.MINUTES.toMillis(4));
      System.out.println("RESULT " + rec.count("didComplete ") + " " + rec.events.stream()
          .filter(e -> e.startsWith("didComplete ") && e.endsWith(" ok")).count());
      s.close();
      return;
    }
    TimeUnit.MINUTES.sleep(5); // until killed
    s.close();
  }
}
