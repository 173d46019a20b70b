package io.checkpoints.adapter.sqlite;

import io.checkpoints.ports.CheckpointStore;
import io.checkpoints.testkit.contract.CheckpointStoreContract;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * The storage contract for {@link SqliteCheckpointStore} on a fresh temporary database file. One
 * difference is declared: nested work runs in a savepoint, so a nested failure that the outer work
 * catches leaves no change behind (docs/sqlite.md).
 */
class SqliteCheckpointStoreContractTest extends CheckpointStoreContract {

  @TempDir Path directory;

  private final List<SqliteCheckpointStore> opened = new ArrayList<>();

  @Override
  protected CheckpointStore newStore() {
    // An insert-only table for SQL writes changes nothing at the ports; "logs" makes the contract's
    // writes to it take the path where the store arms the gate itself, not its trigger.
    SqliteCheckpointStore store = SqliteCheckpointStore.open(
        directory.resolve("contract-" + opened.size() + ".db"),
        SqliteStoreOptions.defaults().withInsertOnlyTables("logs"));
    opened.add(store);
    return store;
  }

  @Override
  protected Differences differences() {
    return Differences.none().differ(Expectation.INNER_FAILURE_CAUGHT_BY_OUTER,
        InnerFailure.DISCARDS_INNER_CHANGES,
        "every operation of the SQLite store runs in a savepoint when a transaction is already open,"
            + " so that a failing operation leaves no partial change, also in a caller's transaction");
  }

  @AfterEach
  void closeStores() {
    opened.forEach(SqliteCheckpointStore::close);
  }
}
