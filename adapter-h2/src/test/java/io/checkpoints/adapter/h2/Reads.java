package io.checkpoints.adapter.h2;

import io.checkpoints.ports.CheckpointRequestId;
import io.checkpoints.ports.CheckpointStore;
import io.checkpoints.ports.WriteCheckpoint;
import java.util.Optional;

/** Typed one-transaction reads of a store, so that assertions need no type witnesses. */
final class Reads {

  private Reads() {}

  static Optional<CheckpointRequestId> target(CheckpointStore store) {
    return store.inTransaction(tx -> tx.state().target());
  }

  static Optional<CheckpointRequestId> counter(CheckpointStore store) {
    return store.inTransaction(tx -> tx.state().lastRequested());
  }

  static Optional<WriteCheckpoint> lastSeen(CheckpointStore store) {
    return store.inTransaction(tx -> tx.state().lastSeen());
  }

  static long queueSize(CheckpointStore store) {
    return store.inTransaction(tx -> tx.uploadQueue().size());
  }

  static long lastSequence(CheckpointStore store) {
    return store.inTransaction(tx -> tx.uploadQueue().lastSequence());
  }
}
