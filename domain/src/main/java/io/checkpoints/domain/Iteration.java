package io.checkpoints.domain;

import io.checkpoints.ports.CheckpointMode;
import io.checkpoints.ports.UserKey;
import io.checkpoints.ports.WriteCheckpoint;
import java.util.Optional;

/**
 * The in-memory state of one sync iteration. Guarded by the owning {@link SyncClient}'s lock.
 */
final class Iteration {

  /** A full checkpoint as the iteration knows it: the latest checkpoint or diff line. */
  record Checkpoint(String lastOpId, Optional<WriteCheckpoint> writeCheckpoint) {}

  final CheckpointMode mode;
  /** The user whose per-user sequence this iteration continues; null when none is known. */
  final UserKey user;
  /** Whether the counter was seeded in this iteration (and not cleared since). */
  boolean seeded;
  /** Whether a line of this iteration was received: the status is then connected. */
  boolean receivedLine;
  /** The current checkpoint, or null before the first checkpoint line. */
  Checkpoint checkpoint;
  /** The validated full checkpoint the gate blocked, or null. */
  Checkpoint pending;

  Iteration(CheckpointMode mode, UserKey user) {
    this.mode = mode;
    this.user = user;
  }

  Optional<UserKey> user() {
    return Optional.ofNullable(user);
  }
}
