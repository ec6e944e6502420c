package dev.urlsession.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.urlsession.SessionException;
import dev.urlsession.SessionException.Code;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.function.Function;
import java.util.stream.Stream;
import java.util.zip.ZipException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.X509TrustManager;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;
import org.apache.hc.client5.http.ConnectTimeoutException;
import org.apache.hc.client5.http.HttpHostConnectException;
import org.apache.hc.core5.http.ConnectionClosedException;
import org.apache.hc.core5.http.MalformedChunkCodingException;
import org.apache.hc.core5.http.NoHttpResponseException;
import org.apache.hc.core5.http.ParseException;
import org.apache.hc.core5.http.TruncatedChunkException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@link ErrorMapper}: the one table from JDK and HttpClient 5 exceptions to Apple's codes. */
class ErrorMapperTests {
  static final URI URL = URI.create("https://example.org/a");

  static SSLHandshakeException handshake(String message, Throwable cause) {
    SSLHandshakeException e = new SSLHandshakeException(message);
    e.initCause(cause);
    return e;
  }

  static Stream<Arguments> table() {
    return Stream.of(
        Arguments.of(new UnknownHostException("nonexistent.invalid"), Code.CANNOT_FIND_HOST),
        Arguments.of(new ConnectException("Connection refused"), Code.CANNOT_CONNECT_TO_HOST),
        Arguments.of(new HttpHostConnectException("Connect to http://127.0.0.1:1 failed"), Code.CANNOT_CONNECT_TO_HOST),
        Arguments.of(new SocketTimeoutException("Read timed out"), Code.TIMED_OUT),
        Arguments.of(new ConnectTimeoutException("Connect to 10.255.255.1:80 timed out"), Code.TIMED_OUT),
        Arguments.of(new CancellationException(), Code.CANCELLED),
        Arguments.of(new CancellationException("cancelled by the caller"), Code.CANCELLED),
        Arguments.of(
            handshake("certificate expired", new CertificateExpiredException("NotAfter: Thu Jan 01 2020")),
            Code.SERVER_CERTIFICATE_HAS_BAD_DATE),
        Arguments.of(
            handshake("PKIX path validation failed",
                new CertPathValidatorException("validity check failed", new CertificateExpiredException("NotAfter"),
                    null, -1, CertPathValidatorException.BasicReason.EXPIRED)),
            Code.SERVER_CERTIFICATE_HAS_BAD_DATE),
        Arguments.of(
            handshake("PKIX path building failed", new CertPathValidatorException("signature check failed")),
            Code.SERVER_CERTIFICATE_UNTRUSTED),
        Arguments.of(new SSLHandshakeException("Received fatal alert: handshake_failure"), Code.SECURE_CONNECTION_FAILED),
        Arguments.of(new SSLHandshakeException("no cipher suites in common"), Code.SECURE_CONNECTION_FAILED),
        Arguments.of(new ConnectionClosedException("Connection closed by peer"), Code.NETWORK_CONNECTION_LOST),
        Arguments.of(new NoHttpResponseException("127.0.0.1:8080 failed to respond"), Code.NETWORK_CONNECTION_LOST),
        Arguments.of(new SocketException("Connection reset"), Code.NETWORK_CONNECTION_LOST),
        Arguments.of(new TruncatedChunkException("Truncated chunk (expected size: 10; actual size: 3)"),
            Code.NETWORK_CONNECTION_LOST),
        Arguments.of(new MalformedChunkCodingException("Bad chunk header: zz"), Code.BAD_SERVER_RESPONSE),
        Arguments.of(new ParseException("Invalid status line"), Code.CANNOT_PARSE_RESPONSE),
        Arguments.of(new ZipException("invalid gzip data"), Code.CANNOT_DECODE_RAW_DATA),
        Arguments.of(new RuntimeException("boom"), Code.UNKNOWN),
        Arguments.of(new IllegalStateException("bad state"), Code.UNKNOWN),
        Arguments.of(thrownIn("org.apache.hc.core5.http.impl.nio.ChunkDecoder",
            new IllegalArgumentException("newLimit < 0: (-1 < 0)")), Code.BAD_SERVER_RESPONSE),
        Arguments.of(thrownIn("org.apache.hc.core5.http.message.BasicLineParser",
            new NumberFormatException("For input string: \"x\"")), Code.BAD_SERVER_RESPONSE),
        Arguments.of(thrownIn("org.apache.hc.client5.http.impl.async.InternalHttpAsyncClient",
            new IllegalStateException("not started")), Code.UNKNOWN),
        Arguments.of(thrownIn("dev.urlsession.RealTask", new IllegalArgumentException("ours")), Code.UNKNOWN),
        Arguments.of(new java.nio.charset.MalformedInputException(1), Code.BAD_SERVER_RESPONSE),
        Arguments.of(new java.util.zip.DataFormatException("invalid block type"), Code.CANNOT_DECODE_RAW_DATA));
  }

