package dev.urlsession.internal;

import dev.urlsession.CacheStoragePolicy;
import dev.urlsession.Headers;
import dev.urlsession.Request;
import dev.urlsession.Response;
import dev.urlsession.SessionConfiguration;
import dev.urlsession.SessionException;
import dev.urlsession.SessionException.Code;
import dev.urlsession.spi.ProtocolClient;
import dev.urlsession.spi.ProtocolLoad;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.hc.client5.http.protocol.HttpClientContext;
import org.apache.hc.core5.concurrent.FutureCallback;
import org.apache.hc.core5.http.EntityDetails;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.HttpResponse;
import org.apache.hc.core5.http.ProtocolVersion;
import org.apache.hc.core5.http.RequestNotExecutedException;
import org.apache.hc.core5.http.message.BasicHttpRequest;
import org.apache.hc.core5.http.nio.AsyncEntityProducer;
import org.apache.hc.core5.http.nio.AsyncResponseConsumer;
import org.apache.hc.core5.http.nio.CapacityChannel;
import org.apache.hc.core5.http.nio.RequestChannel;
import org.apache.hc.core5.http.nio.support.BasicRequestProducer;
import org.apache.hc.core5.http.protocol.HttpContext;
import org.jspecify.annotations.Nullable;

/**
 * The built-in {@code http:} and {@code https:} handler, on a session's {@link HttpEngine}. One
 * instance per session. Bodies stream through with flow control: the handler grants the
 * connection more capacity only while the task {@linkplain LoadSupport#wantsData() wants data}.
 */
public final class HttpProtocolHandler implements BuiltInHandler {
  /** Bytes granted to the connection each time the task asks for more. */
  static final int WINDOW = 256 * 1024;

  private final HttpEngine engine;
  private final SessionConfiguration configuration;

  public HttpProtocolHandler(HttpEngine engine, SessionConfiguration configuration) {
    this.engine = engine;
    this.configuration = configuration;
  }

  @Override
  public boolean canHandle(Request request) {
    String scheme = request.url().getScheme();
    return "http".equalsIgnoreCase(scheme) || "https".equalsIgnoreCase(scheme);
  }

  /** Whether header {@code name} is a credential: it never follows a redirect to another origin. */
  static boolean isCredential(String name, java.util.Set<String> secretHeaders) {
    return name.equalsIgnoreCase("Authorization") || name.equalsIgnoreCase("Cookie")
        || name.equalsIgnoreCase("Proxy-Authorization")
        || !secretHeaders.isEmpty() && secretHeaders.contains(name.toLowerCase(java.util.Locale.ROOT));
  }

  @Override
  public void startLoading(ProtocolLoad load, @Nullable LoadSupport support) {
    start(load, support, configuration.httpMaximumConnectionsPerHost());
  }

