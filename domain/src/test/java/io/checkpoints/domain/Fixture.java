package io.checkpoints.domain;

import io.checkpoints.adapter.inmemory.InMemoryCheckpointStore;
import io.checkpoints.ports.CheckpointPublication;
import io.checkpoints.ports.CheckpointRequestId;
import io.checkpoints.ports.ClientId;
import io.checkpoints.ports.LocalWrite;
import io.checkpoints.ports.SyncLine;
import io.checkpoints.ports.WriteCheckpoint;
import io.checkpoints.testkit.support.ManualScheduler;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** A client on an in-memory store with a recording publisher and a manual scheduler. */
final class Fixture {
  final InMemoryCheckpointStore store = InMemoryCheckpointStore.create(ClientId.of("test-client"));
  final ManualScheduler scheduler = ManualScheduler.create();
  final List<CheckpointPublication> published = new ArrayList<>();
  final SyncClient client = SyncClient.builder(store)
      .scheduler(scheduler)
      .publisher((publication, tx) -> published.add(publication))
      .build();

  static CheckpointRequestId id(long value) {
    return CheckpointRequestId.of(value);
  }

  static SyncLine checkpoint(String lastOpId, Long writeCheckpoint) {
    return new SyncLine.Checkpoint(lastOpId,
        Optional.ofNullable(writeCheckpoint).map(WriteCheckpoint::of));
  }

  static SyncLine diff(String lastOpId, Long writeCheckpoint) {
    return new SyncLine.CheckpointDiff(lastOpId,
        Optional.ofNullable(writeCheckpoint).map(WriteCheckpoint::of));
  }

  static SyncLine complete(String lastOpId) {
    return new SyncLine.CheckpointComplete(lastOpId);
  }

  static SyncLine partial(String lastOpId, int priority) {
    return new SyncLine.PartialCheckpointComplete(lastOpId, priority);
  }

  static LineOutcome applied(Long writeCheckpoint) {
    return new LineOutcome.Applied(Optional.ofNullable(writeCheckpoint).map(WriteCheckpoint::of));
  }

  long write(String rowId) {
    return client.barrier().recordLocalWrite(LocalWrite.put("items", rowId, "{}"));
  }

  /** Empties the upload queue, as a host that uploaded everything by SQL would. */
  void uploadAll() {
    store.inTransaction(tx -> {
      tx.uploadQueue().removeThrough(Long.MAX_VALUE);
      return null;
    });
  }

  /** checkpoint + checkpoint_complete with that write checkpoint. */
  List<LineOutcome> fullCheckpoint(String lastOpId, Long writeCheckpoint) {
    client.handleLine(checkpoint(lastOpId, writeCheckpoint));
    return client.handleLine(complete(lastOpId));
  }

  Optional<CheckpointRequestId> target() {
    return store.inTransaction(tx -> tx.state().target());
  }

  Optional<WriteCheckpoint> lastSeen() {
    return store.inTransaction(tx -> tx.state().lastSeen());
  }

  Optional<WriteCheckpoint> lastApplied() {
    return store.inTransaction(tx -> tx.state().lastApplied());
  }

  Optional<CheckpointRequestId> counter() {
    return store.inTransaction(tx -> tx.state().lastRequested());
  }
}
