package dev.urlsession;

/**
 * A task that loads a URL into a file (Apple's {@code URLSessionDownloadTask}).
 *
 * @since 0.1.0
 */
public interface DownloadTask extends SessionTask {}
