package dev.urlsession.internal;

import dev.urlsession.ProxyConfiguration;
import dev.urlsession.SessionConfiguration;
import dev.urlsession.TlsVersion;
import dev.urlsession.hc5.ConnectionManagerCustomizer;
import dev.urlsession.hc5.HttpClientCustomizer;
import dev.urlsession.ServerTrust;
import java.io.IOException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.net.ProxySelector;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import org.apache.hc.client5.http.async.AsyncExecCallback;
import org.apache.hc.client5.http.async.AsyncExecChain;
import org.apache.hc.client5.http.async.AsyncExecChainHandler;
import org.apache.hc.client5.http.async.AsyncExecRuntime;
import org.apache.hc.client5.http.DnsResolver;
import org.apache.hc.client5.http.SystemDefaultDnsResolver;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.config.TlsConfig;
import org.apache.hc.client5.http.impl.ChainElement;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.impl.async.HttpAsyncClientBuilder;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManager;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManagerBuilder;
import org.apache.hc.client5.http.impl.routing.DefaultRoutePlanner;
import org.apache.hc.client5.http.impl.routing.SystemDefaultRoutePlanner;
import org.apache.hc.client5.http.ssl.ClientTlsStrategyBuilder;
import org.apache.hc.client5.http.ssl.HostnameVerificationPolicy;
import org.apache.hc.core5.concurrent.Cancellable;
import org.apache.hc.core5.concurrent.FutureCallback;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.config.Http1Config;
import org.apache.hc.core5.http.protocol.HttpContext;
import org.apache.hc.core5.http2.HttpVersionPolicy;
import org.apache.hc.core5.http2.config.H2Config;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.reactor.IOReactorConfig;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;
import org.jspecify.annotations.Nullable;

/**
 * A session's HttpClient 5 async client and connection pool. HttpClient's own redirect, cookie,
 * retry, authentication and content-decoding handling are off: the session does each itself, so
 * that delegates see every step (URLSESSION-BEHAVIOUR.md appendix A). Exchanges to a host share
 * its HTTP/2 connections ({@link SharingConnectionManager}): the per-host limit caps connections,
 * not requests in flight.
 */
public final class HttpEngine {
  /**
   * The context of one exchange: HttpClient's, plus the exchange's {@link TransactionRecorder} and
   * the {@link LoadSupport} that decides server trust, in fields (no attribute map to fill and
   * search on every request). HttpClient passes the instance it is given down its chain.
   */
  static final class LoadContext extends org.apache.hc.client5.http.protocol.HttpClientContext {
    final TransactionRecorder recorder;
    final @Nullable LoadSupport support;

    LoadContext(TransactionRecorder recorder, @Nullable LoadSupport support) {
      this.recorder = recorder;
      this.support = support;
    }

    static @Nullable TransactionRecorder recorderOf(HttpContext context) {
      return context instanceof LoadContext ? ((LoadContext) context).recorder : null;
    }

    static @Nullable LoadSupport supportOf(HttpContext context) {
      return context instanceof LoadContext ? ((LoadContext) context).support : null;
    }
  }

  /**
   * The most header bytes (RFC 9113's accounting: names, values, 32 per field) an HTTP/2
   * response may have: 256 KiB, as OkHttp allows; a larger block fails the task.
   */
  static final int MAX_HEADER_LIST_SIZE = 256 * 1024;

  private static final String USER_AGENT =
      "urlsession/0.1.0 (Java/" + System.getProperty("java.version") + ")";

  private final CloseableHttpAsyncClient client;
  private final PoolingAsyncClientConnectionManager connectionManager;
  /** The pool as the client uses it: HTTP/2 connections shared by the exchanges of their route. */
  private final SharingConnectionManager sharing;
  private final ProxyCredentials proxyCredentials = new ProxyCredentials();
  /**
   * The proxies this session authenticated to, with their Basic schemes: every exchange shares
   * it, so that only the first request to an authenticating proxy meets its 407 (HttpClient keeps
   * an auth cache per context, and each exchange has a context of its own). Thread-safe. Targets
   * never enter it: their challenges go to the task.
   */
  private final org.apache.hc.client5.http.impl.auth.BasicAuthCache proxyAuthCache =
      new org.apache.hc.client5.http.impl.auth.BasicAuthCache();
  /** Client identities chosen by delegates; null with an SSL context of the user's own. */
  private final @Nullable ClientIdentities identities;

