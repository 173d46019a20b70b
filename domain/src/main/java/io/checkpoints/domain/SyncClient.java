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
import io.checkpoints.ports.CheckpointWaitException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One sync client: the sync iterations of one connection to the service, with the counter
 * ({@link #sequence()}), the apply gate ({@link #barrier()}) and the status ({@link #status()}).
 *
 * <p>An iteration starts with {@link #start}, receives decoded sync lines through
 * {@link #handleLine} and ends with {@link #stop}, a closing line or an error. Each operation
 * runs in one store transaction, or joins the caller's if the store is bound to one; an error
 * leaves the persistent state unchanged.
 *
 * <p>Hosts that sync with a PowerSync service drive the client through a {@link SyncConnection}
 * (connect, lines, uploads, checkpoint requests); {@link #start}, {@link #stop} and
 * {@link #completedUpload} are the low-level commands of the SQL-function surface
 * ({@code powersync_control}) and of replay scripts.
 *
 * <p>Epochs: the user the client syncs as and the clears it went through. A clear, or a start for
 * another user than the current epoch's (also from a known user to none and back), starts a new
 * epoch: open waiters and request handles of the old one fail with
 * {@link CheckpointWaitException.Cleared} or {@link CheckpointWaitException.UserSwitched}, and
 * nothing applied before counts for them. A switch from a user this client synced as also deletes
 * last seen and last applied, the previous user's acknowledgements.
 *
 * <p>Thread-safe. One lock order: the store's transaction, then the client's lock; so a host may
 * call the client from inside its own transaction on the store. The in-memory side (seed, pending
 * checkpoint, status, waiters) follows the store transaction: undone if it rolls back, announced
 * (listeners, futures) once it committed, on the committing thread, with no lock held.
 */
public final class SyncClient implements AutoCloseable {

  private final ClientState state;
  private final CheckpointSequence sequence;
  private final WriteCheckpointBarrier barrier;
  private final SyncStatus status;
  private final ControlCommands control;

  private SyncClient(Builder builder) {
    this.state = new ClientState(builder.store, builder.scheduler);
    this.sequence = new CheckpointSequence(state);
    this.barrier = new WriteCheckpointBarrier(state, builder.publisher);
    this.status = new SyncStatus(state);
    this.control = new ControlCommands(state, sequence, barrier);
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

  /** @return the apply gate: local writes and the target */
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
   * it returns the initial request to post; starting writes nothing. If the current epoch has a
   * known user, this is a user switch (see the class description).
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
   * this (user, client) never go backwards, even across clears. A user other than the current
   * epoch's is a user switch (see the class description).
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
    return state.write(tx -> {
      Optional<CheckpointRequest> initial = mode == CheckpointMode.REQUESTS
          ? Optional.of(sequence.initialRequest(tx, user))
          : Optional.empty();
      if (state.iteration() != null) {
        endIteration(null);
      }
      if (!state.epoch().isUser(user)) {
        if (state.everStarted()) {
          // What the previous user's checkpoints acknowledged is no evidence for this user's ids,
          // which may restart below it (their per-user sequence never saw the previous user's).
          tx.state().deleteLastSeen();
          tx.state().deleteLastApplied();
        }
        state.setEpoch(state.epoch().forUser(user));
        status.onEpochEnded(new CheckpointWaitException.UserSwitched(
            "the client connected as another user; requests of the previous user never complete"));
      }
      state.setIteration(new Iteration(mode, user));
      status.onStart();
      return initial;
    });
  }

  /** @return the client id of the store, as sent to the service */
  public ClientId clientId() {
    return state.write(tx -> tx.state().clientId());
  }

  /** @return whether a sync iteration is active */
  public boolean isIterationActive() {
    return state.locked(() -> state.iteration() != null);
  }

  /** @return the active iteration's mode, or empty if none is active */
  public Optional<CheckpointMode> iterationMode() {
    return state.locked(() -> Optional.ofNullable(state.iteration()).map(it -> it.mode));
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
    try {
      return state.write(tx -> {
        Iteration it = state.requireIteration();
        List<LineOutcome> outcomes = barrier.handleLine(it, line);
        if (!it.receivedLine) {
          it.receivedLine = true;
          state.onRollback(() -> it.receivedLine = false);
          status.onConnected();
        }
        announce(outcomes);
        if (outcomes.contains(LineOutcome.CLOSED)) {
          endIteration(null);
        }
        return outcomes;
      });
    } catch (RuntimeException e) {
      // The line's changes were rolled back with the error; ending the iteration is a change of
      // its own, so that it sticks.
      endIterationAfter(e);
      throw e;
    }
  }

  private void endIterationAfter(RuntimeException failure) {
    try {
      state.write(tx -> {
        if (state.iteration() != null) {
          endIteration(failure);
        }
        return null;
      });
    } catch (RuntimeException storeFailure) {
      failure.addSuppressed(storeFailure);
      state.locked(() -> {
        if (state.iteration() != null) {
          endIteration(failure);
        }
        return null;
      });
    }
  }

  /**
   * Reports that every queued write was uploaded: retries the pending checkpoint unless it is
   * older than the target. This is the {@code completed_upload} command; hosts complete an
   * {@link UploadBatch} instead, which calls it.
   *
   * @return what the retry led to: an {@link LineOutcome.Applied}, or nothing
   * @throws CheckpointStateException if no iteration is active
   */
  public List<LineOutcome> completedUpload() {
    return state.write(tx -> announce(barrier.completedUpload(state.requireIteration())));
  }

  /**
   * Ends the active iteration, if any: drops its checkpoint and pending checkpoint, reports the
   * status as disconnected and fails the waiters.
   */
  public void stop() {
    state.write(tx -> {
      if (state.iteration() != null) {
        endIteration(null);
      }
      return null;
    });
  }

  /**
   * Ends the active iteration because of an error outside the sync lines (for example a failed
   * upload or a broken stream): as {@link #stop()}, but waiters fail with
   * {@link CheckpointWaitException.SyncFailed} carrying {@code cause}, and the status keeps it as
   * its last failure.
   *
   * @param cause what went wrong
   */
  public void abort(RuntimeException cause) {
    Objects.requireNonNull(cause, "cause");
    state.write(tx -> {
      if (state.iteration() != null) {
        endIteration(cause);
      }
      return null;
    });
  }

  /**
   * {@code powersync_clear(flags)}: deletes every checkpoint key but the client id, and the upload
   * queue; the per-user sequences survive. A hard clear keeps the active iteration and its pending
   * checkpoint but unseeds the counter until the next seed. Any clear starts a new epoch: every
   * open waiter and request handle fails with {@link CheckpointWaitException.Cleared}.
   *
   * @param flags the clear flags
   * @throws CheckpointStateException if a soft clear is asked for during an iteration
   */
  public void clear(ClearFlags flags) {
    Objects.requireNonNull(flags, "flags");
    state.write(tx -> {
      Iteration it = state.iteration();
      if (flags.isSoft() && it != null) {
        throw new CheckpointStateException(CheckpointStateException.Reason.CLEAR_REFUSED,
            "Cannot clear or trigger resync while a sync iteration is active.");
      }
      tx.clear(flags);
      if (it != null && it.seeded) {
        it.seeded = false;
        state.onRollback(() -> it.seeded = true);
      }
      state.setEpoch(state.epoch().afterClear());
      status.onEpochEnded(new CheckpointWaitException.Cleared(
          "the database was cleared; checkpoint requests made before a clear never complete"));
      return null;
    });
  }

  /**
   * Closes the client: ends the active iteration and fails every open waiter and request handle
   * for good with {@link CheckpointWaitException.Closed}. The store stays open (the host opened
   * it). Closing twice does nothing more.
   */
  @Override
  public void close() {
    state.write(tx -> {
      if (state.iteration() != null) {
        endIteration(null);
      }
      state.settle(state.waiters.failAll(
          new CheckpointWaitException.Closed("the sync client was closed")));
      return null;
    });
  }

  /** The state the facets share; for the connection that drives this client. */
  ClientState state() {
    return state;
  }

  private List<LineOutcome> announce(List<LineOutcome> outcomes) {
    for (LineOutcome outcome : outcomes) {
      if (outcome instanceof LineOutcome.Applied applied) {
        status.onApplied(applied.writeCheckpoint());
      }
    }
    return outcomes;
  }

  /** Ends the active iteration; {@code failure} is the error that ended it, or null. */
  private void endIteration(RuntimeException failure) {
    state.setIteration(null);
    status.onDisconnected(failure);
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
     * @param scheduler the time source for waiter timeouts, retries and failure times
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
