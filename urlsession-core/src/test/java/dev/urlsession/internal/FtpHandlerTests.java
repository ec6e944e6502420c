package dev.urlsession.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.urlsession.CacheStoragePolicy;
import dev.urlsession.Request;
import dev.urlsession.Response;
import dev.urlsession.SessionConfiguration;
import dev.urlsession.SessionException;
import dev.urlsession.SessionTask;
import dev.urlsession.spi.ProtocolClient;
import dev.urlsession.spi.ProtocolLoad;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The ftp: handler alone, without a task (and so without the task's own timers). */
@Timeout(30)
class FtpHandlerTests {
  @Test
  void aGreetingThatNeverComesIsTimedOutEvenWhenOnlyTheHandlerNotices() throws Exception {
    try (ServerSocket silent = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      CompletableFuture<Socket> accepted = CompletableFuture.supplyAsync(() -> {
        try {
          return silent.accept();
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      });
      Request request = Request.builder(URI.create("ftp://127.0.0.1:" + silent.getLocalPort() + "/f.txt"))
          .timeoutInterval(Duration.ofMillis(300)).build();
      CompletableFuture<SessionException> failed = new CompletableFuture<>();
      new FtpHandler(SessionConfiguration.ephemeral()).startLoading(new ProtocolLoad() {
        private @Nullable Object attachment;

        @Override
        public Request request() {
          return request;
        }

        @Override
        public ProtocolClient client() {
          return new ProtocolClient() {
            @Override
            public void didReceiveResponse(Response response, CacheStoragePolicy storagePolicy) {}

            @Override
            public void didLoadData(byte[] data) {}

            @Override
            public void didFinishLoading() {}

            @Override
            public void didFail(SessionException error) {
              failed.complete(error);
            }

            @Override
            public void wasRedirectedTo(Request r, Response redirectResponse) {}
          };
        }

        @Override
        public @Nullable SessionTask task() {
          return null;
        }

        @Override
        public @Nullable Object attachment() {
          return attachment;
        }

        @Override
        public void attachment(@Nullable Object a) {
          attachment = a;
        }
      });
      assertThat(failed.get(10, TimeUnit.SECONDS).code()).isEqualTo(SessionException.Code.TIMED_OUT);
      accepted.get(5, TimeUnit.SECONDS).close();
    }
  }
}
