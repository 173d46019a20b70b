package io.checkpoints.adapter.h2;

import io.checkpoints.ports.CheckpointStore;
import io.checkpoints.testkit.contract.CheckpointStoreContract;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;

/**
 * The storage contract for {@link H2CheckpointStore} on a fresh private in-memory database, with
 * the one declared difference of the SQL stores (nested work runs in a savepoint).
 */
class H2InMemoryCheckpointStoreContractTest extends CheckpointStoreContract {

  /**
   * Not an H2 limitation but the shared JDBC store's design, declared by the SQLite store too: H2
   * has savepoints, and an operation that fails must leave no partial change, also inside a
   * caller's transaction.
   */
  static final Differences SAVEPOINT_DIFFERENCE = Differences.none().differ(
      Expectation.INNER_FAILURE_CAUGHT_BY_OUTER, InnerFailure.DISCARDS_INNER_CHANGES,
      "every operation of the JDBC stores (SQLite, H2) runs in a savepoint when a transaction is"
          + " already open, so that a failing operation leaves no partial change, also in a"
          + " caller's transaction");

  private final List<H2CheckpointStore> opened = new ArrayList<>();

  @Override
  protected CheckpointStore newStore() {
    H2CheckpointStore store = H2CheckpointStore.openInMemory();
    opened.add(store);
    return store;
  }

  @Override
  protected Differences differences() {
    return SAVEPOINT_DIFFERENCE;
  }

  @AfterEach
  void closeStores() {
    opened.forEach(H2CheckpointStore::close);
  }
}
