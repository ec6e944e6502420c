/** Spring Boot auto-configuration for urlsession. */
@NullMarked
package dev.urlsession.autoconfigure;

import org.jspecify.annotations.NullMarked;
