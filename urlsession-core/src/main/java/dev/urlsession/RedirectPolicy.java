package dev.urlsession;

import dev.urlsession.SessionException.Code;
import dev.urlsession.internal.HttpChallenge;
import java.net.URI;
import org.jspecify.annotations.Nullable;

/**
 * What a task does with a redirect (URLSESSION-BEHAVIOUR.md 3.4): a pure function of the hop, no
 * state and no I/O. First {@link #onRedirect} says whether the delegate is to be asked; then
 * {@link #decided} turns the delegate's answer (or the proposed request, without a delegate)
 * into the next hop or the final response.
 */
final class RedirectPolicy {
  /** The most redirects a task follows; one more fails it with {@code HTTP_TOO_MANY_REDIRECTS}. */
  static final int MAX_REDIRECTS = 20;

  private RedirectPolicy() {}

  /** What to do on a redirect response, before any delegate is asked. */
  enum Proposal {
    /** Ask {@code willPerformHttpRedirection} (or follow when no delegate implements it). */
    ASK,
    /** The redirect response is the final one: a redirect never leads to a local file. */
    DELIVER,
    /** Too many redirects. */
    TOO_MANY,
    /**
     * A downgrade from https to http that transport security does not allow: the task fails and
     * nothing is sent to the cleartext host.
     */
    INSECURE
  }

  /** The outcome of a redirect once decided. */
  record Decision(@Nullable Request next, boolean keepsBody, boolean crossOrigin,
      @Nullable SessionException failure) {
    /** Whether the redirect is followed to {@link #next()}. */
    boolean follows() {
      return next != null && failure == null;
    }

    /** Whether the redirect response is the task's final response. */
    boolean delivers() {
      return next == null && failure == null;
    }
  }

  /** What to do with a redirect from {@code current} to {@code next} after {@code redirectCount} redirects. */
  static Proposal onRedirect(Request current, Request next, int redirectCount, TransportSecurityPolicy policy) {
    if (isFile(next.url())) {
      return Proposal.DELIVER; // as for a Location of file:, the delegate is not asked
    }
    if (!policy.allowsRedirect(current.url(), next.url())) {
      return Proposal.INSECURE;
    }
    return redirectCount >= MAX_REDIRECTS ? Proposal.TOO_MANY : Proposal.ASK;
  }

  /** The failure of a redirect {@link Proposal#TOO_MANY} or {@link Proposal#INSECURE}. */
  static SessionException failure(Proposal proposal, Request current, Request next) {
    if (proposal == Proposal.INSECURE) {
      return insecure(next);
    }
    // The failing URL is the last response's: the one whose redirect is refused (Darwin).
    return new SessionException(Code.HTTP_TOO_MANY_REDIRECTS, current.url(),
        "too many HTTP redirects (more than " + MAX_REDIRECTS + ")", null);
  }

  private static SessionException insecure(Request next) {
    return new SessionException(Code.APP_TRANSPORT_SECURITY_REQUIRES_SECURE_CONNECTION, next.url(),
        "A redirect from https to http is not followed: transport security allows it only to an exception"
            + " domain of the TransportSecurityPolicy", null);
  }

  /**
   * The redirect from {@code current}, answered with {@code chosen} (null: not followed, the
   * redirect response is final): the next hop, whether it keeps the request body (the method is
   * kept: not a 303, nor a 301/302 after a POST) and whether it leaves the origin (credentials set by the task never follow it).
   */
  static Decision decided(Request current, Response redirect, @Nullable Request chosen,
      TransportSecurityPolicy policy) {
    if (chosen == null) {
      return new Decision(null, false, false, null);
    }
    if (isFile(chosen.url())) {
      // A redirect never leads to a local file, even one a delegate substitutes.
      return new Decision(null, false, false, new SessionException(Code.UNSUPPORTED_URL, chosen.url(),
          "unsupported URL: a redirect never leads to a file: URL", null));
    }
    if (!policy.allowsRedirect(current.url(), chosen.url())) {
      return new Decision(null, false, false, insecure(chosen)); // what a delegate substitutes too
    }
    int status = redirect.statusCode();
    // Apple's rewriting: 303 (any method) and 301/302 after a POST become a GET without a body;
    // every other redirect keeps the method and the body (305, 307, 308, and 301/302 of a PUT).
    boolean keepsBody = status != 303 && chosen.method().equals(current.method())
        && !((status == 301 || status == 302) && "POST".equals(current.method()));
    return new Decision(chosen, keepsBody, !sameOrigin(current.url(), chosen.url()), null);
  }

  /** Whether two URLs have the same scheme, host and port. */
  static boolean sameOrigin(URI a, URI b) {
    return String.valueOf(a.getScheme()).equalsIgnoreCase(String.valueOf(b.getScheme()))
        && String.valueOf(a.getHost()).equalsIgnoreCase(String.valueOf(b.getHost()))
        && HttpChallenge.port(a) == HttpChallenge.port(b);
  }

  private static boolean isFile(URI url) {
    return "file".equalsIgnoreCase(url.getScheme());
  }
}
