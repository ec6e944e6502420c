package dev.urlsession;

import dev.urlsession.SessionException.Code;
import dev.urlsession.internal.PrivateFiles;
import dev.urlsession.internal.RequestBody;
import dev.urlsession.internal.ResumePoint;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The body of a download task (URLSESSION-BEHAVIOUR.md 3.6, 4): a file under the session's
 * download directory, progress ({@code didWriteData}, coalesced) and resume data. A download
 * created from resume data continues its partial file: it asks for the rest with
 * {@code Range}/{@code If-Range} and appends only a matching {@code 206}. With a
 * {@link Checkpointer} (background sessions) the data is forced to disk before each checkpoint,
 * and a finished file before the transfer's records say it finished. Elsewhere a finished file is
 * closed without forcing it, as curl and the JDK do: its delegate moves it at once, and an fsync
 * of a large file under the task's lock would hold an I/O thread for as long as the disk takes.
 * Every method is called with the task's lock held.
 */
final class FileSink implements BodySink {
  private static final Logger log = LoggerFactory.getLogger(FileSink.class);

  private final RealSession session;
  private final DownloadTask task;
  private final TaskEvents events;
  private final ResultRoute route;
  private final @Nullable ResumeData resumeFrom;
  private final @Nullable Checkpointer checkpointer;
  private @Nullable Path file;
  private @Nullable FileChannel channel;
  private long written;
  private long unreported;
  private boolean progressPosted;
  private long checkpointedBytes;
  private long checkpointNanos = System.nanoTime();
  /** Bytes of the resume data's partial file requested with Range for the current load. */
  private long rangeOffset;
  private boolean produceResumeData;
  /** An ftp: download's validators (MDTM, SIZE) and whether its load continues at rangeOffset. */
  private @Nullable String ftpModified;
  private long ftpSize = -1;
  private boolean ftpContinues;
  /** The response being written, and the request it answers. */
  private @Nullable Response response;
  private @Nullable Request request;
  private long expected = -1;

  FileSink(RealSession session, DownloadTask task, TaskEvents events, ResultRoute route,
      @Nullable ResumeData resumeFrom, @Nullable Checkpointer checkpointer) {
    this.session = session;
    this.task = task;
    this.events = events;
    this.route = route;
    this.resumeFrom = resumeFrom;
    this.checkpointer = checkpointer;
  }

  /** Validates the resume data and opens its partial file (truncated to the recorded length). */
  @Override
  public @Nullable SessionException prepare() {
    ResumeData data = resumeFrom;
    if (data == null) {
      return null;
    }
    URI url = data.url();
    String problem = null;
    if (!data.isSignedWith(session.downloads.resumeKey())) {
      problem = "it was not produced by this session's storage or it was altered";
    } else if (!isHttp(url) && !isFtp(url)) {
      problem = "only http, https and ftp downloads can be resumed";
    } else if (!session.downloads.contains(data.partialFile())) {
      problem = "its partial file is not in the session's download directory";
    }
    if (problem == null) {
      try {
        // Only while it is the file the session wrote (one link, same file key): never a file
        // that took its place.
        FileChannel c = PrivateFiles.openOwnFile(data.partialFile(), data.partialFileKey(), data.bytesReceived());
        if (c.size() < data.bytesReceived()) {
          c.close();
          problem = "its partial file is shorter than the resume data says";
        } else {
          c.truncate(data.bytesReceived());
          c.position(data.bytesReceived());
          channel = c;
          file = data.partialFile();
          rangeOffset = data.bytesReceived();
          written = rangeOffset;
        }
      } catch (IOException e) {
        problem = "its partial file cannot be opened (" + e.getMessage() + ")";
      }
    }
    return problem == null ? null : new SessionException(Code.CANNOT_WRITE_TO_FILE, url,
        "Invalid resume data: " + problem, null);
  }

  @Override
  public Request decorate(Request r) {
    ResumeData from = resumeFrom;
    if (rangeOffset <= 0 || from == null || isFtp(r.url())) {
      return r; // ftp: the handler asks for the rest itself (resumePoint)
    }
    String validator = strongEtag(from.entityTag()) != null ? from.entityTag() : from.lastModified();
    Request.Builder b = r.toBuilder().header("Range", "bytes=" + rangeOffset + "-");
    if (validator != null) {
      b.header("If-Range", validator);
    }
    return b.build();
  }

  @Override
  public String acceptEncoding() {
    return "identity"; // a compressed body could not be resumed with byte ranges
  }

  @Override
  public boolean mayResume() {
    return true;
  }

  @Override
  public @Nullable ResumePoint resumePoint() {
    ResumeData from = resumeFrom;
    return rangeOffset <= 0 || from == null ? null
        : new ResumePoint(rangeOffset, from.lastModified(), from.expectedLength());
  }

