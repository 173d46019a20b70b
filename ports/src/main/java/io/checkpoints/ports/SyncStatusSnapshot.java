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
 *     iteration starts and on disconnect, and empty after an apply without a write checkpoint
 */
public record SyncStatusSnapshot(
    boolean connected, boolean connecting, Optional<WriteCheckpoint> lastAppliedCheckpointRequestId) {

  /** The status before the first start: neither connected nor connecting. */
  public static final SyncStatusSnapshot DISCONNECTED =
      new SyncStatusSnapshot(false, false, Optional.empty());

  /**
   * @param connected whether a line of the current iteration has been received
   * @param connecting whether an iteration started and no line has been received yet
   * @param lastAppliedCheckpointRequestId the {@code write_checkpoint} of the most recent full apply
   *     in the current connection; an event, not a durable high-water mark: cleared when an
   *     iteration starts and on disconnect, and empty after an apply without a write checkpoint
   * @throws NullPointerException if {@code lastAppliedCheckpointRequestId} is null
   */
  public SyncStatusSnapshot {
    Objects.requireNonNull(lastAppliedCheckpointRequestId, "lastAppliedCheckpointRequestId");
  }
}
