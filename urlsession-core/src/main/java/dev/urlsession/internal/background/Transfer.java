package dev.urlsession.internal.background;

import dev.urlsession.Headers;
import dev.urlsession.Request;
import dev.urlsession.ResumeData;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * One background transfer as the durable store keeps it (db-scheduler's {@code task_data} and
 * {@code <id>.task}): what to load, never what happened. Immutable; encoded in a versioned binary
 * format of our own (never Java serialization, which must not read data from a shared database).
 *
 * @param earliestBeginMillis the earliest begin date, or -1
 * @param delayAnswered whether willBeginDelayedRequest was already asked
 * @param resumeData resume data the task was created from, or null
 */
public record Transfer(long id, boolean upload, Request request, @Nullable Path uploadFile,
    @Nullable String description, long createdMillis, long deadlineMillis, long earliestBeginMillis,
    boolean delayAnswered, boolean suspended, byte @Nullable [] resumeData) {
  private static final int MAGIC = 0x55425452; // "UBTR"
  private static final int VERSION = 1;

  /** The transfer loading {@code r} instead, its delayed-begin question answered. */
  public Transfer withRequest(Request r) {
    return new Transfer(id, upload, r, uploadFile, description, createdMillis, deadlineMillis,
        earliestBeginMillis, true, suspended, resumeData);
  }

  /** The transfer with its delayed-begin question answered. */
  public Transfer withDelayAnswered() {
    return new Transfer(id, upload, request, uploadFile, description, createdMillis, deadlineMillis,
        earliestBeginMillis, true, suspended, resumeData);
  }

  /** The transfer suspended by the application, or resumed. */
  public Transfer withSuspended(boolean s) {
    return new Transfer(id, upload, request, uploadFile, description, createdMillis, deadlineMillis,
        earliestBeginMillis, delayAnswered, s, resumeData);
  }

  /** The record in its versioned binary form. */
  public byte[] encode() {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream(256);
    try (DataOutputStream out = new DataOutputStream(buffer)) {
      out.writeInt(MAGIC);
      out.writeByte(VERSION);
      out.writeLong(id);
      out.writeBoolean(upload);
      writeRequest(out, request);
      out.writeUTF(uploadFile == null ? "" : uploadFile.toString());
      out.writeUTF(description == null ? "" : description);
      out.writeLong(createdMillis);
      out.writeLong(deadlineMillis);
      out.writeLong(earliestBeginMillis);
      out.writeBoolean(delayAnswered);
      out.writeBoolean(suspended);
      out.writeInt(resumeData == null ? -1 : resumeData.length);
      if (resumeData != null) {
        out.write(resumeData);
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return buffer.toByteArray();
  }

  /**
   * Reads a record.
   *
   * @throws IllegalArgumentException if the bytes are not a record of this version
   */
  public static Transfer decode(byte[] bytes) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
      if (in.readInt() != MAGIC || in.readUnsignedByte() != VERSION) {
        throw new IllegalArgumentException("not a urlsession background transfer record");
      }
      long id = in.readLong();
      boolean upload = in.readBoolean();
      Request request = readRequest(in);
      String file = in.readUTF();
      String description = in.readUTF();
      long created = in.readLong();
      long deadline = in.readLong();
      long earliest = in.readLong();
      boolean answered = in.readBoolean();
      boolean suspended = in.readBoolean();
      int n = in.readInt();
      byte[] resume = null;
      if (n >= 0) {
        if (n > ResumeData.MAX_SIZE) {
          throw new IllegalArgumentException("resume data too large");
        }
        resume = new byte[n];
        in.readFully(resume);
      }
      return new Transfer(id, upload, request, file.isEmpty() ? null : Path.of(file),
          description.isEmpty() ? null : description, created, deadline, earliest, answered, suspended, resume);
    } catch (IOException e) {
      throw new IllegalArgumentException("corrupt background transfer record: " + e, e);
    }
  }

  private static void writeRequest(DataOutputStream out, Request r) throws IOException {
    out.writeUTF(r.method());
    out.writeUTF(r.url().toString());
    Headers headers = r.headers();
    out.writeShort(headers.size());
    for (int i = 0; i < headers.size(); i++) {
      out.writeUTF(headers.name(i));
      out.writeUTF(headers.value(i));
    }
    out.writeLong(r.isTimeoutIntervalSet() ? r.timeoutInterval().toMillis() : -1); // -1: the session's
  }

  private static Request readRequest(DataInputStream in) throws IOException {
    String method = in.readUTF();
    Request.Builder b = Request.builder(URI.create(in.readUTF())).method(method);
    int n = in.readUnsignedShort();
    for (int i = 0; i < n; i++) {
      b.addHeader(in.readUTF(), in.readUTF());
    }
    long timeout = in.readLong();
    if (timeout > 0) {
      b.timeoutInterval(java.time.Duration.ofMillis(timeout));
    }
    return b.build();
  }
}
