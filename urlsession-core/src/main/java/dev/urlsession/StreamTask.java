package dev.urlsession;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * A TCP connection, optionally secured by TLS, read and written through the session (Apple's
 * {@code URLSessionStreamTask}; URLSESSION-BEHAVIOUR.md 10.1). Created suspended by
 * {@link Session#streamTask(String, int)} or {@link Session#streamTask(NetService)}; it connects on
 * {@link #resume()}, through the session's SOCKS5 or HTTP proxy ({@code CONNECT}) when it has one.
 * A data task answered with {@link ResponseDisposition#BECOME_STREAM} becomes a read-only stream
 * task instead, already running, that reads the rest of the response's body (see there).
 *
 * <pre>{@code
 * StreamTask task = session.streamTask("mail.example.org", 25);
 * task.resume();
 * task.readData(1, 4096, Duration.ofSeconds(10))           // the greeting
 *     .thenCompose(greeting -> task.write("STARTTLS\r\n".getBytes(US_ASCII), Duration.ofSeconds(10)))
 *     .thenCompose(written -> task.readData(1, 4096, Duration.ofSeconds(10)))
 *     .thenRun(task::startSecureConnection);              // reads and writes after it are encrypted
 * }</pre>
 *
 * <p>Reads complete in the order they were asked, and so do writes; a read and a write do not wait
 * for each other. {@link #closeRead()}, {@link #closeWrite()}, {@link #startSecureConnection()},
 * {@link #stopSecureConnection()} and {@link #captureStreams()} take their turn after the
 * operations asked before them. Futures complete on the session's delegate queue, in order with
 * the delegate calls. When the task fails (a connection error, a timeout of an operation, the
 * resource timeout, {@code cancel()}), every outstanding operation fails with that error, once, and
 * so does every later one; then {@link TaskDelegate#didComplete} is called. The task completes
 * without error once both its sides are closed: {@code closeWrite()}, and {@code closeRead()} or a
 * read that returned the end of the stream.
 *
 * <p>The session's {@code timeoutIntervalForRequest} bounds connecting and every wait for the
 * network while an operation is outstanding (a connection nobody reads or writes does not time
 * out); {@code timeoutIntervalForResource} bounds the whole task. {@link #originalRequest()},
 * {@link #currentRequest()} and {@link #response()} are null, as Apple's are, except for a task a
 * data task became: they are the data task's. Memory stays bounded: at most 128 KiB that no read
 * has taken are buffered; then the task stops reading the socket (or asking the response's load
 * for more).
 *
 * <p>Not supported in background sessions. Thread-safe.
 *
 * @since 0.1.0
 */
public interface StreamTask extends SessionTask {
  /**
   * Reads at least {@code minLength} and at most {@code maxLength} bytes. The future completes when
   * {@code minLength} bytes have arrived (with what more is already there, up to
   * {@code maxLength}), or at the end of the stream with fewer bytes and
   * {@link ReadResult#atEof()} true; a read after the end completes at once, empty, at EOF.
   * {@code minLength} 0 completes at once with whatever is buffered.
   *
   * @param timeout zero for none; otherwise the read fails with {@code TIMED_OUT}, and with it the
   *     task, when it has not completed in time
   * @throws IllegalArgumentException if {@code minLength < 0}, {@code maxLength < 1},
   *     {@code minLength > maxLength}, or {@code timeout} is null or negative
   */
  CompletableFuture<ReadResult> readData(int minLength, int maxLength, Duration timeout);

  /**
   * Writes all of {@code data} (copied now). The future completes once the bytes were handed to the
   * operating system, which does not mean the peer received them.
   *
   * @param timeout zero for none; otherwise the write fails with {@code TIMED_OUT}, and with it the
   *     task, when not all bytes were written in time
   * @throws IllegalArgumentException if {@code data} or {@code timeout} is null, or the timeout is
   *     negative
   */
  CompletableFuture<Void> write(byte[] data, Duration timeout);

  /**
   * Closes the read side once the reads asked before have completed: buffered bytes are dropped,
   * {@link StreamDelegate#readClosed} is called (unless the peer's end of stream already was
   * reported), and later reads complete at once, empty, at EOF.
   */
  void closeRead();

  /**
   * Closes the write side once the writes asked before have been written (a TLS connection sends
   * its close_notify first): the peer reads the end of the stream and may go on writing.
   * {@link StreamDelegate#writeClosed} is called; later writes fail with
   * {@code NETWORK_CONNECTION_LOST}. Does nothing when the write side is closed already (as it is
   * from the start for a task a data task became).
   */
  void closeWrite();

  /**
   * Starts TLS once every operation asked before has completed; operations asked after it wait for
   * the handshake. The server's certificates are judged as for https: a delegate implementing
   * {@code didReceiveChallenge} gets a {@code SERVER_TRUST} challenge; without one, the platform's
   * evaluation (or the configuration's own SSL context) decides. A refused or failed handshake
   * fails the task ({@code SERVER_CERTIFICATE_UNTRUSTED}, {@code SECURE_CONNECTION_FAILED}, ...).
   * With the write side closed (after {@link #closeWrite()}, or a task a data task became) no
   * handshake is possible: the task fails with {@code NETWORK_CONNECTION_LOST}.
   */
  void startSecureConnection();

  /**
   * Ends TLS cleanly once every operation asked before has completed: sends close_notify, waits for
   * the peer's, and goes on in the clear (as FTP's {@code CCC} does). Does nothing without TLS.
   * Apple has deprecated it.
   */
  void stopSecureConnection();

  /**
   * Hands the connection over as a blocking stream pair once every operation asked before has
   * completed: {@link StreamDelegate#didBecomeStreams} gets the same pair, and the task completes
   * without any further delegate message (no {@code didComplete}). The streams outlive the session
   * and keep TLS if it was started; closing the input stream closes the read side, closing the
   * output stream the write side, and the connection closes when both are. Until the hand-over they
   * block; if the task fails first they throw its {@link SessionException}. For a task a data task
   * became, the input stream reads the rest of the body (closing it stops the load) and the output
   * stream throws {@code IOException} ("read-only stream"); they outlive the session too (the
   * exchange goes on until the end of the body).
   *
   * @throws IllegalStateException if the task completed or streams were captured already
   */
  StreamPair captureStreams();

  /**
   * What DNS-based service discovery found for a task created by
   * {@link Session#streamTask(NetService)}: null before, and for other stream tasks.
   */
  @Nullable ResolvedService resolvedService();
}
