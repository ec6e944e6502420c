package dev.urlsession.demo;

import org.jspecify.annotations.Nullable;

/**
 * A finished download as the page shows it.
 *
 * @param name the file's name under the files directory
 * @param size its length in bytes
 * @param sha256 its SHA-256 in lower-case hexadecimal, or {@code null} while it is being computed
 * @param publishedSha256 the SHA-256 the origin publishes next to the file ({@code <url>.sha256},
 *     fetched with the {@code private} session), or {@code null} when it publishes none
 * @param url where it was downloaded from
 * @param finishedAt when it was saved, in milliseconds since the epoch
 */
public record FileView(String name, long size, @Nullable String sha256, @Nullable String publishedSha256,
    String url, long finishedAt) {}
