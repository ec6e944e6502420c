package dev.urlsession;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.ftpserver.ConnectionConfigFactory;
import org.apache.ftpserver.FtpServer;
import org.apache.ftpserver.FtpServerFactory;
import org.apache.ftpserver.ftplet.Authority;
import org.apache.ftpserver.ftplet.DefaultFtplet;
import org.apache.ftpserver.ftplet.FtpException;
import org.apache.ftpserver.ftplet.FtpRequest;
import org.apache.ftpserver.ftplet.FtpSession;
import org.apache.ftpserver.ftplet.Ftplet;
import org.apache.ftpserver.ftplet.FtpletResult;
import org.apache.ftpserver.ftplet.UserManager;
import org.apache.ftpserver.listener.ListenerFactory;
import org.apache.ftpserver.usermanager.ClearTextPasswordEncryptor;
import org.apache.ftpserver.usermanager.PropertiesUserManagerFactory;
import org.apache.ftpserver.usermanager.impl.BaseUser;
import org.apache.ftpserver.usermanager.impl.ConcurrentLoginPermission;
import org.apache.ftpserver.usermanager.impl.TransferRatePermission;

/**
 * An embedded Apache FtpServer for {@link FtpTests}: on 127.0.0.1 with an ephemeral control port
 * and ephemeral passive ports, serving {@code home} to {@code anonymous} and to {@link #USER} /
 * {@link #PASSWORD} (who may also write). Records every connection and command it sees, can
 * refuse a command ({@link #refuse}) and interrupt the next download ({@link #abortNextDownload},
 * {@link #stallNextDownload}).
 */
final class FtpTestServer implements AutoCloseable {
  static {
    // The server logs every expected refusal and aborted transfer at WARN: keep test output quiet.
    System.setProperty("org.slf4j.simpleLogger.log.org.apache.ftpserver", "error");
    System.setProperty("org.slf4j.simpleLogger.log.org.apache.mina", "error");
  }

  static final String USER = "alice";
  static final String PASSWORD = "s3cret pass";

  private final FtpServer server;
  private final int port;
  private final AtomicInteger connections = new AtomicInteger();
  private final AtomicInteger disconnections = new AtomicInteger();
  /** Control connections the client has not left yet (no QUIT, not closed). */
  private final java.util.Set<java.util.UUID> inUse = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private final AtomicInteger mostOpen = new AtomicInteger();
  private final List<String> commands = new CopyOnWriteArrayList<>();
  private final Map<String, String> refusals = new java.util.concurrent.ConcurrentHashMap<>();
  /** Bytes of the next RETR sent before it is interrupted; -1 for none. */
  private final java.util.concurrent.atomic.AtomicLong interruptAfter = new java.util.concurrent.atomic.AtomicLong(-1);
  private volatile boolean abort;
  private final java.util.concurrent.CountDownLatch stall = new java.util.concurrent.CountDownLatch(1);

  private FtpTestServer(Path home) throws FtpException {
    FtpServerFactory factory = new FtpServerFactory();
    ListenerFactory listener = new ListenerFactory();
    listener.setServerAddress("127.0.0.1");
    listener.setPort(0);
    factory.addListener("default", listener.createListener());

    ConnectionConfigFactory connection = new ConnectionConfigFactory();
    connection.setAnonymousLoginEnabled(true);
    connection.setLoginFailureDelay(0);
    connection.setMaxLoginFailures(100);
    factory.setConnectionConfig(connection.createConnectionConfig());

    PropertiesUserManagerFactory users = new PropertiesUserManagerFactory();
    users.setPasswordEncryptor(new ClearTextPasswordEncryptor());
    UserManager userManager = users.createUserManager();
    userManager.save(user("anonymous", null, home, 0, false));
    userManager.save(user(USER, PASSWORD, home, 0, true));
    factory.setUserManager(userManager);

    Map<String, Ftplet> ftplets = new HashMap<>(); // the server clears it when stopped
    ftplets.put("recorder", new DefaultFtplet() {
      @Override
      public FtpletResult onConnect(FtpSession session) throws FtpException, IOException {
        connections.incrementAndGet();
        inUse.add(session.getSessionId());
        mostOpen.accumulateAndGet(inUse.size(), Math::max);
        return super.onConnect(session);
      }

      @Override
      public FtpletResult onDisconnect(FtpSession session) throws FtpException, IOException {
        disconnections.incrementAndGet();
        inUse.remove(session.getSessionId());
        return super.onDisconnect(session);
      }

      @Override
      public FtpletResult onDownloadStart(FtpSession session, FtpRequest request)
          throws FtpException, IOException {
        long limit = interruptAfter.getAndSet(-1);
        if (limit < 0) {
          return super.onDownloadStart(session, request);
        }
        interruptedDownload(session, request.getArgument(), limit);
        return FtpletResult.SKIP;
      }

      @Override
      public FtpletResult beforeCommand(FtpSession session, FtpRequest request)
          throws FtpException, IOException {
        commands.add(request.getCommand() + (request.hasArgument() ? " " + request.getArgument() : ""));
        if (request.getCommand().equalsIgnoreCase("QUIT")) {
          inUse.remove(session.getSessionId()); // the client is done with it: the server's close may come later
        }
        String refusal = refusals.get(request.getCommand().toUpperCase(java.util.Locale.ROOT));
        if (refusal != null) {
          session.write(new org.apache.ftpserver.ftplet.DefaultFtpReply(
              Integer.parseInt(refusal.substring(0, 3)), refusal.substring(4)));
          return FtpletResult.SKIP;
        }
        return super.beforeCommand(session, request);
      }
    });
    factory.setFtplets(ftplets);
    server = factory.createServer();
    server.start();
    port = factory.getListener("default").getPort();
  }

