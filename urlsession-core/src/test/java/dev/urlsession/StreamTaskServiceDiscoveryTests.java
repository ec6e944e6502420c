package dev.urlsession;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.urlsession.SessionException.Code;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Name;
import org.xbill.DNS.SRVRecord;
import org.xbill.DNS.TXTRecord;

/**
 * {@code Session.streamTask(NetService)} against a real DNS server on loopback (dnsjava's codec):
 * SRV targets tried in priority order until one answers, the TXT record's attributes exposed, and
 * clear failures for a missing service and a DNS server that does not answer.
 */
@Timeout(30)
class StreamTaskServiceDiscoveryTests {
  static final Duration NONE = Duration.ZERO;
  final RecordingStreamDelegate delegate = new RecordingStreamDelegate();
  LoopbackDnsServer dns;
  TcpTestServer echo;
  Session session;

  @BeforeEach
  void start() throws IOException {
    dns = new LoopbackDnsServer();
    echo = TcpTestServer.lineEcho(null);
  }

  @AfterEach
  void stop() throws IOException {
    if (session != null) {
      session.invalidateAndCancel();
    }
    echo.close();
    dns.close();
  }

  static Name name(String s) throws IOException {
    return Name.fromString(s);
  }

  Session session(Duration requestTimeout) {
    session = Session.create(SessionConfiguration.ephemeral().toBuilder()
        .timeoutIntervalForRequest(requestTimeout).build(), delegate, null);
    return session;
  }

  @Test
  void streamTaskToAServiceWhenTheFirstTargetIsDownConnectsToTheNextByPriority() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    Name instance = name("Primary Ledger._ledger._tcp.example.test.");
    dns.add(new SRVRecord(instance, DClass.IN, 60, 20, 5, echo.port(), name("localhost.")))
        .add(new SRVRecord(instance, DClass.IN, 60, 10, 5, closedPort, name("localhost.")))
        .add(new TXTRecord(instance, DClass.IN, 60, List.of("txtvers=1", "Path=/ledger", "path=ignored", "secure")));
    NetService service = NetService.of("example.test", "_ledger._tcp", "Primary Ledger").resolvedBy(dns.address());
    StreamTask task = session(Duration.ofSeconds(10)).streamTask(service);
    assertThat(task.resolvedService()).isNull();
    task.resume();
    task.write("hello service\n".getBytes(UTF_8), NONE);
    ReadResult r = task.readData(14, 100, NONE).get(10, SECONDS);
    assertThat(new String(r.data(), UTF_8)).isEqualTo("hello service\n");
    ResolvedService found = task.resolvedService();
    assertThat(found.service()).isEqualTo(service);
    assertThat(found.targets()).containsExactly(
        new ResolvedService.Target("localhost", closedPort, 10, 5),
        new ResolvedService.Target("localhost", echo.port(), 20, 5));
    assertThat(found.txt()).isEqualTo(Map.of("txtvers", "1", "path", "/ledger", "secure", ""));
    assertThat(dns.questions).contains("Primary\\032Ledger._ledger._tcp.example.test./SRV",
        "Primary\\032Ledger._ledger._tcp.example.test./TXT"); // dnsjava escapes the space
    task.cancel();
    assertThat(delegate.awaitCompletion().code()).isEqualTo(Code.CANCELLED);
    delegate.assertEvents("didCreateTask", "didComplete CANCELLED");
  }

  @Test
  void streamTaskToAServiceWhenNoSrvRecordExistsFailsWithCannotFindHost() throws Exception {
    StreamTask task = session(Duration.ofSeconds(10))
        .streamTask(NetService.of("example.test", "_ledger._tcp", "missing").resolvedBy(dns.address()));
    task.resume();
    SessionException e = delegate.awaitCompletion();
    assertThat(e.code()).isEqualTo(Code.CANNOT_FIND_HOST);
    assertThat(e.getMessage()).contains("missing._ledger._tcp.example.test.");
    assertThat(task.resolvedService()).isNull();
    delegate.assertEvents("didCreateTask", "didComplete CANNOT_FIND_HOST");
  }

  @Test
  void streamTaskToAServiceWhoseSrvTargetIsTheRootIsNotOffered() throws Exception {
    Name instance = name("gone._ledger._tcp.example.test.");
    dns.add(new SRVRecord(instance, DClass.IN, 60, 0, 0, 0, Name.root));
    session(Duration.ofSeconds(10))
        .streamTask(NetService.of("example.test.", "_ledger._tcp.", "gone").resolvedBy(dns.address())).resume();
    SessionException e = delegate.awaitCompletion();
    assertThat(e.code()).isEqualTo(Code.CANNOT_FIND_HOST);
    assertThat(e.getMessage()).contains("not offered");
  }

  @Test
  void streamTaskToAServiceWhenTheDnsServerNeverAnswersFailsWithDnsLookupFailed() throws Exception {
    dns.silent();
    session(Duration.ofSeconds(1))
        .streamTask(NetService.of("example.test", "_ledger._tcp", "primary").resolvedBy(dns.address())).resume();
    // dnsjava gives up after the request timeout; the task's idle deadline waits for it.
    assertThat(delegate.awaitCompletion().code()).isEqualTo(Code.DNS_LOOKUP_FAILED);
    assertThat(dns.questions).isNotEmpty();
  }

  @Test
  void netServiceWhenMalformedIsRefusedAndItsInstanceNameEscapesDots() {
    assertThat(NetService.of("example.org", "_http._tcp", "Printer 2.1").instanceName())
        .isEqualTo("Printer 2\\.1._http._tcp.example.org.");
    assertThatThrownBy(() -> NetService.of("example.org", "_http._udp", "x"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("_tcp");
    assertThatThrownBy(() -> NetService.of("example.org", "http", "x")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> NetService.of("", "_http._tcp", "x")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> NetService.of("example.org", "_http._tcp", "x".repeat(64)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(NetService.of("Example.org", "_http._tcp", "x")).isEqualTo(NetService.of("example.org.", "_http._tcp.", "x"));
  }
}
