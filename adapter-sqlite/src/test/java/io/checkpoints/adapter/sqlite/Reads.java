package io.checkpoints.adapter.sqlite;

import io.checkpoints.ports.CheckpointRequestId;
import io.checkpoints.ports.CheckpointStore;
import io.checkpoints.ports.WriteCheckpoint;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

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

  static long longValue(CheckpointStore store, String sql) {
    return store.inTransaction(tx -> tx.unwrap(Handle.class).orElseThrow()
        .createQuery(sql).mapTo(Long.class).one());
  }
}