  /**
   * Starts the exchange; {@code staleRetries}: how many more times it may go again when the
   * pooled connection it was given turns out closed by the server (a keep-alive connection closed
   * without {@code Connection: close}, or an idle timeout the client had not seen yet), see
   * {@link #staleConnection}. Each pooled connection of the host can be stale once; a new
   * connection never is, so the retries end there, and the bound only guards against a pool that
   * other loads keep filling with closed connections.
   */
  private void start(ProtocolLoad load, @Nullable LoadSupport support, int staleRetries) {
    Request request = load.request();
    URI url = request.url();
    ProtocolClient client = load.client();
    if (url.getHost() == null || url.getHost().isEmpty() || url.getPort() > 65535) {
      client.didFail(new SessionException(Code.BAD_URL, url,
          "bad URL: an http(s) URL needs a host and a port up to 65535", null));
      return;
    }
    RequestBody body = support != null
        ? support.requestBody()
        : request.bodyLength() > 0 ? RequestBody.of(request.body()) : null;
    if (body != null && body.length() != 0 && request.method().equals("GET")) {
      body.discard();
      client.didFail(new SessionException(Code.DATA_LENGTH_EXCEEDS_MAXIMUM, url,
          "resource exceeds maximum size: a GET request cannot carry a body", null));
      return;
    }
    TransactionRecorder recorder =
        support != null ? support.transaction() : new TransactionRecorder(request);

    BasicHttpRequest httpRequest;
    try {
      // User info never goes on the wire: it is a credential, used by the task when challenged.
      // Non-ASCII characters go on the wire as UTF-8, percent-encoded (URI.toASCIIString()).
      URI wire = HttpUris.ascii(url);
      String path = wire.getRawPath() == null || wire.getRawPath().isEmpty() ? "/" : wire.getRawPath();
      if (wire.getRawQuery() != null) {
        path += "?" + wire.getRawQuery();
      }
      httpRequest = new BasicHttpRequest(request.method(),
          new org.apache.hc.core5.http.HttpHost(url.getScheme(), url.getHost(), HttpChallenge.port(url)), path);
    } catch (RuntimeException e) {
      client.didFail(new SessionException(Code.BAD_URL, url, "bad URL: " + e.getMessage(), e));
      return;
    }
    Headers headers = request.headers();
    for (int i = 0; i < headers.size(); i++) {
      httpRequest.addHeader(headers.name(i), headers.value(i));
    }
    boolean leftOrigin = support != null && support.leftOrigin();
    for (Map.Entry<String, String> e : configuration.httpAdditionalHeaders().entrySet()) {
      // Credentials never follow another origin, wherever they came from (CVE-2018-1000007).
      if (!headers.contains(e.getKey()) && !(leftOrigin && isCredential(e.getKey(), configuration.secretHeaders()))) {
        httpRequest.addHeader(e.getKey(), e.getValue());
      }
    }
    if (support != null) {
      for (Map.Entry<String, String> e : support.authorizationHeaders().entrySet()) {
        httpRequest.setHeader(e.getKey(), e.getValue());
      }
    }
    // Decode unless the application asked for an encoding itself (then the bytes are its own).
    boolean decode = !httpRequest.containsHeader("Accept-Encoding");
    if (decode) {
      String asked = support != null ? support.acceptEncoding() : null;
      httpRequest.addHeader("Accept-Encoding", asked != null ? asked : ContentDecoder.ACCEPT_ENCODING);
    }
    if (!httpRequest.containsHeader("Accept")) {
      httpRequest.addHeader("Accept", "*/*");
    }
    if (body != null && body.length() != 0 && request.method().equals("POST")
        && !httpRequest.containsHeader("Content-Type")) {
      httpRequest.addHeader("Content-Type", "application/x-www-form-urlencoded");
    }
    AsyncEntityProducer bodyProducer =
        body == null ? null : body.producer(headerOrNull(httpRequest, "Content-Type"), support, recorder);

    HttpClientContext context = new HttpEngine.LoadContext(recorder, support);
    context.setAuthCache(engine.proxyAuthCache());
    ClientIdentities identities = "https".equalsIgnoreCase(url.getScheme()) ? engine.identities() : null;
    dev.urlsession.Credential identity = identities == null ? null
        : identities.identity(url.getHost(), HttpChallenge.port(url));
    if (identity != null) {
      // Pooled connections that present it carry its subject as state (HttpClient's user token).
      context.setUserToken(identity.certificates().get(0).getSubjectX500Principal());
    }
    Consumer consumer = new Consumer(load, support, recorder, decode,
        configuration.maximumContentDecodingRatio(), configuration.secretHeaders());
    if (identities != null && support != null) {
      // A client certificate was chosen (retry on a new connection presenting it), or a handshake
      // the server aborted had asked for one (ask the task, then retry or fail).
      consumer.interceptor = ex -> ex instanceof ClientIdentities.Retry
          ? retry(load, support)
          : identities.askAfterFailedHandshake(url, ex, context.getAttribute(ClientIdentities.ASKED),
              recorder.responseStart != null, support, () -> retry(load, support), e -> {
            recorder.responseEnd = Instant.now();
            client.didFail(e);
          });
    }
    if (staleRetries > 0 && support != null && (bodyProducer == null || bodyProducer.isRepeatable())) {
      java.util.function.Predicate<Exception> others = consumer.interceptor;
      // A refused client certificate is decided first: its connection is new, never stale.
      consumer.interceptor = ex -> others != null && others.test(ex)
          || staleConnection(ex, recorder, request.method()) && restart(load, () -> start(load, support, staleRetries - 1));
    }
    if (support != null) {
      support.onDemand(consumer::demand);
    }
    RecordingRequestProducer producer =
        new RecordingRequestProducer(httpRequest, bodyProducer, recorder);
    try {
      Future<Void> future = engine.client().execute(producer, consumer, null, context,
          new FutureCallback<>() {
            @Override
            public void completed(Void result) {}

            @Override
            public void failed(Exception ex) {
              consumer.fail(ex);
            }

            @Override
            public void cancelled() {}
          });
      load.attachment(new Exchange(future, consumer, context, engine));
    } catch (RuntimeException e) {
      // The client is shut down (session invalidated) or refused the request.
      client.didFail(ErrorMapper.map(e, url));
    }
  }

