package com.example.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.urlsession.Session;
import dev.urlsession.SessionConfiguration;
import dev.urlsession.SessionRegistry;
import java.net.URL;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

/** The application starts with the starter as its only urlsession dependency and gets its session. */
@SpringBootTest
class AppTests {
  @Autowired
  Session session;

  @Autowired
  SessionRegistry sessions;

  @Test
  void contextWhenTheStarterIsAPlainDependencyHasTheConfiguredSession() {
    assertThat(sessions.session("api")).isSameAs(session);
    assertThat(session.configuration().kind()).isEqualTo(SessionConfiguration.Kind.EPHEMERAL);
  }

  @Test
  void classPathWhenTheStarterIsAPlainDependencyHoldsTheStarterJar() throws Exception {
    List<URL> descriptors = Collections.list(getClass().getClassLoader()
        .getResources("META-INF/maven/dev.urlsession/urlsession-spring-boot-starter/pom.properties"));
    assertThat(descriptors).singleElement()
        .satisfies(url -> assertThat(url.toString()).startsWith("jar:").contains("urlsession-spring-boot-starter-"));
  }
}
