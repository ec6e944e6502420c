package dev.urlsession.autoconfigure.observation;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.config.MeterFilter;
import java.util.HashSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Caps the distinct {@code uri} tag values of the session timers ({@code http.client.requests}
 * meters with an {@code urlsession.task.kind} tag, and their {@code .active} long task timers):
 * the first {@code max} templates are kept; every later one is recorded under {@code uri=OTHER},
 * with one warning, so the requests are still counted but the meter count stays bounded.
 */
final class UriTagLimit implements MeterFilter {
  static final String OTHER = "OTHER";
  private static final Logger log = LoggerFactory.getLogger(UriTagLimit.class);

  private final String meterName;
  private final int max;
  private final Set<String> seen = new HashSet<>();
  private boolean warned;

  UriTagLimit(String meterName, int max) {
    this.meterName = meterName;
    this.max = max;
  }

  @Override
  public Meter.Id map(Meter.Id id) {
    if (!id.getName().startsWith(meterName) || id.getTag("urlsession.task.kind") == null) {
      return id;
    }
    String uri = id.getTag("uri");
    if (uri == null || uri.equals("none") || uri.equals(OTHER)) {
      return id;
    }
    synchronized (this) {
      if (seen.contains(uri)) {
        return id;
      }
      if (seen.size() < max) {
        seen.add(uri);
        return id;
      }
      if (!warned) {
        warned = true;
        log.warn("Reached the maximum of {} distinct 'uri' tags of the urlsession '{}' meters: later URI templates"
            + " are recorded as uri=OTHER. Are URI templates built from values, such as \"/users/\" + id"
            + " instead of \"/users/{id}\"? Raise urlsession.observation.max-uri-tags if not.", max, meterName);
      }
    }
    return id.replaceTags(Tags.of(id.getTagsAsIterable()).and("uri", OTHER));
  }
}
