package dev.urlsession;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class SessionRegistryTests {
  private final SessionRegistry registry = new SessionRegistry();
  private final Session api = Session.create(SessionConfiguration.defaultConfiguration());
  private final Session cdn = Session.create(SessionConfiguration.ephemeral());

  @AfterEach
  void invalidate() {
    api.invalidateAndCancel();
    cdn.invalidateAndCancel();
  }

  @Test
  void sessionWhenRegisteredReturnsIt() {
    registry.register("api", api);
    registry.register("cdn", cdn);
    assertThat(registry.session("api")).isSameAs(api);
    assertThat(registry.session("cdn")).isSameAs(cdn);
    assertThat(registry.find("api")).containsSame(api);
  }

  @Test
  void sessionWhenNameIsUnknownThrowsNoSuchSessionExceptionNamingItAndTheRegisteredOnes() {
    registry.register("api", api);
    assertThatThrownBy(() -> registry.session("apj"))
        .isInstanceOfSatisfying(NoSuchSessionException.class,
            e -> assertThat(e.sessionName()).isEqualTo("apj"))
        .hasMessage("No session named 'apj' is registered; registered sessions: [api]");
  }

  @Test
  void sessionWhenNameIsNullThrowsIllegalArgumentException() {
    assertThatIllegalArgumentException().isThrownBy(() -> registry.session(null));
    assertThatIllegalArgumentException().isThrownBy(() -> registry.find(null));
  }

  @Test
  void findWhenNameIsUnknownIsEmptyAndCreatesNothing() {
    assertThat(registry.find("api")).isEmpty();
    assertThat(registry.names()).isEmpty();
  }

  @Test
  void noSuchSessionExceptionWithNameOnlyHasAMessageNamingIt() {
    assertThat(new NoSuchSessionException("x")).hasMessage("No session named 'x' is registered");
  }

  @Test
  void namesKeepRegistrationOrderAndAreASnapshot() {
    registry.register("zeta", api);
    registry.register("alpha", cdn);
    var names = registry.names();
    var sessions = registry.sessions();
    registry.remove("zeta");
    assertThat(names).containsExactly("zeta", "alpha");
    assertThat(sessions).containsExactly(
        java.util.Map.entry("zeta", api), java.util.Map.entry("alpha", cdn));
    assertThat(registry.names()).containsExactly("alpha");
    assertThatThrownBy(() -> names.add("x")).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void registerWhenNameIsTakenThrowsIllegalStateExceptionAndKeepsTheFirst() {
    registry.register("api", api);
    assertThatIllegalStateException().isThrownBy(() -> registry.register("api", cdn))
        .withMessage("A session named 'api' is already registered");
    assertThat(registry.session("api")).isSameAs(api);
  }

  @Test
  void registerWhenNameIsBlankOrSessionIsNullThrowsIllegalArgumentException() {
    assertThatIllegalArgumentException().isThrownBy(() -> registry.register(" ", api));
    assertThatIllegalArgumentException().isThrownBy(() -> registry.register(null, api));
    assertThatIllegalArgumentException().isThrownBy(() -> registry.register("api", null));
    assertThat(registry.names()).isEmpty();
  }

  @Test
  void removeReturnsTheSessionWithoutInvalidatingIt() {
    registry.register("api", api);
    assertThat(registry.remove("api")).containsSame(api);
    assertThat(registry.find("api")).isEmpty();
    // Still valid: creating a task does not throw.
    assertThat(api.dataTask(URI.create("http://127.0.0.1:1/")).state())
        .isEqualTo(SessionTask.State.SUSPENDED);
  }

  @Test
  void removeWhenNameIsUnknownIsEmptyAndNotifiesNobody() {
    List<String> heard = new ArrayList<>();
    registry.addListener(new SessionRegistry.Listener() {
      @Override
      public void sessionRemoved(String name, Session session) {
        heard.add(name);
      }
    });
    assertThat(registry.remove("nope")).isEmpty();
    assertThat(heard).isEmpty();
  }

  @Test
  void listenersHearAddsAndRemovesInOrderOnTheCallingThread() {
    List<String> heard = new ArrayList<>();
    Thread caller = Thread.currentThread();
    registry.addListener(recording(heard, caller));
    registry.register("api", api);
    registry.register("cdn", cdn);
    registry.remove("api");
    assertThat(heard).containsExactly("+api", "+cdn", "-api");
  }

  @Test
  void listenerThatThrowsDoesNotStopTheOtherListeners() {
    List<String> heard = new ArrayList<>();
    registry.addListener(new SessionRegistry.Listener() {
      @Override
      public void sessionAdded(String name, Session session) {
        throw new IllegalStateException("boom (expected by the test)");
      }
    });
    registry.addListener(recording(heard, Thread.currentThread()));
    registry.register("api", api);
    assertThat(heard).containsExactly("+api");
    assertThat(registry.session("api")).isSameAs(api);
  }

  @Test
  void listenerThatRegistersASessionHearsOfItAfterItReturns() {
    List<String> heard = new ArrayList<>();
    registry.addListener(new SessionRegistry.Listener() {
      @Override
      public void sessionAdded(String name, Session session) {
        heard.add("start +" + name);
        if (name.equals("api")) {
          registry.register("cdn", cdn);
        }
        heard.add("end +" + name);
      }
    });
    registry.register("api", api);
    assertThat(heard).containsExactly("start +api", "end +api", "start +cdn", "end +cdn");
  }

  @Test
  void removedListenerHearsNothing() {
    List<String> heard = new ArrayList<>();
    SessionRegistry.Listener listener = recording(heard, Thread.currentThread());
    registry.addListener(listener);
    registry.removeListener(listener);
    registry.register("api", api);
    assertThat(heard).isEmpty();
  }

  @Test
  void changesFromManyThreadsReachListenersOneAtATimeAndInOrderPerName() throws Exception {
    int threads = 8;
    int perThread = 200;
    List<String> heard = Collections.synchronizedList(new ArrayList<>());
    AtomicInteger inFlight = new AtomicInteger();
    AtomicInteger overlaps = new AtomicInteger();
    registry.addListener(new SessionRegistry.Listener() {
      @Override
      public void sessionAdded(String name, Session session) {
        record("+" + name);
      }

      @Override
      public void sessionRemoved(String name, Session session) {
        record("-" + name);
      }

      private void record(String event) {
        if (inFlight.incrementAndGet() != 1) {
          overlaps.incrementAndGet();
        }
        heard.add(event);
        inFlight.decrementAndGet();
      }
    });
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        futures.add(pool.submit(() -> {
          start.await(5, TimeUnit.SECONDS);
          for (int i = 0; i < perThread; i++) {
            String name = thread + "-" + i;
            registry.register(name, api);
            registry.remove(name);
          }
          return null;
        }));
      }
      start.countDown();
      for (Future<?> f : futures) {
        f.get(20, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(overlaps).hasValue(0);
    assertThat(heard).hasSize(threads * perThread * 2);
    for (int t = 0; t < threads; t++) {
      for (int i = 0; i < perThread; i++) {
        String name = t + "-" + i;
        assertThat(heard.indexOf("+" + name)).isLessThan(heard.indexOf("-" + name));
      }
    }
    assertThat(registry.names()).isEmpty();
  }

  private static SessionRegistry.Listener recording(List<String> heard, Thread expectedThread) {
    return new SessionRegistry.Listener() {
      @Override
      public void sessionAdded(String name, Session session) {
        assertThat(Thread.currentThread()).isSameAs(expectedThread);
        heard.add("+" + name);
      }

      @Override
      public void sessionRemoved(String name, Session session) {
        assertThat(Thread.currentThread()).isSameAs(expectedThread);
        heard.add("-" + name);
      }
    };
  }
}