  public HttpEngine(SessionConfiguration configuration) {
    // With the platform's trust, evaluation failures are recorded, not thrown, so the session
    // can ask its delegate; the check after connecting fails closed. A context of the user's own
    // decides for itself.
    // Client certificates likewise: with the platform's context a key manager of the session's
    // presents what delegates chose (CLIENT_CERTIFICATE challenges); a context of the user's own
    // presents its own key material, if any, and raises no challenge.
    this.identities = configuration.sslContext() != null ? null : new ClientIdentities();
    SSLContext ssl = configuration.sslContext() != null
        ? configuration.sslContext()
        : DeferredTrustManager.context(identities.keyManager());
    List<String> versions = tlsVersions(configuration, configuration.tlsMinimumSupportedProtocolVersion());
    ProxyConfiguration proxy = configuration.proxy();
    InetSocketAddress socks = socksAddress(proxy);
    PoolingAsyncClientConnectionManagerBuilder poolBuilder =
        PoolingAsyncClientConnectionManagerBuilder.create()
            .setDnsResolver(socks != null ? new RemoteDnsResolver() : SystemDefaultDnsResolver.INSTANCE)
            .setTlsStrategy(new TimedTlsStrategy(
                ClientTlsStrategyBuilder.create()
                    .setSslContext(ssl)
                    .setHostVerificationPolicy(HostnameVerificationPolicy.BUILTIN)
                    .setTlsVersions(versions.toArray(new String[0]))
                    .build()))
            .setMaxConnPerRoute(configuration.httpMaximumConnectionsPerHost())
            .setMaxConnTotal(Math.max(64, configuration.httpMaximumConnectionsPerHost() * 16))
            .setDefaultConnectionConfig(
                ConnectionConfig.custom()
                    .setConnectTimeout(Timeout.of(configuration.timeoutIntervalForRequest()))
                    // Idle and resource timeouts are the task's own; a socket timeout here would
                    // fire while flow control pauses reading for a slow delegate.
                    .setSocketTimeout(Timeout.DISABLED)
                    .setValidateAfterInactivity(TimeValue.ofSeconds(2))
                    .build())
            // Per host: the stricter of the configuration's and the transport security policy's minimum.
            .setTlsConfigResolver(host -> tlsConfig(configuration, host.getHostName()));
    for (ConnectionManagerCustomizer c : configuration.connectionManagerCustomizers()) {
      c.customize(poolBuilder);
    }
    this.connectionManager = poolBuilder.build();
    this.sharing = new SharingConnectionManager(connectionManager);

    HttpAsyncClientBuilder builder =
        HttpAsyncClientBuilder.create()
            .setConnectionManager(sharing)
            .setH2Config(H2Config.custom().setPushEnabled(false)
                // HttpCore's default is 16 MiB; an HTTP/1.1 response gets 100 lines of 8 KiB at most.
                .setMaxHeaderListSize(MAX_HEADER_LIST_SIZE).build())
            // Closes an HTTP/2 connection flooding control frames it does not read the answers to.
            .setIoSessionDecorator(FloodGuard::decorate)
            // 64 KiB reads: a large body arrives in a few thousand chunks per 100 MiB, not tens of thousands.
            .setHttp1Config(Http1Config.custom().setBufferSize(64 * 1024).build())
            .setIOReactorConfig(ioReactorConfig(proxy, socks))
            .setDefaultRequestConfig(
                RequestConfig.custom()
                    .setConnectionRequestTimeout(Timeout.DISABLED)
                    .setResponseTimeout(Timeout.DISABLED)
                    .setRedirectsEnabled(false)
                    // HttpClient answers proxies only (ProxyCredentials); 401s reach the task.
                    .setAuthenticationEnabled(true)
                    .build())
            .setDefaultCredentialsProvider(proxyCredentials)
            .setConnectionReuseStrategy(HttpEngine::keepAlive)
            .setUserAgent(USER_AGENT)
            .disableRedirectHandling()
            .disableCookieManagement()
            .disableAutomaticRetries()
            .disableContentCompression()
            .setThreadFactory(SerialQueue.daemonThreads("urlsession-io-"))
            .addExecInterceptorBefore(
                ChainElement.CONNECT.name(), "urlsession-connect-start", connectStart())
            .addExecInterceptorAfter(
                ChainElement.CONNECT.name(), "urlsession-connect-end",
                connectEnd(configuration.sslContext() == null, identities, connectionManager));
    HttpHost proxyHost;
    if (proxy.username() != null && proxy.type() == ProxyConfiguration.Type.HTTP) {
      proxyCredentials.set(proxy.host(), proxy.port(), proxy.username(), proxy.password());
    }
    switch (proxy.type()) {
      case SYSTEM:
        builder.setRoutePlanner(new CachingSystemRoutePlanner());
        break;
      case HTTP:
        proxyHost = new HttpHost(proxy.host(), proxy.port());
        builder.setRoutePlanner(new BypassingProxyRoutePlanner(proxyHost, proxy));
        break;
      case DIRECT:
      case SOCKS:
      default:
        break;
    }
    for (HttpClientCustomizer c : configuration.httpClientCustomizers()) {
      c.customize(builder);
    }
    if (!configuration.httpClientCustomizers().isEmpty()) {
      // The pool the session's limits, statistics and TLS policy live in, whatever a customizer
      // set. The redirect, cookie, retry, auth-caching and decompression switches above cannot be
      // turned back on through the builder.
      builder.setConnectionManager(sharing).setConnectionManagerShared(false);
    }
    this.client = builder.build();
    this.client.start();
    IdleSweep.add(this);
  }

