package dev.urlsession;

import java.util.List;
import java.util.Map;

/**
 * What DNS-based service discovery found for a {@link NetService} (RFC 6763).
 *
 * @param service the service looked up
 * @param targets its SRV records in the order they are tried: by priority, lowest first, and
 *     within one priority by a weighted random draw (RFC 2782); the task connects to the first that
 *     answers
 * @param txt its TXT record's attributes (RFC 6763 6): keys lower-cased, the first of a repeated key
 *     kept, values as UTF-8 text, an attribute without {@code =} mapped to the empty string; empty
 *     when there is no TXT record
 * @since 0.1.0
 */
public record ResolvedService(NetService service, List<Target> targets, Map<String, String> txt) {
  public ResolvedService {
    targets = List.copyOf(targets);
    txt = Map.copyOf(txt);
  }

  /**
   * One SRV record.
   *
   * @param host the target host name (without the trailing dot)
   * @param port the port
   * @param priority lower is tried first
   * @param weight the share within its priority
   * @since 0.1.0
   */
  public record Target(String host, int port, int priority, int weight) {}
}
