package dev.urlsession;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Run by {@link EphemeralGuaranteeTests} in a child JVM whose home, temporary and working
 * directories are fresh: takes a session of the kind named in {@code args[0]} through cookies,
 * the cache, credentials and a download, then flushes it.
 */
public final class EphemeralGuaranteeMain {
  private EphemeralGuaranteeMain() {}

  public static void main(String[] args) throws Exception {
    SessionConfiguration configuration = args[0].equals("ephemeral")
        ? SessionConfiguration.ephemeral() : SessionConfiguration.defaultConfiguration();
    URI base = URI.create(args[1]);
    CompletableFuture<byte[]> downloaded = new CompletableFuture<>();
    DownloadDelegate delegate = new DownloadDelegate() {
      @Override
      public void didReceiveChallenge(Session s, SessionTask t, AuthenticationChallenge c, ChallengeHandler h) {
        h.useCredential(Credential.of("user", "password", Credential.Persistence.PERMANENT));
      }

      @Override
      public void didFinishDownloadingTo(Session s, DownloadTask t, Path location) {
        try {
          downloaded.complete(Files.readAllBytes(location));
        } catch (Exception e) {
          downloaded.completeExceptionally(e);
        }
      }

      @Override
      public void didComplete(Session s, SessionTask t, @Nullable SessionException error) {
        if (error != null) {
          downloaded.completeExceptionally(error);
        }
      }
    };
    try (Session session = Session.create(configuration, delegate, null)) {
      get(session, base.resolve("/cookie"));
      get(session, base.resolve("/cached"));
      get(session, base.resolve("/cached"));
      get(session, base.resolve("/auth"));
      session.downloadTask(base.resolve("/file")).resume();
      System.out.println("DOWNLOADED " + downloaded.get(20, TimeUnit.SECONDS).length);
      session.flush().get(10, TimeUnit.SECONDS);
    }
    System.out.println("DONE");
  }

  private static void get(Session session, URI url) throws Exception {
    Consumer<Object> ignore = x -> {};
    DataResponse r = session.data(Request.get(url)).get(20, TimeUnit.SECONDS);
    ignore.accept(r);
    System.out.println("GET " + url.getPath() + " " + r.response().statusCode());
  }
}
