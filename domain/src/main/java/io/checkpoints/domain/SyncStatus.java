package io.checkpoints.domain;

import io.checkpoints.ports.CheckpointRequestId;
import io.checkpoints.ports.CheckpointWaitException;
import io.checkpoints.ports.SyncStatusSnapshot;
import io.checkpoints.ports.WriteCheckpoint;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The sync status of one {@link SyncClient}: immutable {@link SyncStatusSnapshot}s, listeners for
 * status changes and applied checkpoints, and waiters for an applied id.
 *
 * <p>A waiter for id {@code n} completes when a full checkpoint with {@code write_checkpoint >= n}
 * is applied (never only {@code ==}: a newer request replaces an older one on the service). It
 * fails with a {@link CheckpointWaitException} when the iteration ends with an error
 * ({@link CheckpointWaitException.SyncFailed}), ends otherwise ({@link
 * CheckpointWaitException.Disconnected}), or the database is cleared ({@link
 * CheckpointWaitException.Cleared}); cancelling its future removes it.
 *
 * <p>Thread-safe: shares the client's lock; callbacks run after the lock is released.
 */
public final class SyncStatus {

  private final SyncClient client;
  private final List<Consumer<SyncStatusSnapshot>> statusListeners = new CopyOnWriteArrayList<>();
  private final List<Consumer<LineOutcome.Applied>> appliedListeners = new CopyOnWriteArrayList<>();

  // Guarded by the client's lock.
  private SyncStatusSnapshot snapshot = SyncStatusSnapshot.DISCONNECTED;
  private final NavigableMap<Long, List<CompletableFuture<WriteCheckpoint>>> waiters = new TreeMap<>();

  SyncStatus(SyncClient client) {
    this.client = client;
  }

  /** @return the current status */
  public SyncStatusSnapshot snapshot() {
    return client.locked(() -> snapshot);
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
   * Waits until a full checkpoint with {@code write_checkpoint >= id} is applied. Completes at once
   * if the current connection already applied one.
   *
   * @param id the id to wait for
   * @return a future completed with the applied write checkpoint, or failed as described above
   */
  public CompletableFuture<WriteCheckpoint> awaitApplied(CheckpointRequestId id) {
    Objects.requireNonNull(id, "id");
    CompletableFuture<WriteCheckpoint> waiter = new CompletableFuture<>();
    client.locked(() -> {
      Optional<WriteCheckpoint> applied = snapshot.lastAppliedCheckpointRequestId()
          .filter(wc -> wc.acknowledges(id));
      if (applied.isPresent()) {
        waiter.complete(applied.get());
      } else {
        waiters.computeIfAbsent(id.value(), key -> new ArrayList<>(1)).add(waiter);
      }
      return null;
    });
    waiter.whenComplete((value, failure) -> {
      if (failure != null) {
        client.locked(() -> remove(id.value(), waiter));
      }
    });
    return waiter;
  }

  /**
   * As {@link #awaitApplied(CheckpointRequestId)}, failing with {@link
   * CheckpointWaitException.TimedOut} after {@code timeout} on the client's scheduler.
   *
   * @param id the id to wait for
   * @param timeout how long to wait; positive
   * @return the future
   */
  public CompletableFuture<WriteCheckpoint> awaitApplied(CheckpointRequestId id, Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new io.checkpoints.ports.CheckpointArgumentException(
          "timeout must be positive, got " + timeout);
    }
    CompletableFuture<WriteCheckpoint> waiter = awaitApplied(id);
    if (!waiter.isDone()) {
      var timer = client.scheduler.schedule(timeout, () -> waiter.completeExceptionally(
          new CheckpointWaitException.TimedOut(
              "checkpoint request " + id + " was not applied within " + timeout)));
      waiter.whenComplete((value, failure) -> timer.cancel());
    }
    return waiter;
  }

  /** @return how many waiters are waiting (for diagnostics and tests) */
  public int waiterCount() {
    return client.locked(() -> waiters.values().stream().mapToInt(List::size).sum());
  }

  void onStart() {
    update(new SyncStatusSnapshot(false, true, Optional.empty()));
  }

  void onConnected() {
    update(new SyncStatusSnapshot(true, false, snapshot.lastAppliedCheckpointRequestId()));
  }

  void onApplied(Optional<WriteCheckpoint> writeCheckpoint) {
    update(new SyncStatusSnapshot(snapshot.connected(), snapshot.connecting(), writeCheckpoint));
    LineOutcome.Applied event = new LineOutcome.Applied(writeCheckpoint);
    client.afterUnlock(() -> appliedListeners.forEach(listener -> listener.accept(event)));
    writeCheckpoint.ifPresent(wc -> {
      Map<Long, List<CompletableFuture<WriteCheckpoint>>> due = waiters.headMap(wc.value(), true);
      List<CompletableFuture<WriteCheckpoint>> resolved = new ArrayList<>();
      due.values().forEach(resolved::addAll);
      due.clear();
      if (!resolved.isEmpty()) {
        client.afterUnlock(() -> resolved.forEach(waiter -> waiter.complete(wc)));
      }
    });
  }

  void onDisconnected(RuntimeException failure) {
    update(SyncStatusSnapshot.DISCONNECTED);
    failWaiters(failure == null
        ? new CheckpointWaitException.Disconnected("the sync iteration ended before the checkpoint was applied")
        : new CheckpointWaitException.SyncFailed("the sync iteration failed: " + failure.getMessage(), failure));
  }

  void onCleared() {
    failWaiters(new CheckpointWaitException.Cleared(
        "the database was cleared; checkpoint requests made before a clear never complete"));
  }

  private void failWaiters(CheckpointWaitException failure) {
    if (waiters.isEmpty()) {
      return;
    }
    List<CompletableFuture<WriteCheckpoint>> failed = new ArrayList<>();
    waiters.values().forEach(failed::addAll);
    waiters.clear();
    client.afterUnlock(() -> failed.forEach(waiter -> waiter.completeExceptionally(failure)));
  }

  private Void remove(long id, CompletableFuture<WriteCheckpoint> waiter) {
    List<CompletableFuture<WriteCheckpoint>> atId = waiters.get(id);
    if (atId != null && atId.remove(waiter) && atId.isEmpty()) {
      waiters.remove(id);
    }
    return null;
  }

  private void update(SyncStatusSnapshot next) {
    if (next.equals(snapshot)) {
      return;
    }
    snapshot = next;
    client.afterUnlock(() -> statusListeners.forEach(listener -> listener.accept(next)));
  }

  /** A listener registration; {@link #close()} removes the listener. */
  @FunctionalInterface
  public interface Registration extends AutoCloseable {
    /** Removes the listener; closing twice does nothing. */
    @Override
    void close();
  }
}
