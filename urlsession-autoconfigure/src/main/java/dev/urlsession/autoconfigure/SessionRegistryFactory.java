package dev.urlsession.autoconfigure;

import dev.urlsession.HttpCache;
import dev.urlsession.Session;
import dev.urlsession.SessionConfiguration;
import dev.urlsession.SessionDelegate;
import dev.urlsession.SessionRegistry;
import dev.urlsession.autoconfigure.event.EventPublishingDelegate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.context.ApplicationEventPublisher;

/**
 * Creates every configured session, eagerly, and registers it: properties, then customizers,
 * then the delegate. If one session cannot be created, those created before it are invalidated
 * and the failure propagates, failing the start.
 */
final class SessionRegistryFactory {
  private final UrlSessionProperties properties;
  private final List<SessionConfigurationCustomizer> customizers;
  private final SessionConfigurationPropertyMapper mapper;
  /** Caches already sized, by identity: sessions may share one through their storage directory. */
  private final Map<HttpCache, SizedCache> sizedCaches = new IdentityHashMap<>();
  private final ListableBeanFactory beanFactory;
  private final ApplicationEventPublisher publisher;
  /** The delegate queue of background sessions, held until the application can take their events. */
  private final @Nullable Executor backgroundQueue;

  SessionRegistryFactory(UrlSessionProperties properties, List<SessionConfigurationCustomizer> customizers,
      @Nullable SslBundles sslBundles, ListableBeanFactory beanFactory, ApplicationEventPublisher publisher,
      @Nullable Executor backgroundQueue) {
    this.properties = properties;
    this.customizers = customizers;
    this.mapper = new SessionConfigurationPropertyMapper(sslBundles,
        () -> beanFactory.getBeanProvider(javax.sql.DataSource.class).getIfAvailable());
    this.beanFactory = beanFactory;
    this.publisher = publisher;
    this.backgroundQueue = backgroundQueue;
  }

  SessionRegistry create() {
    checkEvents();
    checkPrimary();
    checkDistinctNames();
    SessionRegistry registry = new SessionRegistry();
    try {
      for (Map.Entry<String, NamedSessionProperties> entry : properties.getSessions().entrySet()) {
        registry.register(entry.getKey(), createSession(entry.getKey(), entry.getValue()));
      }
    } catch (RuntimeException e) {
      registry.sessions().values().forEach(SessionRegistryLifecycle::release);
      throw e;
    }
    return registry;
  }

  private Session createSession(String name, NamedSessionProperties session) {
    SessionConfiguration.Builder builder = mapper.map(name, properties.getDefaults(), session);
    for (SessionConfigurationCustomizer customizer : customizers) {
      try {
        customizer.customize(name, builder);
      } catch (RuntimeException e) {
        throw new IllegalStateException("SessionConfigurationCustomizer " + customizer
            + " failed for session '" + name + "': " + e.getMessage(), e);
      }
    }
    SessionConfiguration configuration;
    try {
      configuration = builder.build();
    } catch (IllegalArgumentException e) {
      // The properties were checked already: a customizer set this.
      throw new IllegalStateException("The configuration of session '" + name
          + "' is invalid after its customizers ran: " + e.getMessage(), e);
    }
    applyCacheSizes(name, session, configuration);
    SessionDelegate delegate = delegate(name, session);
    if (properties.getEvents().isEnabled()) {
      delegate = EventPublishingDelegate.create(name, publisher, delegate,
          properties.getEvents().getProgressInterval());
    }
    if (configuration.kind() == SessionConfiguration.Kind.BACKGROUND && delegate == null) {
      String path = PropertyPaths.session(name) + ".delegate-bean";
      throw new InvalidSessionConfigurationException(path, null,
          "a background session delivers its results to a delegate, and it has none because"
              + " urlsession.events.enabled is false",
          "Set " + path + " to the name of a SessionDelegate bean, or set urlsession.events.enabled"
              + " to true so that its events are published.");
    }
    boolean background = configuration.kind() == SessionConfiguration.Kind.BACKGROUND;
    Session created = Session.create(configuration, delegate, background ? backgroundQueue : null);
    created.sessionDescription(name);
    return created;
  }

  /**
   * Sizes the session's cache. Sessions sharing a storage directory share its cache (one
   * directory, one cache), so two of them asking for different sizes is a configuration error.
   */
  private void applyCacheSizes(String name, NamedSessionProperties session, SessionConfiguration configuration) {
    SessionConfigurationPropertyMapper.CacheSizes sizes =
        mapper.cacheSizes(name, properties.getDefaults(), session);
    HttpCache cache = configuration.httpCache();
    if (sizes == null || cache == null) {
      return; // a customizer removed the cache: nothing to size
    }
    SizedCache previous = sizedCaches.get(cache);
    if (previous != null) {
      checkSameSize(sizes.memoryPath(), sizes.memory(), previous.sizes.memory(), previous, cache);
      checkSameSize(sizes.diskPath(), sizes.disk(), previous.sizes.disk(), previous, cache);
    } else {
      sizedCaches.put(cache, new SizedCache(name, sizes));
    }
    if (sizes.memory() != null) {
      cache.memoryCapacity(sizes.memory());
    }
    if (sizes.disk() != null) {
      cache.diskCapacity(sizes.disk());
    }
  }

