package dev.urlsession;

import java.net.URI;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Run by {@link StreamBoundedMemoryTests} in a child JVM with a small heap: reads everything a
 * peer on {@code 127.0.0.1:PORT} sends through a stream task, slowly on purpose (a pause every 16
 * reads), and prints the byte count and SHA-256. Mode {@code socket}: a stream task connected to
 * the peer; mode {@code become-stream}: a data task's HTTP response body, handed over to a stream
 * task by {@code ResponseDisposition.BECOME_STREAM}.
 */
public final class StreamBoundedMemoryMain {
  private StreamBoundedMemoryMain() {}

  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    boolean becomeStream = args.length > 1 && args[1].equals("become-stream");
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    long total = 0;
    CompletableFuture<StreamTask> handedOver = new CompletableFuture<>();
    DataDelegate delegate = new DataDelegate() {
      @Override
      public void didReceiveResponse(Session session, DataTask task, Response response,
          Consumer<ResponseDisposition> handler) {
        handler.accept(ResponseDisposition.BECOME_STREAM);
      }

      @Override
      public void didBecomeStreamTask(Session session, DataTask task, StreamTask streamTask) {
        handedOver.complete(streamTask);
      }
    };
    try (Session session = Session.create(SessionConfiguration.ephemeral(), delegate, null)) {
      StreamTask task;
      if (becomeStream) {
        session.dataTask(URI.create("http://127.0.0.1:" + port + "/body")).resume();
        task = handedOver.get(60, TimeUnit.SECONDS);
      } else {
        task = session.streamTask("127.0.0.1", port);
        task.resume();
      }
      for (int reads = 1; ; reads++) {
        ReadResult r = task.readData(1, 64 * 1024, Duration.ZERO).get(60, TimeUnit.SECONDS);
        sha.update(r.data());
        total += r.data().length;
        if (r.atEof()) {
          break;
        }
        if (reads % 16 == 0) {
          Thread.sleep(1); // a slow reader, on purpose: the peer is faster
        }
      }
      task.cancel();
    }
    System.out.println("RESULT " + total + " " + HexFormat.of().formatHex(sha.digest()));
    System.out.println("HEAP max=" + Runtime.getRuntime().maxMemory());
  }
}
