package dev.urlsession.demo;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import tools.jackson.databind.JsonNode;

/** The page's server-sent events as a browser receives them, recorded in order. */
final class EventStream implements AutoCloseable {
  /** One event: its name and its data. */
  record Event(String name, JsonNode data) {}

  private final List<Event> events = new CopyOnWriteArrayList<>();
  private final Stream<String> lines;
  private final Thread reader;

  EventStream(URI uri) throws Exception {
    HttpResponse<Stream<String>> response = HttpClient.newHttpClient()
        .sendAsync(HttpRequest.newBuilder(uri).header("Accept", "text/event-stream").build(),
            HttpResponse.BodyHandlers.ofLines())
        .get(30, TimeUnit.SECONDS);
    if (response.statusCode() != 200) {
      throw new AssertionError("GET " + uri + ": " + response.statusCode());
    }
    lines = response.body();
    reader = new Thread(this::read, "event-stream");
    reader.setDaemon(true);
    reader.start();
  }

  private void read() {
    String[] name = {"message"};
    StringBuilder data = new StringBuilder();
    try {
      lines.forEach(line -> {
        if (line.startsWith("event:")) {
          name[0] = line.substring("event:".length()).strip();
        } else if (line.startsWith("data:")) {
          data.append(line.substring("data:".length()));
        } else if (line.isEmpty() && data.length() > 0) {
          events.add(new Event(name[0], DemoTestSupport.JSON.readTree(data.toString())));
          name[0] = "message";
          data.setLength(0);
        }
      });
    } catch (RuntimeException e) {
      // closed
    }
  }

  /** The events received so far. */
  List<Event> events() {
    return List.copyOf(events);
  }

  /** The data of the events named {@code name} whose {@code field} is {@code value}. */
  List<JsonNode> of(String name, String field, String value) {
    return events.stream().filter(e -> e.name().equals(name) && e.data().has(field)
        && e.data().get(field).asString().equals(value)).map(Event::data).toList();
  }

  @Override
  public void close() throws InterruptedException {
    lines.close();
    reader.join(Duration.ofSeconds(10).toMillis());
  }
}
