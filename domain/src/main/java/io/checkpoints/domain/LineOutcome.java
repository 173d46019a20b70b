package io.checkpoints.domain;

import io.checkpoints.ports.WriteCheckpoint;
import java.util.Objects;
import java.util.Optional;

/**
 * What handling a sync line or a {@code completed_upload} led to, in the order it happened. All
 * implementations are immutable and thread-safe.
 */
public sealed interface LineOutcome {

  /**
   * A full checkpoint was applied.
   *
   * @param writeCheckpoint its {@code write_checkpoint}, or empty if it had none
   */
  record Applied(Optional<WriteCheckpoint> writeCheckpoint) implements LineOutcome {
    /**
     * @param writeCheckpoint its {@code write_checkpoint}, or empty if it had none
     * @throws NullPointerException if the argument is null
     */
    public Applied {
      Objects.requireNonNull(writeCheckpoint, "writeCheckpoint");
    }
  }

  /** A full checkpoint validated but the gate blocked it; it is now the pending checkpoint. */
  record Held() implements LineOutcome {}

  /**
   * A partial checkpoint of one priority was applied.
   *
   * @param priority the priority
   */
  record PartialApplied(int priority) implements LineOutcome {}

  /** The line closed the stream (for example an expired token) and the iteration ended. */
  record Closed() implements LineOutcome {}

  /** The only {@link Held} value. */
  LineOutcome HELD = new Held();

  /** The only {@link Closed} value. */
  LineOutcome CLOSED = new Closed();
}