  /** Loads again on a new connection (a client identity was chosen), unless the load was stopped. */
  private boolean retry(ProtocolLoad load, LoadSupport support) {
    return restart(load, () -> startLoading(load, support));
  }

  /** Methods a client may send again after a failure without a response (RFC 9110 9.2.2). */
  private static final java.util.Set<String> IDEMPOTENT =
      java.util.Set.of("GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE");

  /**
   * Whether {@code failure} is that of a stale pooled connection, after which the request may go
   * again on a new one (as OkHttp and Apple's loader do): a reused connection that was closed
   * before any response came, when HttpClient did not send the request at all (any method), or
   * when it was closed or reset after, or answered with bytes that are no response (an
   * idempotent method). A new connection that fails, or a response cut short, is no stale
   * connection.
   */
  static boolean staleConnection(Exception failure, TransactionRecorder recorder, String method) {
    if (!recorder.reused || recorder.responseStart != null) {
      return false;
    }
    return failure instanceof RequestNotExecutedException
        || IDEMPOTENT.contains(method) && (failure instanceof org.apache.hc.core5.http.ConnectionClosedException
            || failure instanceof java.net.SocketException
            // Bytes left on the connection by the previous exchange (a body sent with a response to
            // HEAD) are no answer to this request, whether they arrive before it ("Unexpected
            // response") or after it (a parse error): as curl, take another connection.
            || failure instanceof org.apache.hc.core5.http.HttpException);
  }

  /** Runs {@code again} (a new exchange for {@code load}) unless the load was stopped. */
  private static boolean restart(ProtocolLoad load, Runnable again) {
    Object previous = load.attachment();
    if (!(previous instanceof Exchange) || !((Exchange) previous).future.isCancelled()) {
      again.run();
    }
    return true;
  }

  private static @Nullable String headerOrNull(BasicHttpRequest r, String name) {
    Header h = r.getFirstHeader(name);
    return h == null ? null : h.getValue();
  }

  @Override
  public void stopLoading(ProtocolLoad load) {
    Object attachment = load.attachment();
    if (attachment instanceof Exchange) {
      ((Exchange) attachment).stop();
    }
  }

  /** A load's exchange: HttpClient's future, and the consumer that may still be decoding after it. */
  private static final class Exchange {
    final Future<Void> future;
    final Consumer consumer;
    final HttpClientContext context;
    final HttpEngine engine;

    Exchange(Future<Void> future, Consumer consumer, HttpClientContext context, HttpEngine engine) {
      this.future = future;
      this.consumer = consumer;
      this.context = context;
      this.engine = engine;
    }

    void stop() {
      future.cancel(true);
      consumer.stop();
      if (!consumer.done.get()) {
        engine.abort(context); // in case the cancel did not reach the exchange (an HTTP/1.1 one)
      }
    }
  }

  /** The redirect status codes a task follows (or asks its delegate about). */
  static boolean isRedirect(int status) {
    switch (status) {
      case 301:
      case 302:
      case 303:
      case 305:
      case 307:
      case 308:
        return true;
      default:
        return false;
    }
  }

