package dev.urlsession.internal;

import dev.urlsession.ResolvedService;
import dev.urlsession.SessionException;
import dev.urlsession.SessionException.Code;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;
import org.xbill.DNS.ExtendedResolver;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.SRVRecord;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;
import org.xbill.DNS.lookup.LookupResult;
import org.xbill.DNS.lookup.LookupSession;
import org.xbill.DNS.lookup.NoSuchDomainException;
import org.xbill.DNS.lookup.NoSuchRRSetException;

/**
 * DNS-based service discovery (RFC 6763) with dnsjava: the SRV and TXT records of a service
 * instance, looked up at once, asynchronously (dnsjava's own I/O thread; results hop to the
 * resolver pool), with the system's DNS servers or a given one. The targets come ordered as RFC
 * 2782 says: by priority, then a weighted random draw within each priority.
 */
public final class ServiceResolver {
  private ServiceResolver() {}

  /** What was found: targets in order and TXT attributes. */
  public record Found(List<ResolvedService.Target> targets, Map<String, String> txt) {}

  /**
   * Looks up {@code instanceName}'s SRV and TXT records; fails with {@code CANNOT_FIND_HOST} when
   * the instance has no SRV record (or only the "." of RFC 2782: not offered), with
   * {@code DNS_LOOKUP_FAILED} when the servers do not answer.
   */
  public static CompletableFuture<Found> resolve(String instanceName, @Nullable InetSocketAddress server,
      Duration timeout) {
    Name name;
    try {
      name = Name.fromString(instanceName);
    } catch (TextParseException e) {
      return CompletableFuture.failedFuture(
          new SessionException(Code.CANNOT_FIND_HOST, null, "not a DNS name: " + instanceName, e));
    }
    Resolver resolver = server != null ? new SimpleResolver(server) : new ExtendedResolver();
    resolver.setTimeout(timeout);
    LookupSession session = LookupSession.builder().resolver(resolver).clearCaches()
        .executor(StreamIo.resolverPoolExecutor()).build();
    CompletableFuture<List<Record>> srv = session.lookupAsync(name, Type.SRV).toCompletableFuture()
        .thenApply(LookupResult::getRecords);
    CompletableFuture<List<Record>> txt = session.lookupAsync(name, Type.TXT).toCompletableFuture()
        .thenApply(LookupResult::getRecords)
        .exceptionally(e -> List.of()); // no TXT record: no attributes
    return srv.thenCombine(txt, (s, t) -> new Found(order(s), attributes(t)))
        .handle((found, error) -> {
          if (error != null) {
            throw new CompletionException(failure(instanceName, ErrorMapper.unwrap(error)));
          }
          if (found.targets().isEmpty()) {
            throw new CompletionException(new SessionException(Code.CANNOT_FIND_HOST, null,
                "The service " + instanceName + " is not offered (its SRV target is \".\")", null));
          }
          return found;
        });
  }

  private static SessionException failure(String instanceName, Throwable e) {
    if (e instanceof NoSuchDomainException || e instanceof NoSuchRRSetException) {
      return new SessionException(Code.CANNOT_FIND_HOST, null,
          "No SRV record for the service " + instanceName, e);
    }
    return new SessionException(Code.DNS_LOOKUP_FAILED, null,
        "The DNS lookup of the service " + instanceName + " failed: " + e, e);
  }

  /** RFC 2782: lowest priority first; within a priority, a weighted random draw (weight 0 first in line). */
  static List<ResolvedService.Target> order(List<Record> records) {
    List<SRVRecord> srv = new ArrayList<>();
    for (Record r : records) {
      if (r instanceof SRVRecord s && !s.getTarget().equals(Name.root)) {
        srv.add(s);
      }
    }
    srv.sort(Comparator.comparingInt(SRVRecord::getPriority));
    List<ResolvedService.Target> ordered = new ArrayList<>(srv.size());
    int i = 0;
    while (i < srv.size()) {
      int priority = srv.get(i).getPriority();
      List<SRVRecord> group = new ArrayList<>();
      while (i < srv.size() && srv.get(i).getPriority() == priority) {
        group.add(srv.get(i++));
      }
      group.sort(Comparator.comparingInt(r -> r.getWeight() == 0 ? 0 : 1));
      while (!group.isEmpty()) {
        long sum = 0;
        for (SRVRecord r : group) {
          sum += r.getWeight();
        }
        long pick = ThreadLocalRandom.current().nextLong(sum + 1);
        long running = 0;
        SRVRecord chosen = group.get(group.size() - 1);
        for (SRVRecord r : group) {
          running += r.getWeight();
          if (running >= pick) {
            chosen = r;
            break;
          }
        }
        group.remove(chosen);
        String host = chosen.getTarget().toString(true);
        ordered.add(new ResolvedService.Target(host, chosen.getPort(), chosen.getPriority(), chosen.getWeight()));
      }
    }
    return ordered;
  }

  /** RFC 6763 6: key=value strings; keys case-insensitive, the first of a key wins, no '=' means present. */
  static Map<String, String> attributes(List<Record> records) {
    Map<String, String> attributes = new LinkedHashMap<>();
    for (Record r : records) {
      if (!(r instanceof TXTRecord t)) {
        continue;
      }
      for (Object o : t.getStringsAsByteArrays()) {
        String s = new String((byte[]) o, StandardCharsets.UTF_8);
        int eq = s.indexOf('=');
        String key = (eq < 0 ? s : s.substring(0, eq)).toLowerCase(Locale.ROOT);
        if (!key.isEmpty()) {
          attributes.putIfAbsent(key, eq < 0 ? "" : s.substring(eq + 1));
        }
      }
      break; // one TXT record per instance (RFC 6763 6.8)
    }
    return attributes;
  }
}
