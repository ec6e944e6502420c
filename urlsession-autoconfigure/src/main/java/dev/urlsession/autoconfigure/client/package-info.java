/**
 * Spring's {@code ClientHttpRequestFactory} on a urlsession {@code Session}: {@code RestClient},
 * {@code RestTemplate} and HTTP interface clients running on a named session. Needs spring-web.
 */
@NullMarked
package dev.urlsession.autoconfigure.client;

import org.jspecify.annotations.NullMarked;
