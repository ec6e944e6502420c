package dev.urlsession.internal;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.apache.hc.core5.http.ParseException;
import org.apache.hc.core5.http.message.BasicLineParser;
import org.apache.hc.core5.http.message.StatusLine;
import org.apache.hc.core5.util.CharArrayBuffer;
import org.jspecify.annotations.Nullable;

/**
 * The opening of a tunnel through a proxy, before the stream's own bytes: SOCKS5 (RFC 1928, with
 * RFC 1929 username and password) or HTTP {@code CONNECT} (RFC 9110 9.3.6). {@code SocketChannel}
 * has no proxy support (the JDK's SOCKS client is for blocking sockets only, HttpCore's is internal
 * to its reactor), so these two small exchanges are written here; the CONNECT status line is
 * parsed by HttpCore's {@link BasicLineParser}.
 *
 * <p>Not thread-safe: used by one connection on its I/O thread.
 */
abstract class ProxyHandshake {
  /** The most a proxy's answer may take before the tunnel is open (a CONNECT response head). */
  static final int MAX_ANSWER = 16 * 1024;

  /** Bytes to send now (may be empty). */
  abstract ByteBuffer output();

  /**
   * Takes the proxy's bytes in {@code in} (read mode); returns true once the tunnel is open, with
   * {@code in} positioned at the first byte of the stream, false when more bytes are needed (then
   * {@link #output()} may have more to send).
   *
   * @throws IOException when the proxy refuses or answers what is not its protocol
   */
  abstract boolean input(ByteBuffer in) throws IOException;

  static ProxyHandshake socks(String host, int port, @Nullable String user, @Nullable String password) {
    return new Socks(host, port, user, password);
  }

  static ProxyHandshake connect(String host, int port, @Nullable String user, @Nullable String password) {
    return new Connect(host, port, user, password);
  }

  /** {@code host} as it goes in an authority: IPv6 literals in brackets. */
  static String authority(String host, int port) {
    return (host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host) + ":" + port;
  }

  private static final class Socks extends ProxyHandshake {
    private enum Phase { METHOD, AUTH, REPLY }

    private final String host;
    private final int port;
    private final @Nullable String user;
    private final @Nullable String password;
    private Phase phase = Phase.METHOD;
    private ByteBuffer out;

    Socks(String host, int port, @Nullable String user, @Nullable String password) {
      this.host = host;
      this.port = port;
      this.user = user;
      this.password = password;
      this.out = user != null
          ? ByteBuffer.wrap(new byte[] {5, 2, 0x00, 0x02})
          : ByteBuffer.wrap(new byte[] {5, 1, 0x00});
    }

    @Override
    ByteBuffer output() {
      return out;
    }

    @Override
    boolean input(ByteBuffer in) throws IOException {
      while (true) {
        switch (phase) {
          case METHOD -> {
            if (in.remaining() < 2) {
              return false;
            }
            int version = in.get() & 0xFF;
            int method = in.get() & 0xFF;
            if (version != 5) {
              throw new ConnectException("the SOCKS proxy does not speak SOCKS5");
            }
            if (method == 0x02 && user != null) {
              byte[] u = user.getBytes(StandardCharsets.UTF_8);
              byte[] p = password == null ? new byte[0] : password.getBytes(StandardCharsets.UTF_8);
              if (u.length > 255 || p.length > 255) {
                throw new ConnectException("SOCKS credentials longer than 255 bytes");
              }
              out = ByteBuffer.allocate(3 + u.length + p.length);
              out.put((byte) 1).put((byte) u.length).put(u).put((byte) p.length).put(p).flip();
              phase = Phase.AUTH;
            } else if (method == 0x00) {
              out = request();
              phase = Phase.REPLY;
            } else {
              throw new ConnectException("the SOCKS proxy accepts none of our authentication methods"
                  + (user == null ? " (it may want a username and password)" : ""));
            }
          }
          case AUTH -> {
            if (in.remaining() < 2) {
              return false;
            }
            in.get();
            if (in.get() != 0) {
              throw new ConnectException("the SOCKS proxy rejected the username and password");
            }
            out = request();
            phase = Phase.REPLY;
          }
          default -> {
            if (in.remaining() < 5) {
              return false;
            }
            int start = in.position();
            int reply = in.get(start + 1) & 0xFF;
            int type = in.get(start + 3) & 0xFF;
            int length = switch (type) {
              case 0x01 -> 4 + 6;
              case 0x04 -> 16 + 6;
              case 0x03 -> (in.get(start + 4) & 0xFF) + 1 + 6;
              default -> throw new ConnectException("the SOCKS proxy answered an unknown address type");
            };
            if (reply != 0) {
              throw new ConnectException("the SOCKS proxy could not connect to " + authority(host, port)
                  + ": " + replyText(reply));
            }
            if (in.remaining() < length) {
              return false;
            }
            in.position(start + length);
            return true;
          }
        }
      }
    }

