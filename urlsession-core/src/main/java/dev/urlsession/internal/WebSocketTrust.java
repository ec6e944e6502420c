package dev.urlsession.internal;

import dev.urlsession.ProtectionSpace;
import dev.urlsession.ServerTrust;
import java.io.IOException;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import javax.security.auth.x500.X500Principal;
import org.eclipse.jetty.client.Connection;
import org.eclipse.jetty.client.Destination;
import org.eclipse.jetty.client.Origin;
import org.eclipse.jetty.client.transport.HttpClientTransportOverHTTP;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.ssl.SslConnection;
import org.eclipse.jetty.io.ssl.SslHandshakeListener;
import org.eclipse.jetty.util.Promise;
import org.jspecify.annotations.Nullable;

/**
 * The server-trust decision of a WebSocket task's TLS connection, before a byte of its handshake
 * request is sent: as for HTTP loads (see {@link HttpEngine}), the platform's evaluation is
 * recorded by {@link DeferredTrustManager} instead of failing the TLS handshake, and the task
 * decides (asking its delegate through a {@code SERVER_TRUST} challenge, or going by the
 * evaluation). It fails closed: a connection whose evaluation cannot be found is refused. With the
 * platform's trust, a server that asked for a client certificate and got none (the handshake
 * over, or aborted by the server) makes the task ask its {@code CLIENT_CERTIFICATE} challenge as
 * an https load does ({@link ClientIdentities}): an identity chosen fails this connection with
 * {@link ClientIdentities.Retry}, and the task's next attempt presents it on a new connection.
 *
 * <p>Jetty hands a new connection over with a promise once the connection opened, which for TLS
 * is before the handshake ends; the {@link Gate} holds the promise back until the handshake
 * succeeded and the task accepted the server.
 */
final class WebSocketTrust {
  private WebSocketTrust() {}

  /** Jetty's HTTP/1.1 transport, with a {@link Gate} on each TLS connection of a task. */
  static final class Transport extends HttpClientTransportOverHTTP {
    private final boolean deferredTrust;
    private final @Nullable ClientIdentities identities;

    Transport(ClientConnector connector, boolean deferredTrust, @Nullable ClientIdentities identities) {
      super(connector);
      this.deferredTrust = deferredTrust;
      this.identities = identities;
    }

    @Override
    @SuppressWarnings("unchecked")
    public org.eclipse.jetty.io.Connection newConnection(EndPoint endPoint, Map<String, Object> context)
        throws IOException {
      Destination destination = (Destination) context.get(Destination.CONTEXT_KEY);
      Object tag = destination == null ? null : destination.getOrigin().getTag();
      if (endPoint instanceof SslConnection.SslEndPoint && tag instanceof WebSocketEvents) {
        // Connected (through any proxy): the TLS handshake with the server starts now.
        ((WebSocketEvents) tag).recorder().secureConnectionStart = java.time.Instant.now();
        Promise<Connection> promise =
            (Promise<Connection>) context.get(Connection.PROMISE_CONTEXT_KEY);
        Origin.Address address = destination.getOrigin().getAddress();
        Gate gate = new Gate(promise, (WebSocketEvents) tag, address.getHost(), address.getPort(),
            deferredTrust, identities, endPoint);
        context.put(Connection.PROMISE_CONTEXT_KEY, gate);
        ((SslConnection.SslEndPoint) endPoint).getSslConnection().addHandshakeListener(gate);
      }
      return super.newConnection(endPoint, context);
    }
  }

  /**
   * Holds a TLS connection back from its request until the handshake succeeded and the task
   * accepted the server's certificates.
   */
  static final class Gate implements Promise<Connection>, SslHandshakeListener {
    private final Promise<Connection> target;
    private final WebSocketEvents events;
    private final String host;
    private final int port;
    private final boolean deferredTrust;
    private final @Nullable ClientIdentities identities;
    private final EndPoint endPoint;
    // --- guarded by this ---
    private @Nullable Connection connection;
    private @Nullable SSLSession session;
    private boolean settled;

    Gate(Promise<Connection> target, WebSocketEvents events, String host, int port, boolean deferredTrust,
        @Nullable ClientIdentities identities, EndPoint endPoint) {
      this.endPoint = endPoint;
      this.target = target;
      this.events = events;
      this.host = host;
      this.port = port;
      this.deferredTrust = deferredTrust;
      this.identities = identities;
    }

