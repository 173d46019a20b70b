package io.checkpoints.domain;

import io.checkpoints.ports.CheckpointMode;
import io.checkpoints.ports.CheckpointRequestId;
import io.checkpoints.ports.CheckpointWaitException;
import io.checkpoints.ports.WriteCheckpoint;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
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
public final class CheckpointHandle extends Waiters.Watch {

  private final ClientState state;

  // Guarded by this. Kept to four references so that a handle is 40 bytes (docs/performance.md,
  // "Open handles"): its id and epoch live in Waiters.Watch; the handle is its own registry entry.
  /** Null while open; the applied write checkpoint once synced, or the failure that ended it. */
  private Object outcome;
  /** The open wait (almost always at most one), or null. */
  private CompletableFuture<WriteCheckpoint> wait;
  /** Further open waits, or null: only a host waiting several times at once needs it. */
  private List<CompletableFuture<WriteCheckpoint>> moreWaits;

  /**
   * Registers the handle, or makes it synced at once by {@code alreadyApplied}; call with the
   * client's lock held and {@code epoch} current.
   *
   * @param alreadyApplied the last applied checkpoint of the connection, if it includes the
   *     request: the stream may apply it before the answer to the post arrives. It is evidence,
   *     because the status forgets what an earlier connection or epoch applied, and every id a
   *     checkpoint of this epoch can carry at or above this one was posted for this request or later
   */
  CheckpointHandle(ClientState state, CheckpointRequestId id, Epoch epoch,
      Optional<WriteCheckpoint> alreadyApplied) {
    super(id.value(), epoch);
    this.state = state;
    if (alreadyApplied.isPresent()) {
      outcome = alreadyApplied.get();
    } else {
      state.waiters.add(this);
    }
  }

  /** @return the id the service accepted for this request */
  public CheckpointRequestId id() {
    return CheckpointRequestId.of(id);
  }

  /** @return whether a checkpoint including this request was applied */
  public synchronized boolean hasSynced() {
    return outcome instanceof WriteCheckpoint;
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
    CompletableFuture<WriteCheckpoint> started = new CompletableFuture<>();
    CheckpointWaitException refusal = state.locked(this::connectionRefusal);
    CheckpointWaitException failure;
    synchronized (this) {
      if (outcome instanceof WriteCheckpoint synced) {
        started.complete(synced);
        return started;
      }
      failure = outcome instanceof CheckpointWaitException permanent ? permanent : refusal;
      if (failure == null) {
        addWait(started);
      }
    }
    if (failure != null) {
      started.completeExceptionally(failure);
    }
    return started;
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
              "checkpoint request " + id() + " was not synced within " + timeout)));
      wait.whenComplete((value, error) -> timer.cancel());
    }
    return wait;
  }

  @Override
  public String toString() {
    return "CheckpointHandle[" + id() + (hasSynced() ? ", synced" : "") + "]";
  }

  /** Why a wait started now cannot succeed for the time being, or null. Call with the lock. */
  private CheckpointWaitException connectionRefusal() {
    Iteration it = state.iteration();
    if (it == null) {
      return new CheckpointWaitException.Disconnected(
          "not connected: checkpoint request " + id() + " cannot sync until the client reconnects");
    }
    if (it.mode == CheckpointMode.LEGACY) {
      return new CheckpointWaitException.LegacyMode(
          "the sync iteration runs in legacy mode, which does not acknowledge checkpoint requests");
    }
    return null;
  }

  /** Removes the handle from the registry: nobody received it. Call with the client's lock. */
  void abandon() {
    state.waiters.remove(this);
  }

  /**
   * Keeps {@code added} until the handle is synced or fails. A cancelled or timed-out wait is
   * forgotten here, when the next wait starts, rather than by a callback on every wait: that
   * callback (a completion stage, its lambda and a future) would cost more than the handle.
   */
  private void addWait(CompletableFuture<WriteCheckpoint> added) {
    if (wait == null || wait.isDone()) {
      wait = added;
      return;
    }
    if (moreWaits == null) {
      moreWaits = new ArrayList<>(1);
    }
    moreWaits.removeIf(CompletableFuture::isDone);
    moreWaits.add(added);
  }

  /** @return how many waits are open (for tests: a cancelled wait must not stay forever) */
  synchronized int openWaits() {
    return (wait == null || wait.isDone() ? 0 : 1) + (moreWaits == null ? 0 : (int) moreWaits.stream()
        .filter(open -> !open.isDone()).count());
  }

  /** Takes the open waits; call with this locked. */
  private List<CompletableFuture<WriteCheckpoint>> takeWaits() {
    List<CompletableFuture<WriteCheckpoint>> taken = moreWaits != null ? moreWaits
        : wait != null ? new ArrayList<>(1) : List.of();
    if (wait != null) {
      taken.add(wait);
    }
    wait = null;
    moreWaits = null;
    return taken;
  }

  @Override
  boolean survivesDisconnect() {
    return true;
  }

  @Override
  synchronized void markSynced(WriteCheckpoint writeCheckpoint) {
    if (outcome == null) {
      outcome = writeCheckpoint;
    }
  }

  @Override
  void announceSynced(WriteCheckpoint writeCheckpoint) {
    List<CompletableFuture<WriteCheckpoint>> toComplete;
    synchronized (this) {
      toComplete = takeWaits();
    }
    toComplete.forEach(synced -> synced.complete(writeCheckpoint));
  }

  @Override
  void interrupted(CheckpointWaitException failure, boolean removed) {
    List<CompletableFuture<WriteCheckpoint>> toFail;
    synchronized (this) {
      if (outcome instanceof WriteCheckpoint) {
        return;
      }
      if (removed && outcome == null) {
        outcome = failure;
      }
      toFail = takeWaits();
    }
    toFail.forEach(failed -> failed.completeExceptionally(failure));
  }
}
