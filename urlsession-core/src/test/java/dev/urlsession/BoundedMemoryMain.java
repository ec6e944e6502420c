package dev.urlsession;

import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Run by {@link BoundedMemoryTests} in a child JVM with a small heap: {@code download URL} loads
 * a large body through a delegate that is slow on purpose and prints the file's length and
 * SHA-256; {@code upload URL FILE} uploads a large file and prints the server's answer.
 */
public final class BoundedMemoryMain {
  private BoundedMemoryMain() {}

  public static void main(String[] args) throws Exception {
    URI url = URI.create(args[1]);
    CompletableFuture<String> result = new CompletableFuture<>();
    Path storage = Files.createTempDirectory("bounded-memory");
    DownloadDelegate delegate = new DownloadDelegate() {
      @Override
      public void didWriteData(Session s, DownloadTask t, long written, long total, long expected) {
        try {
          Thread.sleep(5); // a slow delegate, on purpose
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }

      @Override
      public void didFinishDownloadingTo(Session s, DownloadTask t, Path location) {
        try (InputStream in = Files.newInputStream(location)) {
          MessageDigest sha = MessageDigest.getInstance("SHA-256");
          byte[] buffer = new byte[1 << 16];
          long length = 0;
          for (int n; (n = in.read(buffer)) > 0; ) {
            sha.update(buffer, 0, n);
            length += n;
          }
          result.complete(length + " " + HexFormat.of().formatHex(sha.digest()));
        } catch (Exception e) {
          result.completeExceptionally(e);
        }
      }

      @Override
      public void didComplete(Session s, SessionTask t, @Nullable SessionException error) {
        if (error != null) {
          result.completeExceptionally(error);
        }
      }
    };
    try (Session session = Session.create(SessionConfiguration.defaultConfiguration().toBuilder()
        .storageDirectory(storage).build(), delegate, null)) {
      if (args[0].equals("download")) {
        session.downloadTask(url).resume();
      } else {
        Request post = Request.builder(url).method("POST").header("Content-Type", "application/octet-stream").build();
        session.uploadTask(post, Path.of(args[2]), (body, response, error) -> {
          if (error != null) {
            result.completeExceptionally(error);
          } else {
            result.complete(new String(body));
          }
        }).resume();
      }
      System.out.println("RESULT " + result.get(240, TimeUnit.SECONDS));
      Runtime rt = Runtime.getRuntime();
      System.out.println("HEAP max=" + rt.maxMemory());
    }
  }
}
