package dev.urlsession.internal;

import java.net.URI;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Safe file names from untrusted response metadata (RELIABILITY.md row 6): RFC 6266
 * {@code Content-Disposition} with RFC 8187 {@code filename*}, else the URL's last segment, else
 * {@code "Unknown"}, with an extension from the MIME type when the name has none. The result is a
 * bare name: never a path, never {@code ..}, no control characters, no bidirectional formatting
 * characters (which would show {@code "\u202Egpj.exe"} as {@code "exe.jpg"}), no reserved device
 * name.
 */
public final class FileNames {
  private static final int MAX_LENGTH = 255;
  private static final Set<String> RESERVED = Set.of("con", "prn", "aux", "nul",
      "com1", "com2", "com3", "com4", "com5", "com6", "com7", "com8", "com9",
      "lpt1", "lpt2", "lpt3", "lpt4", "lpt5", "lpt6", "lpt7", "lpt8", "lpt9");
  private static final Map<String, String> EXTENSIONS = Map.ofEntries(
      Map.entry("text/plain", "txt"), Map.entry("text/html", "html"), Map.entry("text/css", "css"),
      Map.entry("text/csv", "csv"), Map.entry("text/xml", "xml"), Map.entry("application/xml", "xml"),
      Map.entry("application/json", "json"), Map.entry("application/pdf", "pdf"),
      Map.entry("application/zip", "zip"), Map.entry("application/gzip", "gz"),
      Map.entry("application/javascript", "js"), Map.entry("text/javascript", "js"),
      Map.entry("image/png", "png"), Map.entry("image/jpeg", "jpg"), Map.entry("image/gif", "gif"),
      Map.entry("image/webp", "webp"), Map.entry("image/svg+xml", "svg"),
      Map.entry("audio/mpeg", "mp3"), Map.entry("video/mp4", "mp4"));

  private FileNames() {}

  /**
   * A file name for a response with {@code contentDisposition}, from {@code url}, of
   * {@code mimeType}: the disposition's name, else the last path segment, else "Unknown", made
   * safe, with the type's extension when it has none.
   */
  public static String suggestedFilename(@Nullable String contentDisposition, URI url, @Nullable String mimeType) {
    String name = null;
    if (contentDisposition != null) {
      name = sanitize(fromContentDisposition(contentDisposition));
    }
    if (name == null) {
      String path = url.getPath();
      if (path != null) {
        name = sanitize(path.substring(path.lastIndexOf('/') + 1));
      }
    }
    if (name == null) {
      name = "Unknown";
    }
    String extension = mimeType == null ? null : EXTENSIONS.get(mimeType);
    if (extension != null && name.indexOf('.') < 0) {
      name = truncate(name, MAX_LENGTH - extension.length() - 1) + "." + extension;
    }
    return name;
  }

  /**
   * The file name a Content-Disposition value gives: {@code filename*} (RFC 8187) when it
   * decodes, else the last {@code filename}; null when neither is there.
   */
  public static @Nullable String fromContentDisposition(String value) {
    String plain = null;
    String extended = null;
    for (String[] parameter : parameters(value)) {
      String key = parameter[0].toLowerCase(Locale.ROOT);
      if (key.equals("filename*")) {
        String decoded = decodeExtValue(parameter[1]);
        if (decoded != null) {
          extended = decoded;
        }
      } else if (key.equals("filename")) {
        plain = parameter[1];
      }
    }
    return extended != null ? extended : plain;
  }

