package dev.urlsession;

/**
 * A task that loads a URL into memory (Apple's {@code URLSessionDataTask}). Its body arrives in
 * {@link DataDelegate#didReceiveData} calls or, for a task created with a completion handler, all
 * at once in the handler.
 *
 * @since 0.1.0
 */
public interface DataTask extends SessionTask {}