  @Override
  public void validated(@Nullable String lastModified, long size, boolean continuesAtOffset) {
    ftpModified = lastModified;
    ftpSize = size;
    ftpContinues = continuesAtOffset && rangeOffset > 0;
  }

  /** Appends to the partial file when the response is the rest asked for, else starts the file over. */
  @Override
  public Start start(Response r, Request request, Counts counts) {
    this.request = request;
    ResumeData from = resumeFrom;
    boolean resumed = from != null;
    if (rangeOffset > 0 && ftpContinues) {
      // ftp: the handler checked MDTM and SIZE and the server accepted REST.
      counts.received = rangeOffset;
      counts.expected = ftpSize;
      receiving(r, counts.expected);
      postResumedAt(rangeOffset, ftpSize);
      return Start.RECEIVE;
    }
    if (rangeOffset > 0) {
      long total = contentRangeTotal(r, rangeOffset, from.expectedLength());
      if (r.statusCode() == 206 && total != -2 && sameValidator(r, from)) {
        counts.received = rangeOffset;
        counts.expected = total;
        receiving(r, total);
        postResumedAt(rangeOffset, total);
        return Start.RECEIVE;
      }
      if (checkpointer != null && r.statusCode() >= 500) {
        // A durable transfer keeps its partial file through a server error (it is retried): the
        // error page is not the resource.
        return Start.fail(new SessionException(Code.BAD_SERVER_RESPONSE, r.url(), "The server answered "
            + r.statusCode() + " to the resumed request; the partial file is kept for the next attempt", null));
      }
      if (r.statusCode() == 206 || r.statusCode() == 416) {
        // A range that does not fit the partial file (another start, a length or a validator
        // that changed, an end short of the resource's): never append it; load everything anew.
        rangeOffset = 0;
        SessionException failure = truncateFile();
        return failure != null ? Start.fail(failure) : Start.RELOAD;
      }
      rangeOffset = 0; // 200 or another status: the resource is sent whole
    } else if (r.statusCode() == 206 && request.header("Range") == null && contentRangeTotal(r, 0, -1) == -2) {
      // Part of the resource to a request for all of it: delivered, it would be a file missing
      // bytes. (A 206 holding the whole resource is the resource.)
      return Start.fail(new SessionException(Code.BAD_SERVER_RESPONSE, r.url(),
          "The server answered 206 with part of the resource to a request for all of it", null));
    }
    SessionException failure = file == null ? createFile() : truncateFile();
    if (failure != null) {
      return Start.fail(failure);
    }
    counts.received = 0;
    receiving(r, counts.expected);
    if (resumed) {
      postResumedAt(0, counts.expected);
    }
    return Start.RECEIVE;
  }

  /** The body of {@code r} is written from now on. */
  private void receiving(Response r, long expectedLength) {
    this.response = r;
    this.expected = expectedLength;
  }

  /**
   * Whether a 206 is a part of the version the partial file holds: its validator, when it sends
   * one, is the one the resume data recorded (a server or a proxy that ignores If-Range would
   * otherwise splice two versions).
   */
  private static boolean sameValidator(Response r, ResumeData from) {
    String etag = r.header("ETag");
    if (etag != null && from.entityTag() != null) {
      return etag.trim().equals(from.entityTag().trim());
    }
    String modified = r.header("Last-Modified");
    return modified == null || from.lastModified() == null || modified.trim().equals(from.lastModified().trim());
  }

  /**
   * The complete length from a 206's Content-Range when it starts at {@code offset}, runs to the
   * end of the resource and agrees with {@code recorded}; -2 when it does not fit (an unknown
   * complete length included).
   */
  static long contentRangeTotal(Response r, long offset, long recorded) {
    String value = r.header("Content-Range");
    if (value == null || !value.startsWith("bytes ")) {
      return -2;
    }
    try {
      String spec = value.substring(6).trim();
      int dash = spec.indexOf('-');
      int slash = spec.indexOf('/');
      if (dash < 0 || slash < dash) {
        return -2;
      }
      long first = Long.parseLong(spec.substring(0, dash).trim());
      long last = Long.parseLong(spec.substring(dash + 1, slash).trim());
      String completeText = spec.substring(slash + 1).trim();
      if (completeText.equals("*")) {
        return -2;
      }
      long complete = Long.parseLong(completeText);
      if (first != offset || last < first || last != complete - 1 || (recorded >= 0 && complete != recorded)) {
        return -2;
      }
      return complete;
    } catch (NumberFormatException e) {
      return -2;
    }
  }

