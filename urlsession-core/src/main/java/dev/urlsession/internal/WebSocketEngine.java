package dev.urlsession.internal;

import dev.urlsession.ProxyConfiguration;
import dev.urlsession.Request;
import dev.urlsession.Response;
import dev.urlsession.SessionConfiguration;
import dev.urlsession.TlsVersion;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import org.eclipse.jetty.client.BasicAuthentication;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.HttpProxy;
import org.eclipse.jetty.client.Origin;
import org.eclipse.jetty.client.Socks5;
import org.eclipse.jetty.client.Socks5Proxy;
import org.eclipse.jetty.http.HttpCookieStore;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.util.Promise;
import org.eclipse.jetty.util.SocketAddressResolver;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.util.thread.ScheduledExecutorScheduler;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import org.eclipse.jetty.websocket.client.JettyUpgradeListener;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import org.jspecify.annotations.Nullable;

/**
 * A session's WebSocket client: Jetty's (RFC 6455 framing, the close handshake, UTF-8 checks,
 * {@code permessage-deflate}) on a Jetty {@code HttpClient} set up with the session's
 * configuration: its SSL context and TLS versions (with the transport security policy's minimum
 * per host), the server-trust decision of the task before the handshake request is sent and its
 * client certificates (with the platform's trust, see {@link WebSocketTrust}), its proxy (HTTP
 * proxies through {@code CONNECT}, SOCKS5), its connect timeout; address lookups are timed for the
 * handshake's metrics. Jetty keeps no cookies, follows no redirect and answers no server challenge: the task
 * does each itself, as for HTTP loads. Jetty answers the HTTP proxy's {@code 407} itself, with the
 * configured proxy credentials or those a delegate gave ({@link #useProxyCredential}); a
 * {@code 407} it cannot answer goes to the task ({@link WebSocketEvents#tunnelRefused}). One per
 * session, created with its first WebSocket task, stopped with the session.
 */
public final class WebSocketEngine {
  private static final String USER_AGENT =
      "urlsession/0.1.0 (Java/" + System.getProperty("java.version") + ")";

  private final SessionConfiguration configuration;
  private final HttpClient http;
  private final WebSocketClient client;
  private final boolean deferredTrust;
  /** The client identities delegates chose; null with an SSL context of the user's own. */
  private final @Nullable ClientIdentities identities;
  /** The credentials Jetty answers each HTTP proxy with, by the proxy's URI: one at a time. */
  private final java.util.Map<URI, org.eclipse.jetty.client.Authentication> proxyAuthentications =
      new java.util.concurrent.ConcurrentHashMap<>();

  public WebSocketEngine(SessionConfiguration configuration) {
    this.configuration = configuration;
    this.deferredTrust = configuration.sslContext() == null;
    // As the HTTP engine: with the platform's trust, a key manager of the session's presents what
    // delegates chose (CLIENT_CERTIFICATE challenges); a context of the user's own presents its keys.
    this.identities = deferredTrust ? new ClientIdentities() : null;
    SSLContext ssl = deferredTrust ? DeferredTrustManager.context(identities.keyManager()) : configuration.sslContext();
    SslContextFactory.Client tls = new PerHostTls(configuration);
    tls.setSslContext(ssl);
    // The JDK's own host name check (endpoint identification) runs inside the trust manager:
    // with the platform's trust it is recorded, not thrown, and decided with the chain.
    tls.setEndpointIdentificationAlgorithm("HTTPS");
    QueuedThreadPool threads = new QueuedThreadPool(32, 2, 60_000);
    threads.setName("urlsession-ws");
    threads.setDaemon(true);
    org.eclipse.jetty.io.ClientConnector connector = new org.eclipse.jetty.io.ClientConnector();
    connector.setSslContextFactory(tls);
    connector.setSelectors(1);
    this.http = new HttpClient(new WebSocketTrust.Transport(connector, deferredTrust, identities));
    http.setExecutor(threads);
    ScheduledExecutorScheduler scheduler = new ScheduledExecutorScheduler("urlsession-ws-scheduler", true);
    http.setScheduler(scheduler);
    http.setSocketAddressResolver(new TimedResolver(
        new SocketAddressResolver.Async(threads, scheduler, http.getAddressResolutionTimeout())));
    http.setHttpCookieStore(new HttpCookieStore.Empty());
    http.setFollowRedirects(false);
    http.setConnectTimeout(Math.max(1, Math.min(Integer.MAX_VALUE, configuration.timeoutIntervalForRequest().toMillis())));
    http.setIdleTimeout(0); // the task's clocks decide
    http.setDestinationIdleTimeout(30_000); // one destination per task: forget them once idle
    http.setUserAgentField(new HttpField(HttpHeader.USER_AGENT, USER_AGENT));
    http.getContentDecoderFactories().clear();
    configureProxy(configuration.proxy());
    this.client = new WebSocketClient(http);
    client.setIdleTimeout(Duration.ZERO); // an open WebSocket has no idle timeout (Apple)
    client.setStopTimeout(2_000);
    try {
      client.start();
    } catch (Exception e) {
      throw new IllegalStateException("cannot start the WebSocket client", e);
    }
  }

