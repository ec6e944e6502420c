package dev.urlsession.internal;

/**
 * The grammar of a {@code WWW-Authenticate} or {@code Proxy-Authenticate} field value (RFC 9110
 * 11.6.1 and 11.2), checked strictly: a list of challenges, each an auth-scheme optionally
 * followed by a token68 or by auth-params whose values are tokens or terminated quoted strings.
 * Empty list elements are allowed (RFC 9110 5.6.1). Stateless; thread-safe.
 */
final class ChallengeSyntax {
  private final String value;
  private int pos;

  private ChallengeSyntax(String value) {
    this.value = value;
  }

  /** Whether {@code value} is a well-formed challenge list. */
  static boolean wellFormed(String value) {
    return new ChallengeSyntax(value).list();
  }

  private boolean list() {
    boolean paramsAllowed = false;
    skipOws();
    while (!atEnd()) {
      if (peek() == ',') {
        pos++;
        skipOws();
        continue;
      }
      if (!token()) {
        return false;
      }
      int afterName = pos;
      skipOws();
      if (paramsAllowed && !atEnd() && peek() == '=') {
        // Another auth-param of the current challenge.
        pos++;
        skipOws();
        if (!tokenOrQuotedString()) {
          return false;
        }
      } else {
        // A new challenge: the token was its auth-scheme.
        pos = afterName;
        paramsAllowed = true;
        if (!atEnd() && peek() == ' ') {
          while (!atEnd() && peek() == ' ') {
            pos++;
          }
          if (!atEnd() && peek() != ',') {
            int mark = pos;
            if (token68() && elementEnds()) {
              paramsAllowed = false; // a token68 takes no parameters
            } else {
              pos = mark;
              if (!authParam()) {
                return false;
              }
            }
          }
        }
      }
      skipOws();
      if (!atEnd() && peek() != ',') {
        return false;
      }
    }
    return true;
  }

  /** {@code token BWS "=" BWS ( token / quoted-string )}. */
  private boolean authParam() {
    if (!token()) {
      return false;
    }
    skipOws();
    if (atEnd() || peek() != '=') {
      return false;
    }
    pos++;
    skipOws();
    return tokenOrQuotedString();
  }

  private boolean tokenOrQuotedString() {
    return !atEnd() && (peek() == '"' ? quotedString() : token());
  }

  private boolean token() {
    int start = pos;
    while (!atEnd() && HttpSyntax.isTokenChar(peek())) {
      pos++;
    }
    return pos > start;
  }

  /** {@code 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="}. */
  private boolean token68() {
    int start = pos;
    while (!atEnd() && isToken68Char(peek())) {
      pos++;
    }
    if (pos == start) {
      return false;
    }
    while (!atEnd() && peek() == '=') {
      pos++;
    }
    return true;
  }

  /** Whether only OWS remains before the end or the next list comma; consumes nothing. */
  private boolean elementEnds() {
    int i = pos;
    while (i < value.length() && (value.charAt(i) == ' ' || value.charAt(i) == '\t')) {
      i++;
    }
    return i == value.length() || value.charAt(i) == ',';
  }

  private static boolean isToken68Char(char c) {
    return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
        || c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/';
  }

  /** {@code DQUOTE *( qdtext / quoted-pair ) DQUOTE}; false when it does not terminate. */
  private boolean quotedString() {
    pos++; // the opening quote
    while (!atEnd()) {
      char c = peek();
      pos++;
      if (c == '"') {
        return true;
      }
      if (c == '\\') {
        if (atEnd() || !isQuotedPairChar(peek())) {
          return false;
        }
        pos++;
      } else if (!isQdText(c)) {
        return false;
      }
    }
    return false;
  }

  private static boolean isQdText(char c) {
    return c == '\t' || c == ' ' || c == 0x21 || c >= 0x23 && c <= 0x5b || c >= 0x5d && c <= 0x7e
        || c >= 0x80 && c <= 0xff;
  }

  private static boolean isQuotedPairChar(char c) {
    return c == '\t' || c >= 0x20 && c <= 0x7e || c >= 0x80 && c <= 0xff;
  }

  private void skipOws() {
    while (!atEnd() && (peek() == ' ' || peek() == '\t')) {
      pos++;
    }
  }

  private boolean atEnd() {
    return pos >= value.length();
  }

  private char peek() {
    return value.charAt(pos);
  }
}
