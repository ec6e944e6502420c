package dev.urlsession.autoconfigure;

import java.util.Map;
import org.springframework.boot.autoconfigure.condition.ConditionMessage;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

/** Matches when no session is configured under {@code urlsession.sessions}. */
final class NoConfiguredSessionsCondition extends SpringBootCondition {
  @Override
  public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
    ConditionMessage.Builder message = ConditionMessage.forCondition("Configured sessions");
    Map<String, NamedSessionProperties> sessions = ConfiguredSessions.bind(context.getEnvironment());
    if (sessions.isEmpty()) {
      return ConditionOutcome.match(message.because("no session is configured under urlsession.sessions"));
    }
    return ConditionOutcome.noMatch(message.found("session", "sessions").items(sessions.keySet()));
  }
}
