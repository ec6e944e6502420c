package dev.urlsession.benchmarks.suite;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Established TCP connections to a local port, from {@code /proc/net/tcp} and {@code tcp6}, counted on the client side. */
final class Connections {
  private Connections() {}

  static int established(int port) {
    String hexPort = String.format("%04X", port);
    int n = 0;
    for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      try {
        List<String> lines = Files.readAllLines(Path.of(table));
        for (String line : lines.subList(1, lines.size())) {
          String[] f = line.trim().split("\\s+");
          // sl local_address rem_address st: the client's end has the server's port as remote address
          if (f[2].endsWith(":" + hexPort) && f[3].equals("01")) {
            n++;
          }
        }
      } catch (Exception e) {
        return -1;
      }
    }
    return n;
  }
}