  /** The {@code name=value} parameters after the disposition type; quoted strings unescaped. */
  static List<String[]> parameters(String value) {
    List<String[]> result = new ArrayList<>();
    int i = value.indexOf(';');
    while (i >= 0 && i < value.length()) {
      i++;
      int eq = value.indexOf('=', i);
      if (eq < 0) {
        break;
      }
      String name = value.substring(i, eq).trim();
      int j = eq + 1;
      while (j < value.length() && value.charAt(j) == ' ') {
        j++;
      }
      StringBuilder v = new StringBuilder();
      if (j < value.length() && value.charAt(j) == '"') {
        j++;
        while (j < value.length() && value.charAt(j) != '"') {
          char c = value.charAt(j);
          // Only \" and \\ are escapes, as browsers read it: other backslashes stay, so a
          // Windows path in the name is cut at its last separator.
          if (c == '\\' && j + 1 < value.length()
              && (value.charAt(j + 1) == '"' || value.charAt(j + 1) == '\\')) {
            j++;
            c = value.charAt(j);
          }
          v.append(c);
          j++;
        }
        j = value.indexOf(';', j);
      } else {
        int end = value.indexOf(';', j);
        v.append((end < 0 ? value.substring(j) : value.substring(j, end)).trim());
        j = end;
      }
      if (!name.isEmpty()) {
        result.add(new String[] {name, v.toString()});
      }
      i = j;
    }
    return result;
  }

  /** RFC 8187: {@code charset'language'percent-encoded}; null when malformed or of another charset. */
  static @Nullable String decodeExtValue(String ext) {
    int first = ext.indexOf('\'');
    int second = first < 0 ? -1 : ext.indexOf('\'', first + 1);
    if (second < 0) {
      return null;
    }
    String charsetName = ext.substring(0, first).trim().toUpperCase(Locale.ROOT);
    Charset charset;
    if (charsetName.equals("UTF-8")) {
      charset = StandardCharsets.UTF_8;
    } else if (charsetName.equals("ISO-8859-1")) {
      charset = StandardCharsets.ISO_8859_1;
    } else {
      return null;
    }
    try {
      return new String(PercentCoding.decode(ext, second + 1, true), charset);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** A bare, safe name, or null when nothing usable is left. */
  public static @Nullable String sanitize(@Nullable String raw) {
    if (raw == null) {
      return null;
    }
    String s = raw;
    int cut = Math.max(s.lastIndexOf('/'), s.lastIndexOf('\\'));
    if (cut >= 0) {
      s = s.substring(cut + 1);
    }
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (isBidiControl(c)) {
        continue; // "\u202Egpj.exe" would show as "exe.jpg"
      }
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
    while (result.endsWith(".") || result.endsWith(" ")) {
      result = result.substring(0, result.length() - 1);
    }
    if (result.isEmpty()) {
      return null;
    }
    int dot = result.indexOf('.');
    String stem = (dot < 0 ? result : result.substring(0, dot)).toLowerCase(Locale.ROOT);
    if (RESERVED.contains(stem)) {
      result = "_" + result;
    }
    return truncate(result, MAX_LENGTH);
  }

  /**
   * The bidirectional formatting characters (Unicode's Bidi_Control: embeddings, overrides,
   * isolates, the LRM/RLM marks and the Arabic letter mark), which make a name display in another
   * order than it is: a name never keeps them.
   */
  static boolean isBidiControl(char c) {
    return (c >= '\u202A' && c <= '\u202E') || (c >= '\u2066' && c <= '\u2069')
        || c == '\u200E' || c == '\u200F' || c == '\u061C';
  }

  /** Cuts {@code name} to at most {@code max} UTF-8 bytes, keeping its extension when it can. */
  private static String truncate(String name, int max) {
    if (name.getBytes(StandardCharsets.UTF_8).length <= max) {
      return name;
    }
    int dot = name.lastIndexOf('.');
    String ext = dot > 0 && name.length() - dot <= 16 ? name.substring(dot) : "";
    String stem = ext.isEmpty() ? name : name.substring(0, dot);
    int budget = max - ext.getBytes(StandardCharsets.UTF_8).length;
    StringBuilder b = new StringBuilder();
    int bytes = 0;
    for (int i = 0; i < stem.length(); ) {
      int cp = stem.codePointAt(i);
      int len = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8).length;
      if (bytes + len > budget) {
        break;
      }
      b.appendCodePoint(cp);
      bytes += len;
      i += Character.charCount(cp);
    }
    return b + ext;
  }
}
