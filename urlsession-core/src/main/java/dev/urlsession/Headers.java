package dev.urlsession;

import dev.urlsession.internal.Checks;
import dev.urlsession.internal.HttpSyntax;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * An immutable, case-insensitive multimap of HTTP header fields, in the order they were added.
 *
 * <p>Names must be RFC 9110 tokens; values must not contain control characters (CR, LF, NUL,
 * ...) other than horizontal tab. Both are checked when a header is added, so a {@code Headers}
 * instance can never carry an injected header line.
 *
 * <pre>{@code
 * Headers h = Headers.builder().add("Accept", "text/html").add("accept", "application/json").build();
 * h.first("ACCEPT");   // "text/html"
 * h.all("Accept");     // [text/html, application/json]
 * h.names();           // [Accept]
 * }</pre>
 *
 * <p>Instances are immutable and safe to share between threads.
 *
 * @since 0.1.0
 */
public final class Headers {
  private static final Headers EMPTY = new Headers(new String[0]);

  /** Alternating names and values. */
  private final String[] namesAndValues;

  private Headers(String[] namesAndValues) {
    this.namesAndValues = namesAndValues;
  }

  /** The empty header set. */
  public static Headers empty() {
    return EMPTY;
  }

  /** A new, empty builder. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Headers from a map of single values, in the map's iteration order.
   *
   * @throws IllegalArgumentException if a name or value is invalid
   */
  public static Headers of(Map<String, String> map) {
    Builder b = builder();
    Checks.notNull(map, "headers").forEach(b::add);
    return b.build();
  }

  /** The first value of {@code name} (case-insensitive), or {@code null}. */
  public @Nullable String first(String name) {
    for (int i = 0; i < namesAndValues.length; i += 2) {
      if (namesAndValues[i].equalsIgnoreCase(name)) {
        return namesAndValues[i + 1];
      }
    }
    return null;
  }

  /** Every value of {@code name} (case-insensitive), in order; empty when absent. */
  public List<String> all(String name) {
    List<String> result = null;
    for (int i = 0; i < namesAndValues.length; i += 2) {
      if (namesAndValues[i].equalsIgnoreCase(name)) {
        if (result == null) {
          result = new ArrayList<>(2);
        }
        result.add(namesAndValues[i + 1]);
      }
    }
    return result == null ? List.of() : Collections.unmodifiableList(result);
  }

  /** Whether a field called {@code name} (case-insensitive) is present. */
  public boolean contains(String name) {
    return first(name) != null;
  }

  /** The distinct field names, each in the spelling it was first added with. */
  public Set<String> names() {
    Set<String> lower = new LinkedHashSet<>();
    Set<String> result = new LinkedHashSet<>();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      if (lower.add(namesAndValues[i].toLowerCase(java.util.Locale.ROOT))) {
        result.add(namesAndValues[i]);
      }
    }
    return Collections.unmodifiableSet(result);
  }

  /** Number of fields (a name with two values counts twice). */
  public int size() {
    return namesAndValues.length / 2;
  }

  /** Whether there are no fields. */
  public boolean isEmpty() {
    return namesAndValues.length == 0;
  }

  /** The name of field {@code index}, in insertion order. */
  public String name(int index) {
    return namesAndValues[index * 2];
  }

  /** The value of field {@code index}, in insertion order. */
  public String value(int index) {
    return namesAndValues[index * 2 + 1];
  }

  /**
   * The fields as a map from first spelling to values joined with {@code ", "} (Apple's
   * {@code allHeaderFields}).
   */
  public Map<String, String> toMap() {
    Map<String, String> result = new LinkedHashMap<>();
    for (String name : names()) {
      result.put(name, String.join(", ", all(name)));
    }
    return Collections.unmodifiableMap(result);
  }

  /** A builder holding these fields. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.namesAndValues.addAll(Arrays.asList(namesAndValues));
    return b;
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof Headers && Arrays.equals(((Headers) o).namesAndValues, namesAndValues);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(namesAndValues);
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder("Headers{");
    for (int i = 0; i < namesAndValues.length; i += 2) {
      if (i > 0) {
        b.append(", ");
      }
      b.append(namesAndValues[i]).append(": ").append(namesAndValues[i + 1]);
    }
    return b.append('}').toString();
  }

  /**
   * Builds {@link Headers}. Not thread-safe.
   *
   * @since 0.1.0
   */
  public static final class Builder {
    private final List<String> namesAndValues = new ArrayList<>();

    private Builder() {}

    /**
     * Appends a field.
     *
     * @throws IllegalArgumentException if the name is not a token or the value holds a control
     *     character
     */
    public Builder add(String name, String value) {
      HttpSyntax.checkHeaderName(name);
      HttpSyntax.checkHeaderValue(name, value);
      namesAndValues.add(name);
      namesAndValues.add(value);
      return this;
    }

    /**
     * Replaces every field called {@code name} (case-insensitive) by one with {@code value},
     * keeping the position and spelling of the first existing field.
     *
     * @throws IllegalArgumentException if the name is not a token or the value holds a control
     *     character
     */
    public Builder set(String name, String value) {
      HttpSyntax.checkHeaderName(name);
      HttpSyntax.checkHeaderValue(name, value);
      int first = -1;
      for (int i = 0; i < namesAndValues.size(); ) {
        if (namesAndValues.get(i).equalsIgnoreCase(name)) {
          if (first < 0) {
            first = i;
            namesAndValues.set(i + 1, value);
            i += 2;
          } else {
            namesAndValues.remove(i);
            namesAndValues.remove(i);
          }
        } else {
          i += 2;
        }
      }
      if (first < 0) {
        namesAndValues.add(name);
        namesAndValues.add(value);
      }
      return this;
    }

    /** Removes every field called {@code name} (case-insensitive). */
    public Builder remove(String name) {
      for (int i = 0; i < namesAndValues.size(); ) {
        if (namesAndValues.get(i).equalsIgnoreCase(name)) {
          namesAndValues.remove(i);
          namesAndValues.remove(i);
        } else {
          i += 2;
        }
      }
      return this;
    }

    /** The first value of {@code name} set so far, or {@code null}. */
    public @Nullable String first(String name) {
      for (int i = 0; i < namesAndValues.size(); i += 2) {
        if (namesAndValues.get(i).equalsIgnoreCase(name)) {
          return namesAndValues.get(i + 1);
        }
      }
      return null;
    }

    /** The immutable headers. */
    public Headers build() {
      return namesAndValues.isEmpty()
          ? EMPTY
          : new Headers(namesAndValues.toArray(new String[0]));
    }
  }
}