  /** What {@link #connect} needs of the task. */
  public record Handshake(Request request, List<String> protocols, WebSocketEvents events) {}

  /**
   * Starts the opening handshake of {@code handshake.request()}: its headers (the task added the
   * session's headers, cookies and credentials), subprotocols, {@code permessage-deflate} offered.
   * Every outcome goes to the events, exactly one of {@code opened} and {@code failed} first.
   * Returns what aborts the handshake.
   */
  public Runnable connect(Handshake handshake) {
    Request request = handshake.request();
    WebSocketEvents events = handshake.events();
    TransactionRecorder recorder = events.recorder();
    URI url = request.url();
    ClientUpgradeRequest upgrade = new ClientUpgradeRequest(url);
    upgrade.tag(events); // the attempt's own destination: its connections, its trust decision, its metrics
    upgrade.addExtensions("permessage-deflate");
    useSelectedProxy(url);
    recorder.proxy = proxied(url);
    recorder.protocolName = "http/1.1";
    WebSocketConnection.Endpoint endpoint = new WebSocketConnection.Endpoint(events);
    JettyUpgradeListener listener = new JettyUpgradeListener() {
      @Override
      public void onHandshakeRequest(org.eclipse.jetty.client.Request r) {
        r.headers(fields -> {
          if (!handshake.protocols().isEmpty()) {
            // One field, as Apple sends it; Jetty checks the server's choice against it.
            fields.put("Sec-WebSocket-Protocol", String.join(", ", handshake.protocols()));
          }
          request.headers().names().forEach(name -> {
            if (!reserved(name)) {
              fields.remove(name);
              for (String value : request.headers().all(name)) {
                fields.add(name, value);
              }
            }
          });
        });
        r.onRequestBegin(x -> {
          recorder.connected = true;
          recorder.connectEnd = Instant.now();
          recorder.requestStart = recorder.connectEnd;
        });
        // Jetty may report the response's begin before the request's success (a server that
        // answers at once): the request then ended when the response began.
        r.onRequestSuccess(x -> {
          synchronized (recorder) {
            if (recorder.responseStart == null) {
              recorder.requestEnd = Instant.now();
            }
          }
        });
        r.onResponseBegin(x -> responseBegan(recorder, Instant.now()));
        // The body of an answer that is no 101 (a 101 has none); Jetty decodes nothing here.
        r.onResponseContent((x, content) -> {
          recorder.responseBodyBytesReceived += content.remaining();
          recorder.responseBodyBytesDecoded += content.remaining();
        });
      }

      @Override
      public void onHandshakeResponse(org.eclipse.jetty.client.Request r, org.eclipse.jetty.client.Response response) {
        Instant now = Instant.now();
        if (recorder.responseStart == null) {
          responseBegan(recorder, now); // Jetty reports no response begin for a 101
        }
        recorder.responseEnd = now;
        Response.Builder b = Response.builder(url).statusCode(response.getStatus());
        for (HttpField f : response.getHeaders()) {
          b.header(f.getName(), f.getValue());
        }
        Response built = b.build();
        recorder.response = built;
        events.handshakeResponse(built);
      }
    };
    recorder.connectStart = Instant.now();
    CompletableFuture<Session> future;
    try {
      future = client.connect(endpoint, url, upgrade, listener);
    } catch (IOException | RuntimeException e) {
      events.failed(e);
      return () -> {};
    }
    future.whenComplete((session, failure) -> {
      if (failure != null) {
        org.eclipse.jetty.client.Response refused = tunnelResponse(failure);
        if (refused != null) {
          Response.Builder b = Response.builder(url).statusCode(refused.getStatus());
          for (HttpField f : refused.getHeaders()) {
            b.header(f.getName(), f.getValue());
          }
          org.eclipse.jetty.client.Request connect = refused.getRequest();
          events.tunnelRefused(b.build(), URI.create("http://" + new Origin.Address(connect.getHost(),
              connect.getPort()).asString()));
        }
        events.failed(ErrorMapper.unwrap(failure));
        try {
          http.getExecutor().execute(() -> forget(events));
        } catch (java.util.concurrent.RejectedExecutionException stopped) {
          // the client is stopping: it closes every connection itself
        }
      }
    });
    return () -> future.completeExceptionally(new CancellationException("the task was cancelled"));
  }

