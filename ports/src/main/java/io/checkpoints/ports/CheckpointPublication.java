package io.checkpoints.ports;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A checkpoint the gate lets through: the host publishes its data (moves it from the download
 * area into the visible tables) when it receives this. Immutable and thread-safe.
 *
 * @param lastOpId the checkpoint's {@code last_op_id}
 * @param writeCheckpoint the checkpoint's {@code write_checkpoint}, if any
 * @param partialPriority empty for a full checkpoint; the priority for a partial one
 */
public record CheckpointPublication(
    String lastOpId, Optional<WriteCheckpoint> writeCheckpoint, OptionalInt partialPriority) {

  /**
   * @param lastOpId the checkpoint's {@code last_op_id}
   * @param writeCheckpoint the checkpoint's {@code write_checkpoint}, if any
   * @param partialPriority empty for a full checkpoint; the priority for a partial one
   * @throws NullPointerException if an argument is null
   */
  public CheckpointPublication {
    Objects.requireNonNull(lastOpId, "lastOpId");
    Objects.requireNonNull(writeCheckpoint, "writeCheckpoint");
    Objects.requireNonNull(partialPriority, "partialPriority");
  }

  /** @return whether this is a full checkpoint (not a partial one) */
  public boolean isFull() {
    return partialPriority.isEmpty();
  }
}
