package dev.urlsession.benchmarks.suite;

import dev.urlsession.Request;
import dev.urlsession.Session;
import dev.urlsession.SessionConfiguration;
import dev.urlsession.autoconfigure.client.SessionClientHttpRequestFactory;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.ConnectionPool;
import okhttp3.Dispatcher;
import okhttp3.OkHttpClient;
import okhttp3.tls.HandshakeCertificates;
import org.apache.hc.client5.http.async.methods.SimpleHttpResponse;
import org.apache.hc.client5.http.async.methods.SimpleRequestBuilder;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.impl.async.H2AsyncClientBuilder;
import org.apache.hc.client5.http.impl.async.HttpAsyncClients;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManagerBuilder;
import org.apache.hc.client5.http.ssl.ClientTlsStrategyBuilder;
import org.apache.hc.core5.concurrent.FutureCallback;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.reactor.IOReactorConfig;
import org.apache.hc.core5.util.Timeout;
import org.jspecify.annotations.Nullable;
import org.springframework.http.ResponseEntity;
import org.springframework.web.client.RestClient;

/**
 * One client of the comparison. An asynchronous client {@linkplain #start starts} a GET and
 * reports its outcome to a callback, on whatever thread the client completes on (the next request
 * of the load driver starts from there, as an application chaining requests would); a blocking
 * one ({@code RestClient}) is {@linkplain #call called} from as many threads as requests are to
 * be in flight.
 */
abstract class Client implements AutoCloseable {
  /** What became of one GET: an error, or the status and the length of the body read. */
  interface Done {
    void done(@Nullable Throwable error, int status, int length);
  }

  final String name;

  Client(String name) {
    this.name = name;
  }

  /** Starts a GET of {@code uri}; {@code done} is called exactly once. */
  void start(URI uri, Done done) {
    throw new UnsupportedOperationException(name + " is blocking");
  }

  boolean blocking() {
    return false;
  }

  /** Makes a GET of {@code uri} and returns the length of its body (blocking clients). */
  int call(URI uri) throws Exception {
    throw new UnsupportedOperationException(name + " is asynchronous");
  }

  @Override
  public abstract void close() throws Exception;

  private static IOReactorConfig ioReactor() {
    return IOReactorConfig.custom()
        .setIoThreadCount(Math.max(1, Math.min(2, Runtime.getRuntime().availableProcessors())))
        .setTcpNoDelay(true)
        .setSoKeepAlive(true)
        .build();
  }

  private static RequestConfig requestConfig() {
    return RequestConfig.custom()
        .setConnectionRequestTimeout(Timeout.DISABLED)
        .setResponseTimeout(Timeout.DISABLED)
        .setRedirectsEnabled(false)
        .build();
  }

  /** Raw HttpClient 5 async over HTTP/1.1: the reference every ratio is taken against. */
  static Client rawHttpClient(int maxConnections) {
    CloseableHttpAsyncClient client = HttpAsyncClients.custom()
        .setConnectionManager(PoolingAsyncClientConnectionManagerBuilder.create()
            .setMaxConnPerRoute(maxConnections)
            .setMaxConnTotal(maxConnections * 2)
            .build())
        .setIOReactorConfig(ioReactor())
        .setDefaultRequestConfig(requestConfig())
        .disableRedirectHandling()
        .disableContentCompression()
        .disableCookieManagement()
        .disableAutomaticRetries()
        .disableAuthCaching()
        .build();
    client.start();
    return hc5("raw HttpClient 5", client);
  }

  /** Raw HttpClient 5's HTTP/2 client: one connection per route, every request a stream on it. */
  static Client rawHttp2Client(SSLContext ssl) {
    CloseableHttpAsyncClient client = H2AsyncClientBuilder.create()
        .setTlsStrategy(ClientTlsStrategyBuilder.create().setSslContext(ssl).build())
        .setIOReactorConfig(ioReactor())
        .setDefaultRequestConfig(requestConfig())
        .disableRedirectHandling()
        .disableCookieManagement()
        .disableAutomaticRetries()
        .disableAuthCaching()
        .build();
    client.start();
    return hc5("raw HttpClient 5 (H2 client)", client);
  }

