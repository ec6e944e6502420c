package dev.urlsession.internal;

import dev.urlsession.Request;
import dev.urlsession.Response;
import dev.urlsession.SessionConfiguration;
import dev.urlsession.SessionException;
import dev.urlsession.SessionException.Code;
import dev.urlsession.spi.ProtocolLoad;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.concurrent.Executor;
import javax.net.SocketFactory;
import org.apache.commons.net.MalformedServerReplyException;
import org.apache.commons.net.ProtocolCommandEvent;
import org.apache.commons.net.ProtocolCommandListener;
import org.apache.commons.net.ftp.FTP;
import org.apache.commons.net.ftp.FTPClient;
import org.apache.commons.net.ftp.FTPReply;
import org.jspecify.annotations.Nullable;

/**
 * The built-in {@code ftp:} handler (URLSESSION-BEHAVIOUR.md 8.1), on Apache Commons Net:
 * anonymous or {@code user:password@} login from the URL, passive mode, binary type (or ASCII
 * with {@code ;type=a}), one file per load for data and download tasks. The response has status
 * 0, the size the server gives for {@code SIZE} as expected length (-1 without) and a MIME type
 * guessed from the extension; it is sent once {@code RETR} is accepted.
 *
 * <p>Download tasks (binary type) also ask {@code MDTM} and report it with {@code SIZE} as the
 * file's validators, so a failed or cancelled download can be resumed. Resuming, the handler asks
 * {@code SIZE} and {@code MDTM} again and sends {@code REST <offset>} before {@code RETR} only
 * when both are unchanged; the body then continues at the offset (the response's expected length
 * is what remains). A changed file or a refused {@code REST} (500, 502...) sends the file whole,
 * and the task starts its partial file over.
 *
 * <p>An upload task's load (an extension: Apple's FTP only reads) sends its body with
 * {@code STOR} to the URL's path, reporting progress, and answers with an empty response (status
 * 0, expected length 0, no MIME type) once the server confirmed the transfer (226). The upload
 * keeps a pool thread while it lasts. A refused {@code STOR} fails with
 * {@code RESOURCE_UNAVAILABLE} (550, 553: permission denied, name not allowed; no closer code
 * exists for a refused write), {@code DATA_LENGTH_EXCEEDS_MAXIMUM} (452, 552: no room) or as for
 * {@code RETR}; a body stream that fails with {@code REQUEST_BODY_STREAM_EXHAUSTED}. Whatever the
 * server kept of a failed or cancelled upload stays there.
 *
 * <p>Every blocking call runs on a small daemon pool of this class: never on the caller's thread
 * nor on an HttpClient thread. The body streams with flow control (the pool's thread is given
 * back while the task wants no data). Stopping a load closes its sockets. A session opens at most
 * {@code httpMaximumConnectionsPerHost} connections to one FTP server at a time (servers refuse
 * more with 421, often at 10): further loads wait, without a thread, until one ends.
 *
 * <p>Before any byte is sent: a URL whose decoded path, user or password holds CR, LF or NUL fails
 * with {@code BAD_URL} (no command can be smuggled in, RELIABILITY.md Security row 3), and a host
 * the configuration's {@link dev.urlsession.TransportSecurityPolicy} does not allow cleartext
 * loads to fails with {@code APP_TRANSPORT_SECURITY_REQUIRES_SECURE_CONNECTION} (FTP is
 * cleartext). Data connections go only to the control connection's peer (Commons Net ignores
 * the address of a {@code PASV} reply). Failures: {@code CANNOT_FIND_HOST},
 * {@code CANNOT_CONNECT_TO_HOST}, {@code USER_AUTHENTICATION_REQUIRED} (login refused),
 * {@code FILE_DOES_NOT_EXIST} (550), {@code RESOURCE_UNAVAILABLE} (other refusals),
 * {@code TIMED_OUT}, {@code NETWORK_CONNECTION_LOST}.
 */
public final class FtpHandler implements BuiltInHandler {
  /** Threads may block on slow servers: a few more than for files, shared by every session. */
  private static final Executor POOL = FileStreamPump.pool("urlsession-ftp-", 8);

