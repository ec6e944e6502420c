package dev.urlsession.internal;

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
import org.eclipse.jetty.client.Connection;
import org.eclipse.jetty.client.Destination;
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
 * evaluation). It fails closed: a connection whose evaluation cannot be found is refused.
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

    Transport(ClientConnector connector, boolean deferredTrust) {
      super(connector);
      this.deferredTrust = deferredTrust;
    }

    @Override
    @SuppressWarnings("unchecked")
    public org.eclipse.jetty.io.Connection newConnection(EndPoint endPoint, Map<String, Object> context)
        throws IOException {
      Destination destination = (Destination) context.get(Destination.CONTEXT_KEY);
      Object tag = destination == null ? null : destination.getOrigin().getTag();
      if (endPoint instanceof SslConnection.SslEndPoint && tag instanceof WebSocketEvents) {
        Promise<Connection> promise =
            (Promise<Connection>) context.get(Connection.PROMISE_CONTEXT_KEY);
        Gate gate = new Gate(promise, (WebSocketEvents) tag, destination.getOrigin().getAddress().getHost(),
            deferredTrust, endPoint);
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
    private final boolean deferredTrust;
    private final EndPoint endPoint;
    // --- guarded by this ---
    private @Nullable Connection connection;
    private @Nullable SSLSession session;
    private boolean settled;

    Gate(Promise<Connection> target, WebSocketEvents events, String host, boolean deferredTrust, EndPoint endPoint) {
      this.endPoint = endPoint;
      this.target = target;
      this.events = events;
      this.host = host;
      this.deferredTrust = deferredTrust;
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
      synchronized (this) {
        session = event.getSSLEngine().getSession();
      }
      decideWhenReady();
    }

    @Override
    public void handshakeFailed(Event event, Throwable failure) {
      failed(failure);
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
        target.succeeded(c); // an SSL context of the user's own decided during the handshake
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
          target.succeeded(c);
        } else {
          reject(c, failure != null ? failure
              : new CertificateException("the delegate did not accept the server's certificates"));
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
