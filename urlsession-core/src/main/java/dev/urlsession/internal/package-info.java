/**
 * Implementation details: the HttpClient 5 transport, error mapping and executors. Public for
 * technical reasons only; not API, may change in any release.
 */
@NullMarked
package dev.urlsession.internal;

import org.jspecify.annotations.NullMarked;