  private static final int DEFAULT_PORT = 21;
  private static final String ANONYMOUS = "anonymous";
  private static final String ANONYMOUS_PASSWORD = "anonymous@";

  private final SessionConfiguration configuration;
  /** Connections open or opening per server ({@code host:port}), and the loads waiting for one. */
  private final Map<String, Slots> servers = new HashMap<>();

  /** A handler for a session with {@code configuration} (its timeouts and transport security). */
  public FtpHandler(SessionConfiguration configuration) {
    this.configuration = Checks.notNull(configuration, "configuration");
  }

  /** One server's connections: how many are in use, and the loads waiting, first come first served. */
  private static final class Slots {
    int used;
    final ArrayDeque<FtpLoad> waiting = new ArrayDeque<>();
  }

  /** Takes a connection slot for {@code l}, or queues it (it starts when one frees). */
  private boolean acquire(FtpLoad l) {
    synchronized (servers) {
      Slots s = servers.computeIfAbsent(l.server, k -> new Slots());
      if (s.used < configuration.httpMaximumConnectionsPerHost()) {
        s.used++;
        return true;
      }
      s.waiting.add(l);
      return false;
    }
  }

  /** Gives {@code l}'s slot to the next waiting load (started here), or frees it. */
  private void release(FtpLoad l) {
    FtpLoad next;
    synchronized (servers) {
      Slots s = servers.get(l.server);
      if (s == null) {
        return;
      }
      next = s.waiting.poll();
      if (next == null && --s.used == 0) {
        servers.remove(l.server);
      }
    }
    if (next != null) {
      next.granted();
    }
  }

  /** A load stopped before it had a slot leaves the queue; true if it was waiting. */
  private boolean leaveQueue(FtpLoad l) {
    synchronized (servers) {
      Slots s = servers.get(l.server);
      return s != null && s.waiting.remove(l);
    }
  }

  @Override
  public boolean canHandle(Request request) {
    return "ftp".equalsIgnoreCase(request.url().getScheme());
  }

  @Override
  public void startLoading(ProtocolLoad load, @Nullable LoadSupport support) {
    Request request = load.request();
    URI url = request.url();
    Target target;
    try {
      target = Target.parse(url);
    } catch (IllegalArgumentException e) {
      load.client().didFail(new SessionException(Code.BAD_URL, url, "bad URL: " + e.getMessage(), null));
      return;
    } catch (UnsupportedOperationException e) {
      load.client().didFail(new SessionException(Code.UNSUPPORTED_URL, url,
          "unsupported URL: " + e.getMessage(), null));
      return;
    }
    if (!configuration.transportSecurity().allowsInsecureLoad(target.host)) {
      load.client().didFail(new SessionException(
          Code.APP_TRANSPORT_SECURITY_REQUIRES_SECURE_CONNECTION, url,
          "FTP is cleartext: the transport security policy does not allow it to " + target.host, null));
      return;
    }
    Duration timeout = request.isTimeoutIntervalSet()
        ? request.timeoutInterval() : configuration.timeoutIntervalForRequest();
    FtpLoad l = new FtpLoad(load, support, target, millis(timeout));
    load.attachment(l); // stoppable while it waits for a connection slot
    if (acquire(l)) {
      l.granted();
    }
  }

  @Override
  public void stopLoading(ProtocolLoad load) {
    Object attachment = load.attachment();
    if (attachment instanceof FtpLoad) {
      ((FtpLoad) attachment).stop();
    }
  }

  private static int millis(Duration d) {
    try {
      long ms = d.toMillis();
      return ms <= 0 ? 0 : (int) Math.min(Integer.MAX_VALUE, ms);
    } catch (ArithmeticException e) {
      return 0; // beyond any real timeout: none
    }
  }

  /** What an ftp: URL asks for, checked and decoded. */
  static final class Target {
    final String host;
    final int port;
    final String user;
    final String password;
    /** The file to RETR, relative to the login directory unless it starts with '/'. */
    final String path;
    final boolean binary;

