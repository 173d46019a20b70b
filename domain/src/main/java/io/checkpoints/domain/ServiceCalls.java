package io.checkpoints.domain;

import io.checkpoints.ports.CheckpointException;
import io.checkpoints.ports.CheckpointTransportException;
import io.checkpoints.ports.CheckpointWaitException;
import io.checkpoints.ports.Scheduler;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

/**
 * How a connection calls the service: retries with exponential back-off while a failure may pass,
 * one retry with fresh credentials after a 401, timeouts on the scheduler, and every failure and
 * recovery reported to the status at once. Thread-safe.
 */
final class ServiceCalls {

  private final ClientState state;
  private final SyncStatus status;
  private final Scheduler scheduler;
  private final Duration initialBackoff;
  private final Duration maxBackoff;

  ServiceCalls(ClientState state, SyncStatus status, Duration initialBackoff, Duration maxBackoff) {
    this.state = state;
    this.status = status;
    this.scheduler = state.scheduler;
    this.initialBackoff = initialBackoff;
    this.maxBackoff = maxBackoff;
  }

  /**
   * Calls until success or a failure that retrying cannot fix. Stops once {@code owner} (a future
   * the caller holds, or null) is done, the session ended, or {@code epoch} (when not null) ended:
   * whatever such a call answers changes nothing, and its result fails with
   * {@link CheckpointWaitException.Disconnected}, {@link CheckpointWaitException.Cleared} or
   * {@link CheckpointWaitException.UserSwitched}. An id allocated before a clear is never posted
   * after it, where the restarted counter may allocate the same id again.
   */
  <T> CompletableFuture<T> retrying(ServiceSession session, Epoch epoch, Supplier<CompletableFuture<T>> call,
      CompletableFuture<?> owner) {
    CompletableFuture<T> result = new CompletableFuture<>();
    attempt(new Attempt<>(session, epoch, call, owner, result), initialBackoff, false);
    return result;
  }

  private record Attempt<T>(ServiceSession session, Epoch epoch, Supplier<CompletableFuture<T>> call,
      CompletableFuture<?> owner, CompletableFuture<T> result) {

    /** Why the call must not go on, or null. */
    RuntimeException stale(ClientState state) {
      if (session.hasEnded()) {
        return ServiceSession.disconnected();
      }
      if (epoch == null) {
        return null;
      }
      return state.locked(() -> state.epoch().equals(epoch) ? null : epoch.endedBy(state.epoch(), "a request"));
    }
  }

  private <T> void attempt(Attempt<T> attempt, Duration backoff, boolean afterUnauthorized) {
    if (attempt.owner() != null && attempt.owner().isDone()) {
      attempt.result().cancel(false);
      return;
    }
    RuntimeException stale = attempt.stale(state);
    if (stale != null) {
      attempt.result().completeExceptionally(stale);
      return;
    }
    call(attempt.call()).whenComplete((value, error) -> {
      RuntimeException staleAnswer = attempt.stale(state);
      if (staleAnswer != null) {
        // The answer belongs to a connection or an epoch that ended: whatever it is, it changes
        // nothing now.
        attempt.result().completeExceptionally(staleAnswer);
        return;
      }
      if (error == null) {
        reportRecovered();
        attempt.result().complete(value);
        return;
      }
      Throwable cause = unwrap(error);
      if (cause instanceof CheckpointException failure) {
        reportFailure(failure);
      }
      boolean unauthorized = cause instanceof CheckpointTransportException.Unauthorized;
      if (unauthorized && afterUnauthorized) {
        attempt.result().completeExceptionally(cause); // fresh credentials were refused too
        return;
      }
      if (unauthorized) {
        // The transport invalidated the credentials: try once more at once with fresh ones.
        scheduler.schedule(Duration.ZERO, () -> attempt(attempt, backoff, true));
        return;
      }
      if (cause instanceof CheckpointTransportException transportFailure && transportFailure.isRetryable()) {
        Duration doubled = backoff.multipliedBy(2);
        Duration next = doubled.compareTo(maxBackoff) > 0 ? maxBackoff : doubled;
        scheduler.schedule(backoff, () -> attempt(attempt, next, false));
        return;
      }
      if (cause instanceof CheckpointTransportException.NotSupported notSupported) {
        notSupported(attempt.session(), notSupported);
        cause = new CheckpointWaitException.NotSupported(
            "the service does not support checkpoint requests: " + notSupported.getMessage(), notSupported);
      }
      attempt.result().completeExceptionally(cause);
    });
  }

  /**
   * The service answered 404 on {@code session}: if that is still the connection, it stops
   * reposting and refuses requests until the next connect, and open handles fail for good.
   */
  void notSupported(ServiceSession session, CheckpointTransportException.NotSupported cause) {
    if (!session.markUnsupported()) {
      return;
    }
    CheckpointWaitException.NotSupported failure = new CheckpointWaitException.NotSupported(
        "the service does not support checkpoint requests: " + cause.getMessage(), cause);
    state.locked(() -> {
      state.settle(state.waiters.failHandles(failure));
      return null;
    });
  }

  void reportFailure(CheckpointException failure) {
    state.locked(() -> {
      status.onFailure(failure);
      return null;
    });
  }

  void reportRecovered() {
    state.locked(() -> {
      status.onRecovered();
      return null;
    });
  }

  /** {@code future}, failing with {@code onTimeout} after {@code timeout} on the scheduler. */
  <T> CompletableFuture<T> withTimeout(
      CompletableFuture<T> future, Duration timeout, Supplier<RuntimeException> onTimeout) {
    if (future.isDone()) {
      return future.copy();
    }
    CompletableFuture<T> result = new CompletableFuture<>();
    Scheduler.Cancellable timer = scheduler.schedule(timeout, () -> result.completeExceptionally(onTimeout.get()));
    future.whenComplete((value, error) -> {
      timer.cancel();
      complete(result, value, error);
    });
    return result;
  }

  /** Runs a transport call, turning a synchronous throw into a failed future. */
  static <T> CompletableFuture<T> call(Supplier<CompletableFuture<T>> call) {
    try {
      return Objects.requireNonNull(call.get(), "the transport returned no future");
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  static <T> void complete(CompletableFuture<T> target, T value, Throwable error) {
    if (error == null) {
      target.complete(value);
    } else {
      target.completeExceptionally(unwrap(error));
    }
  }

  static Throwable unwrap(Throwable error) {
    while (error instanceof CompletionException && error.getCause() != null) {
      error = error.getCause();
    }
    return error;
  }
}
