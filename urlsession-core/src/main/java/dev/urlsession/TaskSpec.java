package dev.urlsession;

import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/** Everything a {@link RealTask} is created with. */
final class TaskSpec {
  final RealSession session;
  final TaskKind kind;
  final long taskIdentifier;
  final Request request;
  @Nullable CompletionHandler<byte[]> dataHandler;
  @Nullable CompletionHandler<Path> fileHandler;
  boolean callerOwnsFile;
  boolean future;
  @Nullable TaskDelegate taskDelegate;

  TaskSpec(RealSession session, TaskKind kind, long taskIdentifier, Request request) {
    this.session = session;
    this.kind = kind;
    this.taskIdentifier = taskIdentifier;
    this.request = request;
  }
}
