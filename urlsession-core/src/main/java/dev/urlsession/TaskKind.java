package dev.urlsession;

import dev.urlsession.internal.RequestBody;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * What kind of task a task is: what it sends (the request's body, an upload's body, a stream
 * asked of the delegate) and what its body becomes (its {@link BodySink}). A new kind of task is
 * a new subclass; the task's state machine does not tell kinds apart.
 */
abstract class TaskKind {
  /** The kind's name in statistics and metrics: {@code data}, {@code upload}, {@code download}. */
  abstract String name();

  /** The sink of one task's body. */
  abstract BodySink newSink(RealSession session, RealTask task, TaskEvents events, ResultRoute route);

  /** The task as logs and messages show it: {@code DataTask{7, GET https://example.org/}}. */
  String describe(SessionTask task) {
    String name = name();
    return Character.toUpperCase(name.charAt(0)) + name.substring(1) + "Task{" + task.taskIdentifier() + ", "
        + task.originalRequest().method() + " " + SessionException.redact(task.originalRequest().url()) + "}";
  }

  /** Whether the task's loads use the HTTP cache. */
  boolean usesCache() {
    return false;
  }

  /**
   * Whether the task counts toward the session's tasks per host ({@link HostQueue}), and waits
   * there when the host has as many running: tasks whose exchange ends with their response
   * (data, upload, download). A long-lived kind (a stream, a WebSocket) says no.
   */
  boolean queuesPerHost() {
    return false;
  }

  /** Bytes the task is expected to send ({@code countOfBytesExpectedToSend}); -1 when unknown. */
  long bytesExpectedToSend(Request request) {
    return request.bodyStream() != null ? request.declaredContentLength() : Math.max(0, request.bodyLength());
  }

  /** A failure found before the first load (an upload file that cannot be read), or null. */
  @Nullable SessionException checkBeforeStart(URI url) {
    return null;
  }

  /**
   * Whether a load sending the body must first ask the delegate for a body stream: a request body
   * stream sent again ({@code resend}: a 307/308 redirect, an authentication retry), as Apple's
   * tasks do.
   */
  boolean streamsBody(Request request, boolean withUploadBody, boolean resend) {
    return resend && request.bodyStream() != null;
  }

  /**
   * The body a load of {@code request} sends; {@code withUploadBody} is false after a redirect that
   * drops it. Opens a request body stream.
   *
   * @throws RuntimeException what the body stream supplier threw (or returned null)
   */
  @Nullable RequestBody body(Request request, boolean withUploadBody) {
    Supplier<InputStream> stream = request.bodyStream();
    if (stream != null) {
      InputStream opened = stream.get();
      if (opened == null) {
        throw new IllegalStateException("the request's body stream supplier returned null");
      }
      return RequestBody.of(opened, request.declaredContentLength());
    }
    return request.bodyLength() > 0 ? RequestBody.of(request.body()) : null;
  }

  /** A data task: the body is the request's own; the response may be cached. */
  static TaskKind data() {
    return Data.INSTANCE;
  }

  /** An upload task sending {@code body}, or a stream from {@code needNewBodyStream} when null. */
  static TaskKind upload(@Nullable RequestBody body, @Nullable Path file) {
    return new Upload(body, file);
  }

  /** A download task, continuing {@code resumeFrom} when given, checkpointed when asked. */
  static TaskKind download(@Nullable ResumeData resumeFrom, @Nullable Checkpointer checkpointer) {
    return new Download(resumeFrom, checkpointer);
  }

  private static final class Data extends TaskKind {
    static final Data INSTANCE = new Data();

    @Override
    String name() {
      return "data";
    }

    @Override
    boolean queuesPerHost() {
      return true;
    }

    @Override
    boolean usesCache() {
      return true;
    }

    @Override
    BodySink newSink(RealSession session, RealTask task, TaskEvents events, ResultRoute route) {
      return new DataSink(session, (DataTask) task, events, route, task::delivered);
    }
  }

  private static final class Upload extends TaskKind {
    /** The body, re-sendable; null for a streamed upload. */
    private final @Nullable RequestBody body;
    /** The file the body is read from, checked when the task starts. */
    private final @Nullable Path file;

    Upload(@Nullable RequestBody body, @Nullable Path file) {
      this.body = body;
      this.file = file;
    }

    @Override
    String name() {
      return "upload";
    }

    @Override
    boolean queuesPerHost() {
      return true;
    }

    @Override
    BodySink newSink(RealSession session, RealTask task, TaskEvents events, ResultRoute route) {
      return new DataSink(session, (DataTask) task, events, route, task::delivered);
    }

    @Override
    long bytesExpectedToSend(Request request) {
      // A streamed upload: the Content-Length the caller set, else unknown (Apple's rules).
      return body == null ? request.declaredContentLength() : body.length();
    }

    @Override
    @Nullable SessionException checkBeforeStart(URI url) {
      return file == null ? null : checkReadableFile(file, url);
    }

    @Override
    boolean streamsBody(Request request, boolean withUploadBody, boolean resend) {
      return withUploadBody && body == null; // the request's own body or stream is ignored
    }

    @Override
    @Nullable RequestBody body(Request request, boolean withUploadBody) {
      return withUploadBody ? body : null;
    }
  }

  private static final class Download extends TaskKind {
    private final @Nullable ResumeData resumeFrom;
    private final @Nullable Checkpointer checkpointer;

    Download(@Nullable ResumeData resumeFrom, @Nullable Checkpointer checkpointer) {
      this.resumeFrom = resumeFrom;
      this.checkpointer = checkpointer;
    }

    @Override
    String name() {
      return "download";
    }

    @Override
    boolean queuesPerHost() {
      return true;
    }

    @Override
    BodySink newSink(RealSession session, RealTask task, TaskEvents events, ResultRoute route) {
      return new FileSink(session, (DownloadTask) task, events, route, resumeFrom, checkpointer);
    }
  }

  /** The failure for an upload file that cannot be read, or null when it can. */
  static @Nullable SessionException checkReadableFile(Path file, URI url) {
    if (!Files.exists(file)) {
      return new SessionException(SessionException.Code.FILE_DOES_NOT_EXIST, url,
          "The file does not exist: " + file, null);
    }
    if (Files.isDirectory(file)) {
      return new SessionException(SessionException.Code.FILE_IS_DIRECTORY, url,
          "The file is a directory: " + file, null);
    }
    if (!Files.isReadable(file) || !Files.isRegularFile(file)) {
      return new SessionException(SessionException.Code.NO_PERMISSIONS_TO_READ_FILE, url,
          "There is no permission to read the file: " + file, null);
    }
    return null;
  }
}
