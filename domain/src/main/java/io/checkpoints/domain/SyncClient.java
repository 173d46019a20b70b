package io.checkpoints.domain;

import io.checkpoints.ports.CheckpointControl;
import io.checkpoints.ports.CheckpointMode;
import io.checkpoints.ports.CheckpointPublisher;
import io.checkpoints.ports.CheckpointRequest;
import io.checkpoints.ports.CheckpointStateException;
import io.checkpoints.ports.CheckpointStore;
import io.checkpoints.ports.ClearFlags;
import io.checkpoints.ports.ClientId;
import io.checkpoints.ports.Scheduler;
import io.checkpoints.ports.SyncLine;
import io.checkpoints.ports.UserKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * One sync client: the sync iterations of one connection to the service, with the counter
 * ({@link #sequence()}), the apply gate ({@link #barrier()}) and the status ({@link #status()}).
 *
 * <p>An iteration starts with {@link #start}, receives decoded sync lines through
 * {@link #handleLine} and ends with {@link #stop}, a closing line or an error. Each operation
 * runs in one store transaction, or joins the caller's if the store is bound to one; an error
 * leaves the persistent state unchanged.
 *
 * <p>Thread-safe: operations are serialised by one lock. Listeners and waiters are completed after
 * the lock is released, on the thread whose operation caused the event.
 */
public final class SyncClient {

  private static final System.Logger LOG = System.getLogger(SyncClient.class.getName());

  private final ReentrantLock lock = new ReentrantLock();
  private final List<Runnable> afterUnlock = new ArrayList<>();
  final CheckpointStore store;
  final CheckpointPublisher publisher;
  final Scheduler scheduler;

  private final CheckpointSequence sequence;
  private final WriteCheckpointBarrier barrier;
  private final SyncStatus status;
  private final ControlCommands control;

  /** The active iteration, or null. Guarded by lock. */
  private Iteration iteration;
  /** How many clears ran; requests made before a clear never complete. Guarded by lock. */
  private long clearCount;

  private SyncClient(Builder builder) {
    this.store = builder.store;
    this.publisher = builder.publisher;
    this.scheduler = builder.scheduler;
    this.sequence = new CheckpointSequence(this);
    this.barrier = new WriteCheckpointBarrier(this);
    this.status = new SyncStatus(this);
    this.control = new ControlCommands(this);
  }

  /**
   * @param store where the checkpoint state lives
   * @return a client with no publisher (for hosts that keep no downloaded data) and the system
   *     scheduler
   */
  public static SyncClient create(CheckpointStore store) {
    return builder(store).build();
  }

  /**
   * @param store where the checkpoint state lives
   * @return a builder for a client on that store
   */
  public static Builder builder(CheckpointStore store) {
    return new Builder(store);
  }

  /** @return the counter: seed, next, current and the per-user sequence */
  public CheckpointSequence sequence() {
    return sequence;
  }

  /** @return the apply gate: local writes, the target, and completed uploads */
  public WriteCheckpointBarrier barrier() {
    return barrier;
  }

  /** @return the status, its listeners and the waiters for applied ids */
  public SyncStatus status() {
    return status;
  }

  /** @return the four {@code powersync_control} checkpoint commands with dynamic payloads */
  public CheckpointControl control() {
    return control;
  }

  /**
   * Starts a sync iteration without a known user, ending the active one first. In requests mode
   * it returns the initial request to post; starting writes nothing.
   *
   * @param mode the iteration's checkpoint mode
   * @return the initial request in {@link CheckpointMode#REQUESTS} mode, empty in legacy mode
   * @throws io.checkpoints.ports.CheckpointStorageException if the state could not be read; the
   *     active iteration is then left untouched
   */
  public Optional<CheckpointRequest> start(CheckpointMode mode) {
    return startIteration(Objects.requireNonNull(mode, "mode"), null);
  }

  /**
   * Starts a sync iteration for a known user, ending the active one first. The user's per-user
   * sequence takes part in the initial request, {@code seed} and {@code next}, so that the ids of
   * this (user, client) never go backwards, even across clears.
   *
   * @param mode the iteration's checkpoint mode
   * @param user the user behind the credentials of this iteration
   * @return the initial request in {@link CheckpointMode#REQUESTS} mode, empty in legacy mode
   * @throws io.checkpoints.ports.CheckpointStorageException if the state could not be read; the
   *     active iteration is then left untouched
   */
  public Optional<CheckpointRequest> start(CheckpointMode mode, UserKey user) {
    return startIteration(Objects.requireNonNull(mode, "mode"), Objects.requireNonNull(user, "user"));
  }

  private Optional<CheckpointRequest> startIteration(CheckpointMode mode, UserKey user) {
    return locked(() -> {
      Optional<CheckpointRequest> initial = mode == CheckpointMode.REQUESTS
          ? Optional.of(store.inTransaction(tx -> sequence.initialRequest(tx, user)))
          : Optional.empty();
      if (iteration != null) {
        endIteration(null);
      }
      iteration = new Iteration(mode, user);
      status.onStart();
      return initial;
    });
  }

  /** @return the client id of the store, as sent to the service */
  public ClientId clientId() {
    return locked(() -> store.inTransaction(tx -> tx.state().clientId()));
  }

  /** @return whether a sync iteration is active */
  public boolean isIterationActive() {
    return locked(() -> iteration != null);
  }

  /** @return the active iteration's mode, or empty if none is active */
  public Optional<CheckpointMode> iterationMode() {
    return locked(() -> Optional.ofNullable(iteration).map(it -> it.mode));
  }

  /**
   * Handles one decoded sync line of the active iteration. An error ends the iteration, fails the
   * waiters and changes no persistent state.
   *
   * @param line the line
   * @return what the line led to, in order; empty if nothing observable
   * @throws CheckpointStateException if no iteration is active, or a partial checkpoint arrives
   *     before any checkpoint
   * @throws io.checkpoints.ports.SyncProtocolException if the line is not allowed here
   */
  public List<LineOutcome> handleLine(SyncLine line) {
    Objects.requireNonNull(line, "line");
    return locked(() -> {
      Iteration it = requireIteration();
      List<LineOutcome> outcomes;
      try {
        outcomes = barrier.handleLine(it, line);
      } catch (RuntimeException e) {
        endIteration(e);
        throw e;
      }
      if (!it.receivedLine) {
        it.receivedLine = true;
        status.onConnected();
      }
      if (outcomes.contains(LineOutcome.CLOSED)) {
        endIteration(null);
      }
      return outcomes;
    });
  }

  /**
   * Reports that every queued write was uploaded: retries the pending checkpoint unless it is
   * older than the target.
   *
   * @return what the retry led to: an {@link LineOutcome.Applied}, or nothing
   * @throws CheckpointStateException if no iteration is active
   */
  public List<LineOutcome> completedUpload() {
    return locked(() -> barrier.completedUpload(requireIteration()));
  }

  /**
   * Ends the active iteration, if any: drops its checkpoint and pending checkpoint, reports the
   * status as disconnected and fails the waiters.
   */
  public void stop() {
    locked(() -> {
      if (iteration != null) {
        endIteration(null);
      }
      return null;
    });
  }

  /**
   * Ends the active iteration because of an error outside the sync lines (for example a failed
   * upload): as {@link #stop()}, but waiters fail with
   * {@link io.checkpoints.ports.CheckpointWaitException.SyncFailed} carrying {@code cause}.
   *
   * @param cause what went wrong
   */
  public void abort(RuntimeException cause) {
    Objects.requireNonNull(cause, "cause");
    locked(() -> {
      if (iteration != null) {
        endIteration(cause);
      }
      return null;
    });
  }

  /**
   * {@code powersync_clear(flags)}: deletes every checkpoint key but the client id, and the upload
   * queue; the per-user sequences survive. A hard clear keeps the active iteration and its pending
   * checkpoint but unseeds the counter until the next seed. Every waiter fails.
   *
   * @param flags the clear flags
   * @throws CheckpointStateException if a soft clear is asked for during an iteration
   */
  public void clear(ClearFlags flags) {
    Objects.requireNonNull(flags, "flags");
    locked(() -> {
      if (flags.isSoft() && iteration != null) {
        throw new CheckpointStateException(CheckpointStateException.Reason.CLEAR_REFUSED,
            "Cannot clear or trigger resync while a sync iteration is active.");
      }
      store.inTransaction(tx -> {
        tx.clear(flags);
        return null;
      });
      if (iteration != null) {
        iteration.seeded = false;
      }
      clearCount++;
      status.onCleared();
      return null;
    });
  }

  /** @return how many clears ran on this client */
  long clearCount() {
    return locked(() -> clearCount);
  }

  /** @return the active iteration, or null; call with the lock held */
  Iteration currentIteration() {
    return iteration;
  }

  Iteration requireIteration() {
    if (iteration == null) {
      throw new CheckpointStateException(
          CheckpointStateException.Reason.NO_ACTIVE_ITERATION, "No iteration is active");
    }
    return iteration;
  }

  /** Ends the active iteration; {@code failure} is the error that ended it, or null. */
  private void endIteration(RuntimeException failure) {
    iteration = null;
    status.onDisconnected(failure);
  }

  /** Runs {@code action} after the lock is released (listener and waiter callbacks). */
  void afterUnlock(Runnable action) {
    afterUnlock.add(action);
  }

  <T> T locked(Supplier<T> work) {
    lock.lock();
    List<Runnable> callbacks = List.of();
    try {
      return work.get();
    } finally {
      if (lock.getHoldCount() == 1 && !afterUnlock.isEmpty()) {
        callbacks = new ArrayList<>(afterUnlock);
        afterUnlock.clear();
      }
      lock.unlock();
      for (Runnable callback : callbacks) {
        try {
          callback.run();
        } catch (RuntimeException e) {
          LOG.log(System.Logger.Level.WARNING, "a sync status callback failed", e);
        }
      }
    }
  }

  /**
   * Builds a {@link SyncClient}. Not thread-safe; use it on one thread, then share the client.
   */
  public static final class Builder {
    private final CheckpointStore store;
    private CheckpointPublisher publisher = CheckpointPublisher.NONE;
    private Scheduler scheduler = Scheduler.system();

    private Builder(CheckpointStore store) {
      this.store = Objects.requireNonNull(store, "store");
    }

    /**
     * @param publisher called inside the transaction that records a checkpoint as applied
     * @return this builder
     */
    public Builder publisher(CheckpointPublisher publisher) {
      this.publisher = Objects.requireNonNull(publisher, "publisher");
      return this;
    }

    /**
     * @param scheduler the time source for waiter timeouts
     * @return this builder
     */
    public Builder scheduler(Scheduler scheduler) {
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
      return this;
    }

    /** @return the client */
    public SyncClient build() {
      return new SyncClient(this);
    }
  }
}
