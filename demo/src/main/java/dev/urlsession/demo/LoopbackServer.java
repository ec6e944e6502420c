package dev.urlsession.demo;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * A small HTTP server on loopback (this machine may have no internet): {@code /hello},
 * {@code /old} (302 to {@code /hello}), {@code /agent} (echoes the User-Agent) and
 * {@code /greetings/{name}}.
 */
public final class LoopbackServer implements AutoCloseable {
  private final HttpServer server;

  LoopbackServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/hello", exchange -> send(exchange, 200, "Hello from a loopback server."));
    server.createContext("/old", exchange -> {
      exchange.getResponseHeaders().add("Location", "/hello");
      exchange.sendResponseHeaders(302, -1);
      exchange.close();
    });
    server.createContext("/agent", exchange ->
        send(exchange, 200, String.valueOf(exchange.getRequestHeaders().getFirst("User-Agent"))));
    server.createContext("/greetings/", exchange -> {
      String name = exchange.getRequestURI().getPath().substring("/greetings/".length());
      send(exchange, 200, "Hello, " + name + "!");
    });
    server.start();
  }

  /** The server's base URL, such as {@code http://127.0.0.1:54321}. */
  public URI baseUrl() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  private static void send(HttpExchange exchange, int status, String text) throws IOException {
    byte[] body = (text + "\n").getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Content-Type", "text/plain; charset=utf-8");
    exchange.sendResponseHeaders(status, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