  @Override
  public boolean take(byte[] chunk) throws SessionException {
    try {
      ByteBuffer buffer = ByteBuffer.wrap(chunk);
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
    } catch (IOException | RuntimeException e) {
      throw writeFailure(e);
    }
    wrote(chunk.length);
    return true;
  }

  @Override
  public boolean takeDirect(ByteBuffer src) throws SessionException {
    if (channel == null) {
      return false;
    }
    int n = src.remaining();
    try {
      while (src.hasRemaining()) {
        channel.write(src);
      }
    } catch (IOException | RuntimeException e) {
      throw writeFailure(e);
    }
    wrote(n);
    return true;
  }

  private SessionException writeFailure(Exception e) {
    return new SessionException(Code.CANNOT_WRITE_TO_FILE, request != null ? request.url() : null,
        "The file could not be written: " + e, e);
  }

  /** Counts {@code n} bytes written to the file: progress, and a checkpoint when due. */
  private void wrote(int n) {
    written += n;
    unreported += n;
    postProgress();
    if (checkpointer != null) {
      maybeCheckpoint(checkpointer);
    }
  }

  /**
   * Every {@link Checkpointer#intervalBytes()} or {@link Checkpointer#intervalNanos()}: forces
   * the data to disk, then hands the checkpointer resume data that counts exactly the forced
   * bytes, so a recorded checkpoint never claims more than the durable data.
   */
  private void maybeCheckpoint(Checkpointer c) {
    long now = System.nanoTime();
    if (written - checkpointedBytes < c.intervalBytes() && now - checkpointNanos < c.intervalNanos()) {
      return;
    }
    checkpointNanos = now;
    if (!resumableResponse()) {
      return;
    }
    try {
      channel.force(false);
      c.checkpoint(resumeData());
      checkpointedBytes = written;
    } catch (IOException | RuntimeException e) {
      log.warn("Could not checkpoint {}", task, e);
    }
  }

  /**
   * Posts one {@code didWriteData} unless one is already queued: the queued call reports
   * everything written until it runs, so progress is coalesced under load.
   */
  private void postProgress() {
    if (progressPosted) {
      return;
    }
    DownloadDelegate d = route.progressDelegate(events);
    if (d == null) {
      return;
    }
    progressPosted = true;
    events.post("didWriteData", () -> {
      long bytes;
      long total;
      long expectedTotal;
      synchronized (task) { // the task's lock guards this sink
        bytes = unreported;
        total = written;
        expectedTotal = expected;
        unreported = 0;
        progressPosted = false;
      }
      if (bytes > 0) {
        d.didWriteData(session, task, bytes, total, expectedTotal);
      }
    });
  }

  private void postResumedAt(long offset, long total) {
    DownloadDelegate d = route.resumedDelegate(events);
    if (d != null) {
      events.post("didResumeAtOffset", () -> d.didResumeAtOffset(session, task, offset, total));
    }
  }

