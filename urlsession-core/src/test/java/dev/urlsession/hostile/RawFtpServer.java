package dev.urlsession.hostile;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.Writer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * A hostile FTP server on a loopback address: it logs anyone in and answers SIZE and MDTM for one
 * small file, but its answer to {@code PASV} / {@code EPSV} is what the test makes of the data
 * port (an address elsewhere, a reply without a port, ...). A data listener on the same address
 * serves the file to whoever connects there. It records the commands and counts open connections.
 */
final class RawFtpServer implements AutoCloseable {
  static final byte[] FILE = "hello over ftp".getBytes(StandardCharsets.US_ASCII);

  private final ServerSocket control;
  private final ServerSocket data;
  private final IntFunction<String> passiveReply;
  private final Thread acceptor;
  private final AtomicInteger open = new AtomicInteger();
  final List<String> commands = new CopyOnWriteArrayList<>();
  final AtomicInteger dataConnections = new AtomicInteger();

  /** {@code passiveReply} makes the PASV or EPSV reply line (without CRLF) from the data port. */
  RawFtpServer(InetAddress address, IntFunction<String> passiveReply) throws IOException {
    this.control = new ServerSocket(0, 50, address);
    this.data = new ServerSocket(0, 50, address);
    this.data.setSoTimeout(10_000);
    this.passiveReply = passiveReply;
    this.acceptor = new Thread(this::acceptLoop, "raw-ftp-server");
    this.acceptor.setDaemon(true);
    this.acceptor.start();
  }

  URI url(String path) {
    InetAddress a = control.getInetAddress();
    String host = a.getHostAddress().contains(":") ? "[" + a.getHostAddress() + "]" : a.getHostAddress();
    return URI.create("ftp://" + host + ":" + control.getLocalPort() + path);
  }

  int openConnections() {
    return open.get();
  }

  private void acceptLoop() {
    while (!control.isClosed()) {
      try (Socket s = control.accept()) {
        open.incrementAndGet();
        try {
          serve(s);
        } finally {
          open.decrementAndGet();
        }
      } catch (IOException e) {
        // closed, or the client went away
      }
    }
  }

  private void serve(Socket s) throws IOException {
    s.setSoTimeout(20_000);
    BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
    Writer out = new java.io.OutputStreamWriter(s.getOutputStream(), StandardCharsets.US_ASCII);
    reply(out, "220 hostile ftp");
    String line;
    while ((line = in.readLine()) != null) {
      commands.add(line);
      String verb = line.split(" ", 2)[0].toUpperCase(java.util.Locale.ROOT);
      switch (verb) {
        case "USER" -> reply(out, "331 any password");
        case "PASS" -> reply(out, "230 in");
        case "TYPE", "MODE", "STRU" -> reply(out, "200 ok");
        case "SIZE" -> reply(out, "213 " + FILE.length);
        case "MDTM" -> reply(out, "213 20260101000000");
        case "PASV", "EPSV" -> reply(out, passiveReply.apply(data.getLocalPort()));
        case "RETR" -> retrieve(out);
        case "QUIT" -> {
          reply(out, "221 bye");
          return;
        }
        default -> reply(out, "502 not here");
      }
    }
  }

  private void retrieve(Writer out) throws IOException {
    Socket d;
    try {
      d = data.accept();
    } catch (SocketTimeoutException nobodyCame) {
      reply(out, "425 no data connection");
      return;
    }
    dataConnections.incrementAndGet();
    reply(out, "150 here it comes");
    try (Socket socket = d; OutputStream o = socket.getOutputStream()) {
      o.write(FILE);
    }
    reply(out, "226 done");
  }

  private static void reply(Writer out, String line) throws IOException {
    out.write(line + "\r\n");
    out.flush();
  }

  @Override
  public void close() throws IOException {
    control.close();
    data.close();
  }
}
