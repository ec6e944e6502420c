package dev.urlsession.autoconfigure;

import org.jspecify.annotations.Nullable;

/**
 * The properties of one named session, {@code urlsession.sessions.<name>}: every option of
 * {@link SessionProperties}, plus how the session is exposed as a bean.
 *
 * @since 0.1.0
 */
public class NamedSessionProperties extends SessionProperties {
  /**
   * Whether this session is injected where a Session is asked for without a qualifier. When only
   * one session is configured, it is unless this is set to false.
   */
  private @Nullable Boolean primary;

  /**
   * Name of a SessionDelegate bean that receives the delegate calls of this session (for a
   * TaskDelegate or DataDelegate, the calls of its tasks too).
   */
  private @Nullable String delegateBean;

  public @Nullable Boolean getPrimary() {
    return primary;
  }

  public void setPrimary(@Nullable Boolean primary) {
    this.primary = primary;
  }

  public @Nullable String getDelegateBean() {
    return delegateBean;
  }

  public void setDelegateBean(@Nullable String delegateBean) {
    this.delegateBean = delegateBean;
  }
}
