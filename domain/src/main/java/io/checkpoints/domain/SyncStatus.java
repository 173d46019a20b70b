package io.checkpoints.domain;

import io.checkpoints.ports.CheckpointArgumentException;
import io.checkpoints.ports.CheckpointException;
import io.checkpoints.ports.CheckpointRequestId;
import io.checkpoints.ports.CheckpointWaitException;
import io.checkpoints.ports.SyncFailure;
import io.checkpoints.ports.SyncStatusSnapshot;
import io.checkpoints.ports.WriteCheckpoint;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The sync status of one client: immutable {@link SyncStatusSnapshot}s, listeners for status
 * changes and applied checkpoints, and waiters for an applied id.
 *
 * <p>A waiter for id {@code n} completes when a full checkpoint with {@code write_checkpoint >= n}
 * is applied for the same user and after the same clear as when it started (never only
 * {@code ==}: a newer request replaces an older one on the service). It fails with a
 * {@link CheckpointWaitException} when the iteration ends with an error
 * ({@link CheckpointWaitException.SyncFailed}), ends otherwise
 * ({@link CheckpointWaitException.Disconnected}), the database is cleared
 * ({@link CheckpointWaitException.Cleared}) or the client connects as another user
 * ({@link CheckpointWaitException.UserSwitched}); cancelling its future removes it.
 *
 * <p>Status changes are announced once the store transaction that made them committed; a failure
 * is also logged (a {@link System.Logger} warning, once per distinct cause).
 *
 * <p>Thread-safe: shares the client's lock; callbacks run after every lock is released.
 */
public final class SyncStatus {

  private static final System.Logger LOG = System.getLogger(SyncStatus.class.getName());

  private final ClientState state;
  private final List<Consumer<SyncStatusSnapshot>> statusListeners = new CopyOnWriteArrayList<>();
  private final List<Consumer<LineOutcome.Applied>> appliedListeners = new CopyOnWriteArrayList<>();

  // Guarded by the client's lock.
  private SyncStatusSnapshot snapshot = SyncStatusSnapshot.DISCONNECTED;
  private String lastLoggedFailure;

  SyncStatus(ClientState state) {
    this.state = state;
  }

  /** @return the current status */
  public SyncStatusSnapshot snapshot() {
    return state.locked(() -> snapshot);
  }

  /**
   * Registers a listener for status changes; it is called once per change, with the new status.
   *
   * @param listener the listener
   * @return a registration whose {@code close()} removes the listener
   */
  public Registration addStatusListener(Consumer<SyncStatusSnapshot> listener) {
    Objects.requireNonNull(listener, "listener");
    statusListeners.add(listener);
    return () -> statusListeners.remove(listener);
  }

  /**
   * Registers a listener for applied full checkpoints: exactly one call per apply.
   *
   * @param listener the listener
   * @return a registration whose {@code close()} removes the listener
   */
  public Registration addAppliedListener(Consumer<LineOutcome.Applied> listener) {
    Objects.requireNonNull(listener, "listener");
    appliedListeners.add(listener);
    return () -> appliedListeners.remove(listener);
  }

  /**
   * Waits until a full checkpoint with {@code write_checkpoint >= id} is applied for the current
   * user and clear. Completes at once if the current connection already applied one.
   *
   * @param id the id to wait for
   * @return a future completed with the applied write checkpoint, or failed as described above
   */
  public CompletableFuture<WriteCheckpoint> awaitApplied(CheckpointRequestId id) {
    Objects.requireNonNull(id, "id");
    CompletableFuture<WriteCheckpoint> waiter = new CompletableFuture<>();
    StatusWatch watch = state.locked(() -> {
      Optional<WriteCheckpoint> applied = snapshot.lastAppliedCheckpointRequestId()
          .filter(wc -> wc.acknowledges(id));
      if (applied.isPresent()) {
        waiter.complete(applied.get());
        return null;
      }
      StatusWatch added = new StatusWatch(id.value(), state.epoch(), waiter);
      state.waiters.add(added);
      return added;
    });
    if (watch != null) {
      waiter.whenComplete((value, failure) -> {
        if (failure != null) {
          state.locked(() -> {
            state.waiters.remove(watch);
            return null;
          });
        }
      });
    }
    return waiter;
  }

