package dev.urlsession;

import java.nio.file.Path;

/**
 * The result of {@link Session#download(Request)}: the downloaded file, which the caller now owns
 * (and deletes), and the response.
 *
 * @since 0.1.0
 */
public record DownloadResponse(Path location, Response response) {}