  /** {@code e} as thrown by the JDK (a buffer) called from {@code className}. */
  static RuntimeException thrownIn(String className, RuntimeException e) {
    e.setStackTrace(new StackTraceElement[] {
        new StackTraceElement("java.nio.Buffer", "limit", "Buffer.java", 350),
        new StackTraceElement(className, "read", "X.java", 100),
        new StackTraceElement("org.apache.hc.core5.reactor.InternalDataChannel", "onIOEvent", "Y.java", 1)});
    return e;
  }

  static Stream<Arguments> wrapped() {
    Stream<Arguments> completion = table().map(a -> Arguments.of(a.get()[0], a.get()[1], "CompletionException",
        (Function<Throwable, Throwable>) CompletionException::new));
    Stream<Arguments> execution = table().map(a -> Arguments.of(a.get()[0], a.get()[1], "ExecutionException",
        (Function<Throwable, Throwable>) ExecutionException::new));
    Stream<Arguments> nested = table().map(a -> Arguments.of(a.get()[0], a.get()[1], "Completion(Execution(Completion))",
        (Function<Throwable, Throwable>) t -> new CompletionException(new ExecutionException(new CompletionException(t)))));
    return Stream.concat(completion, Stream.concat(execution, nested));
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @MethodSource("table")
  void codeWhenGivenExceptionIsAppleCode(Throwable exception, Code expected) {
    assertThat(ErrorMapper.code(exception)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @MethodSource("table")
  void mapWhenGivenExceptionKeepsCodeFailingUrlAndCause(Throwable exception, Code expected) {
    SessionException e = ErrorMapper.map(exception, URL);

    assertThat(e.code()).isEqualTo(expected);
    assertThat(e.failingUrl()).isSameAs(URL);
    assertThat(e.getCause()).isSameAs(exception);
    assertThat(e.getMessage()).contains(expected.name()).contains(String.valueOf(expected.value()));
  }

  @ParameterizedTest(name = "{2}: {0} -> {1}")
  @MethodSource("wrapped")
  void mapWhenExceptionIsWrappedUnwrapsIt(
      Throwable exception, Code expected, String wrapper, Function<Throwable, Throwable> wrap) {
    SessionException e = ErrorMapper.map(wrap.apply(exception), URL);

    assertThat(e.code()).isEqualTo(expected);
    assertThat(e.getCause()).isSameAs(exception);
    assertThat(e.failingUrl()).isSameAs(URL);
  }

  @Test
  void mapWhenGivenSessionExceptionReturnsItUnchanged() {
    SessionException original = new SessionException(Code.CANNOT_LOAD_FROM_NETWORK, URI.create("https://other.example/"));

    assertThat(ErrorMapper.map(original, URL)).isSameAs(original);
    assertThat(ErrorMapper.map(new CompletionException(original), URL)).isSameAs(original);
    assertThat(ErrorMapper.map(new ExecutionException(original), URL)).isSameAs(original);
    assertThat(original.failingUrl()).isEqualTo(URI.create("https://other.example/"));
  }

  @Test
  void mapWhenUrlIsNullKeepsNull() {
    SessionException e = ErrorMapper.map(new SocketTimeoutException("Read timed out"), null);

    assertThat(e.code()).isEqualTo(Code.TIMED_OUT);
    assertThat(e.failingUrl()).isNull();
  }

  @Test
  void mapWhenExceptionHasMessageAddsItAsDetail() {
    SessionException e = ErrorMapper.map(new UnknownHostException("nonexistent.invalid"), URL);

    assertThat(e.getMessage()).isEqualTo(
        "A server with the specified hostname could not be found. [UnknownHostException: nonexistent.invalid]"
            + " (CANNOT_FIND_HOST -1003, https://example.org/a)");
  }

  @Test
  void mapWhenWrapperHasNoCauseMapsTheWrapperItself() {
    CompletionException bare = new CompletionException("no cause", null);

    SessionException e = ErrorMapper.map(bare, URL);

    assertThat(e.code()).isEqualTo(Code.UNKNOWN);
    assertThat(e.getCause()).isSameAs(bare);
  }

  @Test
  void codeWhenConnectExceptionCausedByUnknownHostIsCannotFindHost() {
    ConnectException e = new ConnectException("connect failed");
    e.initCause(new UnknownHostException("nonexistent.invalid"));

    assertThat(ErrorMapper.code(e)).isEqualTo(Code.CANNOT_FIND_HOST);
  }

  @Test
  void codeWhenPlainIOExceptionIsNetworkConnectionLost() {
    assertThat(ErrorMapper.code(new IOException("Broken pipe"))).isEqualTo(Code.NETWORK_CONNECTION_LOST);
  }

  /** What JSSE's trust manager throws for {@code leaf}; JSSE wraps it in an SSLHandshakeException as cause. */
  static SSLHandshakeException realHandshakeFailure(HeldCertificate root, HeldCertificate leaf) {
    X509TrustManager trustManager =
        new HandshakeCertificates.Builder().addTrustedCertificate(root.certificate()).build().trustManager();
    try {
      trustManager.checkServerTrusted(new X509Certificate[] {leaf.certificate(), root.certificate()}, "ECDHE_ECDSA");
    } catch (CertificateException e) {
      return handshake("PKIX path validation failed", e);
    }
    throw new AssertionError("the trust manager accepted " + leaf.certificate().getSubjectX500Principal());
  }

  static HeldCertificate root() {
    return new HeldCertificate.Builder().certificateAuthority(0).commonName("root").build();
  }

  /**
   * The chain JSSE really builds for an expired server certificate: SSLHandshakeException, caused by
   * sun.security.validator.ValidatorException (a CertificateException), caused by a
   * CertPathValidatorException with reason EXPIRED, caused by CertificateExpiredException.
   */
  @Test
  void codeWhenJsseRejectsExpiredCertificateIsBadDate() {
    HeldCertificate root = root();
    long now = System.currentTimeMillis();
    HeldCertificate expired = new HeldCertificate.Builder()
        .signedBy(root)
        .addSubjectAlternativeName("localhost")
        .validityInterval(now - Duration.ofDays(30).toMillis(), now - Duration.ofDays(1).toMillis())
        .build();

    SSLHandshakeException failure = realHandshakeFailure(root, expired);

    assertThat(failure.getCause()).isInstanceOf(CertificateException.class);
    assertThat(ErrorMapper.code(failure)).isEqualTo(Code.SERVER_CERTIFICATE_HAS_BAD_DATE);
  }

  @Test
  void codeWhenJsseRejectsNotYetValidCertificateIsNotYetValid() {
    HeldCertificate root = root();
    long now = System.currentTimeMillis();
    HeldCertificate future = new HeldCertificate.Builder()
        .signedBy(root)
        .addSubjectAlternativeName("localhost")
        .validityInterval(now + Duration.ofDays(1).toMillis(), now + Duration.ofDays(30).toMillis())
        .build();

    assertThat(ErrorMapper.code(realHandshakeFailure(root, future))).isEqualTo(Code.SERVER_CERTIFICATE_NOT_YET_VALID);
  }

  @Test
  void codeWhenJsseRejectsCertificateOfUnknownIssuerIsUntrusted() {
    HeldCertificate stranger = new HeldCertificate.Builder().addSubjectAlternativeName("localhost").build();

    assertThat(ErrorMapper.code(realHandshakeFailure(root(), stranger))).isEqualTo(Code.SERVER_CERTIFICATE_UNTRUSTED);
  }

  @Test
  void codeWhenChainHasExpiredCertificateBehindCertificateExceptionIsBadDate() {
    CertificateExpiredException expired = new CertificateExpiredException("NotAfter: Thu Jan 01 00:00:00 UTC 2020");
    CertPathValidatorException validity = new CertPathValidatorException(
        "validity check failed", expired, null, -1, CertPathValidatorException.BasicReason.EXPIRED);
    CertificateException validator = new CertificateException("PKIX path validation failed: " + validity, validity);

    assertThat(ErrorMapper.code(handshake("PKIX path validation failed", validator)))
        .isEqualTo(Code.SERVER_CERTIFICATE_HAS_BAD_DATE);
  }

  @Test
  void codeWhenJsseChainHasUntrustedCertificateBehindValidatorExceptionIsUntrusted() {
    CertPathValidatorException untrusted = new CertPathValidatorException("Path does not chain with any of the trust anchors");
    CertificateException validator = new CertificateException("PKIX path validation failed", untrusted);

    assertThat(ErrorMapper.code(handshake("PKIX path validation failed", validator)))
        .isEqualTo(Code.SERVER_CERTIFICATE_UNTRUSTED);
  }
}