  private static void checkSameSize(@Nullable String path, @Nullable Long size, @Nullable Long previous,
      SizedCache owner, HttpCache cache) {
    if (path != null && previous != null && !previous.equals(size)) {
      throw new InvalidSessionConfigurationException(path, size + "B",
          "session '" + owner.name + "' shares this session's cache (" + cache
              + ") and sized it to " + previous + "B",
          "Give the two sessions the same cache sizes, or give one its own storage-directory.");
    }
  }

  /** A cache sized by the first session that set its capacities. */
  private record SizedCache(String name, SessionConfigurationPropertyMapper.CacheSizes sizes) {}

  private @Nullable SessionDelegate delegate(String name, NamedSessionProperties session) {
    String beanName = session.getDelegateBean();
    if (beanName == null) {
      return null;
    }
    String path = PropertyPaths.session(name) + ".delegate-bean";
    List<String> candidates = Arrays.asList(beanFactory.getBeanNamesForType(SessionDelegate.class));
    String choose = candidates.isEmpty()
        ? "No SessionDelegate bean is defined."
        : "SessionDelegate beans: " + candidates + ".";
    if (beanName.isBlank() || !beanFactory.containsBean(beanName)) {
      throw new InvalidSessionConfigurationException(path, beanName,
          "there is no bean named '" + beanName + "'",
          "Define a SessionDelegate bean named '" + beanName + "', or set " + path
              + " to the name of one. " + choose);
    }
    if (!beanFactory.isTypeMatch(beanName, SessionDelegate.class)) {
      Class<?> type = beanFactory.getType(beanName);
      throw new InvalidSessionConfigurationException(path, beanName,
          "bean '" + beanName + "' is a " + (type != null ? type.getName() : "bean of unknown type")
              + ", not a dev.urlsession.SessionDelegate",
          "Set " + path + " to the name of a bean that implements SessionDelegate (or TaskDelegate,"
              + " DataDelegate, DownloadDelegate). " + choose);
    }
    return beanFactory.getBean(beanName, SessionDelegate.class);
  }

  private void checkEvents() {
    Duration interval = properties.getEvents().getProgressInterval();
    String path = PropertyPaths.EVENTS + ".progress-interval";
    if (interval == null || interval.isNegative()) {
      throw new InvalidSessionConfigurationException(path, PropertyPaths.text(interval),
          "must be zero or a positive duration",
          "Set " + path + " to a duration such as 250ms, or 0 for a progress event per piece of data.");
    }
    int maxUriTags = properties.getObservation().getMaxUriTags();
    if (maxUriTags < 0) {
      String tags = PropertyPaths.PREFIX + ".observation.max-uri-tags";
      throw new InvalidSessionConfigurationException(tags, String.valueOf(maxUriTags),
          "must be zero or a positive number",
          "Set " + tags + " to the number of distinct uri tags to keep, such as 100 (0 tags every request OTHER).");
    }
  }

  /**
   * Refuses two sessions whose names differ only by dashes, underscores or case ({@code my-api},
   * {@code myApi}, {@code my_api}): Spring's relaxed binding gives each the other's properties.
   */
  private void checkDistinctNames() {
    Map<String, String> seen = new java.util.HashMap<>();
    for (String name : properties.getSessions().keySet()) {
      String relaxed = name.contains(".") ? name
          : name.toLowerCase(java.util.Locale.ROOT).replace("-", "").replace("_", "");
      String other = seen.putIfAbsent(relaxed, name);
      if (other != null) {
        throw new InvalidSessionConfigurationException(PropertyPaths.session(name), name,
            "differs from session '" + other + "' only by dashes, underscores or case, and Spring binds"
                + " such names to each other's properties",
            "Rename one of the sessions " + PropertyPaths.session(other) + " and " + PropertyPaths.session(name) + ".");
      }
    }
  }

  private void checkPrimary() {
    List<String> primaries = new ArrayList<>();
    properties.getSessions().forEach((name, session) -> {
      if (Boolean.TRUE.equals(session.getPrimary())) {
        primaries.add(name);
      }
    });
    if (primaries.size() > 1) {
      String path = PropertyPaths.session(primaries.get(1)) + ".primary";
      throw new InvalidSessionConfigurationException(path, "true",
          "sessions " + primaries + " are all marked primary",
          "Keep primary: true on one session only (" + PropertyPaths.session(primaries.get(0))
              + ".primary), and remove " + path + ".");
    }
  }
}
