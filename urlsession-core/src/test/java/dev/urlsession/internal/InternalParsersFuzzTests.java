package dev.urlsession.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.code_intelligence.jazzer.mutation.annotation.NotNull;
import dev.urlsession.Request;
import dev.urlsession.Response;
import dev.urlsession.SessionException;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.StringReader;
import java.io.Writer;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.zip.CRC32C;
import org.apache.commons.net.ftp.FTPClient;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fuzzing (Jazzer, issue 18) of the internal parsers of outside input: {@code data:} URLs,
 * Content-Disposition, WWW-Authenticate, Cache-Control and the dates and fields around it, the
 * cache's entry files, FTP replies, a proxy's SOCKS5 and CONNECT answers, and DNS-SD records. Each target accepts any input and may fail only with the
 * exception its parser documents; anything else (another exception, an error, a broken
 * guarantee) is a finding, kept under {@code src/test/resources/dev/urlsession/internal/
 * InternalParsersFuzzTestsInputs/<method>/} and replayed by every build. How to fuzz for longer:
 * SECURITY.md, "Fuzzing".
 */
class InternalParsersFuzzTests {
  static final URI ORIGIN = URI.create("https://files.example.org/dir/report.pdf");
  @TempDir static Path dir;

  /** A {@code data:} URL's content: decoded, or IllegalArgumentException saying why not. */
  @FuzzTest
  void dataUrl(@NotNull String content) {
    DataUrlHandler.Decoded d;
    try {
      d = DataUrlHandler.decode(content);
    } catch (IllegalArgumentException refused) {
      return;
    }
    assertThat(d.mimeType).isNotEmpty();
    assertThat(d.body.length).isLessThanOrEqualTo(content.length() * 3);
  }

  /** A Content-Disposition value: a file name that is safe to create in a directory, or none. */
  @FuzzTest
  void contentDisposition(@NotNull String value) {
    String name = FileNames.sanitize(FileNames.fromContentDisposition(value));
    if (name != null) {
      assertSafeFileName(name);
    }
  }

  /** WWW-Authenticate and Proxy-Authenticate values: parsed or skipped, never thrown. */
  @FuzzTest
  void authenticate(FuzzedDataProvider data) {
    boolean proxy = data.consumeBoolean();
    Response.Builder b = Response.builder(ORIGIN).statusCode(proxy ? 407 : 401);
    int fields = data.consumeInt(1, 3);
    for (int i = 0; i < fields; i++) {
      if (!addHeader(b, proxy ? "Proxy-Authenticate" : "WWW-Authenticate", data.consumeString(500))) {
        return;
      }
    }
    for (HttpChallenge c : HttpChallenge.parse(b.build(), proxy ? URI.create("http://proxy:3128") : null)) {
      assertThat(c.protectionSpace()).isNotNull();
    }
  }

  /**
   * Cache-Control with the fields freshness reads (Date, Expires, Last-Modified, Age, Pragma,
   * Vary): every cache decision answers, with no negative lifetime or age.
   */
  @FuzzTest
  void cacheControl(FuzzedDataProvider data) {
    Response.Builder b = Response.builder(ORIGIN).statusCode(data.pickValue(new int[] {200, 203, 301, 404, 410}));
    for (String name : new String[] {"Cache-Control", "Date", "Expires", "Last-Modified", "Age", "Pragma", "Vary",
        "ETag"}) {
      if (data.consumeBoolean() && !addHeader(b, name, data.consumeString(200))) {
        return;
      }
    }
    Response response = b.build();
    Request.Builder request = Request.builder(ORIGIN);
    String requestCacheControl = data.consumeString(100);
    try {
      request.header("Cache-Control", requestCacheControl);
    } catch (IllegalArgumentException notRepresentable) {
      return;
    }
    Instant now = Instant.ofEpochSecond(1_800_000_000L);
    Request req = request.build();
    CacheRules.isStorable(req, response);
    assertThat(CacheRules.freshnessLifetime(response, now).isNegative()).isFalse();
    assertThat(CacheRules.currentAge(response, now.minusSeconds(5), now.minusSeconds(1), now).isNegative()).isFalse();
    CacheRules.isFresh(response, now.minusSeconds(5), now.minusSeconds(1), now);
    CacheRules.needsRevalidation(req, response, now.minusSeconds(5), now.minusSeconds(1), now);
    CacheRules.hasValidator(response);
    CacheRules.varyNames(response);
    CacheRules.isVaryStar(response);
    String date = data.consumeRemainingAsString();
    HttpDates.httpDate(date);
    HttpDates.cookieDate(date);
  }

