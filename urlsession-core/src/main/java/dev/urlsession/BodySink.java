package dev.urlsession;

import dev.urlsession.internal.ResumePoint;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * What a task's body becomes: collected for a completion handler, handed to a data delegate, or
 * written to a file (a download, with its resume data). The task's kind is the sink it is created
 * with; the task calls every method holding its lock, and applies what it gets back.
 */
interface BodySink {
  /** What the task does with a final response. */
  final class Start {
    static final Start RECEIVE = new Start(null, null, false);
    static final Start RELOAD = new Start(null, null, true);
    final @Nullable DataDelegate askDisposition;
    final @Nullable SessionException failure;
    final boolean reload;

    private Start(@Nullable DataDelegate askDisposition, @Nullable SessionException failure, boolean reload) {
      this.askDisposition = askDisposition;
      this.failure = failure;
      this.reload = reload;
    }

    /** Ask {@code delegate}'s {@code didReceiveResponse} before receiving the body. */
    static Start ask(DataDelegate delegate) {
      return new Start(delegate, null, false);
    }

    /** The task fails. */
    static Start fail(SessionException failure) {
      return new Start(null, failure, false);
    }
  }

  /** How the body ended, when the task completes. */
  record Finished(@Nullable SessionException error, @Nullable Path location, @Nullable Path toDelete,
      @Nullable ResumeData resumeData, byte @Nullable [] body) {}

  /** Before the first load: checks what the body starts from (resume data); the failure, or null. */
  default @Nullable SessionException prepare() {
    return null;
  }

  /** The request a load sends: a download resuming from an offset asks for the rest. */
  default Request decorate(Request request) {
    return request;
  }

  /** The {@code Accept-Encoding} to ask for, or null to let the handler choose. */
  default @Nullable String acceptEncoding() {
    return null;
  }

  /** Whether the load may be resumed later: a handler that can tell the resource's identity reports it. */
  default boolean mayResume() {
    return false;
  }

  /** For a download resuming from resume data, where its partial file ends; null otherwise. */
  default @Nullable ResumePoint resumePoint() {
    return null;
  }

  /** A handler other than HTTP told the resource's validators, before its response. */
  default void validated(@Nullable String lastModified, long size, boolean continuesAtOffset) {}

  /**
   * The final response of a load of {@code request} arrived; {@code received} holds the task's
   * byte counts, which the sink may set (a resumed download starts at its offset).
   */
  Start start(Response response, Request request, Counts received);

  /**
   * Takes the next piece of the body: true when done with it now, false when it was handed to
   * the delegate queue (the task hears of it when the delegate returns).
   *
   * @throws SessionException when the body cannot be kept (a file that cannot be written)
   */
  boolean take(byte[] chunk) throws SessionException;

  /**
   * Takes the bytes left in {@code src} without a copy, when the sink can (a download file);
   * false leaves {@code src} untouched.
   */
  default boolean takeDirect(ByteBuffer src) throws SessionException {
    return false;
  }

  /** Whether chunks go to user code, which may write to them (a cache keeps copies then). */
  default boolean handsOver() {
    return false;
  }

  /** The delegate is to get resume data when the task is cancelled ({@code cancelByProducingResumeData}). */
  default void produceResumeData() {}

  /** The task completes with {@code failure} (null: success) after a load of {@code request}. */
  Finished finish(@Nullable SessionException failure, Request request);

  /** The task's byte counts of the body, set by a sink whose body does not start at zero. */
  final class Counts {
    long received;
    long expected;

    Counts(long received, long expected) {
      this.received = received;
      this.expected = expected;
    }
  }
}
