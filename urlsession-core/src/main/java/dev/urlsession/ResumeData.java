package dev.urlsession;

import dev.urlsession.internal.Checks;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;

/**
 * What a download task needs to continue an interrupted download (Apple's resume data blob):
 * opaque to applications, which may store it ({@link #toByteArray()}) and give it back
 * ({@link #from(byte[])}, then {@link Session#downloadTask(ResumeData)}).
 *
 * <p>The blob is untrusted input when it comes back: it has a versioned binary format with a size
 * limit, and it is signed with a key of the session's storage (an HMAC-SHA256), so a session only
 * resumes from data its own store produced and nobody altered. Its partial file must lie in the
 * session's download directory. It holds the request's URL and headers: store it as you would the
 * request.
 *
 * <p>Immutable and thread-safe.
 *
 * @since 0.1.0
 */
public final class ResumeData {
  /** The largest blob accepted. */
  public static final int MAX_SIZE = 64 * 1024;

  private static final int MAGIC = 0x55525344; // "URSD"
  /** Version 2 adds the partial file's key; blobs of version 1 are still read (no key). */
  private static final int VERSION = 2;
  private static final int MAC_LENGTH = 32;

  private final byte[] bytes;
  private final Request request;
  private final Path partialFile;
  private final long offset;
  private final @Nullable String entityTag;
  private final @Nullable String lastModified;
  private final long expectedLength;
  private final @Nullable String partialFileKey;

  private ResumeData(byte[] bytes, Request request, Path partialFile, long offset,
      @Nullable String entityTag, @Nullable String lastModified, long expectedLength,
      @Nullable String partialFileKey) {
    this.bytes = bytes;
    this.request = request;
    this.partialFile = partialFile;
    this.offset = offset;
    this.entityTag = entityTag;
    this.lastModified = lastModified;
    this.expectedLength = expectedLength;
    this.partialFileKey = partialFileKey;
  }

  /**
   * Reads a blob produced by {@link #toByteArray()}.
   *
   * @throws IllegalArgumentException if it is null, too large, or not resume data of a known
   *     version; whether it was altered is checked by the session that resumes it
   */
  public static ResumeData from(byte[] bytes) {
    Checks.notNull(bytes, "resume data");
    if (bytes.length > MAX_SIZE) {
      throw new IllegalArgumentException("resume data is larger than " + MAX_SIZE + " bytes");
    }
    byte[] copy = bytes.clone();
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(copy))) {
      if (in.readInt() != MAGIC) {
        throw new IllegalArgumentException("not urlsession resume data");
      }
      int version = in.readUnsignedByte();
      if (version != 1 && version != VERSION) {
        throw new IllegalArgumentException("unsupported resume data version " + version);
      }
      URI url = URI.create(in.readUTF());
      Request.Builder request = Request.builder(url);
      int headers = in.readUnsignedShort();
      for (int i = 0; i < headers; i++) {
        request.addHeader(in.readUTF(), in.readUTF());
      }
      Path partial = Path.of(in.readUTF());
      long offset = in.readLong();
      String etag = emptyToNull(in.readUTF());
      String lastModified = emptyToNull(in.readUTF());
      long expected = in.readLong();
      String fileKey = version >= 2 ? emptyToNull(in.readUTF()) : null;
      byte[] mac = new byte[MAC_LENGTH];
      in.readFully(mac);
      if (in.read() != -1) {
        throw new IllegalArgumentException("trailing bytes after resume data");
      }
      if (offset < 0 || expected < -1) {
        throw new IllegalArgumentException("resume data holds negative lengths");
      }
      return new ResumeData(copy, request.build(), partial, offset, etag, lastModified, expected, fileKey);
    } catch (IOException | RuntimeException e) {
      if (e instanceof IllegalArgumentException && e.getMessage() != null
          && !(e.getCause() instanceof IOException)) {
        throw (IllegalArgumentException) e;
      }
      throw new IllegalArgumentException("corrupt resume data: " + e, e);
    }
  }

  /** Signs and encodes resume data with {@code key}, without the partial file's key. */
  static ResumeData create(Request request, Path partialFile, long offset,
      @Nullable String entityTag, @Nullable String lastModified, long expectedLength, byte[] key) {
    return create(request, partialFile, offset, entityTag, lastModified, expectedLength, null, key);
  }

  /**
   * Signs and encodes resume data with {@code key}; {@code partialFileKey} is the partial file's
   * identity ({@code PrivateFiles.fileKey}), checked before the file is written again.
   */
  static ResumeData create(Request request, Path partialFile, long offset,
      @Nullable String entityTag, @Nullable String lastModified, long expectedLength,
      @Nullable String partialFileKey, byte[] key) {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream(512);
    try (DataOutputStream out = new DataOutputStream(buffer)) {
      out.writeInt(MAGIC);
      out.writeByte(VERSION);
      out.writeUTF(request.url().toString());
      Headers headers = request.headers();
      out.writeShort(headers.size());
      for (int i = 0; i < headers.size(); i++) {
        out.writeUTF(headers.name(i));
        out.writeUTF(headers.value(i));
      }
      out.writeUTF(partialFile.toString());
      out.writeLong(offset);
      out.writeUTF(entityTag == null ? "" : entityTag);
      out.writeUTF(lastModified == null ? "" : lastModified);
      out.writeLong(expectedLength);
      out.writeUTF(partialFileKey == null ? "" : partialFileKey);
      out.flush();
      out.write(mac(key, buffer.toByteArray()));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return from(buffer.toByteArray());
  }

  /** Whether the blob was signed with {@code key}. */
  boolean isSignedWith(byte[] key) {
    byte[] payload = Arrays.copyOf(bytes, bytes.length - MAC_LENGTH);
    byte[] mac = Arrays.copyOfRange(bytes, bytes.length - MAC_LENGTH, bytes.length);
    return MessageDigest.isEqual(mac, mac(key, payload));
  }

  private static byte[] mac(byte[] key, byte[] payload) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(payload);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }

  private static @Nullable String emptyToNull(String s) {
    return s.isEmpty() ? null : s;
  }

  /**
   * The identity of the partial file when the data was made (device and inode on Unix), or null
   * (resume data of version 1, or a file system without file keys).
   */
  @Nullable String partialFileKey() {
    return partialFileKey;
  }

  /** The encoded, signed blob. */
  public byte[] toByteArray() {
    return bytes.clone();
  }

  /** The URL being downloaded. */
  public URI url() {
    return request.url();
  }

  /** Bytes already on disk. */
  public long bytesReceived() {
    return offset;
  }

  Request request() {
    return request;
  }

  Path partialFile() {
    return partialFile;
  }

  @Nullable String entityTag() {
    return entityTag;
  }

  @Nullable String lastModified() {
    return lastModified;
  }

  long expectedLength() {
    return expectedLength;
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof ResumeData && Arrays.equals(((ResumeData) o).bytes, bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  @Override
  public String toString() {
    return "ResumeData{" + SessionException.redact(request.url()) + ", " + offset + " bytes}";
  }
}