  /**
   * The code of a WebSocket failure: a message over the limit, data that breaks the protocol
   * (frames, UTF-8, a handshake answer that is no valid upgrade), or the connection's own
   * failures as for HTTP loads.
   */
  public static dev.urlsession.SessionException.Code failureCode(Throwable failure) {
    Throwable e = ErrorMapper.unwrap(failure);
    if (e instanceof org.eclipse.jetty.websocket.api.exceptions.MessageTooLargeException
        || e instanceof org.eclipse.jetty.websocket.core.exception.MessageTooLargeException) {
      return dev.urlsession.SessionException.Code.DATA_LENGTH_EXCEEDS_MAXIMUM;
    }
    if (e instanceof org.eclipse.jetty.websocket.api.exceptions.ProtocolException
        || e instanceof org.eclipse.jetty.websocket.core.exception.ProtocolException
        || e instanceof org.eclipse.jetty.websocket.api.exceptions.BadPayloadException
        || e instanceof org.eclipse.jetty.websocket.core.exception.BadPayloadException
        || e instanceof org.eclipse.jetty.websocket.api.exceptions.UpgradeException
        || e instanceof org.eclipse.jetty.websocket.core.exception.UpgradeException
        || e instanceof org.eclipse.jetty.http.BadMessageException) {
      Throwable cause = e.getCause();
      if (cause != null && cause != e && !(cause instanceof org.eclipse.jetty.websocket.core.exception.WebSocketException)
          && (cause instanceof java.io.IOException)) {
        return ErrorMapper.code(cause); // an upgrade that failed to connect
      }
      return dev.urlsession.SessionException.Code.BAD_SERVER_RESPONSE;
    }
    if (e instanceof org.eclipse.jetty.io.EofException || e instanceof java.nio.channels.ClosedChannelException) {
      return dev.urlsession.SessionException.Code.NETWORK_CONNECTION_LOST;
    }
    return ErrorMapper.code(e);
  }

  /**
   * The failure of a handshake: {@code BAD_SERVER_RESPONSE} when the server answered with
   * {@code response} that is no {@code 101}, else as {@link #failureCode} says.
   */
  public static dev.urlsession.SessionException handshakeFailure(Throwable cause, URI url,
      @Nullable Response response) {
    Throwable e = ErrorMapper.unwrap(cause);
    if (response != null && response.statusCode() != 101) {
      return new dev.urlsession.SessionException(dev.urlsession.SessionException.Code.BAD_SERVER_RESPONSE, url,
          "The server did not accept the WebSocket upgrade (HTTP " + response.statusCode() + ")", e);
    }
    return failure(e, url);
  }

  /** The failure of an open connection, or of a handshake without an answer. */
  public static dev.urlsession.SessionException failure(Throwable cause, URI url) {
    Throwable e = ErrorMapper.unwrap(cause);
    dev.urlsession.SessionException.Code code = failureCode(e);
    if (code == dev.urlsession.SessionException.Code.DATA_LENGTH_EXCEEDS_MAXIMUM) {
      return new dev.urlsession.SessionException(code, url,
          "Message too long (POSIX 40): a message exceeded the task's maximumMessageSize", e);
    }
    dev.urlsession.SessionException mapped = ErrorMapper.map(e, url);
    return mapped.code() == code ? mapped : new dev.urlsession.SessionException(code, url,
        code.description() + " [" + e.getClass().getSimpleName() + ": " + e.getMessage() + "]", e);
  }