    private Target(String host, int port, String user, String password, String path, boolean binary) {
      this.host = host;
      this.port = port;
      this.user = user;
      this.password = password;
      this.path = path;
      this.binary = binary;
    }

    /**
     * Parses {@code url}: IllegalArgumentException for a bad URL (among them CR, LF or NUL in the
     * decoded path or credentials), UnsupportedOperationException for what is valid but not
     * supported (directory listings).
     */
    static Target parse(URI url) {
      if (url.isOpaque()) {
        throw new IllegalArgumentException("an ftp URL needs a host (ftp://host/path)");
      }
      String host = url.getHost();
      if (host == null || host.isEmpty()) {
        throw new IllegalArgumentException("an ftp URL needs a host (ftp://host/path)");
      }
      if (host.startsWith("[") && host.endsWith("]")) {
        host = host.substring(1, host.length() - 1);
      }
      int port = url.getPort();
      if (port > 65535) {
        throw new IllegalArgumentException("the port must be at most 65535");
      }
      String user = ANONYMOUS;
      String password = ANONYMOUS_PASSWORD;
      String userInfo = url.getRawUserInfo();
      if (userInfo != null) {
        int colon = userInfo.indexOf(':');
        String rawUser = colon < 0 ? userInfo : userInfo.substring(0, colon);
        String rawPassword = colon < 0 ? "" : userInfo.substring(colon + 1);
        if (!rawUser.isEmpty()) {
          user = checked(decode(rawUser), "user name");
          password = checked(decode(rawPassword), "password");
        }
      }
      String rawPath = url.getRawPath() == null ? "" : url.getRawPath();
      boolean binary = true;
      int type = rawPath.lastIndexOf(";type=");
      if (type < 0) {
        type = rawPath.toLowerCase(Locale.ROOT).lastIndexOf(";type=");
      }
      if (type >= 0 && type == rawPath.length() - 7) {
        char code = Character.toLowerCase(rawPath.charAt(rawPath.length() - 1));
        if (code == 'd') {
          throw new UnsupportedOperationException("ftp directory listings (;type=d) are not supported");
        }
        if (code != 'a' && code != 'i') {
          throw new IllegalArgumentException("the ftp type code must be a, i or d");
        }
        binary = code == 'i';
        rawPath = rawPath.substring(0, type);
      }
      if (rawPath.startsWith("/")) {
        rawPath = rawPath.substring(1); // the separator after the host, not part of the path
      }
      String path = checked(decode(rawPath), "path");
      if (path.isEmpty() || path.endsWith("/")) {
        throw new UnsupportedOperationException("ftp directory listings are not supported: the URL"
            + " must name a file");
      }
      return new Target(host, port < 0 ? DEFAULT_PORT : port, user, password, path, binary);
    }

    /** The file's name, for its MIME type. */
    String fileName() {
      return path.substring(path.lastIndexOf('/') + 1);
    }

    /** {@code value}, unless a CR, LF or NUL in it could end an FTP command line early. */
    private static String checked(String value, String what) {
      for (int i = 0; i < value.length(); i++) {
        char c = value.charAt(i);
        if (c == '\r' || c == '\n' || c == '\0') {
          throw new IllegalArgumentException("the ftp " + what + " may not contain CR, LF or NUL");
        }
      }
      return value;
    }

    /** Percent-decodes {@code raw} as UTF-8, strictly. */
    private static String decode(String raw) {
      return PercentCoding.utf8(PercentCoding.decode(raw, 0, false));
    }
  }

  /** Creates plain sockets and remembers them, so that a stop can close every one. */
  private static final class Sockets extends SocketFactory {
    private final List<Socket> created = new ArrayList<>();
    private boolean closed;

    private synchronized Socket track(Socket s) throws IOException {
      if (closed) {
        s.close();
      } else {
        created.add(s);
      }
      return s;
    }

    void closeAll() {
      List<Socket> all;
      synchronized (this) {
        closed = true;
        all = new ArrayList<>(created);
        created.clear();
      }
      for (Socket s : all) {
        try {
          s.close();
        } catch (IOException e) {
          // Closing only to stop: nothing to do.
        }
      }
    }

