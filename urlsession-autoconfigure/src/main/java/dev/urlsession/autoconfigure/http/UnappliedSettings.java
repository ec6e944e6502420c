package dev.urlsession.autoconfigure.http;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.http.client.HttpClientSettings;

/**
 * What becomes of Spring Boot's {@link HttpClientSettings} for a client whose requests run on a
 * session, whose own configuration decides them: those that only change behaviour (timeouts,
 * redirects, cookies) are logged once as not applied; those that would weaken security if ignored
 * (an SSL bundle, an address filter) are refused. Thread-safe.
 */
final class UnappliedSettings {
  private static final Logger log = LoggerFactory.getLogger(UnappliedSettings.class);

  /** The messages already logged, so that a client built for every request logs once. */
  private final Set<String> logged = ConcurrentHashMap.newKeySet();

  /**
   * Checks {@code settings} of {@code client} (a phrase such as "HTTP service group 'github'")
   * running on session {@code sessionName}.
   *
   * @throws IllegalStateException if they carry an SSL bundle or an address filter
   */
  void check(@Nullable HttpClientSettings settings, String client, String sessionName) {
    if (settings == null) {
      return;
    }
    if (settings.sslBundle() != null) {
      throw new IllegalStateException(client + " is given an SSL bundle, but its requests run on session '"
          + sessionName + "', whose own TLS settings decide: set urlsession.sessions." + sessionName
          + ".ssl.bundle (or urlsession.defaults.ssl.bundle) instead of the spring.http.clients / "
          + "spring.http.serviceclient ssl.bundle or RestClientSsl");
    }
    if (settings.inetAddressFilter() != null) {
      throw new IllegalStateException(client + " is given an InetAddressFilter, but its requests run on session '"
          + sessionName + "', which cannot apply it: restrict the hosts with the session's transport security"
          + " and proxy settings, or leave this client off the session");
    }
    List<String> ignored = new ArrayList<>();
    if (settings.connectTimeout() != null) {
      ignored.add("connect timeout " + text(settings.connectTimeout()));
    }
    if (settings.readTimeout() != null) {
      ignored.add("read timeout " + text(settings.readTimeout()));
    }
    if (settings.redirects() != null) {
      ignored.add("redirects " + text(settings.redirects()));
    }
    if (settings.cookieHandling() != null) {
      ignored.add("cookie handling " + text(settings.cookieHandling()));
    }
    if (!ignored.isEmpty()) {
      String message = client + " runs on session '" + sessionName + "', whose own configuration decides"
          + " these settings; not applied: " + String.join(", ", ignored) + ". Set the session's"
          + " timeout-interval-for-request and cookies.* instead (its delegate decides redirects).";
      if (logged.add(message)) {
        log.warn(message);
      }
    }
  }

  /** A setting as it is written in properties: {@code 5s}, {@code 250ms}, {@code dont-follow}. */
  private static String text(Object value) {
    if (value instanceof Duration duration) {
      long millis = duration.toMillis();
      return millis % 1000 == 0 ? millis / 1000 + "s" : millis + "ms";
    }
    if (value instanceof Enum<?> constant) {
      return constant.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
    return String.valueOf(value);
  }
}
