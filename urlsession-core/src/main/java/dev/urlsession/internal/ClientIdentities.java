package dev.urlsession.internal;

import dev.urlsession.Credential;
import java.io.IOException;
import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.security.auth.x500.X500Principal;
import org.jspecify.annotations.Nullable;

/**
 * The client identities of one session's connections, and the key manager that presents them
 * (the {@code CLIENT_CERTIFICATE} challenge, URLSESSION-BEHAVIOUR.md 3.5).
 *
 * <p>The TLS handshake runs on an HttpClient I/O thread, where no delegate may run and nothing may
 * wait for one. So the key manager never asks: when a server requests a certificate it presents
 * the identity already chosen for that host and port, if any, and otherwise none, recording in
 * the handshake session (and, for a handshake the server then aborts, here) that a certificate
 * was requested and which issuers the server accepts. The task asks its delegate afterwards, off
 * the I/O thread, and a chosen identity is {@linkplain #use registered} for the host and port: the
 * load is retried on a new connection, which presents it. An identity holds for the session's
 * connections to that host and port from then on (TLS authenticates connections, not requests).
 *
 * <p>Thread-safe: maps are concurrent.
 */
public final class ClientIdentities {
  /** The handshake-session value holding the acceptable issuers (X500Principal[]) of a request. */
  static final String REQUESTED = "dev.urlsession.clientcert.requested";
  /**
   * The exchange-context attribute saying the task was asked about this exchange's connection:
   * {@link #DECLINED} when it went on without a certificate.
   */
  static final String ASKED = "dev.urlsession.clientcert.asked";
  static final String DECLINED = "declined";
  private static final String ALIAS_PREFIX = "urlsession-identity-";

  /** Chosen identities by "host:port". */
  private final Map<String, Credential> byEndpoint = new ConcurrentHashMap<>();
  /** Identities by the alias the key manager gives them, and back (one alias per identity). */
  private final Map<String, Credential> byAlias = new ConcurrentHashMap<>();
  private final Map<Credential, String> aliasOf = new ConcurrentHashMap<>();
  /**
   * Requests no identity answered, by "host:port": the issuers asked for. Kept for handshakes the
   * server then aborts (TLS 1.2); taken by whoever asks the task.
   */
  private final Map<String, List<X500Principal>> requested = new ConcurrentHashMap<>();
  private final AtomicLong aliases = new AtomicLong();
  private final KeyManager keyManager = new KeyManager();

  /** The key manager to build the session's SSL context with. */
  javax.net.ssl.KeyManager keyManager() {
    return keyManager;
  }

  private static String key(String host, int port) {
    return host.toLowerCase(Locale.ROOT) + ":" + port;
  }

  /** Presents {@code identity} on new connections to {@code host:port} from now on. */
  public void use(String host, int port, Credential identity) {
    if (!identity.hasIdentity()) {
      throw new IllegalArgumentException("not an identity credential");
    }
    aliasOf.computeIfAbsent(identity, c -> {
      String alias = ALIAS_PREFIX + aliases.incrementAndGet();
      byAlias.put(alias, c);
      return alias;
    });
    byEndpoint.put(key(host, port), identity);
  }

  /** The identity chosen for {@code host:port}, or null. */
  public @Nullable Credential identity(String host, int port) {
    return byEndpoint.isEmpty() ? null : byEndpoint.get(key(host, port));
  }

  /**
   * The issuers a server at {@code host:port} asked for in a handshake since the last call (a
   * handshake it may then have aborted), or null when it asked for no certificate.
   */
  public @Nullable List<X500Principal> takeRequest(String host, int port) {
    return requested.remove(key(host, port));
  }

  /**
   * Whether {@code ssl} is a connection whose server asked for a certificate and got none: then
   * its acceptable issuers; else null.
   */
  static @Nullable List<X500Principal> unansweredRequest(SSLSession ssl) {
    Object issuers = ssl.getValue(REQUESTED);
    if (!(issuers instanceof X500Principal[]) || ssl.getLocalCertificates() != null) {
      return null;
    }
    return List.of((X500Principal[]) issuers);
  }

  /** A task's answer to a client-certificate request. */
  public record Answer(@Nullable Credential identity, boolean cancelled) {
    /** Go on without a certificate. */
    public static final Answer NONE = new Answer(null, false);
    /** The task was cancelled: drop the connection. */
    public static final Answer CANCEL = new Answer(null, true);
  }

