package dev.urlsession.autoconfigure.client;

import dev.urlsession.SessionException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import javax.net.ssl.SSLException;

/** Maps session failures to the {@link IOException} subclasses Spring and its users expect. */
final class SessionExceptions {
  private SessionExceptions() {}

  /** The exception for {@code e}: a JDK subclass with {@code e} as cause, or {@code e} itself. */
  static IOException toIOException(SessionException e) {
    IOException mapped;
    switch (e.code()) {
      case TIMED_OUT:
        mapped = new SocketTimeoutException(e.getMessage());
        break;
      case CANNOT_CONNECT_TO_HOST:
        mapped = new ConnectException(e.getMessage());
        break;
      case CANNOT_FIND_HOST:
      case DNS_LOOKUP_FAILED:
        mapped = new UnknownHostException(e.getMessage());
        break;
      case SECURE_CONNECTION_FAILED:
      case SERVER_CERTIFICATE_HAS_BAD_DATE:
      case SERVER_CERTIFICATE_UNTRUSTED:
      case SERVER_CERTIFICATE_HAS_UNKNOWN_ROOT:
      case SERVER_CERTIFICATE_NOT_YET_VALID:
      case CLIENT_CERTIFICATE_REJECTED:
      case CLIENT_CERTIFICATE_REQUIRED:
        return new SSLException(e.getMessage(), e);
      default:
        return e;
    }
    mapped.initCause(e);
    return mapped;
  }
}
