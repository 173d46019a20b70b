package io.checkpoints.ports;

import java.util.Objects;
import java.util.Optional;

/**
 * The sync status at one moment. Immutable and thread-safe.
 *
 * @param connected whether a line of the current iteration has been received
 * @param connecting whether an iteration started and no line has been received yet
 * @param lastAppliedCheckpointRequestId the {@code write_checkpoint} of the most recent full apply
 *     in the current connection; an event, not a durable high-water mark: cleared when an
 *     iteration starts, on disconnect and on clear, and empty after an apply without a write
 *     checkpoint
 * @param lastFailure the latest failure of the current connection attempt: set as soon as a call
 *     to the service or the stream fails (also while the call is retried), kept when it ends the
 *     iteration, and cleared when a new connect starts or a later call succeeds
 */
public record SyncStatusSnapshot(
    boolean connected, boolean connecting, Optional<WriteCheckpoint> lastAppliedCheckpointRequestId,
    Optional<SyncFailure> lastFailure) {

  /** The status before the first start: neither connected nor connecting. */
  public static final SyncStatusSnapshot DISCONNECTED =
      new SyncStatusSnapshot(false, false, Optional.empty(), Optional.empty());

  /**
   * @param connected whether a line of the current iteration has been received
   * @param connecting whether an iteration started and no line has been received yet
   * @param lastAppliedCheckpointRequestId the {@code write_checkpoint} of the most recent full apply
   *     in the current connection (see the record's description)
   * @param lastFailure the latest failure of the current connection attempt (see the record's
   *     description)
   * @throws NullPointerException if an optional is null
   */
  public SyncStatusSnapshot {
    Objects.requireNonNull(lastAppliedCheckpointRequestId, "lastAppliedCheckpointRequestId");
    Objects.requireNonNull(lastFailure, "lastFailure");
  }

  /**
   * @param failure the new last failure, or empty
   * @return this status with that last failure
   */
  public SyncStatusSnapshot withLastFailure(Optional<SyncFailure> failure) {
    return new SyncStatusSnapshot(connected, connecting, lastAppliedCheckpointRequestId, failure);
  }
}
