package io.checkpoints.ports;

import java.util.Optional;

/**
 * The checkpoint keys of the key-value table {@code ps_kv}, inside one transaction. "Absent"
 * always means "no row". Confined to the transaction's thread.
 *
 * <p>Getters throw {@link CheckpointStorageException} when a stored value cannot be read as the
 * expected type (for example a floating-point counter left by the reference's overflow).
 */
public interface CheckpointState {

  /** @return {@code client_id}; the store creates one if the database has none */
  ClientId clientId();

  /** @return {@code target_checkpoint_request_id}, the apply gate; absent means no gate */
  Optional<CheckpointRequestId> target();

  /** @param target the new {@code target_checkpoint_request_id} */
  void setTarget(CheckpointRequestId target);

  /** Deletes {@code target_checkpoint_request_id}: no gate. */
  void deleteTarget();

  /** @return {@code last_requested_checkpoint_request_id}, the counter; absent means not seeded */
  Optional<CheckpointRequestId> lastRequested();

  /** @param counter the new {@code last_requested_checkpoint_request_id} */
  void setLastRequested(CheckpointRequestId counter);

  /**
   * Adds one to the counter when it is set and below {@code MAX}; otherwise changes nothing. A
   * store may do this in one statement (allocation is the hot path); the default reads and writes.
   *
   * @return the new counter, or empty if the counter is absent or at {@code MAX}
   */
  default Optional<CheckpointRequestId> incrementLastRequested() {
    Optional<CheckpointRequestId> counter = lastRequested();
    if (counter.isEmpty() || counter.get().isMax()) {
      return Optional.empty();
    }
    CheckpointRequestId next = CheckpointRequestId.of(counter.get().value() + 1);
    setLastRequested(next);
    return Optional.of(next);
  }

  /**
   * Arms the gate, as every local write that is not insert-only does: the target becomes
   * {@code MAX} and last seen and last applied are deleted, so that no downloaded checkpoint
   * publishes before the service has acknowledged a request allocated after the write.
   */
  default void armGate() {
    setTarget(CheckpointRequestId.MAX);
    deleteLastSeen();
    deleteLastApplied();
  }

  /** @return {@code last_seen_checkpoint_request_id} */
  Optional<WriteCheckpoint> lastSeen();

  /** @param seen the new {@code last_seen_checkpoint_request_id} */
  void setLastSeen(WriteCheckpoint seen);

  /** Deletes {@code last_seen_checkpoint_request_id}. */
  void deleteLastSeen();

  /** @return {@code last_applied_checkpoint_request_id} (diagnostics only) */
  Optional<WriteCheckpoint> lastApplied();

  /** @param applied the new {@code last_applied_checkpoint_request_id} */
  void setLastApplied(WriteCheckpoint applied);

  /** Deletes {@code last_applied_checkpoint_request_id}. */
  void deleteLastApplied();
}