  private static BaseUser user(String name, String password, Path home, int downloadRate,
      boolean write) {
    BaseUser user = new BaseUser();
    user.setName(name);
    user.setPassword(password);
    user.setHomeDirectory(home.toAbsolutePath().toString());
    List<Authority> authorities = new ArrayList<>();
    authorities.add(new ConcurrentLoginPermission(0, 0));
    authorities.add(new TransferRatePermission(downloadRate, 0));
    if (write) {
      authorities.add(new org.apache.ftpserver.usermanager.impl.WritePermission());
    }
    user.setAuthorities(authorities);
    return user;
  }

  /** A server serving {@code home}, started. */
  static FtpTestServer start(Path home) throws FtpException {
    return new FtpTestServer(home);
  }

  int port() {
    return port;
  }

  /** An anonymous URL of {@code rawPath} (already escaped, without the leading slash). */
  URI url(String rawPath) {
    return URI.create("ftp://127.0.0.1:" + port + "/" + rawPath);
  }

  /** A URL of {@code rawPath} with raw (escaped) user info. */
  URI url(String rawUserInfo, String rawPath) {
    return URI.create("ftp://" + rawUserInfo + "@127.0.0.1:" + port + "/" + rawPath);
  }

  /**
   * Sends {@code limit} bytes of {@code path} (from the REST offset), then aborts (426) or stalls,
   * then the rest.
   */
  private void interruptedDownload(FtpSession session, String path, long limit)
      throws FtpException, IOException {
    org.apache.ftpserver.ftplet.FtpFile file = session.getFileSystemView().getFile(path);
    session.write(new org.apache.ftpserver.ftplet.DefaultFtpReply(150, "Opening data connection."));
    org.apache.ftpserver.ftplet.DataConnection data;
    try {
      data = session.getDataConnection().openConnection();
    } catch (Exception e) {
      throw new IOException("cannot open the data connection", e);
    }
    boolean aborting = abort;
    try (java.io.InputStream in = file.createInputStream(session.getFileOffset())) { // after REST
      // Two transfers on one data connection: each ends with a flush.
      data.transferToClient(session, new java.io.ByteArrayInputStream(in.readNBytes((int) limit)));
      if (!aborting) {
        try {
          stall.await(20, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        data.transferToClient(session, in);
      }
    } catch (IOException e) {
      // The client went away while stalled: nothing more to send.
    } finally {
      session.getDataConnection().closeDataConnection();
    }
    session.write(aborting
        ? new org.apache.ftpserver.ftplet.DefaultFtpReply(426, "Connection closed; transfer aborted.")
        : new org.apache.ftpserver.ftplet.DefaultFtpReply(226, "Transfer complete."));
  }

  /** The next RETR sends {@code bytes}, closes its data connection and answers 426. */
  void abortNextDownload(long bytes) {
    abort = true;
    interruptAfter.set(bytes);
  }

  /** The next RETR sends {@code bytes}, then waits for {@link #releaseStall} (20 s at most). */
  void stallNextDownload(long bytes) {
    abort = false;
    interruptAfter.set(bytes);
  }

  void releaseStall() {
    stall.countDown();
  }

  /** Answers {@code command} with {@code reply} ("502 Not implemented") instead of running it. */
  void refuse(String command, String reply) {
    refusals.put(command, reply);
  }

  /** How many control connections the server accepted. */
  int connections() {
    return connections.get();
  }

  /**
   * The most control connections the client used at once: from connect to its QUIT (or, without
   * one, until the connection closed). The server's own count also holds connections it has not
   * noticed closing yet.
   */
  int mostConnectionsAtOnce() {
    return mostOpen.get();
  }

  /** How many control connections ended (closed by either side). */
  int disconnections() {
    return disconnections.get();
  }

  /** Every command received, in order (with its argument). */
  List<String> commands() {
    return List.copyOf(commands);
  }

  @Override
  public void close() {
    releaseStall();
    server.stop();
  }
}
