package dev.urlsession;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;

/**
 * A tiny authoritative DNS server over UDP on loopback for service discovery tests, built on
 * dnsjava's message codec: it answers from the records added with {@link #add}, NXDOMAIN for names
 * it has no record of, an empty answer for a known name without records of the asked type. With
 * {@link #silent()} it receives queries and never answers. Every question is recorded as
 * {@code name/TYPE}.
 */
final class LoopbackDnsServer implements AutoCloseable {
  private final DatagramSocket socket;
  private final Map<Name, List<Record>> zone = new ConcurrentHashMap<>();
  final List<String> questions = new CopyOnWriteArrayList<>();
  private volatile boolean silent;
  private final Thread thread;

  LoopbackDnsServer() throws SocketException {
    socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    thread = new Thread(this::serve, "loopback-dns");
    thread.setDaemon(true);
    thread.start();
  }

  InetSocketAddress address() {
    return new InetSocketAddress(InetAddress.getLoopbackAddress(), socket.getLocalPort());
  }

  LoopbackDnsServer add(Record r) {
    zone.computeIfAbsent(r.getName(), n -> new CopyOnWriteArrayList<>()).add(r);
    return this;
  }

  LoopbackDnsServer silent() {
    silent = true;
    return this;
  }

  private void serve() {
    byte[] buffer = new byte[4096];
    while (!socket.isClosed()) {
      DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
      try {
        socket.receive(packet);
        Message query = new Message(java.util.Arrays.copyOf(packet.getData(), packet.getLength()));
        Record question = query.getQuestion();
        questions.add(question.getName() + "/" + org.xbill.DNS.Type.string(question.getType()));
        if (silent) {
          continue;
        }
        Message answer = new Message(query.getHeader().getID());
        answer.getHeader().setFlag(Flags.QR);
        answer.getHeader().setFlag(Flags.AA);
        if (query.getHeader().getFlag(Flags.RD)) {
          answer.getHeader().setFlag(Flags.RD);
        }
        answer.addRecord(question, Section.QUESTION);
        List<Record> records = zone.get(question.getName());
        if (records == null) {
          answer.getHeader().setRcode(Rcode.NXDOMAIN);
        } else {
          for (Record r : records) {
            if (r.getType() == question.getType()) {
              answer.addRecord(r, Section.ANSWER);
            }
          }
        }
        byte[] wire = answer.toWire(512);
        socket.send(new DatagramPacket(wire, wire.length, packet.getSocketAddress()));
      } catch (IOException | RuntimeException e) {
        if (socket.isClosed()) {
          return;
        }
      }
    }
  }

  @Override
  public void close() {
    socket.close();
  }
}
