package dev.urlsession;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One WebSocket message (Apple's {@code URLSessionWebSocketTask.Message}): {@link Text} (a text
 * frame, {@code .string}) or {@link Binary} (a binary frame, {@code .data}). Immutable.
 *
 * <pre>{@code
 * task.send(WebSocketMessage.text("hello"));
 * task.receive().thenAccept(m -> {
 *   if (m instanceof WebSocketMessage.Text t) { System.out.println(t.text()); }
 * });
 * }</pre>
 *
 * @since 0.1.0
 */
public sealed interface WebSocketMessage permits WebSocketMessage.Text, WebSocketMessage.Binary {
  /**
   * A text message.
   *
   * @throws IllegalArgumentException if {@code text} is null
   */
  static WebSocketMessage text(String text) {
    return new Text(text);
  }

  /**
   * A binary message of a copy of {@code data}.
   *
   * @throws IllegalArgumentException if {@code data} is null
   */
  static WebSocketMessage binary(byte[] data) {
    if (data == null) {
      throw new IllegalArgumentException("data must not be null");
    }
    return new Binary(data.clone());
  }

  /** The message's size on the wire before compression: UTF-8 bytes for text. */
  int length();

  /**
   * A text message (Apple's {@code .string}).
   *
   * @param text the text, never null
   * @since 0.1.0
   */
  record Text(String text) implements WebSocketMessage {
    public Text {
      if (text == null) {
        throw new IllegalArgumentException("text must not be null");
      }
    }

    @Override
    public int length() {
      return text.getBytes(StandardCharsets.UTF_8).length;
    }

    @Override
    public String toString() {
      return "Text[" + text.length() + " chars]";
    }
  }

  /**
   * A binary message (Apple's {@code .data}). Equal to another of the same bytes.
   *
   * @since 0.1.0
   */
  final class Binary implements WebSocketMessage {
    private final byte[] data;

    private Binary(byte[] data) {
      this.data = data;
    }

    /** Wraps bytes the library owns (no copy). */
    static Binary wrap(byte[] data) {
      return new Binary(data);
    }

    /** A copy of the message's bytes. */
    public byte[] data() {
      return data.clone();
    }

    /** The bytes themselves, for the library's own sends (never modified). */
    byte[] bytes() {
      return data;
    }

    @Override
    public int length() {
      return data.length;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Binary && Arrays.equals(data, ((Binary) o).data);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(data);
    }

    @Override
    public String toString() {
      return "Binary[" + data.length + " bytes]";
    }
  }
}