  /**
   * As {@link #awaitApplied(CheckpointRequestId)}, failing with {@link
   * CheckpointWaitException.TimedOut} after {@code timeout} on the client's scheduler.
   *
   * @param id the id to wait for
   * @param timeout how long to wait; positive
   * @return the future
   * @throws CheckpointArgumentException if the timeout is zero or negative
   */
  public CompletableFuture<WriteCheckpoint> awaitApplied(CheckpointRequestId id, Duration timeout) {
    Durations.requirePositive(timeout, "timeout");
    CompletableFuture<WriteCheckpoint> waiter = awaitApplied(id);
    if (!waiter.isDone()) {
      var timer = state.scheduler.schedule(timeout, () -> waiter.completeExceptionally(
          new CheckpointWaitException.TimedOut(
              "checkpoint request " + id + " was not applied within " + timeout)));
      waiter.whenComplete((value, failure) -> timer.cancel());
    }
    return waiter;
  }

  /** @return how many waiters and open request handles wait (for diagnostics and tests) */
  public int waiterCount() {
    return state.locked(state.waiters::size);
  }

  void onStart() {
    update(new SyncStatusSnapshot(false, true, Optional.empty(), Optional.empty()));
  }

  void onConnected() {
    update(new SyncStatusSnapshot(true, false, snapshot.lastAppliedCheckpointRequestId(),
        snapshot.lastFailure()));
  }

  void onApplied(Optional<WriteCheckpoint> writeCheckpoint) {
    update(new SyncStatusSnapshot(snapshot.connected(), snapshot.connecting(), writeCheckpoint,
        snapshot.lastFailure()));
    LineOutcome.Applied event = new LineOutcome.Applied(writeCheckpoint);
    state.afterCommit(() -> appliedListeners.forEach(listener -> listener.accept(event)));
    writeCheckpoint.ifPresent(wc -> state.settle(state.waiters.applied(state.epoch(), wc)));
  }

  void onDisconnected(RuntimeException failure) {
    Optional<SyncFailure> cause = failure instanceof CheckpointException error
        ? Optional.of(new SyncFailure(error, state.scheduler.wallTime()))
        : snapshot.lastFailure();
    update(SyncStatusSnapshot.DISCONNECTED.withLastFailure(cause));
    state.settle(state.waiters.disconnected(failure == null
        ? new CheckpointWaitException.Disconnected("the sync iteration ended before the checkpoint was applied")
        : new CheckpointWaitException.SyncFailed("the sync iteration failed: " + failure.getMessage(), failure)));
  }

  /** A clear or a user switch ended the epoch: what was applied before is no evidence now. */
  void onEpochEnded(CheckpointWaitException failure) {
    update(new SyncStatusSnapshot(snapshot.connected(), snapshot.connecting(), Optional.empty(),
        snapshot.lastFailure()));
    state.settle(state.waiters.epochEnded(state.epoch(), failure));
  }

  /** A call to the service failed (it may be retried): shown at once, logged once per cause. */
  void onFailure(CheckpointException error) {
    update(snapshot.withLastFailure(Optional.of(new SyncFailure(error, state.scheduler.wallTime()))));
    String cause = error.getClass().getName() + ": " + error.getMessage();
    if (!cause.equals(lastLoggedFailure)) {
      lastLoggedFailure = cause;
      state.afterCommit(() -> LOG.log(System.Logger.Level.WARNING,
          "checkpoint requests: " + error.getMessage() + " (retrying where that can help)", error));
    }
  }

  /** A call to the service succeeded: a failure it was retrying is over. */
  void onRecovered() {
    lastLoggedFailure = null;
    if (snapshot.lastFailure().isPresent() && (snapshot.connected() || snapshot.connecting())) {
      update(snapshot.withLastFailure(Optional.empty()));
    }
  }

  private void update(SyncStatusSnapshot next) {
    if (next.equals(snapshot)) {
      return;
    }
    SyncStatusSnapshot previous = snapshot;
    snapshot = next;
    state.onRollback(() -> snapshot = previous);
    state.afterCommit(() -> statusListeners.forEach(listener -> listener.accept(next)));
  }

  /** A status waiter: removed and failed when the connection ends. */
  private static final class StatusWatch extends Waiters.Watch {
    private final CompletableFuture<WriteCheckpoint> future;

    StatusWatch(long id, Epoch epoch, CompletableFuture<WriteCheckpoint> future) {
      super(id, epoch);
      this.future = future;
    }

    @Override
    boolean survivesDisconnect() {
      return false;
    }

    @Override
    void markSynced(WriteCheckpoint writeCheckpoint) {
      // Nothing to mark: its future is all it has.
    }

    @Override
    void announceSynced(WriteCheckpoint writeCheckpoint) {
      future.complete(writeCheckpoint);
    }

    @Override
    void interrupted(CheckpointWaitException failure, boolean removed) {
      future.completeExceptionally(failure);
    }
  }

  /** A listener registration; {@link #close()} removes the listener. */
  @FunctionalInterface
  public interface Registration extends AutoCloseable {
    /** Removes the listener; closing twice does nothing. */
    @Override
    void close();
  }
}
