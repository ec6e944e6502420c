package dev.urlsession;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * A future the library may complete on any thread, even an HttpClient I/O thread, whose dependent
 * stages still run on the session's delegate queue.
 *
 * <p>Completing a future directly wakes a caller blocked in {@code get()} without a hop through
 * the delegate queue (the queue hop cost about 14 µs per request at concurrency 1, see
 * benchmarks/README.md). A plain {@code CompletableFuture} would then run non-async dependents
 * ({@code thenApply}, {@code whenComplete}, ...) on the completing thread, so user code could end
 * up on an I/O thread. Here a non-async stage added while the future is pending runs on the
 * delegate queue, as if the future had been completed there; added once the future is done, it
 * runs on the caller's thread, as with any completed {@code CompletableFuture}. Derived futures
 * are {@code QueueFuture}s too, so the rule holds along a chain. The {@code ...Async} methods
 * without an executor keep {@code CompletableFuture}'s default (the common pool).
 */
final class QueueFuture<T> extends CompletableFuture<T> {
  private final Executor queue;

  QueueFuture(Executor queue) {
    this.queue = queue;
  }

  /** Cancels the library's work behind this future; see {@link #onCancel}. */
  private volatile @Nullable Runnable onCancel;

  /**
   * Has {@code action} run on the cancelling thread when this future is cancelled: by {@link
   * #cancel}, or completed with a {@link CancellationException}. Set before the future is handed
   * out; the action must be cheap and may run more than once (cancelling twice).
   */
  void onCancel(Runnable action) {
    this.onCancel = action;
  }

  @Override
  public boolean cancel(boolean mayInterruptIfRunning) {
    boolean cancelled = super.cancel(mayInterruptIfRunning);
    if (cancelled) {
      runOnCancel();
    }
    return cancelled;
  }

  @Override
  public boolean completeExceptionally(Throwable ex) {
    boolean completed = super.completeExceptionally(ex);
    if (completed && ex instanceof CancellationException) {
      runOnCancel();
    }
    return completed;
  }

  private void runOnCancel() {
    Runnable action = onCancel;
    if (action != null) {
      action.run();
    }
  }

  @Override
  public <U> CompletableFuture<U> newIncompleteFuture() {
    return new QueueFuture<>(queue);
  }

  /**
   * A minimal stage relayed through the delegate queue: the JDK's would be completed by the
   * completing thread, and so would its stages.
   */
  @Override
  public CompletionStage<T> minimalCompletionStage() {
    CompletableFuture<T> relay = new CompletableFuture<>();
    super.whenCompleteAsync((value, error) -> {
      if (error != null) {
        relay.completeExceptionally(error);
      } else {
        relay.complete(value);
      }
    }, queue);
    return relay.minimalCompletionStage();
  }

  @Override
  public <U> CompletableFuture<U> thenApply(Function<? super T, ? extends U> fn) {
    return isDone() ? super.thenApply(fn) : thenApplyAsync(fn, queue);
  }

  @Override
  public CompletableFuture<Void> thenAccept(Consumer<? super T> action) {
    return isDone() ? super.thenAccept(action) : thenAcceptAsync(action, queue);
  }

  @Override
  public CompletableFuture<Void> thenRun(Runnable action) {
    return isDone() ? super.thenRun(action) : thenRunAsync(action, queue);
  }

  @Override
  public <U, V> CompletableFuture<V> thenCombine(CompletionStage<? extends U> other,
      BiFunction<? super T, ? super U, ? extends V> fn) {
    return thenCombineAsync(other, fn, queue);
  }

  @Override
  public <U> CompletableFuture<Void> thenAcceptBoth(CompletionStage<? extends U> other,
      BiConsumer<? super T, ? super U> action) {
    return thenAcceptBothAsync(other, action, queue);
  }

  @Override
  public CompletableFuture<Void> runAfterBoth(CompletionStage<?> other, Runnable action) {
    return runAfterBothAsync(other, action, queue);
  }

  @Override
  public <U> CompletableFuture<U> applyToEither(CompletionStage<? extends T> other,
      Function<? super T, U> fn) {
    return applyToEitherAsync(other, fn, queue);
  }

  @Override
  public CompletableFuture<Void> acceptEither(CompletionStage<? extends T> other,
      Consumer<? super T> action) {
    return acceptEitherAsync(other, action, queue);
  }

  @Override
  public CompletableFuture<Void> runAfterEither(CompletionStage<?> other, Runnable action) {
    return runAfterEitherAsync(other, action, queue);
  }

  @Override
  public <U> CompletableFuture<U> thenCompose(Function<? super T, ? extends CompletionStage<U>> fn) {
    return isDone() ? super.thenCompose(fn) : thenComposeAsync(fn, queue);
  }

  @Override
  public CompletableFuture<T> whenComplete(BiConsumer<? super T, ? super Throwable> action) {
    return isDone() ? super.whenComplete(action) : whenCompleteAsync(action, queue);
  }

  @Override
  public <U> CompletableFuture<U> handle(BiFunction<? super T, Throwable, ? extends U> fn) {
    return isDone() ? super.handle(fn) : handleAsync(fn, queue);
  }

  @Override
  public CompletableFuture<T> exceptionally(Function<Throwable, ? extends T> fn) {
    return isDone() ? super.exceptionally(fn) : exceptionallyAsync(fn, queue);
  }

  @Override
  public CompletableFuture<T> exceptionallyCompose(
      Function<Throwable, ? extends CompletionStage<T>> fn) {
    return isDone() ? super.exceptionallyCompose(fn) : exceptionallyComposeAsync(fn, queue);
  }
}
