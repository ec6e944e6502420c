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
 * {@link #PASSWORD}. Records every connection and command it sees.
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
  private final List<String> commands = new CopyOnWriteArrayList<>();

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
    userManager.save(user("anonymous", null, home));
    userManager.save(user(USER, PASSWORD, home));
    factory.setUserManager(userManager);

    Map<String, Ftplet> ftplets = new HashMap<>(); // the server clears it when stopped
    ftplets.put("recorder", new DefaultFtplet() {
      @Override
      public FtpletResult onConnect(FtpSession session) throws FtpException, IOException {
        connections.incrementAndGet();
        return super.onConnect(session);
      }

      @Override
      public FtpletResult onDisconnect(FtpSession session) throws FtpException, IOException {
        disconnections.incrementAndGet();
        return super.onDisconnect(session);
      }

      @Override
      public FtpletResult beforeCommand(FtpSession session, FtpRequest request)
          throws FtpException, IOException {
        commands.add(request.getCommand() + (request.hasArgument() ? " " + request.getArgument() : ""));
        return super.beforeCommand(session, request);
      }
    });
    factory.setFtplets(ftplets);
    server = factory.createServer();
    server.start();
    port = factory.getListener("default").getPort();
  }

  private static BaseUser user(String name, String password, Path home) {
    BaseUser user = new BaseUser();
    user.setName(name);
    user.setPassword(password);
    user.setHomeDirectory(home.toAbsolutePath().toString());
    List<Authority> authorities = new ArrayList<>();
    authorities.add(new ConcurrentLoginPermission(0, 0));
    authorities.add(new TransferRatePermission(0, 0));
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

  /** How many control connections the server accepted. */
  int connections() {
    return connections.get();
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
    server.stop();
  }
}
