/**
 * URLSession for the JVM: sessions, tasks and delegates with Apple's semantics, on Apache
 * HttpClient 5.
 *
 * <p>Start with {@link dev.urlsession.Session}. Everything a user touches lives in this package;
 * protocol plug-ins live in {@code dev.urlsession.spi}.
 */
@NullMarked
package dev.urlsession;

import org.jspecify.annotations.NullMarked;