  /**
   * Closes pooled connections idle for a minute, for every engine, from the library's timer thread
   * every few seconds: HttpClient's own evictor would be one more thread per session.
   */
  private static final class IdleSweep {
    static final TimeValue MAX_IDLE = TimeValue.ofSeconds(60);
    static final java.util.Set<HttpEngine> ENGINES = java.util.concurrent.ConcurrentHashMap.newKeySet();

    static {
      Scheduler.everyFewSeconds(() -> {
        for (HttpEngine e : ENGINES) {
          e.connectionManager.closeIdle(MAX_IDLE);
        }
      });
    }

    static void add(HttpEngine e) {
      ENGINES.add(e);
    }

    static void remove(HttpEngine e) {
      ENGINES.remove(e);
    }
  }

  /** The SOCKS proxy of the session: configured, or the JVM's {@code socksProxyHost} for SYSTEM. */
  private static @Nullable InetSocketAddress socksAddress(ProxyConfiguration proxy) {
    // The proxy's own address is resolved here; the targets' names are resolved by the proxy.
    if (proxy.type() == ProxyConfiguration.Type.SOCKS) {
      return new InetSocketAddress(proxy.host(), proxy.port());
    }
    if (proxy.type() == ProxyConfiguration.Type.SYSTEM) {
      String host = System.getProperty("socksProxyHost");
      if (host != null && !host.isBlank()) {
        int port = Integer.getInteger("socksProxyPort", 1080);
        return new InetSocketAddress(host, port);
      }
    }
    return null;
  }

  /**
   * With SOCKS, host names are resolved by the proxy (SOCKS5 DOMAINNAME): nothing leaks to the
   * local resolver. Names longer than the 255 bytes SOCKS can carry are refused.
   */
  private static final class RemoteDnsResolver implements DnsResolver {
    @Override
    public InetAddress[] resolve(String host) throws UnknownHostException {
      return SystemDefaultDnsResolver.INSTANCE.resolve(host);
    }

    @Override
    public String resolveCanonicalHostname(String host) {
      return host;
    }

    @Override
    public List<InetSocketAddress> resolve(String host, int port) throws UnknownHostException {
      if (host.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 255) {
        throw new UnknownHostException("host name longer than 255 bytes cannot be sent through SOCKS");
      }
      return List.of(InetSocketAddress.createUnresolved(host, port));
    }
  }