  private static Client hc5(String name, CloseableHttpAsyncClient client) {
    return new Client(name) {
      @Override
      void start(URI uri, Done done) {
        client.execute(SimpleRequestBuilder.get(uri).build(), new FutureCallback<SimpleHttpResponse>() {
          @Override
          public void completed(SimpleHttpResponse r) {
            byte[] body = r.getBodyBytes();
            done.done(null, r.getCode(), body == null ? 0 : body.length);
          }

          @Override
          public void failed(Exception ex) {
            done.done(ex, 0, 0);
          }

          @Override
          public void cancelled() {
            done.done(new IOException("cancelled"), 0, 0);
          }
        });
      }

      @Override
      public void close() {
        client.close(CloseMode.GRACEFUL);
      }
    };
  }

  /** OkHttp 5 with enqueued calls; its dispatcher and pool sized for {@code maxRequests}. */
  static Client okHttp(int maxRequests, @Nullable HandshakeCertificates tls) {
    Dispatcher dispatcher = new Dispatcher();
    dispatcher.setMaxRequests(maxRequests);
    dispatcher.setMaxRequestsPerHost(maxRequests);
    OkHttpClient.Builder b = new OkHttpClient.Builder()
        .dispatcher(dispatcher)
        .connectionPool(new ConnectionPool(Math.max(5, maxRequests), 10, TimeUnit.MINUTES))
        .retryOnConnectionFailure(false);
    if (tls != null) {
      b.sslSocketFactory(tls.sslSocketFactory(), tls.trustManager());
    }
    OkHttpClient client = b.build();
    return new Client("OkHttp 5") {
      @Override
      void start(URI uri, Done done) {
        client.newCall(new okhttp3.Request.Builder().url(uri.toString()).build()).enqueue(new Callback() {
          @Override
          public void onFailure(Call call, IOException e) {
            done.done(e, 0, 0);
          }

          @Override
          public void onResponse(Call call, okhttp3.Response response) {
            int length;
            try (response) {
              length = response.body().bytes().length;
            } catch (IOException e) {
              done.done(e, 0, 0);
              return;
            }
            done.done(null, response.code(), length);
          }
        });
      }

      @Override
      public void close() {
        client.dispatcher().executorService().shutdown();
        client.connectionPool().evictAll();
      }
    };
  }

  /** The JDK's {@code java.net.http.HttpClient}, {@code sendAsync} with a byte-array body. */
  static Client jdk(HttpClient.Version version, @Nullable SSLContext ssl) {
    HttpClient.Builder b = HttpClient.newBuilder().version(version);
    if (ssl != null) {
      b.sslContext(ssl);
    }
    HttpClient client = b.build();
    return new Client("JDK HttpClient") {
      @Override
      void start(URI uri, Done done) {
        client.sendAsync(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofByteArray())
            .whenComplete((r, e) -> {
              if (e != null) {
                done.done(e, 0, 0);
              } else {
                done.done(null, r.statusCode(), r.body().length);
              }
            });
      }

      @Override
      public void close() {
        // JDK 17's client has no close(): its threads are daemons and go with it.
      }
    };
  }

  /** A session: completion-handler data tasks, the handler on the session's delegate queue. */
  static Client session(String name, SessionConfiguration configuration) {
    Session session = Session.create(configuration);
    return new Client(name) {
      @Override
      void start(URI uri, Done done) {
        session.dataTask(Request.get(uri), (body, response, error) ->
            done.done(error, response == null ? 0 : response.statusCode(), body == null ? 0 : body.length))
            .resume();
      }

      @Override
      public void close() {
        session.close();
      }
    };
  }

  /** Spring's {@code RestClient} on {@link SessionClientHttpRequestFactory}: blocking calls. */
  static Client restClient(SessionConfiguration configuration) {
    Session session = Session.create(configuration);
    RestClient client = RestClient.builder()
        .requestFactory(new SessionClientHttpRequestFactory(session))
        .build();
    return new Client("RestClient on a Session") {
      @Override
      boolean blocking() {
        return true;
      }

      @Override
      int call(URI uri) {
        ResponseEntity<byte[]> r = client.get().uri(uri).retrieve().toEntity(byte[].class);
        if (r.getStatusCode().value() != 200 || r.getBody() == null) {
          throw new IllegalStateException("unexpected response " + r.getStatusCode());
        }
        return r.getBody().length;
      }

      @Override
      public void close() {
        session.close();
      }
    };
  }
}
