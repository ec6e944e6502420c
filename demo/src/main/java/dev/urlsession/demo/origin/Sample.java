package dev.urlsession.demo.origin;

/**
 * A file the page offers to download.
 *
 * @param title what the page's button says, such as {@code 16 MiB}
 * @param description how the origin serves it, such as {@code at 4 MiB/s}
 * @param url where to download it
 * @param size its length in bytes
 */
public record Sample(String title, String description, String url, long size) {}
