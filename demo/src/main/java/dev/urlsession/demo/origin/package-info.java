/** The demo's sample download origin, served on loopback so that the demo needs no network. */
@NullMarked
package dev.urlsession.demo.origin;

import org.jspecify.annotations.NullMarked;