  /** Computes the request a redirect leads to, or null when it cannot be followed. */
  static @Nullable Request redirectRequest(Request request, int status, @Nullable String location,
      java.util.Set<String> secretHeaders) {
    if (location == null || location.isBlank()) {
      return null;
    }
    URI target;
    try {
      target = HttpUris.ascii(request.url()).resolve(HttpUris.location(location));
    } catch (IllegalArgumentException e) {
      return null;
    }
    // Only http and https are followed: a Location of file:, ftp:, data: or anything else is no
    // redirect (the 3xx is the response), so a server can never make a task read a local file.
    if (target.getScheme() == null || !(target.getScheme().equalsIgnoreCase("http")
        || target.getScheme().equalsIgnoreCase("https"))) {
      return null;
    }
    Request.Builder b = request.toBuilder();
    b.url(target);
    String method = request.method();
    if (status == 303 || ((status == 301 || status == 302) && method.equals("POST"))) {
      b.method("GET").body(null).removeHeader("Content-Type");
    }
    if (!sameOrigin(request.url(), target)) {
      // Credentials never follow a redirect to another origin (RELIABILITY.md row 1).
      b.removeHeader("Authorization").removeHeader("Cookie");
      for (String name : secretHeaders) {
        b.removeHeader(name);
      }
    }
    return b.build();
  }

  static boolean sameOrigin(URI a, URI b) {
    return a.getScheme().equalsIgnoreCase(b.getScheme())
        && String.valueOf(a.getHost()).equalsIgnoreCase(String.valueOf(b.getHost()))
        && effectivePort(a) == effectivePort(b);
  }

  private static int effectivePort(URI u) {
    if (u.getPort() >= 0) {
      return u.getPort();
    }
    return "https".equalsIgnoreCase(u.getScheme()) ? 443 : 80;
  }

  static String protocolName(@Nullable ProtocolVersion v) {
    if (v == null) {
      return null;
    }
    if (v.getMajor() == 2) {
      return "h2";
    }
    if (v.getMajor() == 1 && v.getMinor() == 1) {
      return "http/1.1"; // nearly every response: no string built
    }
    return "http/" + v.getMajor() + "." + v.getMinor();
  }

  /** Records when the request head goes out. */
  private static final class RecordingRequestProducer extends BasicRequestProducer {
    private final TransactionRecorder recorder;
    private final boolean hasBody;

    RecordingRequestProducer(
        BasicHttpRequest request, @Nullable AsyncEntityProducer body, TransactionRecorder recorder) {
      super(request, body);
      this.recorder = recorder;
      this.hasBody = body != null;
    }

    @Override
    public void sendRequest(RequestChannel channel, HttpContext context)
        throws HttpException, IOException {
      recorder.requestStart = Instant.now();
      if (!hasBody) {
        recorder.requestEnd = recorder.requestStart;
      }
      super.sendRequest(channel, context);
    }
  }

  /** Streams the response to the load's client, with flow control and content decoding. */
  private static final class Consumer implements AsyncResponseConsumer<Void> {
    private final ProtocolLoad load;
    private final ProtocolClient client;
    private final @Nullable LoadSupport support;
    private final TransactionRecorder recorder;
    private final boolean decode;
    private final int maximumDecodingRatio;
    private final AtomicBoolean starved = new AtomicBoolean();
    private final AtomicBoolean done = new AtomicBoolean();
    /** Set when the load is stopped: the exchange is aborted at its next callback. */
    private volatile boolean stopped;
    /** Whether the response came on an HTTP/2 stream; set on the I/O thread as it arrives. */
    private boolean http2;
    private volatile @Nullable CapacityChannel channel;
    /** Decodes a content-encoded body; null for a body passed through as it is. */
    private volatile @Nullable DecodingPump pump;
    private @Nullable FutureCallback<Void> resultCallback;
    private @Nullable HttpClientContext context;
    /** Takes failures it handles itself (client certificates); set before the exchange starts. */
    java.util.function.@Nullable Predicate<Exception> interceptor;

    /** Header names that never follow a redirect to another origin, besides the credentials. */
    private final java.util.Set<String> secretHeaders;

    Consumer(ProtocolLoad load, @Nullable LoadSupport support, TransactionRecorder recorder,
        boolean decode, int maximumDecodingRatio, java.util.Set<String> secretHeaders) {
      this.secretHeaders = secretHeaders;
      this.load = load;
      this.client = load.client();
      this.support = support;
      this.recorder = recorder;
      this.decode = decode;
      this.maximumDecodingRatio = maximumDecodingRatio;
    }

