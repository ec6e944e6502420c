/** The download-manager demo: a Spring Boot web application on a background session. */
@NullMarked
package dev.urlsession.demo;

import org.jspecify.annotations.NullMarked;
