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
   * An optional fast path for allocation, which the domain asks for before it reads, checks and
   * writes the counter itself: add one to the counter in one statement when it is an integer below
   * {@code MAX}, and change nothing otherwise. The rules of allocation (seeding, the per-user
   * sequence, overflow) stay in the domain; a store that offers no fast path keeps this default.
   *
   * @return the new counter; empty if the counter is absent or at {@code MAX}, or if this store
   *     offers no fast path (the default)
   */
  default Optional<CheckpointRequestId> incrementLastRequested() {
    return Optional.empty();
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
