package dev.urlsession;

import org.jspecify.annotations.Nullable;

/**
 * Receives the result of a task created with a completion handler, once, on the delegate queue.
 * On success {@code result} and {@code response} are set and {@code error} is null (a 404 is a
 * success); on failure only {@code error} is set.
 *
 * @param <T> {@code byte[]} for data and upload tasks
 * @since 0.1.0
 */
@FunctionalInterface
public interface CompletionHandler<T> {
  void complete(@Nullable T result, @Nullable Response response, @Nullable SessionException error);
}