  /**
   * A cache entry file: read, or CorruptCacheFileException (an IOException). Half the inputs are
   * framed with valid checksums around fuzzed metadata, so the metadata decoder is reached.
   */
  @FuzzTest
  void cacheFile(FuzzedDataProvider data) throws IOException {
    boolean framed = data.consumeBoolean();
    String key = data.consumeString(40);
    byte[] bytes = framed ? frame(data.consumeBytes(4096), data.consumeRemainingAsBytes())
        : data.consumeRemainingAsBytes();
    Path file = dir.resolve(CacheFileFormat.fileName(key));
    Files.write(file, bytes);
    try {
      CacheFileFormat.Decoded meta = CacheFileFormat.readMeta(file);
      CacheFileFormat.Decoded whole = CacheFileFormat.read(file);
      assertThat(whole.key()).isEqualTo(meta.key()).isEqualTo(key);
    } catch (IOException refused) {
      // CorruptCacheFileException: the documented answer to a file that is not an intact entry
    } finally {
      Files.deleteIfExists(file);
    }
  }

  /**
   * A control connection's replies as Commons Net reads them, then what the ftp: handler makes of
   * them: SIZE and MDTM values, the data address of a PASV or EPSV reply, and the error a refusal
   * maps to. IOException (a malformed reply, the end of the connection) is the documented
   * failure; the mapped code is never UNKNOWN.
   */
  @FuzzTest
  void ftpReplies(@NotNull String replies) {
    FuzzedControlConnection c = new FuzzedControlConnection(replies);
    URI url = URI.create("ftp://ftp.example.org/pub/file.bin");
    try {
      long size = FtpHandler.FtpLoad.parseSize(c.getSize("/pub/file.bin"));
      assertThat(size).isGreaterThanOrEqualTo(-1);
      FtpHandler.FtpLoad.modificationTime(c.getModificationTime("/pub/file.bin"));
      c.dataAddress(c.getReply(), c.getReplyString());
      c.getReply();
    } catch (IOException refused) {
      // MalformedServerReplyException, FTPConnectionClosedException, ...: mapped by the load
      return;
    } catch (RuntimeException unchecked) {
      // Commons Net's parsers fail on some replies with an unchecked exception: the load must
      // still map it to a bad reply, not UNKNOWN (crash-c89bfeed...: "229 " without a port).
      SessionException mapped = FtpHandler.FtpLoad.badReply(unchecked, url);
      assertThat(mapped).as("mapping of %s", unchecked).isNotNull();
      assertThat(mapped.code()).isEqualTo(SessionException.Code.BAD_SERVER_RESPONSE);
      return;
    }
    SessionException e = FtpHandler.FtpLoad.failure(c, url, "RETR");
    assertThat(e.code()).isNotEqualTo(SessionException.Code.UNKNOWN);
    assertThat(FtpHandler.FtpLoad.storeFailure(c, url).code()).isNotEqualTo(SessionException.Code.UNKNOWN);
  }

  /**
   * A proxy's answers as a stream task's tunnel reads them, split at any points: SOCKS5 (with or
   * without credentials) or an HTTP CONNECT response head. The handshake opens the tunnel, asks
   * for more, or fails with IOException; it never reads past what it was given.
   */
  @FuzzTest
  void proxyAnswers(FuzzedDataProvider data) throws IOException {
    boolean socks = data.consumeBoolean();
    boolean credentials = data.consumeBoolean();
    ProxyHandshake h = socks
        ? ProxyHandshake.socks("origin.example.org", 443, credentials ? "user" : null, credentials ? "secret" : null)
        : ProxyHandshake.connect("origin.example.org", 443, credentials ? "user" : null, credentials ? "secret" : null);
    ByteBuffer in = ByteBuffer.allocate(ProxyHandshake.MAX_ANSWER + 1024);
    in.flip();
    h.output();
    for (int round = 0; round < 64 && data.remainingBytes() > 0; round++) {
      byte[] chunk = data.consumeBytes(data.consumeInt(1, 512));
      in.compact();
      if (chunk.length > in.remaining()) {
        return;
      }
      in.put(chunk).flip();
      boolean open;
      try {
        open = h.input(in);
      } catch (IOException refused) {
        return; // the proxy refused, or spoke something else
      }
      assertThat(in.position()).isLessThanOrEqualTo(in.limit());
      if (open) {
        return;
      }
      h.output();
    }
  }