  /**
   * Has {@code listener} told the scheme, host and port of each origin a connection to which
   * speaks HTTP/2 (and is trusted), when its first exchange starts.
   */
  public void onHttp2(HostListener listener) {
    sharing.onHttp2(route -> {
      HttpHost target = route.getTargetHost();
      listener.http2(target.getSchemeName(), target.getHostName(), target.getPort());
    });
  }

  /** Told of an origin that speaks HTTP/2. */
  public interface HostListener {
    void http2(String scheme, String host, int port);
  }

  /** Credentials the HTTP proxy's 407s are answered with. */
  public ProxyCredentials proxyCredentials() {
    return proxyCredentials;
  }

  /** Sends Basic credentials to the HTTP proxy at {@code host:port} from the next request on. */
  public void answerProxyPreemptively(String host, int port, String user, @Nullable String password) {
    org.apache.hc.client5.http.impl.auth.BasicScheme basic = new org.apache.hc.client5.http.impl.auth.BasicScheme();
    basic.initPreemptive(new org.apache.hc.client5.http.auth.UsernamePasswordCredentials(user,
        password == null ? new char[0] : password.toCharArray()));
    proxyAuthCache.put(new HttpHost("http", host, port), basic);
  }

  /** The auth cache every exchange of this engine shares (proxies only, see the field). */
  org.apache.hc.client5.http.auth.AuthCache proxyAuthCache() {
    return proxyAuthCache;
  }

  /**
   * Whether a connection may carry another exchange: HttpCore's default answer, except after a
   * response framed both by {@code Content-Length} and by {@code Transfer-Encoding}. HttpCore
   * reads such a body by its transfer coding, as RFC 9112 6.3 says, but the two disagreeing may be
   * response smuggling (what a reader trusting the length would take for the next response), so
   * that connection is closed after it and never reused.
   */
  static boolean keepAlive(org.apache.hc.core5.http.HttpRequest request,
      org.apache.hc.core5.http.HttpResponse response, org.apache.hc.core5.http.protocol.HttpContext context) {
    if (response.containsHeader("Content-Length") && response.containsHeader("Transfer-Encoding")) {
      return false;
    }
    return org.apache.hc.core5.http.impl.DefaultConnectionReuseStrategy.INSTANCE.keepAlive(request, response, context);
  }

  private static TlsConfig tlsConfig(SessionConfiguration configuration, String host) {
    TlsVersion policyMinimum = configuration.transportSecurity().minimumTlsVersion(host);
    TlsVersion configured = configuration.tlsMinimumSupportedProtocolVersion();
    TlsVersion minimum = policyMinimum.compareTo(configured) > 0 ? policyMinimum : configured;
    return TlsConfig.custom()
        .setVersionPolicy(versionPolicy(configuration.httpVersionPolicy()))
        .setHandshakeTimeout(Timeout.of(configuration.timeoutIntervalForRequest()))
        .setSupportedProtocols(tlsVersions(configuration, minimum).toArray(new String[0]))
        .build();
  }

  static List<String> tlsVersions(SessionConfiguration configuration, TlsVersion minimum) {
    List<String> versions = new ArrayList<>();
    for (TlsVersion v : TlsVersion.values()) {
      if (v.compareTo(minimum) >= 0
          && v.compareTo(configuration.tlsMaximumSupportedProtocolVersion()) <= 0) {
        versions.add(v.protocolName());
      }
    }
    if (versions.isEmpty()) {
      versions.add(minimum.protocolName()); // the transport security policy outranks the maximum
    }
    return versions;
  }

  private static HttpVersionPolicy versionPolicy(dev.urlsession.HttpVersionPolicy policy) {
    switch (policy) {
      case HTTP_1_1:
        return HttpVersionPolicy.FORCE_HTTP_1;
      case HTTP_2:
        return HttpVersionPolicy.FORCE_HTTP_2;
      case NEGOTIATE:
      default:
        return HttpVersionPolicy.NEGOTIATE;
    }
  }

