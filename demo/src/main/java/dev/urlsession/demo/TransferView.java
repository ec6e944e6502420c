package dev.urlsession.demo;

import org.jspecify.annotations.Nullable;

/**
 * One transfer as the page shows it (a row): immutable, sent to the page as JSON.
 *
 * @param id the task's identifier in the {@code downloads} session (a resumed transfer gets a new one)
 * @param name the file's name, stored with the transfer as its task description
 * @param url what is downloaded
 * @param state {@code running}, {@code pausing}, {@code paused}, {@code done} or {@code failed}
 * @param received bytes on disk so far
 * @param expected the file's length, or -1 while unknown
 * @param error why it failed, for {@code failed}
 * @param replaces the identifier of the paused transfer this one resumes, or {@code null}
 * @param savedAs the name of the finished file under the files directory, for {@code done}
 */
public record TransferView(long id, String name, String url, String state, long received, long expected,
    @Nullable String error, @Nullable Long replaces, @Nullable String savedAs) {
  static final String RUNNING = "running";
  static final String PAUSING = "pausing";
  static final String PAUSED = "paused";
  static final String DONE = "done";
  static final String FAILED = "failed";

  TransferView withState(String newState) {
    return new TransferView(id, name, url, newState, received, expected, error, replaces, savedAs);
  }

  TransferView withProgress(long newReceived, long newExpected) {
    return new TransferView(id, name, url, state, newReceived, newExpected >= 0 ? newExpected : expected, error,
        replaces, savedAs);
  }

  TransferView failed(String why) {
    return new TransferView(id, name, url, FAILED, received, expected, why, replaces, savedAs);
  }

  TransferView savedAs(String file) {
    return new TransferView(id, name, url, state, received, expected, error, replaces, file);
  }

  /** Whether the transfer is in the session (running, waiting or being paused). */
  boolean inSession() {
    return state.equals(RUNNING) || state.equals(PAUSING);
  }
}