  /**
   * Drops the destination of a handshake that failed, with the connections it keeps: a server may
   * keep the connection of a refused upgrade (a {@code 401}) alive, and Jetty would pool it for
   * good (it has no idle timeout here), though no request of the task's will use it again.
   */
  private void forget(WebSocketEvents tag) {
    for (org.eclipse.jetty.client.Destination d : http.getDestinations()) {
      if (d.getOrigin().getTag() == tag && http.removeDestination(d)) {
        org.eclipse.jetty.util.component.LifeCycle.stop(d);
      }
    }
  }

  /**
   * Whether a handshake failed so that the task tries again on a new connection: a delegate chose
   * a client identity, which the new connection presents.
   */
  public static boolean retriesWithIdentity(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof ClientIdentities.Retry) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether a handshake through an HTTP proxy failed before its request was written because
   * Jetty's tunnel raced itself: the proxy's {@code 200} to the {@code CONNECT} can be handled
   * (and the handshake request written) on one thread while the thread that wrote the
   * {@code CONNECT} has not yet marked its write done, and the second write fails with
   * {@code WritePendingException}. Nothing reached the server: the task may simply try again.
   */
  public static boolean lostTunnelRace(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof java.nio.channels.WritePendingException) {
        return true;
      }
    }
    return false;
  }

  /** The proxy's answer to the {@code CONNECT} of a tunnel that failed for it, or null. */
  private static org.eclipse.jetty.client.@Nullable Response tunnelResponse(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof org.eclipse.jetty.client.HttpResponseException) {
        org.eclipse.jetty.client.Response r = ((org.eclipse.jetty.client.HttpResponseException) t).getResponse();
        if (r != null && r.getRequest() != null && "CONNECT".equals(r.getRequest().getMethod())) {
          return r;
        }
      }
    }
    return null;
  }

  /**
   * From now on Jetty answers the HTTP proxy of {@code space} (a proxy's protection space) with
   * {@code credential}, Basic or Digest as the space says, instead of what it answered with
   * before: the {@code CONNECT} of later tunnels gets it.
   */
  public void useProxyCredential(dev.urlsession.ProtectionSpace space, dev.urlsession.Credential credential) {
    URI proxy = URI.create("http://" + new Origin.Address(space.host(), space.port()).asString());
    String realm = space.realm() == null ? org.eclipse.jetty.client.Authentication.ANY_REALM : space.realm();
    String password = credential.password() == null ? "" : credential.password();
    org.eclipse.jetty.client.Authentication a =
        space.authenticationMethod() == dev.urlsession.AuthenticationMethod.HTTP_DIGEST
            ? new org.eclipse.jetty.client.DigestAuthentication(proxy, realm, credential.user(), password)
            : new BasicAuthentication(proxy, realm, credential.user(), password);
    useProxyAuthentication(proxy, a);
  }

  private void useProxyAuthentication(URI proxy, org.eclipse.jetty.client.Authentication a) {
    org.eclipse.jetty.client.AuthenticationStore store = http.getAuthenticationStore();
    synchronized (proxyAuthentications) {
      org.eclipse.jetty.client.Authentication old = proxyAuthentications.put(proxy, a);
      if (old != null) {
        store.removeAuthentication(old);
      }
      org.eclipse.jetty.client.Authentication.Result stale = store.findAuthenticationResult(proxy);
      if (stale != null) {
        store.removeAuthenticationResult(stale); // it was refused: never sent again
      }
      store.addAuthentication(a);
    }
  }

  /** Headers the WebSocket handshake sets itself. */
  private static boolean reserved(String name) {
    String n = name.toLowerCase(java.util.Locale.ROOT);
    return n.startsWith("sec-websocket-") || n.equals("upgrade") || n.equals("connection") || n.equals("host")
        || n.equals("content-length") || n.equals("transfer-encoding");
  }

  /** Stops the client and its threads; call off the delegate queue and I/O threads. */
  public void close() {
    try {
      client.stop();
      http.stop();
    } catch (Exception e) {
      org.slf4j.LoggerFactory.getLogger(WebSocketEngine.class).debug("Stopping the WebSocket client failed", e);
    }
  }

  /**
   * Jetty's address lookup, timed for the handshake whose connection asks it (its destination's
   * tag): the lookup's dates, and the connect start right after it.
   */
  private static final class TimedResolver implements SocketAddressResolver {
    private final SocketAddressResolver resolver;

    TimedResolver(SocketAddressResolver resolver) {
      this.resolver = resolver;
    }

    @Override
    public void resolve(String host, int port, java.util.Map<String, Object> context,
        Promise<List<InetSocketAddress>> promise) {
      Object destination = context == null ? null : context.get(org.eclipse.jetty.client.Destination.CONTEXT_KEY);
      Object tag = destination instanceof org.eclipse.jetty.client.Destination
          ? ((org.eclipse.jetty.client.Destination) destination).getOrigin().getTag() : null;
      if (!(tag instanceof WebSocketEvents)) {
        resolver.resolve(host, port, context, promise);
        return;
      }
      TransactionRecorder recorder = ((WebSocketEvents) tag).recorder();
      recorder.domainLookupStart = Instant.now();
      resolver.resolve(host, port, context, new Promise<>() {
        @Override
        public void succeeded(List<InetSocketAddress> addresses) {
          Instant now = Instant.now();
          recorder.domainLookupEnd = now;
          recorder.connectStart = now;
          promise.succeeded(addresses);
        }

        @Override
        public void failed(Throwable x) {
          recorder.domainLookupEnd = Instant.now();
          promise.failed(x);
        }
      });
    }
  }

  // --- proxies ---

  private boolean proxied(URI url) {
    return http.getProxyConfiguration().match(origin(url)) != null;
  }

  private void configureProxy(ProxyConfiguration proxy) {
    switch (proxy.type()) {
      case HTTP: {
        Origin.Address address = new Origin.Address(proxy.host(), proxy.port());
        http.getProxyConfiguration().addProxy(
            new TunnelingProxy(address, origin -> !proxy.bypasses(origin.getAddress().getHost())));
        if (proxy.username() != null) {
          URI uri = URI.create("http://" + address.asString());
          useProxyAuthentication(uri, new BasicAuthentication(uri, org.eclipse.jetty.client.Authentication.ANY_REALM,
              proxy.username(), proxy.password() == null ? "" : proxy.password()));
        }
        break;
      }
      case SOCKS: {
        Socks5Proxy socks = new Socks5Proxy(new Origin.Address(proxy.host(), proxy.port()), false) {
          @Override
          public boolean matches(Origin origin) {
            return !proxy.bypasses(origin.getAddress().getHost());
          }
        };
        if (proxy.username() != null) {
          socks.putAuthenticationFactory(new Socks5.UsernamePasswordAuthenticationFactory(
              proxy.username(), proxy.password() == null ? "" : proxy.password()));
        }
        http.getProxyConfiguration().addProxy(socks);
        break;
      }
      case SYSTEM: {
        String socksHost = System.getProperty("socksProxyHost");
        if (socksHost != null && !socksHost.isBlank()) {
          http.getProxyConfiguration().addProxy(new Socks5Proxy(
              new Origin.Address(socksHost, Integer.getInteger("socksProxyPort", 1080)), false));
        }
        break; // HTTP proxies: asked of the selector per task (useSelectedProxy)
      }
      case DIRECT:
      default:
        break;
    }
  }

  /**
   * With the system's proxy settings, the HTTP proxy the JVM's {@code ProxySelector} chooses for
   * {@code url}: registered once per proxy address, used for the destinations the selector sends
   * to it (through {@code CONNECT}).
   */
  private void useSelectedProxy(URI url) {
    if (configuration.proxy().type() != ProxyConfiguration.Type.SYSTEM) {
      return;
    }
    InetSocketAddress selected = selectedProxy(origin(url));
    if (selected == null) {
      return;
    }
    Origin.Address address = new Origin.Address(selected.getHostString(), selected.getPort());
    synchronized (http.getProxyConfiguration()) {
      for (org.eclipse.jetty.client.ProxyConfiguration.Proxy p : http.getProxyConfiguration().getProxies()) {
        if (p.getAddress().equals(address)) {
          return;
        }
      }
      http.getProxyConfiguration().addProxy(new TunnelingProxy(address, origin -> {
        InetSocketAddress now = selectedProxy(origin);
        return now != null && now.getHostString().equals(address.getHost()) && now.getPort() == address.getPort();
      }));
    }
  }

  private static Origin origin(URI url) {
    boolean secure = "wss".equalsIgnoreCase(url.getScheme());
    int port = url.getPort() > 0 ? url.getPort() : secure ? 443 : 80;
    return new Origin(secure ? "https" : "http", url.getHost(), port);
  }

  /** The first HTTP proxy the JVM's selector names for {@code origin}, or null for none. */
  private static @Nullable InetSocketAddress selectedProxy(Origin origin) {
    ProxySelector selector = ProxySelector.getDefault();
    if (selector == null) {
      return null;
    }
    Origin.Address a = origin.getAddress();
    String scheme = org.eclipse.jetty.http.HttpScheme.isSecure(origin.getScheme()) ? "https" : "http";
    try {
      for (Proxy p : selector.select(new URI(scheme, null, a.getHost(), a.getPort(), "/", null, null))) {
        if (p.type() == Proxy.Type.HTTP && p.address() instanceof InetSocketAddress) {
          return (InetSocketAddress) p.address();
        }
      }
    } catch (java.net.URISyntaxException | RuntimeException e) {
      return null;
    }
    return null;
  }

  /** An HTTP proxy that always tunnels with {@code CONNECT}: WebSockets need the raw stream. */
  private static final class TunnelingProxy extends HttpProxy {
    private final java.util.function.Predicate<Origin> serves;

    TunnelingProxy(Origin.Address address, java.util.function.Predicate<Origin> serves) {
      super(address, false);
      this.serves = serves;
    }

    @Override
    public boolean matches(Origin origin) {
      return serves.test(origin);
    }

    @Override
    public boolean requiresTunnel(Origin serverOrigin) {
      return true;
    }
  }

  // --- TLS ---

  /**
   * The configuration's TLS versions, raised per host to the transport security policy's
   * minimum, as the HTTP engine does.
   */
  private static final class PerHostTls extends SslContextFactory.Client {
    private final SessionConfiguration configuration;

    PerHostTls(SessionConfiguration configuration) {
      this.configuration = configuration;
      setIncludeProtocols(versions(configuration, configuration.tlsMinimumSupportedProtocolVersion()).toArray(new String[0]));
    }

    @Override
    public SSLEngine newSSLEngine(String host, int port) {
      SSLEngine engine = super.newSSLEngine(host, port);
      TlsVersion policyMinimum = configuration.transportSecurity().minimumTlsVersion(host);
      TlsVersion configured = configuration.tlsMinimumSupportedProtocolVersion();
      TlsVersion minimum = policyMinimum.compareTo(configured) > 0 ? policyMinimum : configured;
      engine.setEnabledProtocols(versions(configuration, minimum).toArray(new String[0]));
      return engine;
    }

    private static List<String> versions(SessionConfiguration configuration, TlsVersion minimum) {
      List<String> versions = new ArrayList<>();
      for (TlsVersion v : TlsVersion.values()) {
        if (v.compareTo(minimum) >= 0 && v.compareTo(configuration.tlsMaximumSupportedProtocolVersion()) <= 0) {
          versions.add(v.protocolName());
        }
      }
      if (versions.isEmpty()) {
        versions.add(minimum.protocolName());
      }
      return versions;
    }
  }

  @Override
  public String toString() {
    return "WebSocketEngine{" + configuration.kind() + ", proxy=" + configuration.proxy().type() + ", "
        + (deferredTrust ? "platform trust" : "own SSL context") + "}";
  }

  /** The response began at {@code now}: the request had ended by then, whatever Jetty reports after. */
  private static void responseBegan(TransactionRecorder recorder, Instant now) {
    synchronized (recorder) {
      if (recorder.requestEnd == null) {
        recorder.requestEnd = now;
      }
      recorder.responseStart = now;
    }
  }
}