    private ByteBuffer request() throws IOException {
      byte[] address;
      byte type;
      if (isIpv4(host)) {
        address = InetAddress.getByName(host).getAddress(); // a literal: no lookup
        type = 0x01;
      } else if (host.indexOf(':') >= 0) {
        address = InetAddress.getByName(host.replace("[", "").replace("]", "")).getAddress();
        type = 0x04;
      } else {
        byte[] name = host.getBytes(StandardCharsets.US_ASCII);
        if (name.length > 255) {
          throw new ConnectException("host name longer than 255 bytes cannot be sent through SOCKS");
        }
        address = new byte[name.length + 1];
        address[0] = (byte) name.length;
        System.arraycopy(name, 0, address, 1, name.length);
        type = 0x03; // the proxy resolves the name: nothing leaks to the local resolver
      }
      ByteBuffer b = ByteBuffer.allocate(6 + address.length);
      b.put((byte) 5).put((byte) 1).put((byte) 0).put(type).put(address).putShort((short) port).flip();
      return b;
    }

    private static boolean isIpv4(String host) {
      return host.matches("\\d{1,3}(\\.\\d{1,3}){3}");
    }

    private static String replyText(int code) {
      return switch (code) {
        case 0x01 -> "general failure";
        case 0x02 -> "not allowed by the proxy's rules";
        case 0x03 -> "network unreachable";
        case 0x04 -> "host unreachable";
        case 0x05 -> "connection refused";
        case 0x06 -> "TTL expired";
        case 0x07 -> "command not supported";
        case 0x08 -> "address type not supported";
        default -> "reply " + code;
      };
    }
  }

  private static final class Connect extends ProxyHandshake {
    private final String target;
    private final ByteBuffer out;

    Connect(String host, int port, @Nullable String user, @Nullable String password) {
      this.target = authority(host, port);
      StringBuilder head = new StringBuilder("CONNECT ").append(target).append(" HTTP/1.1\r\nHost: ")
          .append(target).append("\r\n");
      if (user != null) {
        // The session's configured proxy credentials, sent at once (RFC 7617 Basic).
        String token = user + ":" + (password == null ? "" : password);
        head.append("Proxy-Authorization: Basic ")
            .append(Base64.getEncoder().encodeToString(token.getBytes(StandardCharsets.UTF_8))).append("\r\n");
      }
      head.append("\r\n");
      this.out = ByteBuffer.wrap(head.toString().getBytes(StandardCharsets.ISO_8859_1));
    }

    @Override
    ByteBuffer output() {
      return out;
    }

    @Override
    boolean input(ByteBuffer in) throws IOException {
      int end = headEnd(in);
      if (end < 0) {
        if (in.remaining() >= MAX_ANSWER) {
          throw new ConnectException("the HTTP proxy's answer to CONNECT is longer than " + MAX_ANSWER + " bytes");
        }
        return false;
      }
      int start = in.position();
      int lineEnd = start;
      while (in.get(lineEnd) != '\n') {
        lineEnd++;
      }
      CharArrayBuffer line = new CharArrayBuffer(lineEnd - start);
      for (int i = start; i < lineEnd; i++) {
        char c = (char) (in.get(i) & 0xFF);
        if (c != '\r') {
          line.append(c);
        }
      }
      StatusLine status;
      try {
        status = BasicLineParser.INSTANCE.parseStatusLine(line);
      } catch (ParseException e) {
        throw new ConnectException("the HTTP proxy did not answer CONNECT with HTTP: " + e.getMessage());
      }
      int code = status.getStatusCode();
      if (code == 407) {
        throw new StreamChannel.ProxyAuthenticationRequired("the HTTP proxy wants credentials to open a tunnel to " + target);
      }
      if (code < 200 || code > 299) {
        throw new ConnectException("the HTTP proxy refused a tunnel to " + target + ": " + line);
      }
      in.position(end);
      return true;
    }

    /** The position after the blank line ending the head, or -1 when it has not arrived. */
    private static int headEnd(ByteBuffer in) {
      for (int i = in.position(); i + 3 < in.limit(); i++) {
        if (in.get(i) == '\r' && in.get(i + 1) == '\n' && in.get(i + 2) == '\r' && in.get(i + 3) == '\n') {
          return i + 4;
        }
      }
      return -1;
    }
  }
}