  private static IOReactorConfig ioReactorConfig(ProxyConfiguration proxy, @Nullable InetSocketAddress socks) {
    IOReactorConfig.Builder b = IOReactorConfig.custom()
        .setIoThreadCount(Math.max(1, Math.min(2, Runtime.getRuntime().availableProcessors())))
        .setTcpNoDelay(true)
        .setSoKeepAlive(true);
    if (socks != null) {
      b.setSocksProxyAddress(socks);
      if (proxy.type() == ProxyConfiguration.Type.SOCKS && proxy.username() != null) {
        b.setSocksProxyUsername(proxy.username()).setSocksProxyPassword(proxy.password());
      }
    }
    return b.build();
  }

  /**
   * Leases the connection itself (as the CONNECT element would) so that it can tell a pooled,
   * already connected endpoint from a new connection, which metrics report.
   */
  private static AsyncExecChainHandler connectStart() {
    return (request, entityProducer, scope, chain, callback) -> {
      TransactionRecorder recorder = LoadContext.recorderOf(scope.clientContext);
      AsyncExecRuntime runtime = scope.execRuntime;
      if (recorder == null || runtime.isEndpointAcquired()) {
        chain.proceed(request, entityProducer, scope, callback);
        return;
      }
      Cancellable lease = runtime.acquireEndpoint(scope.exchangeId, scope.route,
          scope.clientContext.getUserToken(), scope.clientContext,
          new FutureCallback<>() {
            @Override
            public void completed(AsyncExecRuntime acquired) {
              recorder.reused = acquired.isEndpointConnected();
              if (!recorder.reused) {
                recorder.connectStart = Instant.now();
              }
              try {
                chain.proceed(request, entityProducer, scope, callback);
              } catch (HttpException | IOException | RuntimeException e) {
                callback.failed(e);
              }
            }

            @Override
            public void failed(Exception ex) {
              callback.failed(ex);
            }

            @Override
            public void cancelled() {
              callback.failed(new InterruptedIOException("connection lease cancelled"));
            }
          });
      scope.cancellableDependency.setDependency(lease);
    };
  }

  /**
   * Records when a new connection was ready and, for a new TLS connection with the platform's
   * trust, lets the task decide on the server's certificates (the SERVER_TRUST challenge) before
   * the request is sent. Fails closed: a failed evaluation nobody accepted, or a TLS session whose
   * evaluation cannot be found, ends the exchange.
   */
  private static AsyncExecChainHandler connectEnd(boolean deferredTrust,
      @Nullable ClientIdentities identities, PoolingAsyncClientConnectionManager pool) {
    return (request, entityProducer, scope, chain, callback) -> {
      TransactionRecorder recorder = LoadContext.recorderOf(scope.clientContext);
      if (recorder != null) {
        recorder.connected = true;
        if (!recorder.reused) {
          recorder.connectEnd = Instant.now();
        }
        recorder.proxy = scope.route.getProxyHost() != null;
      }
      boolean newConnection = recorder == null || !recorder.reused;
      if (!newConnection) {
        // A pooled connection: its trust and client certificate were settled when it was new.
        chain.proceed(request, entityProducer, scope, callback);
        return;
      }
      SSLSession ssl = tlsSession(scope.execRuntime, scope.clientContext);
      if (recorder != null) {
        TimedTlsStrategy.read(ssl, recorder);
      }
      boolean tls = "https".equalsIgnoreCase(scope.route.getTargetHost().getSchemeName());
      if (deferredTrust && tls
          && (ssl == null || ssl.getValue(DeferredTrustManager.EVALUATED) == null)) {
        // The evaluation of this TLS connection cannot be found: fail closed.
        reject(scope, callback, new CertificateException("the server's certificates were not evaluated"));
        return;
      }
      if (ssl == null || ssl.getValue(DeferredTrustManager.EVALUATED) == null) {
        afterTrust(identities, pool, ssl, request, entityProducer, scope, chain, callback);
        return;
      }
      CertificateException failure = DeferredTrustManager.failureOf(ssl);
      LoadSupport support = LoadContext.supportOf(scope.clientContext);
      if (support == null) {
        if (failure == null) {
          afterTrust(identities, pool, ssl, request, entityProducer, scope, chain, callback);
        } else {
          reject(scope, callback, failure);
        }
        return;
      }
      String host = scope.route.getTargetHost().getHostName();
      List<X509Certificate> certificates = new ArrayList<>();
      try {
        for (java.security.cert.Certificate c : ssl.getPeerCertificates()) {
          if (c instanceof X509Certificate) {
            certificates.add((X509Certificate) c);
          }
        }
      } catch (SSLPeerUnverifiedException e) {
        reject(scope, callback, e);
        return;
      }
      support.evaluateServerTrust(new ServerTrust(host, certificates, failure), accepted -> {
        if (accepted) {
          try {
            afterTrust(identities, pool, ssl, request, entityProducer, scope, chain, callback);
          } catch (HttpException | IOException | RuntimeException e) {
            callback.failed(e);
          }
        } else {
          reject(scope, callback, failure != null ? failure
              : new CertificateException("the delegate did not accept the server's certificates"));
        }
      });
    };
  }

