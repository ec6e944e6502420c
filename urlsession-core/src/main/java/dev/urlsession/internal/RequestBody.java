package dev.urlsession.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.hc.core5.http.nio.AsyncEntityProducer;
import org.apache.hc.core5.http.nio.DataStreamChannel;
import org.jspecify.annotations.Nullable;

/**
 * The body of one request: bytes in memory, a file streamed from disk, or a one-shot stream read
 * on a thread of its own (never on an I/O thread). Each {@link #producer} call starts a new
 * transmission: bytes and files can be sent again (after a 307 redirect), a stream cannot.
 */
public abstract class RequestBody {
  static final int CHUNK = 64 * 1024;
  private static final ExecutorService STREAM_READERS =
      Executors.newCachedThreadPool(SerialQueue.daemonThreads("urlsession-upload-"));

  private RequestBody() {}

  /** The length in bytes, or -1 when unknown (a stream: sent chunked). */
  public abstract long length();

  /**
   * The body as a blocking stream, for handlers that send it with blocking I/O on a thread of
   * their own ({@code ftp:}). Bytes and files give a new stream each call; a body stream is
   * returned as is (it can be sent once).
   */
  public abstract InputStream openStream() throws IOException;

  /** A producer for one transmission. */
  abstract AsyncEntityProducer producer(
      @Nullable String contentType, @Nullable LoadSupport support, TransactionRecorder recorder);

  public static RequestBody of(byte[] bytes) {
    return new RequestBody() {
      @Override
      public long length() {
        return bytes.length;
      }

      @Override
      public InputStream openStream() {
        return new java.io.ByteArrayInputStream(bytes);
      }

      @Override
      AsyncEntityProducer producer(@Nullable String contentType, @Nullable LoadSupport support,
          TransactionRecorder recorder) {
        return new Producer(length(), contentType, support, recorder) {
          private int position;

          @Override
          int write(DataStreamChannel channel) throws IOException {
            int n = channel.write(ByteBuffer.wrap(bytes, position, Math.min(CHUNK, bytes.length - position)));
            position += n;
            return position >= bytes.length ? -n - 1 : n;
          }
        };
      }
    };
  }

  /** A file, read in chunks on the I/O thread as the connection takes them (never all at once). */
  public static RequestBody of(Path file, long length) {
    return new RequestBody() {
      @Override
      public long length() {
        return length;
      }

      @Override
      public InputStream openStream() throws IOException {
        return java.nio.file.Files.newInputStream(file, StandardOpenOption.READ);
      }

      @Override
      AsyncEntityProducer producer(@Nullable String contentType, @Nullable LoadSupport support,
          TransactionRecorder recorder) {
        return new Producer(length, contentType, support, recorder) {
          private @Nullable FileChannel channel;
          private final ByteBuffer buffer = ByteBuffer.allocate(CHUNK).flip();
          private long sent;

          @Override
          int write(DataStreamChannel out) throws IOException {
            if (channel == null) {
              channel = FileChannel.open(file, StandardOpenOption.READ);
            }
            if (!buffer.hasRemaining()) {
              buffer.clear();
              int read = channel.read(buffer);
              buffer.flip();
              if (read < 0) {
                if (sent != length) {
                  throw new IOException("file " + file + " shrank while it was uploaded");
                }
                return -1;
              }
            }
            int n = out.write(buffer);
            sent += n;
            return sent >= length ? -n - 1 : n;
          }

          @Override
          public void releaseResources() {
            closeQuietly(channel);
          }
        };
      }
    };
  }

  /**
   * A body stream (the request's, or one from {@code needNewBodyStream}); read once, on a reader
   * thread. Sent chunked when {@code declaredLength} is negative; otherwise with that
   * {@code Content-Length}, and the stream must give exactly that many bytes.
   */
  public static RequestBody of(InputStream stream, long declaredLength) {
    return new RequestBody() {
      @Override
      public long length() {
        return declaredLength;
      }

      @Override
      public void discard() {
        closeQuietly(stream);
      }

      @Override
      public InputStream openStream() {
        return stream;
      }

      @Override
      AsyncEntityProducer producer(@Nullable String contentType, @Nullable LoadSupport support,
          TransactionRecorder recorder) {
        return new StreamProducer(stream, declaredLength, contentType, support, recorder);
      }
    };
  }

  /** Lets go of a body that will not be sent: closes a body stream. */
  public void discard() {}

  public static void closeQuietly(@Nullable AutoCloseable c) {
    if (c != null) {
      try {
        c.close();
      } catch (Exception ignored) {
        // nothing useful to do
      }
    }
  }

  /** Common producer: counts bytes, reports progress, records when the body was sent. */
  private abstract static class Producer implements AsyncEntityProducer {
    private final long length;
    private final @Nullable String contentType;
    private final @Nullable LoadSupport support;
    private final TransactionRecorder recorder;
    private boolean ended;

