package io.checkpoints.domain;

import io.checkpoints.ports.CheckpointArgumentException;
import io.checkpoints.ports.CheckpointMode;
import io.checkpoints.ports.CheckpointRequestId;
import io.checkpoints.ports.CheckpointWaitException;
import io.checkpoints.ports.WriteCheckpoint;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * A checkpoint request the service accepted: {@link #waitForSync()} completes once the client
 * applied a checkpoint that includes it ({@code write_checkpoint >= id()}).
 *
 * <p>A handle stays valid across disconnect and reconnect: a wait fails when the connection ends,
 * and can be started again after reconnecting. Once synced it stays synced. A clear, or a service
 * without checkpoint requests, fails it for good. Thread-safe.
 */
public final class CheckpointHandle {

  private final SyncConnection connection;
  private final CheckpointRequestId id;
  private final long clearCountAtRequest;

  // Guarded by this.
  private WriteCheckpoint syncedAt;
  private RuntimeException permanentFailure;
  private final List<CompletableFuture<WriteCheckpoint>> waits = new ArrayList<>();

  CheckpointHandle(SyncConnection connection, CheckpointRequestId id, long clearCountAtRequest) {
    this.connection = connection;
    this.id = id;
    this.clearCountAtRequest = clearCountAtRequest;
  }

  /** @return the id the service accepted for this request */
  public CheckpointRequestId id() {
    return id;
  }

  /** @return whether a checkpoint including this request was applied */
  public synchronized boolean hasSynced() {
    return syncedAt != null;
  }

  /**
   * Waits until a checkpoint including this request is applied.
   *
   * @return a future completed with the applied write checkpoint; failed with a
   *     {@link CheckpointWaitException} if the sync fails, the connection ends, it runs in legacy
   *     mode, the service does not support checkpoint requests or the database was cleared;
   *     cancelling it ends only this wait
   */
  public CompletableFuture<WriteCheckpoint> waitForSync() {
    CompletableFuture<WriteCheckpoint> wait = new CompletableFuture<>();
    RuntimeException failure;
    synchronized (this) {
      if (syncedAt != null) {
        wait.complete(syncedAt);
        return wait;
      }
      failure = permanentFailure != null ? permanentFailure : currentFailure();
      if (failure == null) {
        waits.add(wait);
      }
    }
    if (failure != null) {
      wait.completeExceptionally(failure);
      return wait;
    }
    CompletableFuture<WriteCheckpoint> applied = connection.client().status().awaitApplied(id);
    applied.whenComplete((writeCheckpoint, error) -> {
      if (error == null) {
        markSynced(writeCheckpoint).run();
      } else if (unwrap(error) instanceof CheckpointWaitException.Cleared cleared) {
        failPermanently(cleared);
      } else {
        forget(wait).completeExceptionally(unwrap(error));
      }
    });
    wait.whenComplete((value, error) -> {
      if (!applied.isDone()) { // cancelled or timed out: stop waiting underneath too
        applied.cancel(false);
        forget(wait);
      }
    });
    return wait;
  }

  /**
   * As {@link #waitForSync()}, failing with {@link CheckpointWaitException.TimedOut} after
   * {@code timeout} (on the client's scheduler).
   *
   * @param timeout how long to wait; positive
   * @return the future
   */
  public CompletableFuture<WriteCheckpoint> waitForSync(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new CheckpointArgumentException("timeout must be positive, got " + timeout);
    }
    CompletableFuture<WriteCheckpoint> wait = waitForSync();
    if (!wait.isDone()) {
      var timer = connection.client().scheduler.schedule(timeout, () -> {
        if (wait.completeExceptionally(new CheckpointWaitException.TimedOut(
            "checkpoint request " + id + " was not synced within " + timeout))) {
          forget(wait);
        }
      });
      wait.whenComplete((value, error) -> timer.cancel());
    }
    return wait;
  }

  @Override
  public String toString() {
    return "CheckpointHandle[" + id + (hasSynced() ? ", synced" : "") + "]";
  }

  /** Why a wait started now cannot succeed, or null. Called with this locked. */
  private RuntimeException currentFailure() {
    if (connection.client().clearCount() != clearCountAtRequest) {
      permanentFailure = new CheckpointWaitException.Cleared(
          "the database was cleared after checkpoint request " + id + " was made");
      return permanentFailure;
    }
    var mode = connection.client().iterationMode();
    if (mode.isEmpty()) {
      return new CheckpointWaitException.Disconnected(
          "not connected: checkpoint request " + id + " cannot sync until the client reconnects");
    }
    if (mode.get() == CheckpointMode.LEGACY) {
      return new CheckpointWaitException.LegacyMode(
          "the sync iteration runs in legacy mode, which does not acknowledge checkpoint requests");
    }
    return null;
  }

  /**
   * Records that the request synced and returns what completes its waits, so that a caller marking
   * several handles can mark them all before any wait's callbacks run.
   */
  Runnable markSynced(WriteCheckpoint writeCheckpoint) {
    if (connection.client().clearCount() != clearCountAtRequest) {
      return () -> {}; // an id from before a clear is not acknowledged by what came after
    }
    List<CompletableFuture<WriteCheckpoint>> toComplete;
    WriteCheckpoint syncedWith;
    synchronized (this) {
      if (permanentFailure != null) {
        return () -> {};
      }
      if (syncedAt == null) {
        syncedAt = writeCheckpoint;
      }
      syncedWith = syncedAt;
      toComplete = new ArrayList<>(waits);
      waits.clear();
    }
    return () -> toComplete.forEach(wait -> wait.complete(syncedWith));
  }

  void failPermanently(RuntimeException failure) {
    List<CompletableFuture<WriteCheckpoint>> toFail;
    synchronized (this) {
      if (syncedAt != null) {
        return;
      }
      if (permanentFailure == null) {
        permanentFailure = failure;
      }
      toFail = new ArrayList<>(waits);
      waits.clear();
    }
    toFail.forEach(wait -> wait.completeExceptionally(failure));
  }

  private synchronized CompletableFuture<WriteCheckpoint> forget(CompletableFuture<WriteCheckpoint> wait) {
    waits.remove(wait);
    return wait;
  }

  private static Throwable unwrap(Throwable error) {
    return error instanceof java.util.concurrent.CompletionException && error.getCause() != null
        ? error.getCause()
        : error;
  }
}
