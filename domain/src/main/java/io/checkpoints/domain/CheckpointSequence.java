package io.checkpoints.domain;

import io.checkpoints.ports.CheckpointRequest;
import io.checkpoints.ports.CheckpointRequestId;
import io.checkpoints.ports.CheckpointState;
import io.checkpoints.ports.CheckpointStateException;
import io.checkpoints.ports.CheckpointTransaction;
import io.checkpoints.ports.UserKey;
import java.util.Objects;
import java.util.Optional;

/**
 * The checkpoint request counter ({@code last_requested_checkpoint_request_id}) of one client: the
 * initial request, seed, next and current, and the per-user sequence that survives a clear.
 *
 * <p>Ids are allocated only after the current iteration's seed (the reference only checks that a
 * counter exists), and allocation at {@code MAX} is an error (the reference stores a
 * floating-point value). Thread-safe: runs each operation in one store transaction, under
 * the client's lock.
 */
public final class CheckpointSequence {

  private final ClientState state;

  CheckpointSequence(ClientState state) {
    this.state = state;
  }

  /**
   * Stores {@code id} as the counter verbatim (seeding 5 after 41 stores 5) and raises the
   * iteration user's per-user sequence to it.
   *
   * @param id the id the service accepted for the initial request
   * @return {@code id}
   * @throws CheckpointStateException if no iteration is active
   */
  public CheckpointRequestId seed(CheckpointRequestId id) {
    Objects.requireNonNull(id, "id");
    return state.write(tx -> {
      Iteration it = state.requireIteration();
      tx.state().setLastRequested(id);
      it.user().ifPresent(user -> tx.userSequences().raise(user, id));
      boolean wasSeeded = it.seeded;
      it.seeded = true;
      state.onRollback(() -> it.seeded = wasSeeded);
      return id;
    });
  }

  /**
   * Allocates the next id: the counter plus one, or with a known user
   * {@code max(counter, per-user value) + 1}.
   *
   * @return the new id, now stored as the counter
   * @throws CheckpointStateException if no iteration is active, the counter was not seeded in this
   *     iteration, or the next id would exceed {@code MAX}
   */
  public CheckpointRequestId next() {
    return state.write(tx -> allocate(tx, state.requireIteration()));
  }

  /**
   * Allocates the next id as {@link #next()} does, for the write checkpoint after an upload batch,
   * and remembers the upload queue's position so that
   * {@link WriteCheckpointBarrier#targetAcceptedRequest} can tell whether a write came in since.
   *
   * @return the allocation
   * @throws CheckpointStateException as {@link #next()}
   */
  public UploadCheckpointAllocation allocateForUpload() {
    return state.write(tx -> new UploadCheckpointAllocation(
        allocate(tx, state.requireIteration()), tx.uploadQueue().lastSequence()));
  }

  /**
   * @return whether ids can be allocated now: an iteration is active and its seed succeeded (a hard
   *     clear during the iteration undoes the seed)
   */
  public boolean isSeeded() {
    return state.locked(() -> {
      Iteration it = state.iteration();
      return it != null && it.seeded;
    });
  }

  /**
   * The request that seeds the active iteration, computed from the current state as
   * {@link SyncClient#start} computes the initial request; for seeding again after a clear.
   *
   * @return {@code {client_id, max(counter, concrete target, per-user value, 1)}}
   * @throws CheckpointStateException if no iteration is active
   */
  public CheckpointRequest seedRequest() {
    return state.write(tx -> initialRequest(tx, state.requireIteration().user));
  }

  /**
   * Raises the iteration user's per-user sequence to an id about to be posted as the initial
   * request, so that a later initial request for that user never goes below it, even if this one
   * is never answered and a clear follows. Nothing happens without a known user.
   *
   * @param request the request about to be posted
   * @throws CheckpointStateException if no iteration is active
   */
  void notePosted(CheckpointRequest request) {
    state.write(tx -> {
      state.requireIteration().user().ifPresent(user -> tx.userSequences().raise(user, request.id()));
      return null;
    });
  }

  /**
   * Reads the counter; needs no iteration and never allocates.
   *
   * @return the counter, or empty if it is not set
   */
  public Optional<CheckpointRequestId> current() {
    return state.write(tx -> (tx.state().lastRequested()));
  }

  /**
   * Reads a user's per-user sequence.
   *
   * @param user the user
   * @return the highest id used for that user, or empty
   */
  public Optional<CheckpointRequestId> userSequence(UserKey user) {
    Objects.requireNonNull(user, "user");
    return state.write(tx -> (tx.userSequences().highest(user)));
  }

  /**
   * The administrative reset of a user's sequence: the only way a (user, client) may start again
   * at 1. Use it only when the service is known to have forgotten the user's requests.
   *
   * @param user the user
   * @return whether the user had a sequence
   */
  public boolean resetUserSequence(UserKey user) {
    Objects.requireNonNull(user, "user");
    return state.write(tx -> (tx.userSequences().reset(user)));
  }

  /** {@code max(counter ?? 0, concrete target ?? 0, per-user ?? 0, 1)}, read in {@code tx}. */
  CheckpointRequest initialRequest(CheckpointTransaction tx, UserKey user) {
    CheckpointState state = tx.state();
    long initial = 1;
    initial = Math.max(initial, state.lastRequested().map(CheckpointRequestId::value).orElse(0L));
    initial = Math.max(initial, state.target()
        .filter(target -> !target.isMax())
        .map(CheckpointRequestId::value)
        .orElse(0L));
    if (user != null) {
      initial = Math.max(initial,
          tx.userSequences().highest(user).map(CheckpointRequestId::value).orElse(0L));
    }
    return new CheckpointRequest(state.clientId(), CheckpointRequestId.of(initial));
  }

  private CheckpointRequestId allocate(CheckpointTransaction tx, Iteration it) {
    if (it.seeded && it.user == null) {
      Optional<CheckpointRequestId> next = tx.state().incrementLastRequested();
      if (next.isPresent()) {
        return next.get(); // the common case; otherwise the checks below say what is wrong
      }
    }
    Optional<CheckpointRequestId> counter = it.seeded ? tx.state().lastRequested() : Optional.empty();
    if (counter.isEmpty()) {
      throw new CheckpointStateException(CheckpointStateException.Reason.NOT_SEEDED,
          "Checkpoint request state has not been seeded");
    }
    long base = counter.get().value();
    if (it.user != null) {
      base = Math.max(base,
          tx.userSequences().highest(it.user).map(CheckpointRequestId::value).orElse(0L));
    }
    if (base == Long.MAX_VALUE) {
      throw new CheckpointStateException(CheckpointStateException.Reason.OVERFLOW,
          "Checkpoint request id overflow: the counter is at " + Long.MAX_VALUE
              + " and cannot be incremented");
    }
    CheckpointRequestId next = CheckpointRequestId.of(base + 1);
    tx.state().setLastRequested(next);
    if (it.user != null) {
      tx.userSequences().raise(it.user, next);
    }
    return next;
  }
}
