package dev.urlsession.benchmarks;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.EntityDetails;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.HttpRequest;
import org.apache.hc.core5.http.impl.BasicEntityDetails;
import org.apache.hc.core5.http.impl.bootstrap.AsyncServerBootstrap;
import org.apache.hc.core5.http.impl.bootstrap.HttpAsyncServer;
import org.apache.hc.core5.http.message.BasicHttpResponse;
import org.apache.hc.core5.http.nio.AsyncServerExchangeHandler;
import org.apache.hc.core5.http.nio.CapacityChannel;
import org.apache.hc.core5.http.nio.DataStreamChannel;
import org.apache.hc.core5.http.nio.ResponseChannel;
import org.apache.hc.core5.http.protocol.HttpContext;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.reactor.IOReactorConfig;
import org.apache.hc.core5.reactor.ListenerEndpoint;
import org.apache.hc.core5.util.TimeValue;

/**
 * An in-JVM HTTP/1.1 server on HttpCore 5's async server: answers every request with {@code 200}
 * and the same {@value #BODY_SIZE}-byte {@code text/plain} body, with {@code Content-Length}, and
 * keeps the connection alive. Bound to 127.0.0.1 on an ephemeral port.
 *
 * <p>The exchange handler is deliberately minimal (one response head, one buffer write) so that
 * the server's share of the CPU is small and identical for every client measured against it.
 */
final class LoopbackServer implements AutoCloseable {
  static final int BODY_SIZE = 128;
  private static final byte[] BODY = body();

  private final HttpAsyncServer server;
  private final URI uri;

  private LoopbackServer(HttpAsyncServer server, URI uri) {
    this.server = server;
    this.uri = uri;
  }

  static LoopbackServer start()
      throws IOException, InterruptedException, ExecutionException, TimeoutException {
    HttpAsyncServer server =
        AsyncServerBootstrap.bootstrap()
            .setIOReactorConfig(
                IOReactorConfig.custom()
                    .setIoThreadCount(Runtime.getRuntime().availableProcessors())
                    .setTcpNoDelay(true)
                    .setSoReuseAddress(true)
                    .setBacklogSize(1024)
                    .build())
            // One handler for every request, whatever its authority and path (the default router
            // would answer 421 to a Host that is not the machine's canonical name).
            .setRequestRouter((request, context) -> FixedResponseHandler::new)
            .create();
    server.start();
    ListenerEndpoint endpoint =
        server.listen(new InetSocketAddress("127.0.0.1", 0)).get(10, TimeUnit.SECONDS);
    int port = ((InetSocketAddress) endpoint.getAddress()).getPort();
    return new LoopbackServer(server, URI.create("http://127.0.0.1:" + port + "/small"));
  }

  /** The URL every request goes to. */
  URI uri() {
    return uri;
  }

  @Override
  public void close() {
    server.close(CloseMode.GRACEFUL);
    try {
      server.awaitShutdown(TimeValue.ofSeconds(5));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static byte[] body() {
    byte[] b = new byte[BODY_SIZE];
    for (int i = 0; i < b.length; i++) {
      b[i] = (byte) ('a' + i % 26);
    }
    return b;
  }

  /** One exchange: ignores any request body, answers 200 with {@link #BODY}. */
  private static final class FixedResponseHandler implements AsyncServerExchangeHandler {
    private volatile ByteBuffer content;
    private volatile boolean ended;

    @Override
    public void handleRequest(
        HttpRequest request,
        EntityDetails entityDetails,
        ResponseChannel responseChannel,
        HttpContext context)
        throws HttpException, IOException {
      content = ByteBuffer.wrap(BODY).asReadOnlyBuffer();
      // The server's protocol processor adds Content-Length from the entity details.
      responseChannel.sendResponse(
          new BasicHttpResponse(200),
          new BasicEntityDetails(BODY.length, ContentType.TEXT_PLAIN),
          context);
    }

    @Override
    public void updateCapacity(CapacityChannel capacityChannel) throws IOException {
      capacityChannel.update(Integer.MAX_VALUE);
    }

    @Override
    public void consume(ByteBuffer src) {
      src.position(src.limit());
    }

    @Override
    public void streamEnd(List<? extends Header> trailers) {}

    @Override
    public int available() {
      ByteBuffer c = content;
      return c == null ? 0 : c.remaining();
    }

    @Override
    public void produce(DataStreamChannel channel) throws IOException {
      ByteBuffer c = content;
      if (c == null || ended) {
        return;
      }
      while (c.hasRemaining()) {
        if (channel.write(c) <= 0) {
          return; // socket buffer full: produce() is called again when writable
        }
      }
      ended = true;
      channel.endStream();
    }

    @Override
    public void failed(Exception cause) {}

    @Override
    public void releaseResources() {
      content = null;
    }
  }
}
