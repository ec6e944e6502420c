package dev.urlsession;

import java.io.IOException;

/**
 * Receives a download's progress as resume data, after the bytes it counts were forced to disk
 * (background sessions' crash safety, RELIABILITY.md "durable download managers"). Called on the
 * task's I/O path under its lock: it must only write a small record and return.
 */
interface Checkpointer {
  /** Bytes written between checkpoints. */
  long intervalBytes();

  /** Nanoseconds between checkpoints. */
  long intervalNanos();

  /** Records {@code data} durably (its partial file holds at least its bytes, forced to disk). */
  void checkpoint(ResumeData data) throws IOException;
}
