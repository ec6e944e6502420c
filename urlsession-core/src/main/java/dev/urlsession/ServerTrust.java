package dev.urlsession;

import java.security.cert.X509Certificate;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What a server presented in its TLS handshake, and how the default evaluation judged it (Apple's
 * {@code SecTrust}): the host, the certificate chain (leaf first) and the failure of the
 * platform's certificate and host name checks, if any. A delegate that pins certificates compares
 * the chain with what it expects, and answers the {@code SERVER_TRUST} challenge with
 * {@link Credential#forTrust(ServerTrust)} to accept, or cancels.
 *
 * @param host the host name the connection was made for
 * @param certificateChain the peer's certificates, leaf first
 * @param evaluationError why the default evaluation rejects the chain, or null when it trusts it
 * @since 0.1.0
 */
public record ServerTrust(
    String host, List<X509Certificate> certificateChain, @Nullable Exception evaluationError) {
  public ServerTrust {
    certificateChain = List.copyOf(certificateChain);
  }

  /** Whether the platform's evaluation trusts the chain for the host. */
  public boolean isTrustedByDefault() {
    return evaluationError == null;
  }
}
