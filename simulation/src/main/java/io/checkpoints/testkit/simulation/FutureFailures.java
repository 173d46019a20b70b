package io.checkpoints.testkit.simulation;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * What a failed future of the client failed with, as {@link SimulationHost} checks and records it:
 * futures wrap their causes in {@link CompletionException}s. Stateless, so thread-safe.
 */
final class FutureFailures {

  private FutureFailures() {}

  /** @return what {@code future} failed with, or null if it completed normally */
  static Throwable causeOf(CompletableFuture<?> future) {
    try {
      future.join();
      return null;
    } catch (CompletionException e) {
      return e.getCause();
    } catch (RuntimeException e) {
      return e;
    }
  }

  /** @return {@code error} without the {@link CompletionException}s around it */
  static Throwable unwrap(Throwable error) {
    while (error instanceof CompletionException && error.getCause() != null) {
      error = error.getCause();
    }
    return error;
  }

  /** @return the name a waiter ledger records for {@code error}: its simple class name */
  static String name(Throwable error) {
    Throwable cause = unwrap(error);
    return cause instanceof CancellationException ? "cancelled" : cause.getClass().getSimpleName();
  }
}
