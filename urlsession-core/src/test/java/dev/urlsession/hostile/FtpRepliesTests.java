package dev.urlsession.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.urlsession.Session;
import dev.urlsession.SessionConfiguration;
import dev.urlsession.SessionException;
import dev.urlsession.SessionException.Code;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * RELIABILITY.md row 14 and issue 18 (FTP replies): a hostile FTP server whose passive-mode reply
 * points elsewhere or is malformed. The data connection goes only to the control connection's
 * peer, and a reply Commons Net cannot parse fails the task once with BAD_SERVER_RESPONSE (never
 * UNKNOWN), leaking no connection, thread or file.
 */
@Timeout(60)
@ExtendWith(LeakCheck.class)
class FtpRepliesTests {
  final Completions delegate = new Completions();
  @Nullable RawFtpServer server;
  @Nullable Session session;

  @AfterEach
  void stop() throws Exception {
    if (session != null) {
      session.invalidateAndCancel();
      delegate.awaitInvalid();
    }
    if (server != null) {
      server.close();
    }
  }

  private @Nullable SessionException load(InetAddress address, java.util.function.IntFunction<String> passive)
      throws Exception {
    server = new RawFtpServer(address, passive);
    session = Session.create(SessionConfiguration.ephemeral().toBuilder()
        .timeoutIntervalForRequest(Duration.ofSeconds(20)).build(), delegate, null);
    session.dataTask(server.url("/pub/file.txt")).resume();
    SessionException error = delegate.awaitCompletion(30);
    session.invalidateAndCancel();
    delegate.awaitInvalid();
    assertThat(delegate.completions()).hasSize(1);
    assertThat(delegate.violations).isEmpty();
    if (error == null) {
      assertThat(new String(delegate.body(), StandardCharsets.US_ASCII)).isEqualTo("hello over ftp");
    }
    return error;
  }

  @Test
  void pasvReplyWhenItNamesAnotherHostIsReadFromTheControlPeerInstead() throws Exception {
    // 192.0.2.1 (TEST-NET-1) is routed nowhere: a client honouring it would time out.
    SessionException error = load(InetAddress.getByName("127.0.0.1"),
        port -> "227 Entering Passive Mode (192,0,2,1," + (port >> 8) + "," + (port & 0xff) + ")");
    assertThat(error).isNull();
    assertThat(server.dataConnections.get()).isEqualTo(1);
  }

  @Test
  void pasvReplyWhenMalformedFailsOnceWithBadServerResponse() throws Exception {
    SessionException error = load(InetAddress.getByName("127.0.0.1"), port -> "227 no address here");
    assertThat(error).isNotNull();
    assertThat(error.code()).as(error.toString()).isEqualTo(Code.BAD_SERVER_RESPONSE);
  }

  @Test
  void epsvReplyWithoutItsPortFailsOnceWithBadServerResponseNotUnknown() throws Exception {
    // Over IPv6 Commons Net asks EPSV; "229 " made its parser throw StringIndexOutOfBoundsException
    // (found by InternalParsersFuzzTests.ftpReplies), which mapped to UNKNOWN.
    SessionException error = load(InetAddress.getByName("::1"), port -> "229 ");
    assertThat(error).isNotNull();
    assertThat(error.code()).as(error.toString()).isEqualTo(Code.BAD_SERVER_RESPONSE);
    assertThat(server.commands).contains("EPSV");
  }
}
