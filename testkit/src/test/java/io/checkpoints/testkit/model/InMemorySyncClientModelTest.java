package io.checkpoints.testkit.model;

import io.checkpoints.adapter.inmemory.InMemoryCheckpointStore;
import io.checkpoints.ports.CheckpointStore;

/** The model-based test of the domain on {@link InMemoryCheckpointStore}. */
class InMemorySyncClientModelTest extends SyncClientModelContract {

  @Override
  protected CheckpointStore newStore() {
    return InMemoryCheckpointStore.create();
  }
}