  /**
   * The server's certificates are accepted: when the server of this new connection asked for a
   * client certificate and got none, the task decides (the CLIENT_CERTIFICATE challenge, off the
   * I/O thread) whether to go on without one, or to retry on a new connection with the identity
   * its delegate chose (this one is discarded, idle ones closed: none of them carries it).
   */
  private static void afterTrust(@Nullable ClientIdentities identities, PoolingAsyncClientConnectionManager pool,
      @Nullable SSLSession ssl, org.apache.hc.core5.http.HttpRequest request,
      org.apache.hc.core5.http.nio.@Nullable AsyncEntityProducer entityProducer, AsyncExecChain.Scope scope,
      AsyncExecChain chain, AsyncExecCallback callback) throws HttpException, IOException {
    List<javax.security.auth.x500.X500Principal> issuers =
        identities == null || ssl == null ? null : ClientIdentities.unansweredRequest(ssl);
    HttpHost target = scope.route.getTargetHost();
    String host = target.getHostName();
    int port = target.getPort() > 0 ? target.getPort() : 443;
    if (issuers != null) {
      identities.takeRequest(host, port); // answered here, not by a failed handshake
    }
    LoadSupport support = LoadContext.supportOf(scope.clientContext);
    if (issuers == null || support == null) {
      chain.proceed(request, entityProducer, scope, callback);
      return;
    }
    scope.clientContext.setAttribute(ClientIdentities.ASKED, Boolean.TRUE);
    support.clientCertificateRequested(
        dev.urlsession.ProtectionSpace.forClientCertificate(host, port, issuers), answer -> {
          if (answer.identity() != null) {
            identities.use(host, port, answer.identity());
            ssl.invalidate(); // a resumed session would skip the certificate request
            scope.execRuntime.discardEndpoint();
            pool.closeIdle(TimeValue.ZERO_MILLISECONDS);
            callback.failed(new ClientIdentities.Retry());
          } else if (answer.cancelled()) {
            scope.execRuntime.discardEndpoint();
            callback.failed(new InterruptedIOException("the task was cancelled"));
          } else {
            // Only TLS 1.3 servers refuse a missing certificate after the handshake.
            scope.clientContext.setAttribute(ClientIdentities.ASKED,
                "TLSv1.3".equals(ssl.getProtocol()) ? ClientIdentities.DECLINED : Boolean.TRUE);
            try {
              chain.proceed(request, entityProducer, scope, callback);
            } catch (HttpException | IOException | RuntimeException e) {
              callback.failed(e);
            }
          }
        });
  }

  /** The session's client identities, or null when the configuration has its own SSL context. */
  public @Nullable ClientIdentities identities() {
    return identities;
  }

  private static @Nullable SSLSession tlsSession(AsyncExecRuntime runtime,
      org.apache.hc.client5.http.protocol.HttpClientContext context) {
    org.apache.hc.client5.http.EndpointInfo info = runtime.getEndpointInfo();
    SSLSession ssl = info != null ? info.getSslSession() : null;
    return ssl != null ? ssl : context.getSSLSession();
  }

