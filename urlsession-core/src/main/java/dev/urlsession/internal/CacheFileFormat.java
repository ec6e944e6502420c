package dev.urlsession.internal;

import dev.urlsession.CacheStoragePolicy;
import dev.urlsession.CachedResponse;
import dev.urlsession.Headers;
import dev.urlsession.Response;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32C;
import org.jspecify.annotations.Nullable;

/**
 * The on-disk format of one {@code HttpCache} entry, one file per entry named by {@link
 * #fileName(String) the SHA-256 of its key}.
 *
 * <pre>
 * int    magic 0x55534843 ("USHC")
 * int    version (1)
 * int    metaLength
 * byte[] meta          key, times, policy, response (url, status, fields, mime type, encoding,
 *                      expected length), user info (String/Boolean/Integer/Long/Double values),
 *                      body length
 * int    CRC32C of everything before it (lets the index be built without reading bodies)
 * byte[] body
 * int    CRC32C of everything before it
 * </pre>
 *
 * Every read is bounds-checked: a short, altered or foreign file fails with {@link
 * CorruptCacheFileException}, never with a runtime exception or a partly read entry.
 */
public final class CacheFileFormat {
  private CacheFileFormat() {}

  static final int MAGIC = 0x55534843;
  static final int VERSION = 1;

  /** magic, version, metaLength, meta CRC and file CRC. */
  private static final int FIXED_BYTES = 20;

  /** Bound on the metadata section, so a corrupt length cannot make us allocate gigabytes. */
  private static final int MAX_META_BYTES = 16 * 1024 * 1024;

  private static final byte STRING = 'S';
  private static final byte BOOLEAN = 'B';
  private static final byte INTEGER = 'I';
  private static final byte LONG = 'L';
  private static final byte DOUBLE = 'D';

  /** A file that is not a complete, intact entry of this format and version. */
  public static final class CorruptCacheFileException extends IOException {
    private static final long serialVersionUID = 1L;

    CorruptCacheFileException(String message) {
      super(message);
    }
  }

  /**
   * What the metadata section says.
   *
   * @param key the full cache key
   * @param entry the entry, whose body is empty unless read by {@link #read(Path)}
   * @param bodyLength the body length
   * @param fileSize the file size
   */
  public record Decoded(String key, CacheEntry entry, int bodyLength, long fileSize) {}

  /** The file name of the entry for {@code key}: the lower-case hex SHA-256 of its UTF-8 bytes. */
  public static String fileName(String key) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(sha.digest(key.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JVM", e);
    }
  }