    @Override
    public Socket createSocket() throws IOException {
      return track(new Socket());
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
      return track(new Socket(host, port));
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort)
        throws IOException {
      return track(new Socket(host, port, localHost, localPort));
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
      return track(new Socket(host, port));
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
        throws IOException {
      return track(new Socket(address, port, localAddress, localPort));
    }
  }

  /**
   * One load: connect, log in, RETR, then the data connection's bytes. Its reply helpers are
   * package-private for the fuzz tests (InternalParsersFuzzTests), which feed them fuzzed replies.
   */
  final class FtpLoad extends FileStreamPump {
    /** The server's key for the connection slots. */
    final String server;
    /** 0: waiting for a slot; 1: holding one; 2: released it (or never had one). */
    private final java.util.concurrent.atomic.AtomicInteger slot = new java.util.concurrent.atomic.AtomicInteger();
    private final Target target;
    private final int timeoutMillis;
    private final Sockets sockets = new Sockets();
    /** Owned by the pump's turns. */
    private @Nullable FTPClient ftp;
    private @Nullable InputStream data;
    /** The last command sent on the control connection (upper case), to tell what a refusal answers. */
    private @Nullable String lastCommand;
    /** Whether this load stored a body (its response has no body, its transfer is confirmed). */
    private boolean uploaded;

    FtpLoad(ProtocolLoad load, @Nullable LoadSupport support, Target target, int timeoutMillis) {
      super(load, support, POOL);
      this.target = target;
      this.timeoutMillis = timeoutMillis;
      this.server = target.host.toLowerCase(Locale.ROOT) + ":" + target.port;
    }

    /** A connection slot is this load's: it starts (unless it was stopped while waiting). */
    void granted() {
      if (!slot.compareAndSet(0, 1)) {
        return;
      }
      if (isStopped()) {
        close(false);
      } else {
        start();
      }
    }

    @Override
    boolean open() throws IOException {
      URI url = load.request().url();
      FTPClient c = new FTPClient();
      ftp = c;
      c.setSocketFactory(sockets);
      c.setConnectTimeout(timeoutMillis);
      c.setDefaultTimeout(timeoutMillis); // the control connection's read timeout
      c.setDataTimeout(Duration.ofMillis(timeoutMillis));
      c.setControlEncoding(StandardCharsets.UTF_8.name());
      c.setRemoteVerificationEnabled(true); // the data connection's peer is the control's
      c.addProtocolCommandListener(new ProtocolCommandListener() {
        @Override
        public void protocolCommandSent(ProtocolCommandEvent event) {
          lastCommand = event.getCommand();
        }

        @Override
        public void protocolReplyReceived(ProtocolCommandEvent event) {}
      });
      recorder.connectStart = Instant.now();
      c.connect(target.host, target.port);
      if (!FTPReply.isPositiveCompletion(c.getReplyCode())) {
        fail(new SessionException(Code.CANNOT_CONNECT_TO_HOST, url,
            "Could not connect to the server: it answered " + reply(c), null));
        return false;
      }
      recorder.connectEnd = Instant.now();
      recorder.requestStart = recorder.connectEnd;
      if (!c.login(target.user, target.password)) {
        fail(new SessionException(Code.USER_AUTHENTICATION_REQUIRED, url,
            "The FTP server refused the login of " + (target.user.equals(ANONYMOUS) ? "anonymous" : "the URL's user")
                + ": " + reply(c), null));
        return false;
      }
      if (!c.setFileType(target.binary ? FTP.BINARY_FILE_TYPE : FTP.ASCII_FILE_TYPE)) {
        fail(failure(c, url, "TYPE"));
        return false;
      }
      c.enterLocalPassiveMode();
      // Upload tasks store their body; another task's request body is ignored, as Apple's FTP does.
      RequestBody body = support != null && load.task() instanceof dev.urlsession.UploadTask
          ? support.requestBody() : null;
      if (body != null) {
        return store(c, url, body);
      }
      long size = -1;
      if (target.binary) {
        // SIZE is optional (RFC 3659): no answer means an unknown length, not a failure.
        size = parseSize(c.getSize(target.path));
      }
      // A download's identity: MDTM and SIZE (binary only: ASCII offsets are not byte offsets).
      String modified = null;
      boolean validated = target.binary && support != null && support.mayResume();
      if (validated && size >= 0) {
        modified = modificationTime(c.getModificationTime(target.path));
      }
      ResumePoint resume = validated ? support.resumePoint() : null;
      boolean continues = resume != null && modified != null && modified.equals(resume.lastModified())
          && size == resume.size() && resume.offset() <= size;
      if (continues) {
        // The same file: ask for the rest (Commons Net sends REST right before RETR, after PASV).
        c.setRestartOffset(resume.offset());
      }
      InputStream in = c.retrieveFileStream(target.path);
      if (in == null && continues && "REST".equals(lastCommand)) {
        // The server refuses REST (500, 502...): load the file whole, never append blindly.
        continues = false;
        c.setRestartOffset(0);
        in = c.retrieveFileStream(target.path);
      }
      recorder.requestEnd = Instant.now();
      if (in == null) {
        fail(failure(c, url, "RETR"));
        return false;
      }
      data = in;
      if (isStopped()) {
        close(false);
        return false;
      }
      if (validated) {
        support.resourceValidated(size >= 0 ? modified : null, size, continues);
      }
      respond(Response.builder(url)
          .mimeType(FileMimeTypes.forName(target.fileName()))
          .textEncodingName(null)
          .expectedContentLength(continues ? size - resume.offset() : size)
          .build());
      return true;
    }

