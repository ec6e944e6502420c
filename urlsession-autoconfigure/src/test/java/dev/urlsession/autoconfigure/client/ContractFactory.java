package dev.urlsession.autoconfigure.client;

import dev.urlsession.Session;
import dev.urlsession.SessionConfiguration;
import org.springframework.http.client.ClientHttpRequestFactory;
import org.springframework.http.client.HttpComponentsClientHttpRequestFactory;

/**
 * A request factory under Spring's client contract: ours on a session, or Spring's own
 * {@link HttpComponentsClientHttpRequestFactory} as the control, so that a contract test that
 * fails for the control tests the wrong thing.
 */
final class ContractFactory implements AutoCloseable {
  /** The factories the contract tests run on. */
  enum Kind {
    URLSESSION,
    HTTP_COMPONENTS;

    ContractFactory open() {
      if (this == URLSESSION) {
        Session session = Session.create(SessionConfiguration.ephemeral());
        return new ContractFactory(this, new SessionClientHttpRequestFactory(session), session);
      }
      return new ContractFactory(this, new HttpComponentsClientHttpRequestFactory(), null);
    }
  }

  final Kind kind;
  final ClientHttpRequestFactory factory;
  private final Session session;

  private ContractFactory(Kind kind, ClientHttpRequestFactory factory, Session session) {
    this.kind = kind;
    this.factory = factory;
    this.session = session;
  }

  @Override
  public void close() throws Exception {
    if (session != null) {
      session.invalidateAndCancel();
    } else {
      ((HttpComponentsClientHttpRequestFactory) factory).destroy();
    }
  }
}
