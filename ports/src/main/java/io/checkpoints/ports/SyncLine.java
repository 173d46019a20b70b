package io.checkpoints.ports;

import java.util.Objects;
import java.util.Optional;

/**
 * A decoded line of the sync stream, reduced to what checkpoint requests need (section 11 of the
 * behaviour). Bucket data and checksums are the host's business and are not carried here.
 *
 * <p>All implementations are immutable and thread-safe records.
 */
public sealed interface SyncLine {

  /**
   * {@code {"checkpoint": {...}}}: a new full checkpoint starts.
   *
   * @param lastOpId the checkpoint's {@code last_op_id}
   * @param writeCheckpoint the {@code write_checkpoint}, or empty when null or omitted
   */
  record Checkpoint(String lastOpId, Optional<WriteCheckpoint> writeCheckpoint)
      implements SyncLine {
    /**
     * @param lastOpId the checkpoint's {@code last_op_id}
     * @param writeCheckpoint the {@code write_checkpoint}, or empty when null or omitted
     * @throws NullPointerException if an argument is null
     */
    public Checkpoint {
      Objects.requireNonNull(lastOpId, "lastOpId");
      Objects.requireNonNull(writeCheckpoint, "writeCheckpoint");
    }
  }

  /**
   * {@code {"checkpoint_diff": {...}}}: changes the current checkpoint; its {@code write_checkpoint}
   * replaces the current one (an omitted one leaves none).
   *
   * @param lastOpId the new {@code last_op_id}
   * @param writeCheckpoint the {@code write_checkpoint}, or empty when null or omitted
   */
  record CheckpointDiff(String lastOpId, Optional<WriteCheckpoint> writeCheckpoint)
      implements SyncLine {
    /**
     * @param lastOpId the new {@code last_op_id}
     * @param writeCheckpoint the {@code write_checkpoint}, or empty when null or omitted
     * @throws NullPointerException if an argument is null
     */
    public CheckpointDiff {
      Objects.requireNonNull(lastOpId, "lastOpId");
      Objects.requireNonNull(writeCheckpoint, "writeCheckpoint");
    }
  }

  /**
   * {@code {"checkpoint_complete": {...}}}: the current full checkpoint is complete and, the host
   * having checked its checksums, validated.
   *
   * @param lastOpId the {@code last_op_id} as sent (a different one is ignored, as the reference does)
   */
  record CheckpointComplete(String lastOpId) implements SyncLine {
    /**
     * @param lastOpId the {@code last_op_id} as sent (a different one is ignored, as the reference does)
     * @throws NullPointerException if an argument is null
     */
    public CheckpointComplete {
      Objects.requireNonNull(lastOpId, "lastOpId");
    }
  }

  /**
   * {@code {"partial_checkpoint_complete": {...}}}: the buckets of one priority are complete.
   *
   * @param lastOpId the {@code last_op_id} as sent
   * @param priority the bucket priority, 0 (highest) or more
   */
  record PartialCheckpointComplete(String lastOpId, int priority) implements SyncLine {
    /**
     * @param lastOpId the {@code last_op_id} as sent
     * @param priority the bucket priority, 0 (highest) or more
     * @throws CheckpointArgumentException if the priority is negative
     */
    public PartialCheckpointComplete {
      Objects.requireNonNull(lastOpId, "lastOpId");
      if (priority < 0) {
        throw new CheckpointArgumentException("bucket priority must be 0 or more, got " + priority);
      }
    }
  }

  /**
   * {@code {"token_expires_in": n}}: when {@code n <= 0} the stream closes.
   *
   * @param seconds the seconds until the token expires
   */
  record TokenExpiresIn(long seconds) implements SyncLine {}

  /**
   * Any other line type; it passes through and reports nothing.
   *
   * @param type the line's key, for example {@code "data"}
   */
  record Other(String type) implements SyncLine {
    /**
     * @param type the line's key, for example {@code "data"}
     * @throws NullPointerException if the type is null
     */
    public Other {
      Objects.requireNonNull(type, "type");
    }
  }
}