    /**
     * Sends {@code body} with STOR, reporting progress, and answers once the server confirmed the
     * transfer. Blocks the pool's thread for the whole upload (stopping closes the sockets).
     */
    private boolean store(FTPClient c, URI url, RequestBody body) throws IOException {
      uploaded = true;
      try (InputStream in = body.openStream()) {
        OutputStream out = c.storeFileStream(target.path);
        if (out == null) {
          recorder.requestEnd = Instant.now();
          fail(storeFailure(c, url));
          return false;
        }
        byte[] buffer = new byte[CHUNK];
        for (int n; (n = readBody(in, buffer, url)) >= 0; ) {
          if (isStopped()) {
            close(false);
            return false;
          }
          if (n > 0) {
            out.write(buffer, 0, n);
            recorder.requestBodyBytesSent += n;
            support.didSendBodyData(n);
          }
        }
        out.close(); // ends the data connection: the server then confirms (226) or refuses
      }
      recorder.requestEnd = Instant.now();
      if (!c.completePendingCommand()) {
        fail(storeFailure(c, url));
        return false;
      }
      if (isStopped()) {
        close(false);
        return false;
      }
      respond(Response.builder(url).mimeType(null).textEncodingName(null).expectedContentLength(0).build());
      return true;
    }

    @Override
    int read(byte[] buffer) throws IOException {
      if (uploaded) {
        return -1; // an upload's response has no body
      }
      InputStream in = data;
      return in == null ? -1 : in.read(buffer);
    }

    @Override
    void complete() throws IOException {
      FTPClient c = ftp;
      InputStream in = data;
      data = null;
      if (in != null) {
        in.close();
      }
      if (c != null && !uploaded && !c.completePendingCommand()) {
        // 426 and the like: the server says the transfer did not complete.
        throw new SessionException(Code.NETWORK_CONNECTION_LOST, load.request().url(),
            "The FTP transfer did not complete: " + reply(c), null);
      }
    }

    @Override
    void close(boolean graceful) {
      FTPClient c = ftp;
      if (graceful && c != null && c.isConnected()) {
        try {
          c.logout(); // QUIT, on the pool after success
        } catch (IOException e) {
          // Leaving anyway.
        }
      }
      sockets.closeAll();
      if (slot.compareAndSet(1, 2)) {
        release(this);
      } else if (slot.get() == 0 && leaveQueue(this)) {
        slot.set(2);
      }
    }

