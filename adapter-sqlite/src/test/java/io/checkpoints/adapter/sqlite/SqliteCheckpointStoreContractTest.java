package io.checkpoints.adapter.sqlite;

import io.checkpoints.ports.CheckpointStore;
import io.checkpoints.testkit.contract.CheckpointStoreContract;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * The storage contract for {@link SqliteCheckpointStore} on a fresh temporary database file. One
 * difference is declared: nested work runs in a savepoint, so a nested failure that the outer work
 * catches leaves no change behind (docs/sqlite.md). The store offers both fast paths (the
 * one-statement increment, and the insert whose trigger arms the gate and says so), and its joined
 * variant observes the caller's commit through sqlite-jdbc's commit hook.
 */
class SqliteCheckpointStoreContractTest extends CheckpointStoreContract {

  @TempDir Path directory;

  private final List<SqliteCheckpointStore> opened = new ArrayList<>();
  private Path file;

  @Override
  protected CheckpointStore newStore() {
    // An insert-only table for SQL writes changes nothing at the ports; "logs" makes the contract's
    // writes to it take the path where the store arms the gate itself, not its trigger.
    file = directory.resolve("contract-" + opened.size() + ".db");
    return openFile();
  }

  private SqliteCheckpointStore openFile() {
    SqliteCheckpointStore store = SqliteCheckpointStore.open(file,
        SqliteStoreOptions.defaults().withInsertOnlyTables("logs"));
    opened.add(store);
    return store;
  }

  @Override
  protected Optional<CheckpointStore> reopen() {
    return Optional.of(openFile()); // the file of the store that newStore() opened
  }

  @Override
  protected Differences differences() {
    return Differences.none().differ(Expectation.INNER_FAILURE_CAUGHT_BY_OUTER,
        InnerFailure.DISCARDS_INNER_CHANGES,
        "every operation of the SQLite store runs in a savepoint when a transaction is already open,"
            + " so that a failing operation leaves no partial change, also in a caller's transaction");
  }

  @Override
  protected boolean offersIncrementFastPath() {
    return true;
  }

  @Override
  protected boolean armsGateInTheInsert() {
    return true;
  }

  @Override
  protected Optional<CallerConnection> newCallerConnection() {
    try {
      Connection connection = DriverManager.getConnection(
          "jdbc:sqlite:" + directory.resolve("caller-" + opened.size() + "-" + System.nanoTime() + ".db"));
      SqliteCheckpointStore joined = SqliteCheckpointStore.join(connection);
      return Optional.of(new CallerConnection() {
        @Override
        public SqliteCheckpointStore store() {
          return joined;
        }

        @Override
        public void begin() {
          execute("BEGIN IMMEDIATE"); // as docs/sqlite.md asks a caller's transaction to begin
        }

        @Override
        public void commit() {
          execute("COMMIT");
        }

        @Override
        public void rollback() {
          execute("ROLLBACK");
        }

        private void execute(String sql) {
          try (Statement statement = connection.createStatement()) {
            statement.execute(sql);
          } catch (SQLException e) {
            throw new IllegalStateException(sql + " failed", e);
          }
        }

        @Override
        public void close() {
          joined.close();
          try {
            connection.close();
          } catch (SQLException e) {
            throw new IllegalStateException("could not close the caller's connection", e);
          }
        }
      });
    } catch (SQLException e) {
      throw new IllegalStateException("could not open the caller's connection", e);
    }
  }

  @AfterEach
  void closeStores() {
    opened.forEach(SqliteCheckpointStore::close);
  }
}