  /**
   * After a failed exchange: when {@code failure} is a TLS failure of a handshake in which the
   * server at {@code url}'s host asked for a certificate and got none, asks {@code support} and
   * runs {@code retry} (an identity was chosen), {@code fail} with {@code CLIENT_CERTIFICATE_REQUIRED}
   * (none) or nothing (cancelled), and returns true; else returns false at once.
   */
  boolean askAfterFailedHandshake(java.net.URI url, Throwable failure, @Nullable Object asked,
      boolean responded, LoadSupport support, Runnable retry,
      java.util.function.Consumer<dev.urlsession.SessionException> fail) {
    Throwable e = ErrorMapper.unwrap(failure);
    if (url.getHost() == null || e instanceof dev.urlsession.SessionException) {
      return false;
    }
    String host = url.getHost();
    int port = HttpChallenge.port(url);
    if (DECLINED.equals(asked) && !responded && e instanceof IOException
        && !(e instanceof java.io.InterruptedIOException)) {
      // TLS 1.3: the server refuses a missing certificate after the handshake, as a failed
      // write or read (an alert or a plain close, depending on timing) before any response.
      takeRequest(host, port);
      fail.accept(required(url, e, "it refused the connection after none was given"));
      return true;
    }
    if (!(e instanceof javax.net.ssl.SSLException)) {
      return false;
    }
    List<X500Principal> issuers = takeRequest(host, port);
    if (issuers == null || asked != null || causedByServerTrust(e)) {
      return false; // the server's certificates were refused: no client certificate can help
    }
    support.clientCertificateRequested(
        dev.urlsession.ProtectionSpace.forClientCertificate(host, port, issuers), answer -> {
          if (answer.identity() != null) {
            use(host, port, answer.identity());
            retry.run();
          } else if (!answer.cancelled()) {
            fail.accept(required(url, e, "none was given"));
          }
        });
    return true;
  }

  /** Whether the session refused the server's certificates (deferred evaluation never throws). */
  private static boolean causedByServerTrust(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof java.security.cert.CertificateException) {
        return true;
      }
    }
    return false;
  }

  private static dev.urlsession.SessionException required(java.net.URI url, Throwable cause, String what) {
    return new dev.urlsession.SessionException(dev.urlsession.SessionException.Code.CLIENT_CERTIFICATE_REQUIRED,
        url, "The server requires a client certificate: " + what + " [" + cause + "]", cause);
  }

  /** An exchange ended so that its load is retried with the identity just chosen. */
  static final class Retry extends IOException {
    private static final long serialVersionUID = 1L;

    Retry() {
      super("retrying with the client identity the delegate chose", null);
    }
  }

  /** Presents chosen identities; records requests it cannot answer. Never blocks, never asks. */
  private final class KeyManager extends X509ExtendedKeyManager {
    @Override
    public @Nullable String chooseEngineClientAlias(String[] keyTypes, Principal @Nullable [] issuers,
        SSLEngine engine) {
      String host = engine.getPeerHost();
      int port = engine.getPeerPort() > 0 ? engine.getPeerPort() : 443;
      List<X500Principal> names = new ArrayList<>();
      if (issuers != null) {
        for (Principal p : issuers) {
          if (p instanceof X500Principal) {
            names.add((X500Principal) p);
          }
        }
      }
      SSLSession handshake = engine.getHandshakeSession();
      if (handshake != null) {
        handshake.putValue(REQUESTED, names.toArray(new X500Principal[0]));
      }
      if (host == null) {
        return null;
      }
      Credential identity = byEndpoint.get(key(host, port));
      if (identity == null || !matches(identity.privateKey(), keyTypes)) {
        requested.put(key(host, port), List.copyOf(names));
        return null; // no certificate: the task asks its delegate once the handshake is over
      }
      requested.remove(key(host, port));
      return aliasOf.get(identity);
    }

    private boolean matches(@Nullable PrivateKey key, String[] keyTypes) {
      if (key == null) {
        return false;
      }
      for (String type : keyTypes) {
        if (type.equalsIgnoreCase(key.getAlgorithm())
            || (type.equalsIgnoreCase("EC") && key.getAlgorithm().equalsIgnoreCase("ECDSA"))) {
          return true;
        }
      }
      return false;
    }

    @Override
    public X509Certificate @Nullable [] getCertificateChain(String alias) {
      Credential c = alias == null ? null : byAlias.get(alias);
      return c == null ? null : c.certificates().toArray(new X509Certificate[0]);
    }

    @Override
    public @Nullable PrivateKey getPrivateKey(String alias) {
      Credential c = alias == null ? null : byAlias.get(alias);
      return c == null ? null : c.privateKey();
    }

    @Override
    public String @Nullable [] getClientAliases(String keyType, Principal @Nullable [] issuers) {
      return null;
    }

    @Override
    public @Nullable String chooseClientAlias(String[] keyType, Principal @Nullable [] issuers,
        @Nullable Socket socket) {
      return null; // the session's connections are engines, never sockets
    }

    @Override
    public String @Nullable [] getServerAliases(String keyType, Principal @Nullable [] issuers) {
      return null;
    }

    @Override
    public @Nullable String chooseServerAlias(String keyType, Principal @Nullable [] issuers,
        @Nullable Socket socket) {
      return null;
    }
  }
}
