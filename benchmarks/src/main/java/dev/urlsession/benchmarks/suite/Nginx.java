package dev.urlsession.benchmarks.suite;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import okhttp3.tls.HeldCertificate;

/**
 * Debian's nginx in a process of its own on two free loopback ports: plain HTTP/1.1, and HTTP/2
 * (with HTTP/1.1 by ALPN) over TLS with a certificate generated for {@code localhost} and
 * {@code 127.0.0.1}. Its configuration, certificate, content and logs live in one directory
 * (under {@code benchmarks/target/}). It serves {@code /1k}: 1,024 bytes of {@code text/plain}
 * with no validators or freshness (what every client must fetch from the network), and
 * {@code /1g.bin}: a file of {@link #LARGE_SIZE} random bytes, written once and kept.
 */
final class Nginx implements AutoCloseable {
  static final int SMALL_SIZE = 1024;
  static final long LARGE_SIZE = 1L << 30;

  private final Path dir;
  private final Process process;
  final int plainPort;
  final int tlsPort;
  final HeldCertificate certificate;

  private Nginx(Path dir, Process process, int plainPort, int tlsPort, HeldCertificate certificate) {
    this.dir = dir;
    this.process = process;
    this.plainPort = plainPort;
    this.tlsPort = tlsPort;
    this.certificate = certificate;
  }

  /** Installs nginx with apt-get when it is missing, then starts it serving from {@code dir}. */
  static Nginx start(Path dir, boolean largeFile) throws Exception {
    String nginx = binary();
    Files.createDirectories(dir.resolve("www"));
    Files.createDirectories(dir.resolve("tmp"));
    if (largeFile) {
      writeLargeFile(dir.resolve("www").resolve("1g.bin"));
    }
    HeldCertificate certificate = new HeldCertificate.Builder()
        .commonName("localhost")
        .addSubjectAlternativeName("localhost")
        .addSubjectAlternativeName("127.0.0.1")
        .duration(2, TimeUnit.DAYS)
        .build();
    Files.writeString(dir.resolve("server.crt"), certificate.certificatePem());
    Files.writeString(dir.resolve("server.key"), certificate.privateKeyPkcs8Pem());
    int plain = freePort();
    int tls = freePort();
    Path conf = dir.resolve("nginx.conf");
    Files.writeString(conf, config(dir, plain, tls));
    Files.deleteIfExists(dir.resolve("error.log"));
    Process p = new ProcessBuilder(nginx, "-p", dir.toString(), "-c", conf.toString())
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve("nginx.out").toFile())
        .start();
    Nginx n = new Nginx(dir, p, plain, tls, certificate);
    try {
      n.awaitPort(plain);
      n.awaitPort(tls);
    } catch (Exception e) {
      n.close();
      throw e;
    }
    return n;
  }

  URI plain(String path) {
    return URI.create("http://127.0.0.1:" + plainPort + path);
  }

  URI tls(String path) {
    return URI.create("https://127.0.0.1:" + tlsPort + path);
  }

  Path directory() {
    return dir;
  }

  /** CPU time used so far by nginx's master and worker processes, from {@code /proc}. */
  long cpuNanos() {
    long sum = cpuNanos(process.pid());
    for (ProcessHandle child : process.children().toList()) {
      sum += cpuNanos(child.pid());
    }
    return sum;
  }

  private static long cpuNanos(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      // after the command: state(0) ... utime(11) stime(12), in clock ticks of 1/100 s
      return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10_000_000L;
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy(); // SIGTERM: nginx's fast shutdown
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }

  private void awaitPort(int port) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      try (Socket probe = new Socket(InetAddress.getLoopbackAddress(), port)) {
        return;
      } catch (IOException e) {
        if (!process.isAlive() || System.nanoTime() > deadline) {
          throw new IllegalStateException("nginx did not start: "
              + Files.readString(dir.resolve("nginx.out")), e);
        }
        Thread.sleep(20);
      }
    }
  }

  private static String config(Path dir, int plain, int tls) {
    String small = "x".repeat(SMALL_SIZE);
    String tmp = dir.resolve("tmp").toString();
    return String.join("\n",
        "daemon off;",
        "master_process on;",
        "worker_processes 1;",
        "worker_rlimit_nofile 16384;",
        "pid " + dir.resolve("nginx.pid") + ";",
        "error_log " + dir.resolve("error.log") + " warn;",
        "events { worker_connections 8192; multi_accept on; }",
        "http {",
        "  access_log off;",
        "  sendfile on;",
        "  tcp_nodelay on;",
        "  keepalive_timeout 3600s;",
        "  keepalive_requests 1000000000;",
        "  default_type application/octet-stream;",
        "  client_body_temp_path " + tmp + "/body;",
        "  proxy_temp_path " + tmp + "/proxy;",
        "  fastcgi_temp_path " + tmp + "/fastcgi;",
        "  uwsgi_temp_path " + tmp + "/uwsgi;",
        "  scgi_temp_path " + tmp + "/scgi;",
        "  server {",
        "    listen 127.0.0.1:" + plain + ";",
        "    listen 127.0.0.1:" + tls + " ssl http2;",
        "    ssl_certificate " + dir.resolve("server.crt") + ";",
        "    ssl_certificate_key " + dir.resolve("server.key") + ";",
        "    ssl_protocols TLSv1.2 TLSv1.3;",
        "    root " + dir.resolve("www") + ";",
        "    location = /1k { default_type text/plain; return 200 \"" + small + "\"; }",
        "  }",
        "}",
        "");
  }

  private static void writeLargeFile(Path file) throws IOException {
    if (Files.exists(file) && Files.size(file) == LARGE_SIZE) {
      return;
    }
    byte[] block = new byte[1 << 20];
    new Random(1).nextBytes(block);
    try (OutputStream out = Files.newOutputStream(file)) {
      for (long written = 0; written < LARGE_SIZE; written += block.length) {
        out.write(block);
      }
    }
  }

  /** nginx's path, installed with apt-get (as root) when missing. */
  private static String binary() throws Exception {
    for (String candidate : List.of("/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/bin/nginx")) {
      if (Files.isExecutable(Path.of(candidate))) {
        return candidate;
      }
    }
    System.out.println("nginx is missing: installing Debian's nginx with apt-get");
    run(List.of("apt-get", "update", "-q"));
    List<String> install = new ArrayList<>(List.of("apt-get", "install", "-y", "-q", "nginx"));
    run(install);
    if (Files.isExecutable(Path.of("/usr/sbin/nginx"))) {
      return "/usr/sbin/nginx";
    }
    throw new IllegalStateException("nginx is not installed and apt-get could not install it"
        + " (run as root, or install Debian's nginx package first)");
  }

  private static void run(List<String> command) throws Exception {
    ProcessBuilder b = new ProcessBuilder(command).inheritIO();
    b.environment().put("DEBIAN_FRONTEND", "noninteractive");
    int exit = b.start().waitFor();
    if (exit != 0) {
      throw new IllegalStateException(String.join(" ", command) + " failed with exit code " + exit);
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
