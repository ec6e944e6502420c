package dev.urlsession.demo;

import dev.urlsession.demo.origin.Sample;
import java.io.IOException;
import java.util.List;
import java.util.NoSuchElementException;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/** The page's JSON API and its stream of server-sent events. */
@RestController
@RequestMapping("/api")
class DownloadController {
  private final DownloadManager manager;
  private final SampleCatalog catalog;
  private final Broadcaster broadcaster;

  /** What the page posts to start a download. */
  record Enqueue(String url) {}

  DownloadController(DownloadManager manager, SampleCatalog catalog, Broadcaster broadcaster) {
    this.manager = manager;
    this.catalog = catalog;
    this.broadcaster = broadcaster;
  }

  /** The origin's samples, read with the {@code api} session. */
  @GetMapping("/samples")
  List<Sample> samples() {
    return catalog.samples();
  }

  @GetMapping("/state")
  DownloadManager.Snapshot state() {
    return manager.snapshot();
  }

  /** {@code snapshot} first, then {@code transfer}, {@code removed} and {@code file} events as they happen. */
  @GetMapping("/events")
  SseEmitter events() {
    return broadcaster.subscribe(manager::snapshot);
  }

  @PostMapping("/transfers")
  @ResponseStatus(HttpStatus.CREATED)
  TransferView enqueue(@RequestBody Enqueue request) {
    if (request.url() == null) {
      throw new IllegalArgumentException("give the url to download");
    }
    return manager.enqueue(request.url());
  }

  @PostMapping("/transfers/{id}/pause")
  @ResponseStatus(HttpStatus.ACCEPTED)
  void pause(@PathVariable long id) {
    manager.pause(id);
  }

  @PostMapping("/transfers/{id}/resume")
  @ResponseStatus(HttpStatus.CREATED)
  TransferView resume(@PathVariable long id) {
    return manager.resume(id);
  }

  @DeleteMapping("/transfers/{id}")
  @ResponseStatus(HttpStatus.NO_CONTENT)
  void cancel(@PathVariable long id) throws IOException {
    manager.cancel(id);
  }

  @ExceptionHandler(IllegalArgumentException.class)
  ProblemDetail badRequest(IllegalArgumentException e) {
    return ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, e.getMessage());
  }

  @ExceptionHandler(NoSuchElementException.class)
  ProblemDetail notFound(NoSuchElementException e) {
    return ProblemDetail.forStatusAndDetail(HttpStatus.NOT_FOUND, e.getMessage());
  }
}
