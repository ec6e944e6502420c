package dev.urlsession;

/**
 * TLS protocol versions (Apple's {@code tls_protocol_version_t}).
 *
 * @since 0.1.0
 */
public enum TlsVersion {
  TLS_1_0("TLSv1"),
  TLS_1_1("TLSv1.1"),
  TLS_1_2("TLSv1.2"),
  TLS_1_3("TLSv1.3");

  private final String protocolName;

  TlsVersion(String protocolName) {
    this.protocolName = protocolName;
  }

  /** The JSSE protocol name, e.g. {@code "TLSv1.2"}. */
  public String protocolName() {
    return protocolName;
  }
}