    @Override
    public void consumeResponse(HttpResponse httpResponse, @Nullable EntityDetails entityDetails,
        HttpContext httpContext, FutureCallback<Void> resultCallback) throws IOException {
      this.context = HttpClientContext.castOrCreate(httpContext);
      ProtocolVersion version = httpResponse.getVersion() != null ? httpResponse.getVersion() : context.getProtocolVersion();
      http2 = version != null && version.getMajor() == 2;
      abortIfStopped();
      this.resultCallback = resultCallback;
      recorder.responseStart = Instant.now();
      recorder.protocolName = protocolName(version);

      Request request = load.request();
      if (!recorder.connected && httpResponse.getCode() != 407) {
        // The answer of a proxy that refused the CONNECT tunnel, not of the origin.
        fail(new SessionException(SessionException.Code.CANNOT_CONNECT_TO_HOST, request.url(),
            "Could not connect to the server: the proxy refused the tunnel with "
                + httpResponse.getCode() + " " + httpResponse.getReasonPhrase(), null));
        resultCallback.completed(null);
        return;
      }
      Response.Builder rb = Response.builder(request.url()).statusCode(httpResponse.getCode());
      if (!"h2".equals(recorder.protocolName)) {
        try {
          // Only an HTTP/1.x status line has one (HttpClient makes up the standard phrase for h2).
          rb.reasonPhrase(httpResponse.getReasonPhrase());
        } catch (IllegalArgumentException e) {
          // A reason phrase with control characters: not representable, left out.
        }
      }
      for (Header h : httpResponse.getHeaders()) {
        try {
          rb.header(h.getName(), h.getValue());
        } catch (IllegalArgumentException e) {
          // A header name that is not a token: not representable, left out.
        }
      }
      Response response = rb.build();
      recorder.response = response;
      ContentDecoder decoder = decode && entityDetails != null
          ? ContentDecoder.forEncoding(response.header("Content-Encoding")) : null;
      if (decoder != null) {
        pump = new DecodingPump(decoder, client, support, recorder, request.url(),
            maximumDecodingRatio, this::openWindow, this::finish, this::failDecoding);
      }
      int status = httpResponse.getCode();
      Request redirect = isRedirect(status)
          ? redirectRequest(request, status, response.header("Location"), secretHeaders) : null;
      List<HttpChallenge> challenges = support != null && (status == 401 || status == 407)
          ? HttpChallenge.parse(response, proxyOf(context)) : List.of();
      if (redirect != null) {
        client.wasRedirectedTo(redirect, response);
      } else if (!challenges.isEmpty()) {
        support.challenged(challenges, response);
      } else {
        client.didReceiveResponse(response, CacheStoragePolicy.ALLOWED);
      }
      if (entityDetails == null) {
        finish();
      }
    }

    private static @Nullable URI proxyOf(HttpClientContext context) {
      var route = context.getHttpRoute();
      var proxy = route == null ? null : route.getProxyHost();
      return proxy == null ? null : URI.create("http://" + proxy.toHostString());
    }

    @Override
    public void informationResponse(HttpResponse response, HttpContext context) {}

    @Override
    public void updateCapacity(CapacityChannel capacityChannel) throws IOException {
      abortIfStopped();
      this.channel = capacityChannel;
      if (wantsInput()) {
        capacityChannel.update(WINDOW);
      } else {
        starved.set(true);
        // Demand may have come back between the check and the flag.
        if (wantsInput()) {
          openWindow();
        }
      }
    }

    /**
     * Whether the connection may send more: the task wants data, and a decoder has less than a
     * window of encoded bytes waiting.
     */
    private boolean wantsInput() {
      DecodingPump p = pump;
      return (support == null || support.wantsData()) && (p == null || p.pendingInput() < WINDOW);
    }

    /** The task wants data again: decode what waits, and re-open the window if it was closed. */
    void demand() {
      DecodingPump p = pump;
      if (p != null) {
        p.drain(); // opens the window when the decoder runs out of input
      } else {
        openWindow();
      }
    }