  private @Nullable SessionException createFile() {
    try {
      Path f = session.downloads.newFile();
      file = f;
      channel = FileChannel.open(f, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
      written = 0;
      return null;
    } catch (IOException | RuntimeException e) {
      return new SessionException(Code.CANNOT_CREATE_FILE, request.url(),
          "The download file could not be created: " + e, e);
    }
  }

  private @Nullable SessionException truncateFile() {
    try {
      channel.truncate(0);
      channel.position(0);
      written = 0;
      unreported = 0;
      return null;
    } catch (IOException e) {
      return new SessionException(Code.CANNOT_WRITE_TO_FILE, request.url(),
          "The download file could not be truncated: " + e, e);
    }
  }

  @Override
  public void produceResumeData() {
    produceResumeData = true;
  }

  /**
   * A download keeps its file: to deliver it (success), to resume from it (a resumable failure:
   * the error carries resume data), or not at all (deleted).
   */
  @Override
  public Finished finish(@Nullable SessionException failure, Request current) {
    if (file == null) {
      return new Finished(failure, null, null, null, null);
    }
    this.request = current;
    if (failure == null) {
      SessionException closeFailure = closeChannel(checkpointer != null);
      return closeFailure == null
          ? new Finished(null, file, null, null, null)
          : new Finished(closeFailure, null, file, null, null);
    }
    if (resumable(failure)) {
      ResumeData data = resumeData(); // before the channel closes: it counts what is on disk
      closeChannel(true);
      return new Finished(failure.withResumeData(data), null, null, data, null);
    }
    closeChannel(false);
    return new Finished(failure, null, file, null, null);
  }

  /** Whether a failed or cancelled download can be resumed (URLSESSION-BEHAVIOUR.md 4.2). */
  private boolean resumable(SessionException e) {
    Code code = e.code();
    boolean resumableFailure = code == Code.TIMED_OUT || code == Code.NETWORK_CONNECTION_LOST
        || (code == Code.CANCELLED && produceResumeData);
    if (partialUntouched() && (resumableFailure || keepsUntouchedPartial(code))) {
      // The resume data this task started from is as good as before: never throw its data away
      // because the server could not be reached this time.
      return true;
    }
    if (resumableFailure && isFtp(request.url())) {
      // ftp: resumable when the server told the file's identity (MDTM and SIZE, binary only).
      return response != null && channel != null && written > 0 && ftpModified != null && ftpSize >= 0;
    }
    return resumableFailure && resumableResponse();
  }

  /**
   * Whether this download resumes a partial file that is still exactly as its resume data
   * describes: no response has truncated it or added to it yet.
   */
  private boolean partialUntouched() {
    return resumeFrom != null && rangeOffset > 0 && written == rangeOffset && response == null;
  }

  /**
   * Failures that say nothing about the resource: the server could not be reached or answered
   * badly. A partial file the task started from survives them (with its validators).
   */
  private static boolean keepsUntouchedPartial(Code code) {
    switch (code) {
      case CANNOT_CONNECT_TO_HOST:
      case CANNOT_FIND_HOST:
      case DNS_LOOKUP_FAILED:
      case NOT_CONNECTED_TO_INTERNET:
      case SECURE_CONNECTION_FAILED:
      case BAD_SERVER_RESPONSE:
        return true;
      default:
        return false;
    }
  }

  /** Whether the response being written could be resumed with Range/If-Range. */
  private boolean resumableResponse() {
    Response r = response;
    if (r == null || channel == null || written <= 0 || !request.method().equals("GET") || !isIdentity(r)) {
      return false;
    }
    int status = r.statusCode();
    boolean ranges = status == 206 || "bytes".equalsIgnoreCase(String.valueOf(r.header("Accept-Ranges")).trim());
    String etag = strongEtag(r.header("ETag"));
    String lastModified = r.header("Last-Modified");
    if (status == 206 && resumeFrom != null && etag == null && lastModified == null) {
      etag = strongEtag(resumeFrom.entityTag());
      lastModified = resumeFrom.lastModified();
    }
    return (status == 200 || status == 206) && ranges && (etag != null || lastModified != null);
  }

  private ResumeData resumeData() {
    ResumeData from = resumeFrom;
    String fileKey = fileKey();
    if (partialUntouched()) {
      return ResumeData.create(from.request(), file, written, from.entityTag(), from.lastModified(),
          from.expectedLength(), fileKey, session.downloads.resumeKey());
    }
    if (isFtp(request.url())) {
      return ResumeData.create(request, file, written, null, ftpModified, ftpSize, fileKey, session.downloads.resumeKey());
    }
    Response r = response;
    String etag = strongEtag(r.header("ETag"));
    String lastModified = r.header("Last-Modified");
    if (etag == null && lastModified == null && from != null) {
      etag = strongEtag(from.entityTag());
      lastModified = from.lastModified();
    }
    return ResumeData.create(request, file, written, etag, lastModified, expected, fileKey, session.downloads.resumeKey());
  }

  /** The partial file's identity, recorded in resume data; null when the file system has none. */
  private @Nullable String fileKey() {
    try {
      return PrivateFiles.fileKey(file);
    } catch (IOException e) {
      return null;
    }
  }

  /** Closes the download file, forcing it to disk first when asked. */
  private @Nullable SessionException closeChannel(boolean force) {
    FileChannel c = channel;
    channel = null;
    if (c == null) {
      return null;
    }
    try {
      if (force) {
        c.force(false);
      }
      c.close();
      return null;
    } catch (IOException ex) {
      RequestBody.closeQuietly(c);
      return new SessionException(Code.CANNOT_CLOSE_FILE, request.url(),
          "The download file could not be closed: " + ex, ex);
    }
  }

  static boolean isIdentity(Response r) {
    String encoding = r.header("Content-Encoding");
    return encoding == null || encoding.equalsIgnoreCase("identity");
  }

  private static @Nullable String strongEtag(@Nullable String etag) {
    return etag == null || etag.startsWith("W/") ? null : etag;
  }

  private static boolean isFtp(URI url) {
    return "ftp".equalsIgnoreCase(url.getScheme());
  }

  private static boolean isHttp(URI url) {
    return "http".equalsIgnoreCase(url.getScheme()) || "https".equalsIgnoreCase(url.getScheme());
  }

  /** Deletes a download file that nobody takes. */
  static void deleteQuietly(Path path) {
    try {
      Files.deleteIfExists(path);
    } catch (IOException ex) {
      log.warn("Could not delete download file {}", path, ex);
    }
  }
}
