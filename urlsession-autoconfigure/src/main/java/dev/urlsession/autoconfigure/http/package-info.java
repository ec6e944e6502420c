/**
 * The HTTP clients Spring Boot builds, on urlsession sessions: HTTP service groups
 * ({@code @ImportHttpServices}) named after a session or mapped to one with
 * {@code urlsession.http-service-groups.<group>}, and, with {@code urlsession.http-clients.enabled},
 * {@code RestClient.Builder}, {@code RestTemplateBuilder} and every other client built from Boot's
 * {@code ClientHttpRequestFactoryBuilder}. Needs spring-web and Spring Boot's
 * {@code spring-boot-restclient} (which brings {@code spring-boot-http-client}).
 */
@NullMarked
package dev.urlsession.autoconfigure.http;

import org.jspecify.annotations.NullMarked;
