/**
 * The escape hatch to HttpClient 5: the only public package that names its types. Customizers
 * registered with {@code SessionConfiguration.Builder.httpClientCustomizers(...)} and
 * {@code connectionManagerCustomizers(...)} adjust a session's client and connection pool.
 */
@NullMarked
package dev.urlsession.hc5;

import org.jspecify.annotations.NullMarked;
