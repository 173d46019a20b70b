package io.checkpoints.adapter.inmemory;

import io.checkpoints.ports.CheckpointArgumentException;
import io.checkpoints.ports.CheckpointTransportException;
import io.checkpoints.ports.Scheduler;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;

/** How the simulated service runs a call under a fault, and waits for it. Stateless. */
final class ServiceCalls {

  private ServiceCalls() {}

  /**
   * Runs {@code handler} as the fault says: a failure fails before anything changes, a delay runs
   * it later in scheduler time, a dropped response runs it and loses the answer.
   */
  static <T> CompletableFuture<T> run(ServiceCall kind, ServiceFault fault, Scheduler scheduler,
      Supplier<T> handler) {
    if (fault instanceof ServiceFault.Failure) {
      return CompletableFuture.failedFuture(((ServiceFault.Failure) fault).toException(kind));
    }
    CompletableFuture<T> result = new CompletableFuture<>();
    if (fault instanceof ServiceFault.Delay) {
      scheduler.schedule(((ServiceFault.Delay) fault).delay(), () -> handle(handler, result));
      return result;
    }
    handle(handler, result);
    if (fault instanceof ServiceFault.DropResponse) {
      // The service has done its work; only the answer (or its failure) is lost on the way back.
      return CompletableFuture.failedFuture(new CheckpointTransportException.Unreachable(
          "simulated fault on " + kind + ": the service handled the request but the response was"
              + " dropped", null));
    }
    return result;
  }

  private static <T> void handle(Supplier<T> handler, CompletableFuture<T> result) {
    try {
      result.complete(handler.get());
    } catch (RuntimeException e) {
      result.completeExceptionally(e);
    }
  }

  /** Blocks for the answer; an interrupt ends the wait with {@code Unreachable}. */
  static <T> T await(CompletableFuture<T> future) {
    try {
      return future.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CheckpointTransportException.Unreachable(
          "interrupted while waiting for the simulated service's answer", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException) {
        throw (RuntimeException) cause;
      }
      if (cause instanceof Error) {
        throw (Error) cause;
      }
      throw new IllegalStateException("the simulated service failed unexpectedly", cause);
    }
  }

  static void checkLag(Duration lag) {
    Objects.requireNonNull(lag, "lag");
    if (lag.isNegative()) {
      throw new CheckpointArgumentException("a replication lag must not be negative, got " + lag);
    }
  }
}
