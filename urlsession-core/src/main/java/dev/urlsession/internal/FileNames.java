package dev.urlsession.internal;

import dev.urlsession.Response;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/** Safe file names from untrusted response metadata (RELIABILITY.md row 6). */
public final class FileNames {
  private static final int MAX_LENGTH = 255;

  private FileNames() {}

  public static String suggestedFilename(Response response) {
    String fromDisposition = fromContentDisposition(response.header("Content-Disposition"));
    String name = fromDisposition != null ? sanitize(fromDisposition) : null;
    if (name == null) {
      String path = response.url().getPath();
      if (path != null) {
        int slash = path.lastIndexOf('/');
        name = sanitize(path.substring(slash + 1));
      }
    }
    return name == null ? "Unknown" : name;
  }

  /** The {@code filename} parameter of a Content-Disposition value, unquoted; or null. */
  static @Nullable String fromContentDisposition(@Nullable String value) {
    if (value == null) {
      return null;
    }
    String result = null;
    for (String part : value.split(";")) {
      String p = part.trim();
      int eq = p.indexOf('=');
      if (eq > 0 && p.substring(0, eq).trim().toLowerCase(Locale.ROOT).equals("filename")) {
        String v = p.substring(eq + 1).trim();
        if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
          v = v.substring(1, v.length() - 1);
        }
        result = v; // the last filename parameter wins
      }
    }
    return result;
  }

  /** A bare, safe name, or null when nothing usable is left. */
  public static @Nullable String sanitize(String raw) {
    String s = raw;
    int cut = Math.max(s.lastIndexOf('/'), s.lastIndexOf('\\'));
    if (cut >= 0) {
      s = s.substring(cut + 1);
    }
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c == 0x7f || c == ':' || c == '*' || c == '?' || c == '"' || c == '<'
          || c == '>' || c == '|') {
        b.append('_');
      } else {
        b.append(c);
      }
    }
    String result = b.toString().trim();
    while (result.startsWith(".")) {
      result = result.substring(1);
    }
    if (result.length() > MAX_LENGTH) {
      result = result.substring(0, MAX_LENGTH);
    }
    return result.isEmpty() ? null : result;
  }
}
