package dev.urlsession.demo;

import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.service.annotation.GetExchange;

/** An HTTP interface client; the demo runs it on the "api" session. */
public interface Greetings {
  @GetExchange("/greetings/{name}")
  String greet(@PathVariable String name);
}
