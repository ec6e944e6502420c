/**
 * Delegate events of urlsession sessions as Spring {@code ApplicationEvent}s, and the delegate
 * adapter that publishes them.
 */
@NullMarked
package dev.urlsession.autoconfigure.event;

import org.jspecify.annotations.NullMarked;
