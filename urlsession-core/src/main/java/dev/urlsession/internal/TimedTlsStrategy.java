package dev.urlsession.internal;

import java.net.SocketAddress;
import java.time.Instant;
import javax.net.ssl.SSLSession;
import org.apache.hc.core5.concurrent.FutureCallback;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.nio.ssl.TlsStrategy;
import org.apache.hc.core5.net.NamedEndpoint;
import org.apache.hc.core5.reactor.ssl.TlsDetails;
import org.apache.hc.core5.reactor.ssl.TransportSecurityLayer;
import org.apache.hc.core5.util.Timeout;
import org.jspecify.annotations.Nullable;

/**
 * HttpClient's TLS strategy, noting when each handshake began and ended on its {@link SSLSession}
 * ({@link #START}, {@link #END}), where the connection's first exchange reads them for its
 * metrics' {@code secureConnectionStartDate} and {@code secureConnectionEndDate}: HttpClient hands
 * no exchange context to the TLS layer. A session resumed by two handshakes at once may show the
 * dates of the other; the dates of a pooled connection are never read.
 */
final class TimedTlsStrategy implements TlsStrategy {
  static final String START = "dev.urlsession.tls.start";
  static final String END = "dev.urlsession.tls.end";

  private final TlsStrategy delegate;

  TimedTlsStrategy(TlsStrategy delegate) {
    this.delegate = delegate;
  }

  @Override
  public void upgrade(TransportSecurityLayer layer, NamedEndpoint endpoint, @Nullable Object attachment,
      @Nullable Timeout handshakeTimeout, @Nullable FutureCallback<TransportSecurityLayer> callback) {
    Instant start = Instant.now();
    delegate.upgrade(layer, endpoint, attachment, handshakeTimeout, new FutureCallback<>() {
      @Override
      public void completed(TransportSecurityLayer result) {
        TlsDetails details = result.getTlsDetails();
        SSLSession session = details != null ? details.getSSLSession() : null;
        if (session != null) {
          session.putValue(START, start);
          session.putValue(END, Instant.now());
        }
        if (callback != null) {
          callback.completed(result);
        }
      }

      @Override
      public void failed(Exception ex) {
        if (callback != null) {
          callback.failed(ex);
        }
      }

      @Override
      public void cancelled() {
        if (callback != null) {
          callback.cancelled();
        }
      }
    });
  }

  @Deprecated
  @Override
  public boolean upgrade(TransportSecurityLayer layer, HttpHost host, SocketAddress localAddress,
      SocketAddress remoteAddress, @Nullable Object attachment, @Nullable Timeout handshakeTimeout) {
    return delegate.upgrade(layer, host, localAddress, remoteAddress, attachment, handshakeTimeout);
  }

  /** The handshake's dates noted on {@code session}, into {@code recorder}. */
  static void read(@Nullable SSLSession session, TransactionRecorder recorder) {
    if (session != null && session.getValue(START) instanceof Instant && session.getValue(END) instanceof Instant) {
      recorder.secureConnectionStart = (Instant) session.getValue(START);
      recorder.secureConnectionEnd = (Instant) session.getValue(END);
    }
  }
}
