package dev.urlsession.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.zip.CRC32;
import org.jspecify.annotations.Nullable;

/**
 * The file of a persistent cookie storage: {@code urlsession-cookies 1}, then one line per cookie
 * of {@link #FIELDS} fields separated by TAB, then {@code end <count> <crc32 of everything
 * before>}. Every field is percent-encoded UTF-8 for everything outside {@code '!'..'~'} and for
 * {@code '%'}, so the file is printable ASCII and no value can hold a TAB or a line break. A file
 * that is not exactly that is refused whole. Written atomically, readable by its owner only.
 */
public final class CookieFileFormat {
  /** Fields per cookie: name, value, domain, path, expiry, secure, httpOnly, sameSite, creation. */
  public static final int FIELDS = 9;
  private static final String HEADER = "urlsession-cookies 1";
  private static final String TRAILER = "end";

  private CookieFileFormat() {}

  /** The file's text for {@code rows} of {@link #FIELDS} fields each, already escaped. */
  public static byte[] format(List<String[]> rows) {
    StringBuilder b = new StringBuilder(HEADER).append('\n');
    for (String[] row : rows) {
      b.append(String.join("\t", row)).append('\n');
    }
    String checksum = crc(b);
    b.append(TRAILER).append(' ').append(rows.size()).append(' ').append(checksum).append('\n');
    return b.toString().getBytes(StandardCharsets.US_ASCII);
  }

  /**
   * The rows of a file's bytes, or null unless they are exactly what {@link #format} produces.
   */
  public static @Nullable List<String[]> parse(byte[] bytes) {
    String text;
    try {
      text = StandardCharsets.US_ASCII.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      return null;
    }
    if (!text.startsWith(HEADER + "\n") || !text.endsWith("\n")) {
      return null;
    }
    int trailerStart = text.lastIndexOf('\n', text.length() - 2) + 1;
    String[] trailer = text.substring(trailerStart, text.length() - 1).split(" ", -1);
    if (trailer.length != 3 || !trailer[0].equals(TRAILER)) {
      return null;
    }
    String body = text.substring(0, trailerStart);
    if (!trailer[2].equals(crc(body))) {
      return null;
    }
    String[] lines = body.substring(HEADER.length() + 1).split("\n", -1);
    List<String[]> rows = new ArrayList<>(lines.length);
    for (int i = 0; i < lines.length - 1; i++) {
      String[] row = lines[i].split("\t", -1);
      if (row.length != FIELDS) {
        return null;
      }
      rows.add(row);
    }
    if (!lines[lines.length - 1].isEmpty() || !trailer[1].equals(Integer.toString(rows.size()))) {
      return null;
    }
    return rows;
  }

  /** A field's text in the file. */
  public static String escape(String s) {
    return PercentCoding.encode(s);
  }

  /**
   * A field's value.
   *
   * @throws IllegalArgumentException if it is not a field of this format
   */
  public static String unescape(String s) {
    try {
      return PercentCoding.utf8(PercentCoding.decode(s, 0, true));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("cookie file: " + e.getMessage(), e);
    }
  }

  /** Replaces {@code f} with {@code content} atomically, readable and writable by its owner only. */
  public static void write(Path f, byte[] content) throws IOException {
    Path dir = f.getParent();
    boolean posix = dir.getFileSystem().supportedFileAttributeViews().contains("posix");
    if (!Files.isDirectory(dir)) {
      try {
        PrivateFiles.createDirectories(dir);
      } catch (FileAlreadyExistsException e) {
        // a race with another creator; the move below reports a real problem
      }
    }
    FileAttribute<?>[] attributes = posix
        ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(Set.of(
            PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE))}
        : new FileAttribute<?>[0];
    Path temp = Files.createTempFile(dir, "." + f.getFileName() + ".", ".tmp", attributes);
    try {
      Files.write(temp, content);
      try {
        Files.move(temp, f, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temp, f, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  private static String crc(CharSequence s) {
    CRC32 crc = new CRC32();
    crc.update(s.toString().getBytes(StandardCharsets.US_ASCII));
    return String.format("%08x", crc.getValue());
  }
}
