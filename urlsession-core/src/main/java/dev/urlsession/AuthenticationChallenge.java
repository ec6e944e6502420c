package dev.urlsession;

import org.jspecify.annotations.Nullable;

/**
 * A request for credentials (Apple's {@code URLAuthenticationChallenge}).
 *
 * @param protectionSpace what asks
 * @param proposedCredential the storage's default credential for the space, or the URL's
 *     {@code user:password@}, or null
 * @param previousFailureCount how many times credentials for this space failed in this task
 * @param failureResponse the 401 or 407 response that asked
 * @param error the error of the last attempt, or null
 * @since 0.1.0
 */
public record AuthenticationChallenge(
    ProtectionSpace protectionSpace,
    @Nullable Credential proposedCredential,
    int previousFailureCount,
    @Nullable Response failureResponse,
    @Nullable SessionException error) {}
