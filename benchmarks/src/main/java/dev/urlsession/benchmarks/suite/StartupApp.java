package dev.urlsession.benchmarks.suite;

import dev.urlsession.Session;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.context.metrics.buffering.BufferingApplicationStartup;
import org.springframework.boot.context.metrics.buffering.StartupTimeline;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.metrics.StartupStep;

/**
 * A minimal Spring Boot application (no web server; actuator, metrics and health on the class
 * path as in a typical service) with one default session, {@code urlsession.sessions.main}
 * ({@code type: default}, storage under the given directory): {@code with} the urlsession
 * auto-configuration, or {@code without} it (every auto-configuration the module registers is
 * excluded; the rest of the application is the same). Prints the JVM's uptime when the context is
 * ready ({@code READY <ms>}), then closes it. Started in a fresh JVM for every measurement.
 *
 * <pre>java -cp ... dev.urlsession.benchmarks.suite.StartupApp with|without STORAGE_DIRECTORY</pre>
 */
@SpringBootConfiguration
@EnableAutoConfiguration
public class StartupApp {
  public static void main(String[] args) throws IOException {
    // with, without; for diagnosis: core-only (UrlSessionAutoConfiguration alone), no-session (no session configured)
    String mode = args[0];
    Map<String, Object> properties = new LinkedHashMap<>();
    properties.put("spring.main.banner-mode", "off");
    properties.put("logging.level.root", "warn");
    if (!mode.equals("no-session")) {
      properties.put("urlsession.sessions.main.type", "default");
      properties.put("urlsession.sessions.main.storage-directory", args[1]);
    }
    List<String> excluded = new ArrayList<>(urlsessionAutoConfigurations());
    if (mode.equals("core-only")) {
      excluded.remove("dev.urlsession.autoconfigure.UrlSessionAutoConfiguration");
    }
    if (mode.equals("without") || mode.equals("core-only")) {
      properties.put("spring.autoconfigure.exclude", String.join(",", excluded));
    }
    SpringApplication app = new SpringApplication(StartupApp.class);
    app.setWebApplicationType(WebApplicationType.NONE);
    app.setDefaultProperties(properties);
    BufferingApplicationStartup steps = Boolean.getBoolean("startup.steps") ? new BufferingApplicationStartup(20_000) : null;
    if (steps != null) {
      app.setApplicationStartup(steps);
    }
    try (ConfigurableApplicationContext context = app.run()) {
      long uptime = ManagementFactory.getRuntimeMXBean().getUptime();
      ObjectProvider<Session> sessions = context.getBeanProvider(Session.class);
      System.out.println("READY " + uptime + " sessions " + sessions.stream().count());
      if (steps != null) {
        printSlowBeans(steps);
      }
    }
  }

  /** With {@code -Dstartup.steps=true}: the beans whose instantiation took 2 ms or more, slowest first. */
  private static void printSlowBeans(BufferingApplicationStartup steps) {
    List<String> lines = new ArrayList<>();
    for (StartupTimeline.TimelineEvent e : steps.getBufferedTimeline().getEvents()) {
      if (!e.getStartupStep().getName().equals("spring.beans.instantiate") || e.getDuration().toMillis() < 2) {
        continue;
      }
      String bean = "?";
      for (StartupStep.Tag tag : e.getStartupStep().getTags()) {
        if (tag.getKey().equals("beanName")) {
          bean = tag.getValue();
        }
      }
      lines.add(String.format("%6d ms  %s", e.getDuration().toMillis(), bean));
    }
    lines.sort(java.util.Comparator.reverseOrder());
    lines.forEach(l -> System.out.println("  bean " + l));
  }

  /** The auto-configurations urlsession-autoconfigure registers (its imports file). */
  static List<String> urlsessionAutoConfigurations() throws IOException {
    List<String> names = new ArrayList<>();
    String resource = "META-INF/spring/org.springframework.boot.autoconfigure.AutoConfiguration.imports";
    var urls = StartupApp.class.getClassLoader().getResources(resource);
    while (urls.hasMoreElements()) {
      var url = urls.nextElement();
      try (InputStream in = url.openStream()) {
        for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
          line = line.trim();
          if (line.startsWith("dev.urlsession.")) {
            names.add(line);
          }
        }
      }
    }
    if (names.isEmpty()) {
      throw new IllegalStateException("urlsession-autoconfigure's " + resource + " is not on the class path");
    }
    return names;
  }
}
