package io.checkpoints.adapter.h2;

import io.checkpoints.ports.CheckpointStore;
import io.checkpoints.testkit.contract.CheckpointStoreContract;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;

/**
 * The storage contract for {@link H2CheckpointStore} on a fresh private in-memory database, with
 * the declared differences of the H2 store: nested work runs in a savepoint, and in a caller's
 * transaction completion callbacks run at the end of the store's call (H2 offers no way to
 * observe the caller's commit; docs/h2.md).
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
          + " caller's transaction")
      .differ(Expectation.CALLER_COMMIT_OBSERVED, false,
          "H2 has no commit hook, trigger or listener that sees a caller's commit, so callbacks in"
              + " a caller's transaction run at the end of the store's own outermost call, as committed");

  /** A caller's H2 connection (a private in-memory database) with a store joined to it. */
  static Optional<CallerConnection> callerConnection() {
    try {
      Connection connection = DriverManager.getConnection("jdbc:h2:mem:caller-" + UUID.randomUUID());
      H2CheckpointStore joined = H2CheckpointStore.join(connection);
      return Optional.of(new CallerConnection() {
        @Override
        public H2CheckpointStore store() {
          return joined;
        }

        @Override
        public void begin() {
          run(() -> connection.setAutoCommit(false));
        }

        @Override
        public void commit() {
          run(() -> {
            connection.commit();
            connection.setAutoCommit(true);
          });
        }

        @Override
        public void rollback() {
          run(() -> {
            connection.rollback();
            connection.setAutoCommit(true);
          });
        }

        @Override
        public void close() {
          joined.close();
          run(connection::close);
        }
      });
    } catch (SQLException e) {
      throw new IllegalStateException("could not open the caller's connection", e);
    }
  }

  private interface SqlAction {
    void run() throws SQLException;
  }

  private static void run(SqlAction action) {
    try {
      action.run();
    } catch (SQLException e) {
      throw new IllegalStateException("the caller's connection failed", e);
    }
  }

  private final List<H2CheckpointStore> opened = new ArrayList<>();

  @Override
  protected CheckpointStore newStore() {
    // "logs" insert-only for SQL writes: the contract's writes to it take the path where the
    // trigger does not arm and enqueueArmingGate must say so.
    H2CheckpointStore store = H2CheckpointStore.openInMemory(
        H2StoreOptions.defaults().withInsertOnlyTables("logs"));
    opened.add(store);
    return store;
  }

  @Override
  protected Differences differences() {
    return SAVEPOINT_DIFFERENCE;
  }

  @Override
  protected boolean armsGateInTheInsert() {
    return true;
  }

  @Override
  protected Optional<CallerConnection> newCallerConnection() {
    return callerConnection();
  }

  @AfterEach
  void closeStores() {
    opened.forEach(H2CheckpointStore::close);
  }
}
