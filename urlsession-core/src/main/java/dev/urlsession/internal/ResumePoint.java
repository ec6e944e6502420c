package dev.urlsession.internal;

import org.jspecify.annotations.Nullable;

/**
 * Where a download resumes: the bytes already in its partial file and the validators recorded
 * when they were loaded (for {@code ftp:}, the {@code MDTM} time and the {@code SIZE}).
 *
 * @param offset bytes already on disk (positive)
 * @param lastModified the recorded modification validator, or null
 * @param size the recorded complete length, or -1
 */
public record ResumePoint(long offset, @Nullable String lastModified, long size) {}