    @Override
    public void succeeded(Connection c) {
      boolean handshaking;
      synchronized (this) {
        connection = c;
        handshaking = session == null;
      }
      if (handshaking) {
        // Jetty's TLS handshake starts with the first write, which is held back here: an empty
        // one starts it (the client hello), and the connection's read interest carries it on.
        endPoint.write(org.eclipse.jetty.util.Callback.from(() -> {}, this::failed),
            org.eclipse.jetty.util.BufferUtil.EMPTY_BUFFER);
      }
      decideWhenReady();
    }

    @Override
    public void failed(Throwable failure) {
      synchronized (this) {
        if (settled) {
          return;
        }
        settled = true;
      }
      target.failed(failure);
    }

    @Override
    public void handshakeSucceeded(Event event) {
      events.recorder().secureConnectionEnd = java.time.Instant.now();
      synchronized (this) {
        session = event.getSSLEngine().getSession();
      }
      decideWhenReady();
    }

    @Override
    public void handshakeFailed(Event event, Throwable failure) {
      // A TLS 1.2 server that requires a certificate aborts the handshake without one.
      List<X500Principal> issuers = identities == null || causedByServerTrust(failure) ? null
          : identities.takeRequest(host, port);
      if (issuers == null) {
        failed(failure);
        return;
      }
      synchronized (this) {
        if (settled) {
          return;
        }
        settled = true;
      }
      events.clientCertificateRequested(ProtectionSpace.forClientCertificate(host, port, issuers), true, answer -> {
        if (answer.identity() != null) {
          identities.use(host, port, answer.identity());
          target.failed(new ClientIdentities.Retry());
        } else {
          target.failed(failure);
        }
      });
    }

    /** Whether the session refused the server's certificates (a deferred evaluation never throws). */
    private static boolean causedByServerTrust(Throwable e) {
      for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
        if (t instanceof CertificateException) {
          return true;
        }
      }
      return false;
    }

    /** Once the connection is handed over and its handshake done: decide, then let it go or close it. */
    private void decideWhenReady() {
      Connection c;
      SSLSession ssl;
      synchronized (this) {
        if (settled || connection == null || session == null) {
          return;
        }
        settled = true;
        c = connection;
        ssl = session;
      }
      if (!deferredTrust) {
        target.succeeded(c); // an SSL context of the user's own decided, and presented its keys
        return;
      }
      if (ssl.getValue(DeferredTrustManager.EVALUATED) == null) {
        reject(c, new CertificateException("the server's certificates were not evaluated"));
        return;
      }
      List<X509Certificate> chain = new ArrayList<>();
      try {
        for (Certificate cert : ssl.getPeerCertificates()) {
          if (cert instanceof X509Certificate) {
            chain.add((X509Certificate) cert);
          }
        }
      } catch (SSLPeerUnverifiedException e) {
        reject(c, e);
        return;
      }
      CertificateException failure = DeferredTrustManager.failureOf(ssl);
      events.evaluateServerTrust(new ServerTrust(host, chain, failure), accepted -> {
        if (Boolean.TRUE.equals(accepted)) {
          afterTrust(c, ssl);
        } else {
          reject(c, failure != null ? failure
              : new CertificateException("the delegate did not accept the server's certificates"));
        }
      });
    }

    /**
     * The server is trusted: when it asked for a client certificate and got none, the task
     * decides whether to go on without (this connection) or to present an identity (a new one).
     */
    private void afterTrust(Connection c, SSLSession ssl) {
      List<X500Principal> issuers = identities == null ? null : ClientIdentities.unansweredRequest(ssl);
      if (issuers == null) {
        target.succeeded(c);
        return;
      }
      identities.takeRequest(host, port); // answered here, not by a failed handshake
      events.clientCertificateRequested(ProtectionSpace.forClientCertificate(host, port, issuers),
          "TLSv1.3".equals(ssl.getProtocol()), answer -> {
            if (answer.identity() != null) {
              identities.use(host, port, answer.identity());
              ssl.invalidate(); // a resumed session would skip the certificate request
              c.close();
              target.failed(new ClientIdentities.Retry());
            } else if (answer.cancelled()) {
              reject(c, new CertificateException("the task was cancelled"));
            } else {
              target.succeeded(c);
            }
          });
    }

    private void reject(Connection c, Exception cause) {
      SSLHandshakeException e = new SSLHandshakeException("server certificate not trusted: " + cause.getMessage());
      e.initCause(cause);
      c.close();
      target.failed(e);
    }
  }
}
