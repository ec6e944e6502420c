package dev.urlsession;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import org.jspecify.annotations.Nullable;

/**
 * One background transfer as the durable store keeps it (db-scheduler's {@code task_data} and
 * {@code <id>.task}): what to load, never what happened. Immutable; encoded in a versioned binary
 * format of our own (never Java serialization, which must not read data from a shared database).
 */
final class Transfer {
  private static final int MAGIC = 0x55425452; // "UBTR"
  private static final int VERSION = 1;

  final long id;
  final boolean upload;
  final Request request;
  final @Nullable Path uploadFile;
  final @Nullable String description;
  final long createdMillis;
  final long deadlineMillis;
  /** The earliest begin date, or -1. */
  final long earliestBeginMillis;
  /** Whether willBeginDelayedRequest was already asked. */
  final boolean delayAnswered;
  final boolean suspended;
  final byte @Nullable [] resumeData;

  Transfer(long id, boolean upload, Request request, @Nullable Path uploadFile,
      @Nullable String description, long createdMillis, long deadlineMillis, long earliestBeginMillis,
      boolean delayAnswered, boolean suspended, byte @Nullable [] resumeData) {
    this.id = id;
    this.upload = upload;
    this.request = request;
    this.uploadFile = uploadFile;
    this.description = description;
    this.createdMillis = createdMillis;
    this.deadlineMillis = deadlineMillis;
    this.earliestBeginMillis = earliestBeginMillis;
    this.delayAnswered = delayAnswered;
    this.suspended = suspended;
    this.resumeData = resumeData;
  }

  Transfer withRequest(Request r) {
    return new Transfer(id, upload, r, uploadFile, description, createdMillis, deadlineMillis,
        earliestBeginMillis, true, suspended, resumeData);
  }

  Transfer withDelayAnswered() {
    return new Transfer(id, upload, request, uploadFile, description, createdMillis, deadlineMillis,
        earliestBeginMillis, true, suspended, resumeData);
  }

  Transfer withSuspended(boolean s) {
    return new Transfer(id, upload, request, uploadFile, description, createdMillis, deadlineMillis,
        earliestBeginMillis, delayAnswered, s, resumeData);
  }

  byte[] encode() {
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

  static Transfer decode(byte[] bytes) {
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

  static void writeRequest(DataOutputStream out, Request r) throws IOException {
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

  static Request readRequest(DataInputStream in) throws IOException {
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

  /**
   * Writes {@code data} to {@code target} crash-safely: a temporary file in the same directory,
   * forced to disk, renamed over the target, then the directory forced (RELIABILITY.md).
   */
  static void writeDurably(Path target, byte[] data) throws IOException {
    Path dir = target.getParent();
    Path temp = dir.resolve(target.getFileName() + ".tmp-" + Long.toHexString(System.nanoTime()));
    try (FileChannel c = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(data);
      while (b.hasRemaining()) {
        c.write(b);
      }
      c.force(true);
    } catch (IOException e) {
      Files.deleteIfExists(temp);
      throw e;
    }
    moveDurably(temp, target);
  }

  /** Renames {@code from} to {@code to} atomically (same directory or file system), then forces the directory. */
  static void moveDurably(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
    forceDirectory(to.getParent());
  }

  static void forceDirectory(Path dir) {
    try (FileChannel c = FileChannel.open(dir, StandardOpenOption.READ)) {
      c.force(true);
    } catch (IOException | RuntimeException e) {
      // not every platform can force a directory: the rename itself is still atomic
    }
  }
}
