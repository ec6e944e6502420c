package dev.urlsession.internal;

import dev.urlsession.AuthenticationMethod;
import dev.urlsession.Credential;
import dev.urlsession.ProtectionSpace;
import dev.urlsession.Request;
import dev.urlsession.Response;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import org.apache.hc.client5.http.auth.AuthChallenge;
import org.apache.hc.client5.http.auth.AuthScope;
import org.apache.hc.client5.http.auth.ChallengeType;
import org.apache.hc.client5.http.auth.UsernamePasswordCredentials;
import org.apache.hc.client5.http.impl.auth.AuthChallengeParser;
import org.apache.hc.client5.http.impl.auth.DigestScheme;
import org.apache.hc.client5.http.protocol.HttpClientContext;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.message.BasicHttpRequest;
import org.apache.hc.core5.http.message.ParserCursor;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One challenge of a 401 ({@code WWW-Authenticate}) or 407 ({@code Proxy-Authenticate}) and how
 * to answer it. Parsing (several challenges per header, quoted strings) and the Digest response
 * (RFC 7616) reuse HttpClient 5's parser and {@code DigestScheme}; Basic is RFC 7617 with UTF-8.
 */
public final class HttpChallenge {
  private static final Logger log = LoggerFactory.getLogger(HttpChallenge.class);

  private final ProtectionSpace space;
  private final AuthChallenge challenge;

  private HttpChallenge(ProtectionSpace space, AuthChallenge challenge) {
    this.space = space;
    this.challenge = challenge;
  }

  public ProtectionSpace protectionSpace() {
    return space;
  }

  /** The header that answers this challenge: {@code Authorization} or {@code Proxy-Authorization}. */
  public String headerName() {
    return space.isProxy() ? "Proxy-Authorization" : "Authorization";
  }

  /**
   * The Basic and Digest challenges of a 401 or 407 response, in the server's order; empty when
   * it offers none the session can answer (a 401 is then a plain response). A header that does
   * not follow RFC 9110's challenge grammar (an unterminated quoted string, a parameter without
   * value, ...) is logged and skipped whole.
   */
  public static List<HttpChallenge> parse(Response response, @Nullable URI proxy) {
    boolean isProxy = response.statusCode() == 407;
    if (response.statusCode() != 401 && !isProxy) {
      return List.of();
    }
    URI url = response.url();
    List<HttpChallenge> result = new ArrayList<>();
    for (String value : response.headers().all(isProxy ? "Proxy-Authenticate" : "WWW-Authenticate")) {
      if (!ChallengeSyntax.wellFormed(value)) {
        // HttpClient's parser would read an unterminated quoted string to the end: checked first.
        log.warn("Ignoring a malformed {} header: {}", isProxy ? "Proxy-Authenticate" : "WWW-Authenticate",
            HttpSyntax.quote(value));
        continue;
      }
      List<AuthChallenge> parsed;
      try {
        parsed = AuthChallengeParser.INSTANCE.parse(isProxy ? ChallengeType.PROXY : ChallengeType.TARGET,
            value, new ParserCursor(0, value.length()));
      } catch (org.apache.hc.core5.http.ParseException | RuntimeException e) {
        log.warn("Ignoring a malformed {} header: {}", isProxy ? "Proxy-Authenticate" : "WWW-Authenticate", e.toString());
        continue;
      }
      for (AuthChallenge c : parsed) {
        AuthenticationMethod method = method(c.getSchemeName());
        if (method == null) {
          continue;
        }
        String realm = param(c, "realm");
        ProtectionSpace space;
        if (isProxy && proxy != null) {
          space = ProtectionSpace.forProxy(proxy.getHost(), port(proxy), "http", realm, method);
        } else {
          space = ProtectionSpace.of(url.getHost(), port(url), url.getScheme(), realm, method);
        }
        result.add(new HttpChallenge(space, c));
      }
    }
    return result;
  }

  private static @Nullable AuthenticationMethod method(String scheme) {
    switch (scheme.toLowerCase(Locale.ROOT)) {
      case "basic":
        return AuthenticationMethod.HTTP_BASIC;
      case "digest":
        return AuthenticationMethod.HTTP_DIGEST;
      default:
        return null; // Bearer and others: the application sets the header itself
    }
  }

  private static @Nullable String param(AuthChallenge c, String name) {
    if (c.getParams() == null) {
      return null;
    }
    for (var p : c.getParams()) {
      if (p.getName().equalsIgnoreCase(name)) {
        return p.getValue();
      }
    }
    return null;
  }

  public static int port(URI u) {
    if (u.getPort() > 0) {
      return u.getPort();
    }
    return "https".equalsIgnoreCase(u.getScheme()) ? 443 : "ftp".equalsIgnoreCase(u.getScheme()) ? 21 : 80;
  }

  /** {@code Basic base64(user:password)} (UTF-8, RFC 7617). */
  public static String basic(Credential credential) {
    String pair = credential.user() + ":" + (credential.password() == null ? "" : credential.password());
    return "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
  }

  /** The header value answering this challenge for {@code request}, or null when it cannot be computed. */
  public @Nullable String authorization(Request request, Credential credential) {
    if (space.authenticationMethod() == AuthenticationMethod.HTTP_BASIC) {
      return basic(credential);
    }
    try {
      DigestScheme digest = new DigestScheme();
      HttpClientContext context = HttpClientContext.create();
      digest.processChallenge(challenge, context);
      URI url = request.url();
      HttpHost host = new HttpHost(url.getScheme(), url.getHost(), port(url));
      char[] password = credential.password() == null ? new char[0] : credential.password().toCharArray();
      UsernamePasswordCredentials creds = new UsernamePasswordCredentials(credential.user(), password);
      if (!digest.isResponseReady(host, (AuthScope scope, org.apache.hc.core5.http.protocol.HttpContext c) -> creds, context)) {
        return null;
      }
      String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
      if (url.getRawQuery() != null) {
        path += "?" + url.getRawQuery();
      }
      return digest.generateAuthResponse(host, new BasicHttpRequest(request.method(), path), context);
    } catch (Exception e) {
      log.warn("Cannot answer a Digest challenge of {}: {}", space, e.toString());
      return null;
    }
  }

  @Override
  public String toString() {
    return "HttpChallenge{" + space + "}";
  }
}