  private static void reject(AsyncExecChain.Scope scope, AsyncExecCallback callback, Exception cause) {
    scope.execRuntime.discardEndpoint();
    SSLHandshakeException e = new SSLHandshakeException("server certificate not trusted: " + cause.getMessage());
    e.initCause(cause);
    callback.failed(e);
  }

  /** Closes the HTTP/1.1 connection a stopped exchange of {@code context} still runs on; see {@link SharingConnectionManager#abort}. */
  public void abort(org.apache.hc.core5.http.protocol.HttpContext context) {
    sharing.abort(context);
  }

  /** The async client. */
  public CloseableHttpAsyncClient client() {
    return client;
  }

  /** The connection pool. */
  public PoolingAsyncClientConnectionManager connectionManager() {
    return connectionManager;
  }

  /** The pool's totals (leased, pending, available, max). */
  public dev.urlsession.spi.SessionStatistics.ConnectionPool poolStatistics() {
    org.apache.hc.core5.pool.PoolStats total = connectionManager.getTotalStats();
    return new dev.urlsession.spi.SessionStatistics.ConnectionPool(
        total.getLeased(), total.getPending(), total.getAvailable(), total.getMax());
  }

  /** Closes idle pooled connections and retires those in use, so that new requests use new ones. */
  public void retireConnections() {
    sharing.retireConnections();
  }

  /** Shuts the client and its pool down. */
  public void close() {
    IdleSweep.remove(this);
    client.close(CloseMode.GRACEFUL);
  }

  /**
   * The JVM's {@link ProxySelector} decides the route, as HttpClient's
   * {@code SystemDefaultRoutePlanner} would, but its answer is kept for a few seconds per
   * scheme, host and port: asking the selector for every request cost about a fifth of the
   * throughput of small requests. A new default selector is asked at once.
   */
  private static final class CachingSystemRoutePlanner extends DefaultRoutePlanner {
    private static final long TTL_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(5);

    private record Choice(@Nullable ProxySelector selector, @Nullable HttpHost proxy, long expires) {}

    /** Keyed by the target itself: its scheme, host and port (HttpHost's equality). */
    private final java.util.concurrent.ConcurrentHashMap<HttpHost, Choice> choices =
        new java.util.concurrent.ConcurrentHashMap<>();

    CachingSystemRoutePlanner() {
      super(null);
    }

    @Override
    protected @Nullable HttpHost determineProxy(HttpHost target, HttpContext context) throws HttpException {
      ProxySelector selector = ProxySelector.getDefault();
      long now = System.nanoTime();
      Choice c = choices.get(target);
      if (c != null && c.selector() == selector && now - c.expires() < 0) {
        return c.proxy();
      }
      HttpHost proxy = selector == null ? null : new SelectorPlanner(selector).proxyFor(target, context);
      if (choices.size() > 1024) {
        choices.clear(); // bounded: many distinct hosts just make it ask again
      }
      choices.put(target, new Choice(selector, proxy, now + TTL_NANOS));
      return proxy;
    }
  }

  /** HttpClient's selector-based choice, reachable from here. */
  private static final class SelectorPlanner extends SystemDefaultRoutePlanner {
    SelectorPlanner(ProxySelector selector) {
      super(selector);
    }

    @Nullable HttpHost proxyFor(HttpHost target, HttpContext context) throws HttpException {
      return determineProxy(target, context);
    }
  }

  /** An HTTP proxy route except for bypassed hosts. */
  private static final class BypassingProxyRoutePlanner extends DefaultRoutePlanner {
    private final HttpHost proxyHost;
    private final ProxyConfiguration proxy;

    BypassingProxyRoutePlanner(HttpHost proxyHost, ProxyConfiguration proxy) {
      super(null);
      this.proxyHost = proxyHost;
      this.proxy = proxy;
    }

    @Override
    protected @Nullable HttpHost determineProxy(HttpHost target, HttpContext context) {
      return proxy.bypasses(target.getHostName()) ? null : proxyHost;
    }
  }
}
