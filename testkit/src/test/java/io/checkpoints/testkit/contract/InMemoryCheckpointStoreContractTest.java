package io.checkpoints.testkit.contract;

import io.checkpoints.adapter.inmemory.InMemoryCheckpointStore;
import io.checkpoints.ports.CheckpointStore;

/**
 * The storage contract for {@link InMemoryCheckpointStore}. It lives here rather than in the
 * in-memory adapter's own tests because the testkit depends on that adapter. No difference is
 * declared: the in-memory store meets every expectation. It supplies no {@code reopen()}: its
 * state lives only as long as the store object, so there is nothing to reopen, and the durability
 * tests check nothing here.
 */
class InMemoryCheckpointStoreContractTest extends CheckpointStoreContract {

  @Override
  protected CheckpointStore newStore() {
    return InMemoryCheckpointStore.create();
  }
}
