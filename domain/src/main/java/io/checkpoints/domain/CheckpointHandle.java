package io.checkpoints.domain;

import io.checkpoints.ports.CheckpointMode;
import io.checkpoints.ports.CheckpointRequestId;
import io.checkpoints.ports.CheckpointWaitException;
import io.checkpoints.ports.WriteCheckpoint;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A checkpoint request the service accepted: {@link #waitForSync()} completes once the client
 * applied a checkpoint that includes it ({@code write_checkpoint >= id()}) for the same user and
 * after the same clear as when the request was made.
 *
 * <p>A handle stays valid across disconnect and reconnect of the same user: a wait open at the
 * disconnect fails with {@link CheckpointWaitException.Disconnected}, and a wait started after
 * reconnecting can complete. Once synced it stays synced. A clear
 * ({@link CheckpointWaitException.Cleared}), a connect as another user
 * ({@link CheckpointWaitException.UserSwitched}), a service without checkpoint requests
 * ({@link CheckpointWaitException.NotSupported}) or closing the client
 * ({@link CheckpointWaitException.Closed}) fails it for good.
 *
 * <p>Thread-safe.
 */
public final class CheckpointHandle {

  private final ClientState state;
  private final CheckpointRequestId id;
  private final Tracker tracker;

  // Guarded by this.
  private WriteCheckpoint syncedAt;
  private CheckpointWaitException permanentFailure;
  private final List<CompletableFuture<WriteCheckpoint>> waits = new ArrayList<>(1);

  /** Registers the handle; call with the client's lock held and {@code epoch} current. */
  CheckpointHandle(ClientState state, CheckpointRequestId id, Epoch epoch) {
    this.state = state;
    this.id = id;
    this.tracker = new Tracker(epoch);
    state.waiters.add(tracker);
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
   *     {@link CheckpointWaitException} if the sync fails, the connection ends or is not there, it
   *     runs in legacy mode, or the handle failed for good (see the class description);
   *     cancelling it ends only this wait
   */
  public CompletableFuture<WriteCheckpoint> waitForSync() {
    CompletableFuture<WriteCheckpoint> wait = new CompletableFuture<>();
    CheckpointWaitException refusal = state.locked(this::connectionRefusal);
    CheckpointWaitException failure;
    synchronized (this) {
      if (syncedAt != null) {
        wait.complete(syncedAt);
        return wait;
      }
      failure = permanentFailure != null ? permanentFailure : refusal;
      if (failure == null) {
        waits.add(wait);
      }
    }
    if (failure != null) {
      wait.completeExceptionally(failure);
    } else {
      wait.whenComplete((value, error) -> forget(wait)); // cancelled or timed out
    }
    return wait;
  }

  /**
   * As {@link #waitForSync()}, failing with {@link CheckpointWaitException.TimedOut} after
   * {@code timeout} (on the client's scheduler).
   *
   * @param timeout how long to wait; positive
   * @return the future
   * @throws io.checkpoints.ports.CheckpointArgumentException if the timeout is zero or negative
   */
  public CompletableFuture<WriteCheckpoint> waitForSync(Duration timeout) {
    Durations.requirePositive(timeout, "timeout");
    CompletableFuture<WriteCheckpoint> wait = waitForSync();
    if (!wait.isDone()) {
      var timer = state.scheduler.schedule(timeout, () -> wait.completeExceptionally(
          new CheckpointWaitException.TimedOut(
              "checkpoint request " + id + " was not synced within " + timeout)));
      wait.whenComplete((value, error) -> timer.cancel());
    }
    return wait;
  }

  @Override
  public String toString() {
    return "CheckpointHandle[" + id + (hasSynced() ? ", synced" : "") + "]";
  }

  /** Why a wait started now cannot succeed for the time being, or null. Call with the lock. */
  private CheckpointWaitException connectionRefusal() {
    Iteration it = state.iteration();
    if (it == null) {
      return new CheckpointWaitException.Disconnected(
          "not connected: checkpoint request " + id + " cannot sync until the client reconnects");
    }
    if (it.mode == CheckpointMode.LEGACY) {
      return new CheckpointWaitException.LegacyMode(
          "the sync iteration runs in legacy mode, which does not acknowledge checkpoint requests");
    }
    return null;
  }

  /** Removes the handle from the registry: nobody received it. Call with the client's lock. */
  void abandon() {
    state.waiters.remove(tracker);
  }

  private synchronized void forget(CompletableFuture<WriteCheckpoint> wait) {
    waits.remove(wait);
  }

  private List<CompletableFuture<WriteCheckpoint>> takeWaits() {
    List<CompletableFuture<WriteCheckpoint>> taken = new ArrayList<>(waits);
    waits.clear();
    return taken;
  }

  /** The handle's entry in the client's registry of waiters. */
  private final class Tracker implements Waiters.Watch {
    private final Epoch epoch;

    Tracker(Epoch epoch) {
      this.epoch = epoch;
    }

    @Override
    public long id() {
      return id.value();
    }

    @Override
    public Epoch epoch() {
      return epoch;
    }

    @Override
    public boolean survivesDisconnect() {
      return true;
    }

    @Override
    public void synced(WriteCheckpoint writeCheckpoint) {
      List<CompletableFuture<WriteCheckpoint>> toComplete;
      synchronized (CheckpointHandle.this) {
        if (syncedAt == null && permanentFailure == null) {
          syncedAt = writeCheckpoint;
        }
        toComplete = takeWaits();
      }
      toComplete.forEach(wait -> wait.complete(writeCheckpoint));
    }

    @Override
    public void interrupted(CheckpointWaitException failure, boolean removed) {
      List<CompletableFuture<WriteCheckpoint>> toFail;
      synchronized (CheckpointHandle.this) {
        if (syncedAt != null) {
          return;
        }
        if (removed && permanentFailure == null) {
          permanentFailure = failure;
        }
        toFail = takeWaits();
      }
      toFail.forEach(wait -> wait.completeExceptionally(failure));
    }
  }
}
