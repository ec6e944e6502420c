package dev.urlsession;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.urlsession.Credential.Persistence;
import java.net.URI;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link CredentialStorage}: defaults, removal and change notifications (URLSESSION-BEHAVIOUR.md 9.3). */
class CredentialStorageTests {
  private static final ProtectionSpace SPACE =
      ProtectionSpace.of("example.org", 443, "https", "shop", AuthenticationMethod.HTTP_BASIC);
  private static final ProtectionSpace OTHER =
      ProtectionSpace.of("example.net", 443, "https", "shop", AuthenticationMethod.HTTP_BASIC);

  private final CredentialStorage storage = CredentialStorage.inMemory();
  private final AtomicInteger changes = new AtomicInteger();

  {
    storage.addChangeListener(changes::incrementAndGet);
  }

  private static Credential ann() {
    return Credential.of("ann", "a", Persistence.FOR_SESSION);
  }

  private static Credential bob() {
    return Credential.of("bob", "b", Persistence.FOR_SESSION);
  }

  @Test
  void defaultCredentialWhenFirstStoredIsThatCredential() {
    storage.set(ann(), SPACE);
    storage.set(bob(), SPACE);

    assertThat(storage.defaultCredential(SPACE)).isEqualTo(ann());
    assertThat(storage.defaultCredential(OTHER)).isNull();
  }

  @Test
  void removeWhenTheCredentialIsTheDefaultLeavesTheSpaceWithoutDefault() {
    storage.set(ann(), SPACE);
    storage.set(bob(), SPACE);

    storage.remove(ann(), SPACE);

    assertThat(storage.credentials(SPACE)).containsOnlyKeys("bob");
    assertThat(storage.defaultCredential(SPACE)).isNull();
  }

  @Test
  void removeWhenTheDefaultWasSetExplicitlyPromotesNoOtherCredential() {
    storage.set(ann(), SPACE);
    storage.setDefaultCredential(bob(), SPACE);

    storage.remove(bob(), SPACE);

    assertThat(storage.defaultCredential(SPACE)).isNull();
    // The next credential stored into a space without default becomes it.
    Credential cid = Credential.of("cid", "c", Persistence.FOR_SESSION);
    storage.set(cid, SPACE);
    assertThat(storage.defaultCredential(SPACE)).isEqualTo(cid);
  }

  @Test
  void removeWhenAnotherCredentialIsRemovedKeepsTheDefault() {
    storage.set(ann(), SPACE);
    storage.set(bob(), SPACE);

    storage.remove(bob(), SPACE);

    assertThat(storage.defaultCredential(SPACE)).isEqualTo(ann());
  }

  @Test
  void setDefaultCredentialWhenUserIsReplacedReturnsTheNewCredential() {
    storage.setDefaultCredential(ann(), SPACE);
    Credential newPassword = Credential.of("ann", "a2", Persistence.FOR_SESSION);

    storage.set(newPassword, SPACE);

    assertThat(storage.defaultCredential(SPACE)).isEqualTo(newPassword);
    assertThat(changes).hasValue(2);
  }

  @Test
  void changeListenersWhenStorageChangesRunOncePerChange() {
    storage.set(ann(), SPACE); // stored, and default of the space
    storage.set(bob(), SPACE);
    storage.setDefaultCredential(bob(), SPACE);
    storage.remove(ann(), SPACE);
    storage.removeAll();

    assertThat(changes).hasValue(5);
  }

  @Test
  void changeListenersWhenNothingChangesAreNotCalled() {
    storage.set(ann(), SPACE);
    storage.setDefaultCredential(bob(), SPACE);
    changes.set(0);

    storage.set(ann(), SPACE);
    storage.set(Credential.of("ann", "a", Persistence.FOR_SESSION), SPACE);
    storage.set(bob(), SPACE);
    storage.setDefaultCredential(bob(), SPACE);
    storage.set(Credential.of("nobody", "n", Persistence.NONE), SPACE);
    storage.setDefaultCredential(Credential.of("nobody", "n", Persistence.NONE), SPACE);
    storage.remove(Credential.of("zed", "z", Persistence.FOR_SESSION), SPACE);
    storage.remove(ann(), OTHER);
    // Same user, another password: not the stored credential.
    storage.remove(Credential.of("ann", "wrong", Persistence.FOR_SESSION), SPACE);
    // Same user and password, another persistence: not the stored credential either.
    storage.remove(Credential.of("ann", "a", Persistence.PERMANENT), SPACE);

    assertThat(changes).hasValue(0);
    assertThat(storage.credentials(SPACE)).containsOnlyKeys("ann", "bob");
    assertThat(storage.defaultCredential(SPACE)).isEqualTo(bob());
  }

  @Test
  void removeAllWhenEmptyNotifiesNobody() {
    storage.removeAll();

    assertThat(changes).hasValue(0);
  }

  @Test
  void removeWhenSynchronizableNeedsTheFlag() {
    Credential synced = Credential.of("sync", "s", Persistence.SYNCHRONIZABLE);
    storage.set(synced, SPACE);
    changes.set(0);

    storage.remove(synced, SPACE);
    assertThat(storage.credentials(SPACE)).containsOnlyKeys("sync");
    assertThat(changes).hasValue(0);

    storage.remove(synced, SPACE, true);
    assertThat(storage.credentials(SPACE)).isEmpty();
    assertThat(changes).hasValue(1);
  }

  @Test
  void taskVariantsWhenCalledActAsThePlainOnes() throws Exception {
    Session session = Session.create(SessionConfiguration.ephemeral());
    try {
      SessionTask task = session.dataTask(URI.create("http://localhost/never-resumed"));
      Credential synced = Credential.of("sync", "s", Persistence.SYNCHRONIZABLE);

      storage.set(ann(), SPACE, task);
      storage.setDefaultCredential(bob(), SPACE, task);
      storage.set(synced, SPACE, task);
      assertThat(storage.credentials(SPACE, task).get(5, SECONDS)).containsOnlyKeys("ann", "bob", "sync");
      assertThat(storage.defaultCredential(SPACE, task).get(5, SECONDS)).isEqualTo(bob());

      storage.remove(bob(), SPACE, task);
      storage.remove(synced, SPACE, task);
      assertThat(storage.credentials(SPACE)).containsOnlyKeys("ann", "sync");
      assertThat(storage.defaultCredential(SPACE, task).get(5, SECONDS)).isNull();

      storage.remove(synced, SPACE, true, task);
      assertThat(storage.credentials(SPACE)).containsOnlyKeys("ann");
      assertThat(changes).hasValue(5);
    } finally {
      session.invalidateAndCancel();
    }
  }

  @Test
  void persistentStorageWhenReadBackKeepsAnAbsentDefaultAbsent(@TempDir Path dir) {
    Path file = dir.resolve("credentials");
    CredentialStorage persistent = CredentialStorage.persistent(file);
    Credential first = Credential.of("first", "1", Persistence.PERMANENT);
    Credential second = Credential.of("second", "2", Persistence.PERMANENT);
    persistent.set(first, SPACE);
    persistent.set(second, SPACE);
    persistent.set(first, OTHER);

    persistent.remove(first, SPACE);

    CredentialStorage reread = CredentialStorage.persistent(file);
    assertThat(reread.credentials(SPACE)).containsOnlyKeys("second");
    assertThat(reread.defaultCredential(SPACE)).isNull();
    assertThat(reread.defaultCredential(OTHER)).isEqualTo(first);
  }
}
