package dev.urlsession;

/**
 * A data task whose body comes from bytes, a file or a stream given at creation (Apple's
 * {@code URLSessionUploadTask}).
 *
 * @since 0.1.0
 */
public interface UploadTask extends DataTask {}
