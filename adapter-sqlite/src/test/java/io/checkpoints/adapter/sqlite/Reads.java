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

  static io.checkpoints.ports.ClientId clientId(CheckpointStore store) {
    return store.inTransaction(tx -> tx.state().clientId());
  }

  static Optional<CheckpointRequestId> highest(CheckpointStore store, io.checkpoints.ports.UserKey user) {
    return store.inTransaction(tx -> tx.userSequences().highest(user));
  }

  static long enqueue(CheckpointStore store, io.checkpoints.ports.LocalWrite write) {
    return store.inTransaction(tx -> tx.uploadQueue().enqueue(write));
  }

  static long longValue(CheckpointStore store, String sql) {
    return store.inTransaction(tx -> tx.unwrap(Handle.class).orElseThrow()
        .createQuery(sql).mapTo(Long.class).one());
  }
}
