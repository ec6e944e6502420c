package dev.urlsession;

import dev.urlsession.internal.StreamChannel;
import dev.urlsession.internal.StreamIo;
import dev.urlsession.internal.StreamSource;
import java.util.ArrayDeque;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The rest of a response's body as the source of a read-only stream task ({@code BECOME_STREAM},
 * URLSESSION-BEHAVIOUR.md 3.8): the data task's load delivers it here as it would have to the data
 * task (after HttpClient's transfer decoding and the session's content decoding); the stream
 * task's reads, or the streams it was captured as, take it. It holds at most about
 * {@link StreamChannel#INBOUND} bytes no read took: beyond that the load is told the task wants no
 * data ({@code LoadSupport.wantsData}), and it is asked for more (the load's demand) once reads made
 * room, so a body never piles up in memory. Closing the read side, or the source, stops the load.
 *
 * <p>Threading: the load reports on its own threads ({@link #onData}, {@link #onFinish},
 * {@link #onFail}, {@link #wantsData}); the {@link StreamSource} methods run on the stream I/O
 * thread, with the reader's lock held. The state is guarded by {@code this}. The listener and the
 * load are called on the I/O thread, with no lock held.
 */
final class LoadStream implements StreamSource {
  private final StreamIo io;
  private final @Nullable RealLoad load;
  private volatile StreamChannel.@Nullable Listener listener;
  // --- guarded by this ---
  private final ArrayDeque<byte[]> chunks;
  /** Bytes of the first chunk taken already. */
  private int offset;
  private int buffered;
  private boolean ended;
  private boolean failed;
  private boolean inputShut;
  private boolean closed;
  private boolean paused;
  /** Whether the load was told the task wants no data since it was last asked for more. */
  private boolean refused = true; // it waited for the delegate's disposition
  private boolean demandDue;
  private boolean changeScheduled;

  /**
   * @param body what the data task had received and not delivered, in order
   * @param ended whether the load had finished already
   */
  LoadStream(StreamIo io, @Nullable RealLoad load, List<byte[]> body, boolean ended) {
    this.io = io;
    this.load = load;
    this.chunks = new ArrayDeque<>(body);
    for (byte[] chunk : body) {
      buffered += chunk.length;
    }
    this.ended = ended;
    io.hold();
  }

  // --- what the load reports (its threads) ---

  void onData(byte[] data) {
    synchronized (this) {
      if (inputShut || closed || failed || data.length == 0) {
        return;
      }
      chunks.add(data);
      buffered += data.length;
    }
    changed();
  }

  void onFinish() {
    synchronized (this) {
      ended = true;
    }
    changed();
  }

  void onFail(SessionException e) {
    synchronized (this) {
      if (inputShut || closed || failed) {
        return; // the reader let go of the body: nothing is lost
      }
      failed = true;
      chunks.clear();
      buffered = 0;
    }
    io.execute(() -> {
      StreamChannel.Listener l = listener;
      if (l != null) {
        l.failed(e);
      }
    });
  }

  synchronized boolean wantsData() {
    boolean wants = !closed && !inputShut && !failed && !paused && buffered < StreamChannel.INBOUND;
    refused |= !wants;
    return wants;
  }

  /** Tells the listener once, on the I/O thread, however many reports came meanwhile. */
  private void changed() {
    synchronized (this) {
      if (changeScheduled) {
        return;
      }
      changeScheduled = true;
    }
    io.execute(() -> {
      synchronized (this) {
        changeScheduled = false;
      }
      StreamChannel.Listener l = listener;
      if (l != null) {
        l.changed();
      }
    });
  }

  // --- StreamSource (the I/O thread, the reader's lock held) ---

  @Override
  public void listener(StreamChannel.Listener l) {
    this.listener = l;
  }

  @Override
  public synchronized boolean isOpen() {
    return !closed && !failed;
  }

  @Override
  public synchronized int available() {
    return buffered;
  }

  @Override
  public synchronized boolean atEnd() {
    return ended || inputShut;
  }

  @Override
  public synchronized byte[] take(int max) {
    int n = Math.min(max, buffered);
    byte[] first = chunks.peek();
    byte[] b;
    if (first != null && offset == 0 && n == first.length) {
      b = chunks.poll(); // the load's array, handed on as it is
    } else {
      b = new byte[n];
      for (int at = 0; at < n; ) {
        byte[] c = chunks.peek();
        int k = Math.min(c.length - offset, n - at);
        System.arraycopy(c, offset, b, at, k);
        at += k;
        offset += k;
        if (offset == c.length) {
          chunks.poll();
          offset = 0;
        }
      }
    }
    buffered -= n;
    demandDue |= refused && buffered < StreamChannel.INBOUND;
    return b;
  }

  @Override
  public void shutdownInput() {
    synchronized (this) {
      if (inputShut) {
        return;
      }
      inputShut = true;
      chunks.clear();
      buffered = 0;
      offset = 0;
    }
    stopLoad();
  }

  @Override
  public synchronized void pauseReading(boolean paused) {
    this.paused = paused;
    demandDue |= !paused && refused;
  }

  @Override
  public void updateInterest() {
    synchronized (this) {
      if (!demandDue || paused || closed || inputShut || failed || buffered >= StreamChannel.INBOUND) {
        return;
      }
      demandDue = false;
      refused = false;
    }
    if (load != null) {
      io.execute(load::demand); // after the reader let go of its lock
    }
  }

  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      chunks.clear();
      buffered = 0;
    }
    stopLoad();
    io.release();
  }

  /** Stops the load unless it finished, on the I/O thread after the reader let go of its lock. */
  private void stopLoad() {
    RealLoad l = load;
    if (l != null) {
      io.execute(l::stop);
    }
  }
}
