package dev.urlsession.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link PrivateFiles}: owner-only directories, and a partial file written again only while it is the session's. */
class PrivateFilesTests {
  @TempDir Path temp;

  @BeforeEach
  void posixOnly() {
    assumeTrue(temp.getFileSystem().supportedFileAttributeViews().contains("unix"), "a Unix file system");
  }

  static String permissions(Path p) throws IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
  }

  Path partial(String content) throws IOException {
    Path file = temp.resolve("urlsession-download-1.tmp");
    Files.writeString(file, content);
    return file;
  }

  @Test
  void createDirectoriesWhenMissingMakesEachNewOneOwnerOnlyAndLeavesExistingOnes() throws IOException {
    String before = permissions(temp);
    Path dir = temp.resolve(".urlsession").resolve("cache").resolve("deeper");

    assertThat(PrivateFiles.createDirectories(dir)).isEqualTo(dir);

    assertThat(permissions(temp.resolve(".urlsession"))).isEqualTo("rwx------");
    assertThat(permissions(temp.resolve(".urlsession").resolve("cache"))).isEqualTo("rwx------");
    assertThat(permissions(dir)).isEqualTo("rwx------");
    assertThat(permissions(temp)).isEqualTo(before);
  }

  @Test
  void createDirectoriesWhenAFileIsInTheWayThrows() throws IOException {
    Path file = Files.writeString(temp.resolve("file"), "x");

    assertThatThrownBy(() -> PrivateFiles.createDirectories(file)).isInstanceOf(IOException.class);
  }

  @Test
  void openOwnFileWhenStillTheSessionsFileOpensItForWriting() throws IOException {
    Path file = partial("hello");
    String key = PrivateFiles.fileKey(file);

    try (FileChannel c = PrivateFiles.openOwnFile(file, key, 5)) {
      c.position(5);
      c.write(ByteBuffer.wrap(" world".getBytes(StandardCharsets.US_ASCII)));
    }

    assertThat(key).isNotNull();
    assertThat(Files.readString(file)).isEqualTo("hello world");
  }

  @Test
  void openOwnFileWhenReplacedByAHardLinkToAnotherFileRefusesAndLeavesThatFile() throws IOException {
    Path file = partial("hello");
    String key = PrivateFiles.fileKey(file);
    Path victim = Files.writeString(temp.resolve("victim.conf"), "precious settings");
    Files.delete(file);
    Files.createLink(file, victim);

    assertThatThrownBy(() -> PrivateFiles.openOwnFile(file, key, 5))
        .isInstanceOf(IOException.class).hasMessageContaining("2 names");
    assertThat(Files.readString(victim)).isEqualTo("precious settings");
  }

  @Test
  void openOwnFileWhenAnotherNameWasLinkedToItRefuses() throws IOException {
    Path file = partial("hello");
    String key = PrivateFiles.fileKey(file);
    Files.createLink(temp.resolve("second-name"), file);

    assertThatThrownBy(() -> PrivateFiles.openOwnFile(file, key, 5)).hasMessageContaining("2 names");
  }

  @Test
  void openOwnFileWhenReplacedByAnotherFileRefuses() throws IOException {
    Path file = partial("hello");
    String key = PrivateFiles.fileKey(file);
    Path other = Files.writeString(temp.resolve("other"), "hello");
    Files.move(other, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);

    assertThatThrownBy(() -> PrivateFiles.openOwnFile(file, key, 5))
        .hasMessageContaining("not the file the session wrote");
  }

  @Test
  void openOwnFileWhenReplacedBySymbolicLinkRefuses() throws IOException {
    Path file = partial("hello");
    Path victim = Files.writeString(temp.resolve("victim"), "precious");
    Files.delete(file);
    Files.createSymbolicLink(file, victim);

    assertThatThrownBy(() -> PrivateFiles.openOwnFile(file, null, 5)).hasMessageContaining("not a regular file");
    assertThat(Files.readString(victim)).isEqualTo("precious");
  }

  @Test
  void openOwnFileWhenShorterThanWrittenRefuses() throws IOException {
    Path file = partial("hel");

    assertThatThrownBy(() -> PrivateFiles.openOwnFile(file, PrivateFiles.fileKey(file), 5))
        .hasMessageContaining("shorter");
  }

  @Test
  void openOwnFileWhenNoKeyWasRecordedStillChecksTheLinkCount() throws IOException {
    Path file = partial("hello");
    Files.createLink(temp.resolve("second-name"), file);

    assertThatThrownBy(() -> PrivateFiles.openOwnFile(file, null, 0)).hasMessageContaining("2 names");
  }
}
