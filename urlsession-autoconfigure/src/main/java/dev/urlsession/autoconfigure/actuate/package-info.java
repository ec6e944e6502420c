/**
 * Actuator support for urlsession: the {@code urlsessions} endpoint.
 */
@NullMarked
package dev.urlsession.autoconfigure.actuate;

import org.jspecify.annotations.NullMarked;