    Producer(long length, @Nullable String contentType, @Nullable LoadSupport support,
        TransactionRecorder recorder) {
      this.length = length;
      this.contentType = contentType;
      this.support = support;
      this.recorder = recorder;
    }

    /**
     * Writes what it can; returns the bytes written, or {@code -(written + 1)} once the body is
     * complete, or 0 when nothing can be written now (the producer is called again later).
     */
    abstract int write(DataStreamChannel channel) throws IOException;

    @Override
    public final void produce(DataStreamChannel channel) throws IOException {
      while (!ended) {
        int r = write(channel);
        int n = r < 0 ? -r - 1 : r;
        if (n > 0) {
          recorder.requestBodyBytesSent += n;
          if (support != null) {
            support.didSendBodyData(n);
          }
        }
        if (r < 0) {
          ended = true;
          recorder.requestEnd = Instant.now();
          channel.endStream(null);
        } else if (n == 0) {
          return;
        }
      }
    }

    @Override
    public boolean isRepeatable() {
      return false;
    }

    @Override
    public void failed(Exception cause) {}

    @Override
    public long getContentLength() {
      return length;
    }

    @Override
    public @Nullable String getContentType() {
      return contentType;
    }

    @Override
    public @Nullable String getContentEncoding() {
      return null;
    }

    @Override
    public boolean isChunked() {
      return length < 0;
    }

    @Override
    public @Nullable Set<String> getTrailerNames() {
      return null;
    }

    @Override
    public int available() {
      return length < 0 ? 1 : (int) Math.min(Integer.MAX_VALUE, length);
    }

    @Override
    public void releaseResources() {}
  }

  /**
   * The body stream failed: it threw, or gave fewer or more bytes than its declared length. The
   * application's failure, not the network's: {@code REQUEST_BODY_STREAM_EXHAUSTED}.
   */
  public static final class StreamFailure extends IOException {
    private static final long serialVersionUID = 1L;

    StreamFailure(String message, @Nullable Throwable cause) {
      super(message, cause);
    }
  }

  /**
   * Reads the stream on a reader thread into a small bounded queue; the I/O thread sends what is
   * queued and is woken with {@code requestOutput()} when more arrives.
   */
  private static final class StreamProducer extends Producer {
    private static final ByteBuffer EOF = ByteBuffer.allocate(0);
    private final InputStream stream;
    private final long declaredLength;
    private final ArrayBlockingQueue<ByteBuffer> queue = new ArrayBlockingQueue<>(4);
    private volatile @Nullable DataStreamChannel channel;
    private volatile @Nullable IOException readFailure;
    private volatile boolean stopped;
    private boolean started;
    private @Nullable ByteBuffer current;

    StreamProducer(InputStream stream, long declaredLength, @Nullable String contentType,
        @Nullable LoadSupport support, TransactionRecorder recorder) {
      super(declaredLength, contentType, support, recorder);
      this.stream = stream;
      this.declaredLength = declaredLength;
    }

    @Override
    int write(DataStreamChannel out) throws IOException {
      channel = out;
      if (!started) {
        started = true;
        STREAM_READERS.execute(this::readAll);
      }
      if (readFailure != null) {
        throw readFailure;
      }
      if (current == null || !current.hasRemaining()) {
        current = queue.poll();
        if (current == null) {
          return 0;
        }
        if (current == EOF) {
          return -1;
        }
      }
      return out.write(current);
    }

    private void readAll() {
      long total = 0;
      try (InputStream in = stream) {
        while (!stopped) {
          byte[] chunk = new byte[CHUNK];
          int n = in.read(chunk);
          total += Math.max(n, 0);
          if (declaredLength >= 0 && (total > declaredLength || n < 0 && total != declaredLength)) {
            // Never send a body that contradicts its Content-Length: the peer would read the
            // surplus as the next request, or wait for bytes that never come.
            throw new StreamFailure("The request body stream gave " + (n < 0 ? "only " : "more than ")
                + (n < 0 ? total : declaredLength) + " bytes but its Content-Length declares "
                + declaredLength, null);
          }
          ByteBuffer item = n < 0 ? EOF : ByteBuffer.wrap(chunk, 0, n);
          while (!stopped && !queue.offer(item, 100, java.util.concurrent.TimeUnit.MILLISECONDS)) {
            // the connection is slower than the stream: wait for room
          }
          wake();
          if (n < 0) {
            return;
          }
        }
      } catch (StreamFailure e) {
        readFailure = e;
        wake();
      } catch (IOException e) {
        readFailure = new StreamFailure("Reading the request body stream failed: " + e, e);
        wake();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (RuntimeException | Error e) {
        // An application stream that throws must fail the upload, not leave it waiting.
        readFailure = new StreamFailure("Reading the request body stream failed: " + e, e);
        wake();
        if (e instanceof VirtualMachineError) {
          throw (Error) e;
        }
      }
    }

    private void wake() {
      DataStreamChannel c = channel;
      if (c != null) {
        c.requestOutput();
      }
    }

    @Override
    public void releaseResources() {
      stopped = true;
    }
  }
}