  /** Whether {@code name} looks like an entry file name. */
  public static boolean isEntryFileName(String name) {
    if (name.length() != 64) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
        return false;
      }
    }
    return true;
  }

  /** The complete file for {@code entry} under {@code key}, with {@code body} as its body. */
  public static byte[] encode(String key, CacheEntry entry, byte[] body) {
    try {
      ByteArrayOutputStream metaBytes = new ByteArrayOutputStream(512);
      DataOutputStream meta = new DataOutputStream(metaBytes);
      CachedResponse cached = entry.cachedResponse();
      Response response = cached.response();
      writeString(meta, key);
      writeInstant(meta, entry.storedTime());
      writeInstant(meta, entry.requestTime());
      writeInstant(meta, entry.responseTime());
      meta.writeByte(cached.storagePolicy().ordinal());
      writeString(meta, response.url().toString());
      meta.writeInt(response.statusCode());
      Headers headers = response.headers();
      meta.writeInt(headers.size());
      for (int i = 0; i < headers.size(); i++) {
        writeString(meta, headers.name(i));
        writeString(meta, headers.value(i));
      }
      writeNullableString(meta, response.mimeType());
      writeNullableString(meta, response.textEncodingName());
      meta.writeLong(response.expectedContentLength());
      Map<String, Object> persistable = new LinkedHashMap<>();
      Map<String, Object> userInfo = cached.userInfo();
      (userInfo == null ? Map.<String, Object>of() : userInfo)
          .forEach(
              (k, v) -> {
                if (v instanceof String
                    || v instanceof Boolean
                    || v instanceof Integer
                    || v instanceof Long
                    || v instanceof Double) {
                  persistable.put(k, v);
                }
              });
      meta.writeInt(persistable.size());
      for (Map.Entry<String, Object> e : persistable.entrySet()) {
        writeString(meta, e.getKey());
        Object v = e.getValue();
        if (v instanceof String) {
          meta.writeByte(STRING);
          writeString(meta, (String) v);
        } else if (v instanceof Boolean) {
          meta.writeByte(BOOLEAN);
          meta.writeBoolean((Boolean) v);
        } else if (v instanceof Integer) {
          meta.writeByte(INTEGER);
          meta.writeInt((Integer) v);
        } else if (v instanceof Long) {
          meta.writeByte(LONG);
          meta.writeLong((Long) v);
        } else {
          meta.writeByte(DOUBLE);
          meta.writeDouble((Double) v);
        }
      }
      meta.writeInt(body.length);
      meta.flush();

      byte[] m = metaBytes.toByteArray();
      ByteBuffer file = ByteBuffer.allocate(FIXED_BYTES + m.length + body.length);
      file.putInt(MAGIC).putInt(VERSION).putInt(m.length).put(m);
      file.putInt(crc(file.array(), 0, file.position()));
      file.put(body);
      file.putInt(crc(file.array(), 0, file.position()));
      return file.array();
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
    }
  }

  /**
   * The metadata of the entry in {@code file}, reading only the metadata section; the body is
   * checked by {@link #read(Path)}. The file name must be that of the key.
   *
   * @throws CorruptCacheFileException if the file is not an intact entry of this version
   * @throws IOException if it cannot be read
   */
  public static Decoded readMeta(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      if (size < FIXED_BYTES) {
        throw new CorruptCacheFileException("truncated: " + size + " bytes");
      }
      ByteBuffer head = ByteBuffer.allocate(12);
      readFully(ch, head);
      int metaLength = checkHead(head.flip(), size);
      ByteBuffer prefix = ByteBuffer.allocate(12 + metaLength + 4);
      prefix.put(head.rewind());
      readFully(ch, prefix);
      Decoded d = decodeMeta(prefix.array(), metaLength, size);
      checkFileName(file, d.key());
      return d;
    }
  }

  /**
   * The whole entry in {@code file}, body included, after checking both checksums and that the file
   * name is that of the key.
   *
   * @throws CorruptCacheFileException if the file is not an intact entry of this version
   * @throws IOException if it cannot be read
   */
  public static Decoded read(Path file) throws IOException {
    byte[] bytes;
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      if (size < FIXED_BYTES) {
        throw new CorruptCacheFileException("truncated: " + size + " bytes");
      }
      if (size > Integer.MAX_VALUE - 16) {
        throw new CorruptCacheFileException("too large: " + size + " bytes");
      }
      ByteBuffer all = ByteBuffer.allocate((int) size);
      readFully(ch, all);
      bytes = all.array();
    }
    int metaLength = checkHead(ByteBuffer.wrap(bytes, 0, 12), bytes.length);
    Decoded meta = decodeMeta(bytes, metaLength, bytes.length);
    checkFileName(file, meta.key());
    int bodyStart = 12 + metaLength + 4;
    int end = bodyStart + meta.bodyLength();
    int stored = ByteBuffer.wrap(bytes, end, 4).getInt();
    if (stored != crc(bytes, 0, end)) {
      throw new CorruptCacheFileException("body checksum mismatch");
    }
    byte[] body = new byte[meta.bodyLength()];
    System.arraycopy(bytes, bodyStart, body, 0, body.length);
    CachedResponse c = meta.entry().cachedResponse();
    CacheEntry entry =
        new CacheEntry(
            new CachedResponse(c.response(), body, c.userInfo(), c.storagePolicy()),
            meta.entry().requestTime(),
            meta.entry().responseTime(),
            meta.entry().storedTime());
    return new Decoded(meta.key(), entry, meta.bodyLength(), meta.fileSize());
  }

  private static void checkFileName(Path file, String key) throws CorruptCacheFileException {
    Path name = file.getFileName();
    if (name == null || !fileName(key).equals(name.toString())) {
      throw new CorruptCacheFileException("the key does not match the file name");
    }
  }

  private static int checkHead(ByteBuffer head, long fileSize) throws CorruptCacheFileException {
    int magic = head.getInt();
    if (magic != MAGIC) {
      throw new CorruptCacheFileException(
          "not a cache entry (magic " + Integer.toHexString(magic) + ")");
    }
    int version = head.getInt();
    if (version != VERSION) {
      throw new CorruptCacheFileException("unsupported version " + version);
    }
    int metaLength = head.getInt();
    if (metaLength < 0 || metaLength > MAX_META_BYTES || metaLength > fileSize - FIXED_BYTES) {
      throw new CorruptCacheFileException("metadata length " + metaLength + " out of range");
    }
    return metaLength;
  }

  /** Decodes the metadata in {@code bytes[12 .. 12 + metaLength)}, followed by its CRC. */
  private static Decoded decodeMeta(byte[] bytes, int metaLength, long fileSize)
      throws CorruptCacheFileException {
    int stored = ByteBuffer.wrap(bytes, 12 + metaLength, 4).getInt();
    if (stored != crc(bytes, 0, 12 + metaLength)) {
      throw new CorruptCacheFileException("metadata checksum mismatch");
    }
    try {
      DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes, 12, metaLength));
      String key = readString(in);
      Instant storedTime = readInstant(in);
      Instant requestTime = readInstant(in);
      Instant responseTime = readInstant(in);
      int policyOrdinal = in.readUnsignedByte();
      CacheStoragePolicy[] policies = CacheStoragePolicy.values();
      if (policyOrdinal >= policies.length) {
        throw new CorruptCacheFileException("unknown storage policy " + policyOrdinal);
      }
      URI url = new URI(readString(in));
      int status = in.readInt();
      int headerCount = in.readInt();
      if (headerCount < 0 || headerCount > metaLength / 8) {
        throw new CorruptCacheFileException("header count " + headerCount + " out of range");
      }
      Headers.Builder headers = Headers.builder();
      for (int i = 0; i < headerCount; i++) {
        headers.add(readString(in), readString(in));
      }
      String mimeType = readNullableString(in);
      String textEncoding = readNullableString(in);
      long expectedLength = in.readLong();
      Response response =
          Response.builder(url)
              .statusCode(status)
              .headers(headers.build())
              .mimeType(mimeType)
              .textEncodingName(textEncoding)
              .expectedContentLength(expectedLength)
              .build();
      int userInfoCount = in.readInt();
      if (userInfoCount < 0 || userInfoCount > metaLength / 4) {
        throw new CorruptCacheFileException("user info count " + userInfoCount + " out of range");
      }
      Map<String, Object> userInfo = new LinkedHashMap<>();
      for (int i = 0; i < userInfoCount; i++) {
        String k = readString(in);
        byte type = in.readByte();
        Object v;
        if (type == STRING) {
          v = readString(in);
        } else if (type == BOOLEAN) {
          v = in.readBoolean();
        } else if (type == INTEGER) {
          v = in.readInt();
        } else if (type == LONG) {
          v = in.readLong();
        } else if (type == DOUBLE) {
          v = in.readDouble();
        } else {
          throw new CorruptCacheFileException("unknown user info type " + type);
        }
        userInfo.put(k, v);
      }
      int bodyLength = in.readInt();
      if (in.available() != 0) {
        throw new CorruptCacheFileException("trailing metadata bytes");
      }
      if (bodyLength < 0 || fileSize != (long) FIXED_BYTES + metaLength + bodyLength) {
        throw new CorruptCacheFileException(
            "file is "
                + fileSize
                + " bytes, expected "
                + ((long) FIXED_BYTES + metaLength + bodyLength));
      }
      CachedResponse cached =
          new CachedResponse(response, new byte[0], userInfoCount == 0 ? null : userInfo,
              policies[policyOrdinal]);
      return new Decoded(
          key, new CacheEntry(cached, requestTime, responseTime, storedTime), bodyLength, fileSize);
    } catch (CorruptCacheFileException e) {
      throw e;
    } catch (IOException | RuntimeException | java.net.URISyntaxException e) {
      // EOF inside the metadata, an invalid header, URL or status, an impossible Instant...
      throw new CorruptCacheFileException("invalid metadata: " + e);
    }
  }

  private static void readFully(FileChannel ch, ByteBuffer into) throws IOException {
    while (into.hasRemaining()) {
      if (ch.read(into) < 0) {
        throw new CorruptCacheFileException("truncated");
      }
    }
  }

  private static int crc(byte[] bytes, int from, int to) {
    CRC32C crc = new CRC32C();
    crc.update(bytes, from, to - from);
    return (int) crc.getValue();
  }

  private static void writeInstant(DataOutputStream out, Instant t) throws IOException {
    out.writeLong(t.getEpochSecond());
    out.writeInt(t.getNano());
  }

  private static Instant readInstant(DataInputStream in) throws IOException {
    return Instant.ofEpochSecond(in.readLong(), in.readInt());
  }

  private static void writeString(DataOutputStream out, String s) throws IOException {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    out.writeInt(b.length);
    out.write(b);
  }

  private static String readString(DataInputStream in) throws IOException {
    int length = in.readInt();
    if (length < 0 || length > in.available()) {
      throw new EOFException("string length " + length + " out of range");
    }
    byte[] b = new byte[length];
    in.readFully(b);
    return new String(b, StandardCharsets.UTF_8);
  }

  private static void writeNullableString(DataOutputStream out, @Nullable String s)
      throws IOException {
    out.writeBoolean(s != null);
    if (s != null) {
      writeString(out, s);
    }
  }

  private static @Nullable String readNullableString(DataInputStream in) throws IOException {
    return in.readBoolean() ? readString(in) : null;
  }
}
