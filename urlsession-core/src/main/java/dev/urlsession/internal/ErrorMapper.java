package dev.urlsession.internal;

import dev.urlsession.SessionException;
import dev.urlsession.SessionException.Code;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.PortUnreachableException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.zip.ZipException;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.apache.hc.client5.http.UnsupportedSchemeException;
import org.apache.hc.core5.http.ConnectionClosedException;
import org.apache.hc.core5.http.ConnectionRequestTimeoutException;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.MalformedChunkCodingException;
import org.apache.hc.core5.http.MessageConstraintException;
import org.apache.hc.core5.http.NoHttpResponseException;
import org.apache.hc.core5.http.ParseException;
import org.apache.hc.core5.http.TruncatedChunkException;
import org.jspecify.annotations.Nullable;

/**
 * The one place where exceptions of the JDK and HttpClient 5 become {@link SessionException}
 * codes (STYLE.md 10). The order of the checks matters: subclasses before their parents.
 */
public final class ErrorMapper {
  private ErrorMapper() {}

  /** The exception for {@code t} while loading {@code url}; a SessionException passes through. */
  public static SessionException map(Throwable t, @Nullable URI url) {
    Throwable e = unwrap(t);
    if (e instanceof SessionException) {
      return (SessionException) e;
    }
    Code code = code(e);
    return new SessionException(code, url, code.description() + detail(e), e);
  }

  private static String detail(Throwable e) {
    String m = e.getMessage();
    return m == null || m.isBlank() ? "" : " [" + e.getClass().getSimpleName() + ": " + m + "]";
  }

  static Throwable unwrap(Throwable t) {
    Throwable e = t;
    while ((e instanceof CompletionException || e instanceof ExecutionException)
        && e.getCause() != null) {
      e = e.getCause();
    }
    return e;
  }

  /** The code for one (unwrapped) exception. */
  public static Code code(Throwable e) {
    if (e instanceof CancellationException) {
      return Code.CANCELLED;
    }
    if (e instanceof RequestBody.StreamFailure) {
      return Code.REQUEST_BODY_STREAM_EXHAUSTED;
    }
    if (e instanceof UnknownHostException || e instanceof UnresolvedAddressException) {
      return Code.CANNOT_FIND_HOST;
    }
    if (e instanceof SocketTimeoutException || e instanceof ConnectionRequestTimeoutException) {
      return Code.TIMED_OUT;
    }
    if (e instanceof ConnectException || e instanceof NoRouteToHostException
        || e instanceof PortUnreachableException) {
      Throwable cause = e.getCause();
      if (cause instanceof UnknownHostException) {
        return Code.CANNOT_FIND_HOST;
      }
      return Code.CANNOT_CONNECT_TO_HOST;
    }
    if (e instanceof SSLException) {
      return tlsCode((SSLException) e);
    }
    if (e instanceof UnsupportedSchemeException) {
      return Code.UNSUPPORTED_URL;
    }
    if (e instanceof TruncatedChunkException) {
      return Code.NETWORK_CONNECTION_LOST;
    }
    if (e instanceof MalformedChunkCodingException || e instanceof MessageConstraintException) {
      return Code.BAD_SERVER_RESPONSE;
    }
    if (e instanceof ParseException) {
      return Code.CANNOT_PARSE_RESPONSE;
    }
    if (e instanceof HttpException) {
      return Code.BAD_SERVER_RESPONSE;
    }
    if (e instanceof NoHttpResponseException || e instanceof ConnectionClosedException
        || e instanceof SocketException) {
      return Code.NETWORK_CONNECTION_LOST;
    }
    if (e instanceof ZipException || e instanceof java.util.zip.DataFormatException) {
      return Code.CANNOT_DECODE_RAW_DATA;
    }
    if (e instanceof java.nio.charset.CharacterCodingException) {
      return Code.BAD_SERVER_RESPONSE; // header or status bytes that are no text
    }
    if (e instanceof InterruptedIOException) {
      return Code.TIMED_OUT;
    }
    if (e instanceof org.apache.hc.core5.http2.H2ConnectionException) {
      // HTTP/2 that breaks the protocol (endless CONTINUATION, bad frames): the server's fault.
      // A stream the server resets, or a GOAWAY with an error, is an H2StreamResetException.
      return Code.BAD_SERVER_RESPONSE;
    }
    if (e instanceof java.io.IOException) {
      return Code.NETWORK_CONNECTION_LOST; // resets, HTTP/2 stream and connection errors
    }
    if (e instanceof RuntimeException && thrownByHttpCore(e)) {
      // HttpCore's codecs fail on some malformed input with an unchecked exception instead of a
      // ProtocolException (a chunk size of -5 makes a negative buffer limit): server input.
      return Code.BAD_SERVER_RESPONSE;
    }
    return Code.UNKNOWN;
  }

  /**
   * Whether the innermost code outside the JDK that threw {@code e} is HttpCore's: its message
   * parsers and decoders, which read what the server sent.
   */
  static boolean thrownByHttpCore(Throwable e) {
    return thrownBy(e, "org.apache.hc.core5.");
  }

  /** Whether the innermost code outside the JDK that threw {@code e} is in {@code packagePrefix}. */
  static boolean thrownBy(Throwable e, String packagePrefix) {
    for (StackTraceElement frame : e.getStackTrace()) {
      String c = frame.getClassName();
      if (c.startsWith("java.") || c.startsWith("jdk.") || c.startsWith("sun.")) {
        continue;
      }
      return c.startsWith(packagePrefix);
    }
    return false;
  }

  private static Code tlsCode(SSLException e) {
    // JSSE wraps the precise reason (expired, not yet valid) in its own CertificateException:
    // look at the whole cause chain for dates first, then for any trust failure.
    boolean untrusted = false;
    int depth = 0;
    for (Throwable c = e; c != null && depth++ < 32; c = c.getCause()) {
      if (c instanceof CertificateExpiredException) {
        return Code.SERVER_CERTIFICATE_HAS_BAD_DATE;
      }
      if (c instanceof CertificateNotYetValidException) {
        return Code.SERVER_CERTIFICATE_NOT_YET_VALID;
      }
      if (c instanceof CertPathValidatorException) {
        CertPathValidatorException v = (CertPathValidatorException) c;
        if (v.getReason() == CertPathValidatorException.BasicReason.EXPIRED) {
          return Code.SERVER_CERTIFICATE_HAS_BAD_DATE;
        }
        if (v.getReason() == CertPathValidatorException.BasicReason.NOT_YET_VALID) {
          return Code.SERVER_CERTIFICATE_NOT_YET_VALID;
        }
        untrusted = true;
      }
      if (c instanceof java.security.cert.CertificateException
          || c instanceof SSLPeerUnverifiedException) {
        untrusted = true;
      }
    }
    if (untrusted) {
      return Code.SERVER_CERTIFICATE_UNTRUSTED;
    }
    if (e instanceof SSLHandshakeException) {
      String m = String.valueOf(e.getMessage());
      if (m.contains("bad_certificate") || m.contains("certificate_required")) {
        return Code.CLIENT_CERTIFICATE_REJECTED;
      }
    }
    return Code.SECURE_CONNECTION_FAILED;
  }
}
