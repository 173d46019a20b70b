package io.checkpoints.adapter.jdbc.testing;

import io.checkpoints.ports.CheckpointRequestId;
import io.checkpoints.ports.CheckpointStore;
import io.checkpoints.ports.ClientId;
import io.checkpoints.ports.LocalWrite;
import io.checkpoints.ports.UserKey;
import io.checkpoints.ports.WriteCheckpoint;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * Typed one-transaction reads of a store, so that assertions need no type witnesses; shared by the
 * SQL adapters' tests. Stateless and thread-safe.
 */
public final class Reads {

  private Reads() {}

  public static Optional<CheckpointRequestId> target(CheckpointStore store) {
    return store.inTransaction(tx -> tx.state().target());
  }

  public static Optional<CheckpointRequestId> counter(CheckpointStore store) {
    return store.inTransaction(tx -> tx.state().lastRequested());
  }

  public static Optional<WriteCheckpoint> lastSeen(CheckpointStore store) {
    return store.inTransaction(tx -> tx.state().lastSeen());
  }

  public static long queueSize(CheckpointStore store) {
    return store.inTransaction(tx -> tx.uploadQueue().size());
  }

  public static long lastSequence(CheckpointStore store) {
    return store.inTransaction(tx -> tx.uploadQueue().lastSequence());
  }

  public static ClientId clientId(CheckpointStore store) {
    return store.inTransaction(tx -> tx.state().clientId());
  }

  public static Optional<CheckpointRequestId> highest(CheckpointStore store, UserKey user) {
    return store.inTransaction(tx -> tx.userSequences().highest(user));
  }

  public static long enqueue(CheckpointStore store, LocalWrite write) {
    return store.inTransaction(tx -> tx.uploadQueue().enqueue(write));
  }

  /** @return the single long of a one-row, one-column query, on the store's connection */
  public static long longValue(CheckpointStore store, String sql) {
    return store.inTransaction(tx -> tx.unwrap(Handle.class).orElseThrow()
        .createQuery(sql).mapTo(Long.class).one());
  }
}
