package dev.urlsession.internal;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import org.jspecify.annotations.Nullable;

/**
 * The platform's trust manager, with one change: a failed check (chain or host name) does not
 * abort the handshake but is recorded in the TLS session, so that the session can ask its
 * delegate (the {@code SERVER_TRUST} challenge) before a single byte of the request is sent. The
 * exec-chain check after connecting rejects the connection unless the evaluation passed or a
 * delegate explicitly accepted it: it fails closed.
 */
final class DeferredTrustManager extends X509ExtendedTrustManager {
  /** The session value holding the {@link CertificateException} of a failed evaluation. */
  static final String FAILURE = "dev.urlsession.trust.failure";
  /** The session value saying the evaluation ran (so a missing one is noticed). */
  static final String EVALUATED = "dev.urlsession.trust.evaluated";

  private final X509ExtendedTrustManager platform;

  private DeferredTrustManager(X509ExtendedTrustManager platform) {
    this.platform = platform;
  }

  /** An SSL context with the platform's trust, evaluation deferred, and no client keys. */
  static SSLContext context() {
    return context(null);
  }

  /** An SSL context with the platform's trust, evaluation deferred, and {@code keys} (or none). */
  static SSLContext context(javax.net.ssl.@Nullable KeyManager keys) {
    try {
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init((KeyStore) null);
      X509ExtendedTrustManager platform = null;
      for (TrustManager tm : tmf.getTrustManagers()) {
        if (tm instanceof X509ExtendedTrustManager) {
          platform = (X509ExtendedTrustManager) tm;
        }
      }
      if (platform == null) {
        throw new IllegalStateException("no X509ExtendedTrustManager in the platform");
      }
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keys == null ? null : new javax.net.ssl.KeyManager[] {keys}, new TrustManager[] {new DeferredTrustManager(platform)}, null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot set up TLS", e);
    }
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    SSLSession handshake = engine.getHandshakeSession();
    if (handshake == null) {
      platform.checkServerTrusted(chain, authType, engine);
      return;
    }
    handshake.putValue(EVALUATED, Boolean.TRUE);
    try {
      platform.checkServerTrusted(chain, authType, engine);
    } catch (CertificateException e) {
      handshake.putValue(FAILURE, e);
    }
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    platform.checkServerTrusted(chain, authType, socket);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    platform.checkServerTrusted(chain, authType);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    platform.checkClientTrusted(chain, authType, engine);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    platform.checkClientTrusted(chain, authType, socket);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    platform.checkClientTrusted(chain, authType);
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return platform.getAcceptedIssuers();
  }

  static @Nullable CertificateException failureOf(SSLSession session) {
    Object f = session.getValue(FAILURE);
    return f instanceof CertificateException ? (CertificateException) f : null;
  }
}