  /**
   * DNS-SD records as a name server answers them: SRV targets are put in RFC 2782 order (every
   * target once) and TXT strings become attributes (RFC 6763 6), never thrown.
   */
  @FuzzTest
  void serviceRecords(FuzzedDataProvider data) throws Exception {
    org.xbill.DNS.Name name = org.xbill.DNS.Name.fromString("printer._ipp._tcp.example.org.");
    java.util.List<org.xbill.DNS.Record> srv = new java.util.ArrayList<>();
    int targets = data.consumeInt(0, 8);
    for (int i = 0; i < targets; i++) {
      srv.add(new org.xbill.DNS.SRVRecord(name, org.xbill.DNS.DClass.IN, 60, data.consumeInt(0, 65535),
          data.consumeInt(0, 65535), data.consumeInt(0, 65535),
          org.xbill.DNS.Name.fromString("host" + data.consumeInt(0, 3) + ".example.org.")));
    }
    java.io.ByteArrayOutputStream rdata = new java.io.ByteArrayOutputStream(); // strings as on the wire
    int count = data.consumeInt(1, 6);
    for (int i = 0; i < count; i++) {
      byte[] string = data.consumeBytes(data.consumeInt(0, 255));
      rdata.write(string.length);
      rdata.write(string, 0, string.length);
    }
    java.util.List<org.xbill.DNS.Record> txt = java.util.List.of(org.xbill.DNS.Record.newRecord(name,
        org.xbill.DNS.Type.TXT, org.xbill.DNS.DClass.IN, 60, rdata.toByteArray()));
    assertThat(ServiceResolver.order(srv)).hasSize(srv.size());
    for (java.util.Map.Entry<String, String> a : ServiceResolver.attributes(txt).entrySet()) {
      assertThat(a.getKey()).isNotEmpty().isEqualTo(a.getKey().toLowerCase(java.util.Locale.ROOT));
    }
  }

  /**
   * An FTP client whose control connection is a string: every command gets the next reply. There
   * is no socket, so nothing that connects is called; the NAT workaround (which asks the socket
   * for the server's address) is off.
   */
  static final class FuzzedControlConnection extends FTPClient {
    FuzzedControlConnection(String replies) {
      _controlInput_ = new BufferedReader(new StringReader(replies));
      _controlOutput_ = new BufferedWriter(Writer.nullWriter());
      setPassiveNatWorkaroundStrategy(null);
    }

    /** Parses a 227 (PASV) or 229 (EPSV) reply as passive mode would; the port must be valid. */
    void dataAddress(int code, String reply) throws IOException {
      if (code == 227) {
        _parsePassiveModeReply(reply);
      } else if (code == 229) {
        _parseExtendedPassiveModeReply(reply);
      } else {
        return;
      }
      assertThat(getPassivePort()).isBetween(0, 65535);
    }
  }

  static void assertSafeFileName(String name) {
    assertThat(name).isNotEmpty().doesNotContain("/", "\\", "\0").doesNotStartWith(".").isNotEqualTo("..");
    assertThat(name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length).isLessThanOrEqualTo(255);
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      assertThat(c < 0x20 || c == 0x7f || FileNames.isBidiControl(c)).as("char U+%04X in %s", (int) c, name).isFalse();
    }
  }

  /** Adds a header, or says the value cannot be in a response (not representable on the wire). */
  static boolean addHeader(Response.Builder b, String name, String value) {
    try {
      b.header(name, value);
      return true;
    } catch (IllegalArgumentException notRepresentable) {
      return false;
    }
  }

  /** A cache entry file with valid checksums around {@code meta} and {@code body}. */
  static byte[] frame(byte[] meta, byte[] body) {
    ByteBuffer file = ByteBuffer.allocate(20 + meta.length + body.length);
    file.putInt(CacheFileFormat.MAGIC).putInt(CacheFileFormat.VERSION).putInt(meta.length).put(meta);
    file.putInt(crc(file.array(), file.position()));
    file.put(body);
    file.putInt(crc(file.array(), file.position()));
    return file.array();
  }

  private static int crc(byte[] bytes, int length) {
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, length);
    return (int) crc.getValue();
  }
}
