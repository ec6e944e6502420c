package dev.urlsession.demo;

import dev.urlsession.demo.origin.Sample;
import java.util.List;
import org.springframework.web.service.annotation.GetExchange;

/** The sample origin's catalog, as an HTTP interface client; the demo runs it on the {@code api} session. */
public interface SampleCatalog {
  @GetExchange("/catalog")
  List<Sample> samples();
}
