package dev.urlsession;

import java.io.InputStream;
import java.io.OutputStream;

/**
 * The connection of a stream task as blocking streams, from {@link StreamTask#captureStreams()}.
 *
 * @param in what the peer sends; {@code close()} closes the read side
 * @param out what goes to the peer; {@code close()} closes the write side
 * @since 0.1.0
 */
public record StreamPair(InputStream in, OutputStream out) {}
