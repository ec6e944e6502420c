package dev.urlsession.internal.background;

import dev.urlsession.Headers;
import dev.urlsession.Response;
import dev.urlsession.SessionException;
import dev.urlsession.SessionException.BackgroundTaskCancelledReason;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * How a background transfer ended, kept durably ({@code <id>.result}) until its events were
 * delivered to an attached session: the transfer, the response, the error, and the finished file.
 *
 * @param errorCode the failure's code, or null for a success
 * @param reason why the library gave the transfer up, or null
 * @param file the finished download, or null
 */
public record TransferResult(Transfer transfer, @Nullable Response response, SessionException.@Nullable Code errorCode,
    @Nullable BackgroundTaskCancelledReason reason, @Nullable String detail, @Nullable Path file,
    long bytesReceived, long bytesExpected, long bytesSent) {
  private static final int MAGIC = 0x55425253; // "UBRS"
  private static final int VERSION = 1;

  /** A transfer that ended with {@code code} before (or without) a response. */
  public static TransferResult failure(Transfer t, SessionException.Code code,
      @Nullable BackgroundTaskCancelledReason reason, @Nullable String detail) {
    return new TransferResult(t, null, code, reason, detail, null, 0, -1, 0);
  }

  /** The failure to deliver, or null for a success. */
  public @Nullable SessionException error() {
    if (errorCode == null) {
      return null;
    }
    return new SessionException(errorCode, transfer.request().url(), detail, null, reason);
  }

  /** The record in its versioned binary form. */
  public byte[] encode() {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream(512);
    try (DataOutputStream out = new DataOutputStream(buffer)) {
      out.writeInt(MAGIC);
      out.writeByte(VERSION);
      byte[] t = transfer.encode();
      out.writeInt(t.length);
      out.write(t);
      out.writeBoolean(response != null);
      if (response != null) {
        out.writeUTF(response.url().toString());
        out.writeShort(response.statusCode());
        Headers h = response.headers();
        out.writeShort(h.size());
        for (int i = 0; i < h.size(); i++) {
          out.writeUTF(h.name(i));
          out.writeUTF(h.value(i));
        }
      }
      out.writeInt(errorCode == null ? 0 : errorCode.value());
      out.writeInt(reason == null ? -1 : reason.value());
      out.writeUTF(detail == null ? "" : detail);
      out.writeUTF(file == null ? "" : file.toString());
      out.writeLong(bytesReceived);
      out.writeLong(bytesExpected);
      out.writeLong(bytesSent);
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
  public static TransferResult decode(byte[] bytes) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
      if (in.readInt() != MAGIC || in.readUnsignedByte() != VERSION) {
        throw new IllegalArgumentException("not a urlsession background result record");
      }
      int n = in.readInt();
      if (n < 0 || n > 1024 * 1024) {
        throw new IllegalArgumentException("corrupt background result record");
      }
      byte[] t = new byte[n];
      in.readFully(t);
      Transfer transfer = Transfer.decode(t);
      Response response = null;
      if (in.readBoolean()) {
        Response.Builder b = Response.builder(URI.create(in.readUTF())).statusCode(in.readUnsignedShort());
        int headers = in.readUnsignedShort();
        for (int i = 0; i < headers; i++) {
          b.header(in.readUTF(), in.readUTF());
        }
        response = b.build();
      }
      int code = in.readInt();
      int reason = in.readInt();
      String detail = in.readUTF();
      String file = in.readUTF();
      return new TransferResult(transfer, response, code == 0 ? null : codeOf(code), reasonOf(reason),
          detail.isEmpty() ? null : detail, file.isEmpty() ? null : Path.of(file),
          in.readLong(), in.readLong(), in.readLong());
    } catch (IOException e) {
      throw new IllegalArgumentException("corrupt background result record: " + e, e);
    }
  }

  private static SessionException.Code codeOf(int value) {
    for (SessionException.Code c : SessionException.Code.values()) {
      if (c.value() == value) {
        return c;
      }
    }
    return SessionException.Code.UNKNOWN;
  }

  private static @Nullable BackgroundTaskCancelledReason reasonOf(int value) {
    for (BackgroundTaskCancelledReason r : BackgroundTaskCancelledReason.values()) {
      if (r.value() == value) {
        return r;
      }
    }
    return null;
  }
}
