package dev.urlsession.internal;

import java.net.FileNameMap;
import java.net.URLConnection;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * MIME types guessed from a file name's extension, for {@code file:} and {@code ftp:} responses.
 * A small table of common types first, then the JDK's own name map, then
 * {@code application/octet-stream}. Name-based only (never reads the file), so the answer is the
 * same on every platform.
 */
public final class FileMimeTypes {
  /** The type of content nothing more is known about. */
  public static final String DEFAULT = "application/octet-stream";

  private static final Map<String, String> TABLE = Map.ofEntries(
      Map.entry("txt", "text/plain"),
      Map.entry("text", "text/plain"),
      Map.entry("log", "text/plain"),
      Map.entry("html", "text/html"),
      Map.entry("htm", "text/html"),
      Map.entry("css", "text/css"),
      Map.entry("csv", "text/csv"),
      Map.entry("md", "text/markdown"),
      Map.entry("js", "text/javascript"),
      Map.entry("mjs", "text/javascript"),
      Map.entry("json", "application/json"),
      Map.entry("xml", "application/xml"),
      Map.entry("pdf", "application/pdf"),
      Map.entry("zip", "application/zip"),
      Map.entry("gz", "application/gzip"),
      Map.entry("tgz", "application/gzip"),
      Map.entry("tar", "application/x-tar"),
      Map.entry("jar", "application/java-archive"),
      Map.entry("wasm", "application/wasm"),
      Map.entry("bin", DEFAULT),
      Map.entry("png", "image/png"),
      Map.entry("jpg", "image/jpeg"),
      Map.entry("jpeg", "image/jpeg"),
      Map.entry("gif", "image/gif"),
      Map.entry("webp", "image/webp"),
      Map.entry("svg", "image/svg+xml"),
      Map.entry("ico", "image/vnd.microsoft.icon"),
      Map.entry("mp3", "audio/mpeg"),
      Map.entry("wav", "audio/wav"),
      Map.entry("mp4", "video/mp4"),
      Map.entry("webm", "video/webm"));

  private FileMimeTypes() {}

  /** The MIME type for a file called {@code name} (a bare name or a path); never null. */
  public static String forName(@Nullable String name) {
    if (name == null) {
      return DEFAULT;
    }
    int slash = Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\'));
    String base = name.substring(slash + 1);
    int dot = base.lastIndexOf('.');
    if (dot <= 0 || dot == base.length() - 1) {
      return DEFAULT; // no extension, or a dot file such as ".profile"
    }
    String extension = base.substring(dot + 1).toLowerCase(Locale.ROOT);
    String known = TABLE.get(extension);
    if (known != null) {
      return known;
    }
    try {
      FileNameMap jdk = URLConnection.getFileNameMap();
      String guessed = jdk.getContentTypeFor("x." + extension);
      if (guessed != null && !guessed.isBlank() && guessed.indexOf('/') > 0) {
        return guessed.toLowerCase(Locale.ROOT);
      }
    } catch (RuntimeException e) {
      // The JDK's table could not be loaded: no guess.
    }
    return DEFAULT;
  }
}
