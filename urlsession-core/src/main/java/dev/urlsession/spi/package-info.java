/**
 * The protocol plug-in point, Apple's {@code URLProtocol}: {@link dev.urlsession.spi.ProtocolHandler}s
 * load requests for a scheme and report through a {@link dev.urlsession.spi.ProtocolClient}.
 */
@NullMarked
package dev.urlsession.spi;

import org.jspecify.annotations.NullMarked;
