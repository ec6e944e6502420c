package dev.urlsession.internal;

import dev.urlsession.SessionConfiguration;
import dev.urlsession.TlsVersion;
import java.security.cert.CertificateException;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;
import org.jspecify.annotations.Nullable;

/**
 * TLS for a session's stream tasks, set up as for its https loads: the configuration's own SSL
 * context (which decides trust itself), or the platform's trust with the evaluation deferred so
 * that the task can ask its delegate (the SERVER_TRUST challenge); host name verification; SNI;
 * and the protocol versions allowed by the configuration and the transport security policy.
 * Client certificates come only from a context of the configuration's own: stream tasks raise no
 * CLIENT_CERTIFICATE challenge.
 *
 * <p>Thread-safe; the context is created once per session, on first use.
 */
public final class StreamTls {
  private final SessionConfiguration configuration;
  private volatile @Nullable SSLContext context;

  public StreamTls(SessionConfiguration configuration) {
    this.configuration = configuration;
  }

  /** Whether the task decides trust (the platform's evaluation, recorded instead of thrown). */
  public boolean deferredTrust() {
    return configuration.sslContext() == null;
  }

  /** A client engine for {@code host:port}. */
  public SSLEngine engine(String host, int port) {
    SSLContext c = context;
    if (c == null) {
      synchronized (this) {
        c = context;
        if (c == null) {
          c = configuration.sslContext() != null ? configuration.sslContext() : DeferredTrustManager.context();
          context = c;
        }
      }
    }
    SSLEngine engine = c.createSSLEngine(host, port);
    engine.setUseClientMode(true);
    SSLParameters p = engine.getSSLParameters();
    p.setEndpointIdentificationAlgorithm("HTTPS");
    if (!host.isEmpty() && Character.isLetter(host.charAt(host.length() - 1))) {
      p.setServerNames(List.of(new SNIHostName(host)));
    }
    TlsVersion policyMinimum = configuration.transportSecurity().minimumTlsVersion(host);
    TlsVersion configured = configuration.tlsMinimumSupportedProtocolVersion();
    TlsVersion minimum = policyMinimum.compareTo(configured) > 0 ? policyMinimum : configured;
    p.setProtocols(HttpEngine.tlsVersions(configuration, minimum).toArray(new String[0]));
    engine.setSSLParameters(p);
    return engine;
  }

  /** Whether the deferred evaluation ran for {@code session}. */
  public static boolean evaluated(SSLSession session) {
    return session.getValue(DeferredTrustManager.EVALUATED) != null;
  }

  /** Why the platform's evaluation rejects {@code session}'s certificates, or null when it trusts them. */
  public static @Nullable CertificateException trustFailure(SSLSession session) {
    return DeferredTrustManager.failureOf(session);
  }
}
