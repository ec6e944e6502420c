package dev.urlsession;

import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/**
 * A {@link RecordingDelegate} that also records the WebSocket events, as
 * {@code didOpenWithProtocol <protocol>} and {@code didCloseWith <code> <reason>}.
 */
class RecordingWebSocketDelegate extends RecordingDelegate implements WebSocketDelegate {
  @Override
  public void didOpenWithProtocol(Session session, WebSocketTask task, @Nullable String protocol) {
    recordEvent(task, "didOpenWithProtocol " + protocol);
  }

  @Override
  public void didCloseWith(Session session, WebSocketTask task, CloseCode code, byte @Nullable [] reason) {
    recordEvent(task, "didCloseWith " + code + " " + (reason == null ? "null" : new String(reason, StandardCharsets.UTF_8)));
  }
}
