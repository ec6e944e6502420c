package dev.urlsession;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * Run by {@link DecompressionBombTests} in a child JVM with a small heap: loads a content-encoded
 * URL and prints {@code RESULT <code>} for a failure or {@code RESULT OK <bytes>} for a success.
 * Modes: {@code data URL} (a data task collecting its body for a completion handler),
 * {@code download URL} (a download task), {@code discard URL RATIO} (a data task whose delegate
 * takes every chunk and drops it, with the session's maximum content decoding ratio set to RATIO).
 */
public final class DecompressionBombMain {
  private DecompressionBombMain() {}

  public static void main(String[] args) throws Exception {
    String mode = args[0];
    URI url = URI.create(args[1]);
    CompletableFuture<String> result = new CompletableFuture<>();
    AtomicLong received = new AtomicLong();
    Path storage = Files.createTempDirectory("bomb");
    SessionConfiguration.Builder config = SessionConfiguration.defaultConfiguration().toBuilder()
        .storageDirectory(storage).httpCache(null);
    if (mode.equals("discard")) {
      config.maximumContentDecodingRatio(Integer.parseInt(args[2]));
    }
    Object delegate = new DownloadDelegate() {
      @Override
      public void didFinishDownloadingTo(Session s, DownloadTask t, Path location) {
        received.set(location.toFile().length());
      }

      @Override
      public void didComplete(Session s, SessionTask t, @Nullable SessionException error) {
        result.complete(error != null ? error.code().name() : "OK " + received.get());
      }
    };
    if (mode.equals("discard")) {
      delegate = new DataDelegate() {
        @Override
        public void didReceiveData(Session s, DataTask t, byte[] data) {
          received.addAndGet(data.length); // and drop the bytes
        }

        @Override
        public void didComplete(Session s, SessionTask t, @Nullable SessionException error) {
          result.complete(error != null ? error.code().name() : "OK " + received.get());
        }
      };
    }
    try (Session session = Session.create(config.build(), (SessionDelegate) delegate, null)) {
      switch (mode) {
        case "data":
          session.dataTask(url, (body, response, error) ->
              result.complete(error != null ? error.code().name() : "OK " + body.length)).resume();
          break;
        case "download":
        case "discard":
          (mode.equals("download") ? session.downloadTask(url) : session.dataTask(url)).resume();
          break;
        default:
          throw new IllegalArgumentException(mode);
      }
      System.out.println("RESULT " + result.get(240, TimeUnit.SECONDS));
      System.out.println("HEAP max=" + Runtime.getRuntime().maxMemory());
    }
  }
}