    @Override
    SessionException map(Throwable e) {
      SessionException badReply = badReply(e, load.request().url());
      if (badReply != null) {
        return badReply;
      }
      if (!(e instanceof SessionException) && e.getCause() instanceof java.net.SocketTimeoutException) {
        // Commons Net wraps a greeting that never came ("Timed out waiting for initial connect reply").
        return ErrorMapper.map(e.getCause(), load.request().url());
      }
      return super.map(e);
    }

    /**
     * {@code BAD_SERVER_RESPONSE} for a reply Commons Net could not parse: a
     * MalformedServerReplyException, or an unchecked exception from its parsers (a {@code 229}
     * without its {@code (|||port|)} makes it cut a string at -1); null for any other failure.
     */
    static @Nullable SessionException badReply(Throwable e, URI url) {
      if (e instanceof MalformedServerReplyException) {
        return new SessionException(Code.BAD_SERVER_RESPONSE, url, "The FTP server sent a bad reply: " + e.getMessage(), e);
      }
      if (e instanceof RuntimeException && ErrorMapper.thrownBy(e, "org.apache.commons.net.")) {
        return new SessionException(Code.BAD_SERVER_RESPONSE, url, "The FTP server sent a bad reply: " + e, e);
      }
      return null;
    }

    static SessionException failure(FTPClient c, URI url, String command) {
      int code = c.getReplyCode();
      Code mapped;
      switch (code) {
        case 530:
        case 532:
          mapped = Code.USER_AUTHENTICATION_REQUIRED;
          break;
        case 550:
          mapped = Code.FILE_DOES_NOT_EXIST;
          break;
        case 425:
          mapped = Code.CANNOT_CONNECT_TO_HOST;
          break;
        case 421:
        case 426:
          mapped = Code.NETWORK_CONNECTION_LOST;
          break;
        default:
          mapped = Code.RESOURCE_UNAVAILABLE;
      }
      return new SessionException(mapped, url, "The FTP server refused " + command + ": " + reply(c), null);
    }

    /** Reads the upload body: its failure is the application's, not the network's. */
    private int readBody(InputStream in, byte[] buffer, URI url) throws SessionException {
      try {
        return in.read(buffer);
      } catch (IOException | RuntimeException e) {
        throw new SessionException(Code.REQUEST_BODY_STREAM_EXHAUSTED, url,
            "reading the upload body failed: " + e, e);
      }
    }

    /**
     * A refused or failed STOR: 452 and 552 (no room) as {@code DATA_LENGTH_EXCEEDS_MAXIMUM};
     * 550 and 553 (permission denied, name not allowed) as {@code NO_PERMISSIONS_TO_READ_FILE}
     * would be wrong, so as {@code RESOURCE_UNAVAILABLE}; the rest as for RETR.
     */
    static SessionException storeFailure(FTPClient c, URI url) {
      int code = c.getReplyCode();
      if (code == 452 || code == 552) {
        return new SessionException(Code.DATA_LENGTH_EXCEEDS_MAXIMUM, url,
            "The FTP server has no room for the upload: " + reply(c), null);
      }
      if (code == 550 || code == 553) {
        return new SessionException(Code.RESOURCE_UNAVAILABLE, url,
            "The FTP server refused to store the file: " + reply(c), null);
      }
      return failure(c, url, "STOR");
    }

    /** The time of a 213 MDTM reply ({@code YYYYMMDDhhmmss[.sss]}), or null. */
    static @Nullable String modificationTime(@Nullable String reply) {
      if (reply == null) {
        return null;
      }
      String t = reply.trim();
      return t.length() >= 14 && t.chars().allMatch(ch -> Character.isDigit(ch) || ch == '.') ? t : null;
    }

    private static String reply(FTPClient c) {
      String r = c.getReplyString();
      return r == null ? String.valueOf(c.getReplyCode()) : r.strip();
    }

    static long parseSize(@Nullable String reply) {
      if (reply == null) {
        return -1;
      }
      try {
        long n = Long.parseLong(reply.trim());
        return n >= 0 ? n : -1;
      } catch (NumberFormatException e) {
        return -1;
      }
    }
  }
}
