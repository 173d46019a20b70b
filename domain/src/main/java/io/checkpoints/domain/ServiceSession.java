package io.checkpoints.domain;

import io.checkpoints.ports.CheckpointMode;
import io.checkpoints.ports.CheckpointRequestId;
import io.checkpoints.ports.ClientId;
import io.checkpoints.ports.Scheduler;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * One connection to the service, from a connect to the disconnect, or the end of the sync
 * iteration it started, that ends it. Requests, their answers and their reposts belong to it; once
 * it has ended, nothing it started changes anything, and the futures it handed out that were
 * still pending have failed. Thread-safe.
 */
final class ServiceSession {

  final CheckpointMode mode;
  final ClientId clientId;
  private final ClientState state;
  /** The sync iteration the connect started: when the client ends it, the session has ended. */
  private final Iteration iteration;

  // Guarded by this.
  private CompletableFuture<CheckpointRequestId> seeded = new CompletableFuture<>();
  private boolean supported = true;
  private boolean ended;
  private Scheduler.Cancellable repostTimer;
  private final Set<CompletableFuture<?>> tracked = Collections.newSetFromMap(new IdentityHashMap<>());

  ServiceSession(CheckpointMode mode, ClientId clientId, ClientState state) {
    this.mode = mode;
    this.clientId = clientId;
    this.state = state;
    this.iteration = state.locked(state::iteration);
  }

  boolean hasEnded() {
    synchronized (this) {
      if (ended) {
        return true;
      }
    }
    return !iterationIsCurrent();
  }

  boolean iterationIsCurrent() {
    return state.locked(() -> state.iteration() == iteration);
  }

  synchronized CompletableFuture<CheckpointRequestId> seeded() {
    return seeded;
  }

  synchronized void seededWith(CompletableFuture<CheckpointRequestId> seed) {
    seeded = seed;
  }

  synchronized boolean isSeeded() {
    return seeded.isDone() && !seeded.isCompletedExceptionally();
  }

  synchronized boolean isSupported() {
    return supported;
  }

  /** The service answered 404: no checkpoint requests, no reposts, until the next connect. */
  boolean markUnsupported() {
    boolean active = iterationIsCurrent();
    synchronized (this) {
      boolean was = supported;
      supported = false;
      cancelRepost();
      return was && !ended && active;
    }
  }

  /** Replaces the repost timer, unless the session ended or cannot repost. */
  void repostAfter(java.time.Duration delay, Scheduler scheduler, Runnable repost) {
    boolean active = iterationIsCurrent();
    synchronized (this) {
      cancelRepost();
      if (active && !ended && supported && mode == CheckpointMode.REQUESTS) {
        repostTimer = scheduler.schedule(delay, repost);
      }
    }
  }

  /** A future the caller holds: it fails at the disconnect if it is still pending then. */
  <T> CompletableFuture<T> track(CompletableFuture<T> future) {
    synchronized (this) {
      if (!ended) {
        tracked.add(future);
      }
    }
    if (hasEnded()) {
      end(disconnected());
      future.completeExceptionally(disconnected());
      return future;
    }
    future.whenComplete((value, error) -> untrack(future));
    return future;
  }

  /** Ends the session, once: timers stop, pending futures fail with {@code failure}. */
  void end(RuntimeException failure) {
    List<CompletableFuture<?>> pending;
    synchronized (this) {
      ended = true;
      cancelRepost();
      pending = new ArrayList<>(tracked);
      tracked.clear();
    }
    pending.forEach(future -> future.completeExceptionally(failure));
  }

  private synchronized void untrack(CompletableFuture<?> future) {
    tracked.remove(future);
  }

  private void cancelRepost() {
    if (repostTimer != null) {
      repostTimer.cancel();
      repostTimer = null;
    }
  }

  void requireActive() {
    if (hasEnded()) {
      throw disconnected();
    }
  }

  static io.checkpoints.ports.CheckpointWaitException.Disconnected disconnected() {
    return new io.checkpoints.ports.CheckpointWaitException.Disconnected(
        "not connected: connect before requesting checkpoints");
  }
}
