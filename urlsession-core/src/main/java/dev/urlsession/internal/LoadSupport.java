package dev.urlsession.internal;

/**
 * What a session's {@code ProtocolLoad} offers built-in handlers beyond the SPI: flow control,
 * upload progress and per-exchange metrics. Custom handlers never need it.
 */
public interface LoadSupport {
  /** Whether the task can take more body data now (running, and its backlog is small). */
  boolean wantsData();

  /**
   * Sets the action run when {@link #wantsData()} may have become true again. It runs on any
   * thread, never under a lock of the library's.
   */
  void onDemand(Runnable action);

  /**
   * Writes the (decoded) body bytes remaining in {@code src} straight to the task's download file,
   * when the task is a download receiving its body with nothing queued before them; this saves a
   * copy per chunk. Returns false, leaving {@code src} untouched, when the bytes must go through
   * {@code ProtocolClient.didLoadData} instead.
   */
  boolean writeDirectly(java.nio.ByteBuffer src);

  /** {@code bytes} more of the request body were sent. */
  void didSendBodyData(long bytes);

  /**
   * The body to send: the upload task's body, or the request's own for other tasks; null for
   * none.
   */
  @org.jspecify.annotations.Nullable RequestBody requestBody();

  /**
   * The value of {@code Accept-Encoding} the task asks for (download tasks ask for
   * {@code identity}); null to let the handler choose. Content is decoded either way.
   */
  @org.jspecify.annotations.Nullable String acceptEncoding();

  /**
   * The server or proxy asks for credentials: {@code challenges} are those the session can
   * answer, {@code response} the 401 or 407; its body follows as data, delivered only if no
   * credential is used.
   */
  void challenged(java.util.List<HttpChallenge> challenges, dev.urlsession.Response response);

  /**
   * Whether this load's URL is of another origin than the task's original request (a redirect
   * left it): credentials of the session ({@code Authorization}, {@code Cookie} and
   * {@code Proxy-Authorization} in {@code httpAdditionalHeaders}) are not sent then.
   */
  default boolean leftOrigin() {
    return false;
  }

  /** Headers the task adds to this load ({@code Authorization} answering a challenge); may be empty. */
  java.util.Map<String, String> authorizationHeaders();

  /**
   * A new TLS connection presented {@code trust}: call {@code decision} (from any thread) with
   * whether to go on. The task asks its delegate, or accepts exactly what the default evaluation
   * accepts.
   */
  void evaluateServerTrust(dev.urlsession.ServerTrust trust, java.util.function.Consumer<Boolean> decision);

  /** Where the handler records timestamps and counts of its exchange. */
  TransactionRecorder transaction();

  /**
   * Whether the task may want to resume this load later (a download task): a handler that can
   * tell the resource's identity ({@code ftp:}) then reports it with {@link #resourceValidated}.
   */
  default boolean mayResume() {
    return false;
  }

  /**
   * For a download resuming from resume data, where its partial file ends and the validators it
   * recorded; null otherwise. Handlers other than HTTP continue from the offset only when the
   * resource still has those validators.
   */
  default @org.jspecify.annotations.Nullable ResumePoint resumePoint() {
    return null;
  }

  /**
   * Before its response: the resource's validators ({@code lastModified} null when unknown,
   * {@code size} -1 when unknown) and whether the body that follows continues at the
   * {@linkplain #resumePoint() resume point}'s offset (true) or is the whole resource (false).
   */
  default void resourceValidated(@org.jspecify.annotations.Nullable String lastModified, long size,
      boolean continuesAtOffset) {}

  /**
   * The https server of this load asked for a client certificate and was given none (the
   * {@code CLIENT_CERTIFICATE} challenge of {@code space}): call {@code decision}, from any
   * thread, with an identity to retry with, with {@link ClientIdentities.Answer#NONE} to go on
   * without one, or with {@link ClientIdentities.Answer#CANCEL} when the task was cancelled.
   */
  default void clientCertificateRequested(dev.urlsession.ProtectionSpace space,
      java.util.function.Consumer<ClientIdentities.Answer> decision) {
    decision.accept(ClientIdentities.Answer.NONE);
  }
}
