package dev.urlsession;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The storage directory and the folders the cache, cookie and credential storages and the resume
 * keys create in it are owner-only ({@code rwx------}), as their files are (issue 18 item 6).
 */
class StoragePermissionsTests {
  @TempDir Path temp;
  Path storage;

  @BeforeEach
  void posixOnly() {
    assumeTrue(temp.getFileSystem().supportedFileAttributeViews().contains("posix"), "POSIX permissions");
    storage = temp.resolve("home").resolve(".urlsession");
  }

  static String permissions(Path p) throws IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
  }

  @Test
  void diskCacheWhenItCreatesItsDirectoryMakesItAndItsParentsOwnerOnly() throws Exception {
    HttpCache cache = HttpCache.create(1 << 20, 1 << 20, storage.resolve("cache"));
    URI url = URI.create("https://example.org/a");
    cache.storeCachedResponse(new CachedResponse(Response.builder(url).statusCode(200).build(), new byte[] {1}),
        Request.get(url));

    assertThat(permissions(temp.resolve("home"))).isEqualTo("rwx------");
    assertThat(permissions(storage)).isEqualTo("rwx------");
    assertThat(permissions(storage.resolve("cache"))).isEqualTo("rwx------");
  }

  @Test
  void cookieStorageWhenItCreatesItsDirectoryMakesItOwnerOnly() throws Exception {
    CookieStorage cookies = CookieStorage.persistent(storage.resolve("cookies").resolve("cookies.txt"));
    cookies.setCookie(Cookie.builder("a", "b").domain("example.org")
        .expiresDate(Instant.now().plus(Duration.ofDays(1))).build());
    cookies.flush();

    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(storage.resolve("cookies")));
    assertThat(permissions(storage)).isEqualTo("rwx------");
    assertThat(permissions(storage.resolve("cookies"))).isEqualTo("rwx------");
  }

  @Test
  void credentialStorageWhenItCreatesItsDirectoryMakesItOwnerOnly() throws Exception {
    CredentialStorage credentials = CredentialStorage.persistent(storage.resolve("credentials"));
    credentials.set(Credential.of("ann", "s3cret", Credential.Persistence.PERMANENT),
        ProtectionSpace.of("example.org", 443, "https", "realm", AuthenticationMethod.HTTP_BASIC));

    assertThat(Files.exists(storage.resolve("credentials"))).isTrue();
    assertThat(permissions(storage)).isEqualTo("rwx------");
    assertThat(permissions(storage.resolve("credentials"))).isEqualTo("rw-------");
  }

  @Test
  void resumeKeyWhenItCreatesTheStorageDirectoryMakesItOwnerOnly() throws Exception {
    ResumeKeys.keyFor(storage);

    assertThat(permissions(storage)).isEqualTo("rwx------");
    assertThat(List.of(storage.toFile().list())).isNotEmpty();
  }
}