    private void openWindow() {
      CapacityChannel c = channel;
      if (c != null && (pump == null || wantsInput()) && starved.compareAndSet(true, false)) {
        try {
          c.update(WINDOW);
        } catch (IOException e) {
          fail(e);
        }
      }
    }

    @Override
    public void consume(ByteBuffer src) throws IOException {
      abortIfStopped();
      int n = src.remaining();
      recorder.responseBodyBytesReceived += n;
      DecodingPump p = pump;
      if (p != null) {
        p.input(src);
        return;
      }
      if (support != null && support.writeDirectly(src)) {
        recorder.responseBodyBytesDecoded += n;
        return;
      }
      byte[] bytes = new byte[n];
      src.get(bytes);
      recorder.responseBodyBytesDecoded += n;
      if (n > 0) {
        client.didLoadData(bytes);
      }
    }

    @Override
    public void streamEnd(@Nullable List<? extends Header> trailers) throws IOException {
      DecodingPump p = pump;
      if (p != null) {
        p.end(); // finishes once the task took the whole decoded body
      } else {
        finish();
      }
    }

    /**
     * Decoding failed (corrupt data, or a body inflating beyond the ratio): the load fails, and
     * the exchange is aborted so that the rest of the body is not read (its connection closes).
     */
    private void failDecoding(Exception cause) {
      fail(cause);
      Object attachment = load.attachment();
      if (attachment instanceof Exchange) {
        ((Exchange) attachment).future.cancel(true);
      }
    }

    /**
     * The load was stopped. Cancelling HttpClient's future is not always enough: HttpCore's
     * {@code ComplexFuture.setDependency} checks for cancellation, then sets, so a cancel landing
     * between the two (a task cancelled while its new connection was being made) leaves the
     * exchange running, its response never read and its connection leased for good (found by the
     * soak run; hostile.CancelRaceTests). So the exchange also aborts itself at its next callback,
     * and a window closed by flow control is re-opened to make that callback come.
     */
    void stop() {
      stopped = true;
      stopDecoding();
      CapacityChannel c = channel;
      if (c != null) {
        try {
          c.update(1);
        } catch (IOException | java.nio.channels.CancelledKeyException e) {
          // The connection is closing already (its selection key may be cancelled).
        }
      }
    }

    /**
     * Aborts the exchange of a stopped load: on HTTP/2 with a stream reset, which HttpCore applies
     * to that stream only (any other IOException would fail the connection and every stream
     * sharing it); on HTTP/1.1 with an IOException that closes the connection.
     */
    private void abortIfStopped() throws IOException {
      if (stopped && http2) {
        throw new org.apache.hc.core5.http2.H2StreamResetException(
            org.apache.hc.core5.http2.H2Error.CANCEL, "the load was stopped");
      }
      if (stopped) {
        throw new java.io.InterruptedIOException("the load was stopped");
      }
    }

    /** Frees the decoder (and its thread): the load was stopped. */
    void stopDecoding() {
      DecodingPump p = pump;
      if (p != null) {
        p.stop();
      }
    }

    private void finish() {
      if (done.compareAndSet(false, true)) {
        recorder.responseEnd = Instant.now();
        client.didFinishLoading();
        FutureCallback<Void> cb = resultCallback;
        if (cb != null) {
          cb.completed(null);
        }
      }
    }

    @Override
    public void failed(Exception cause) {
      fail(cause);
    }

    void fail(Exception cause) {
      if (done.compareAndSet(false, true)) {
        stopDecoding();
        java.util.function.Predicate<Exception> i = interceptor;
        if (i != null && i.test(cause)) {
          return;
        }
        recorder.responseEnd = Instant.now();
        client.didFail(ErrorMapper.map(cause, load.request().url()));
      }
    }

    @Override
    public void releaseResources() {
      // A decoded body that arrived whole may still wait for the task to take it: its pump ends
      // by itself, or when the load fails or is stopped. One that did not arrive whole ends here.
      DecodingPump p = pump;
      if (p != null && !p.ended()) {
        p.stop();
      }
    }
  }
}
