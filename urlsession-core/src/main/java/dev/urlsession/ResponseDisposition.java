package dev.urlsession;

/**
 * What a data task does after {@link DataDelegate#didReceiveResponse}.
 *
 * @since 0.1.0
 */
public enum ResponseDisposition {
  /** Cancel the task, as {@link SessionTask#cancel()}. */
  CANCEL,
  /** Continue loading. */
  ALLOW
}
