package dev.urlsession.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.urlsession.ResolvedService;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.SRVRecord;

/** RFC 2782's order of SRV targets: priority first, then a weighted random draw. */
class ServiceResolverTests {
  static SRVRecord srv(int priority, int weight, String target) throws Exception {
    return new SRVRecord(Name.fromString("x._a._tcp.example."), DClass.IN, 60, priority, weight, 1,
        Name.fromString(target + "."));
  }

  @Test
  void orderWhenPrioritiesDifferPutsTheLowestFirstWhateverTheWeight() throws Exception {
    List<Record> records = List.of(srv(30, 100, "c"), srv(10, 0, "a"), srv(20, 1, "b"));
    assertThat(ServiceResolver.order(records)).extracting(ResolvedService.Target::host)
        .containsExactly("a", "b", "c");
  }

  @Test
  void orderWhenWeightsDifferDrawsTheHeavierFirstAsOftenAsItsShare() throws Exception {
    List<Record> records = List.of(srv(10, 10, "light"), srv(10, 90, "heavy"));
    int heavyFirst = 0;
    for (int i = 0; i < 2000; i++) {
      List<ResolvedService.Target> ordered = ServiceResolver.order(records);
      assertThat(ordered).hasSize(2);
      if (ordered.get(0).host().equals("heavy")) {
        heavyFirst++;
      }
    }
    // Expected 1800 (90 %); the bounds are more than ten standard deviations (13.4) away.
    assertThat(heavyFirst).isBetween(1600, 1950);
  }
}
